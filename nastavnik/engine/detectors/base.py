"""The detector protocol, its result, and the per-conversation context detectors share.

A detector answers one criterion for one conversation with a verdict (``yes``, ``partial``,
``no``, ``na``), a confidence and the evidence (turn index, character span, quote) that
justifies it. Detectors never tokenise text themselves: the :class:`DetectorContext` of a
conversation tokenises each turn and runs the scorecard's one phrase matcher over it at most
once, on demand, so ten detectors cost one pass. See ``docs/detectors.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple, Protocol

from nastavnik.engine.detectors import messages
from nastavnik.engine.formats.validate import positional_builder
from nastavnik.engine.metrics import conversation_metrics, turn_timeline
from nastavnik.engine.text.morph import WORD, Token, token_spans, tokenize
from nastavnik.engine.text.phrases import Hit, Phrase, PhraseMatcher, TurnAnalysis
from nastavnik.engine.types import Conversation, ConversationMetrics, Evidence

MAX_EVIDENCE = 10
"""At most this many evidence spans per answer (the note still gives the full count)."""

QUOTE_LIMIT = 200
"""A turn quoted whole (timing evidence) is cut to this many characters."""

SPEAKERS: tuple[str, ...] = ("operator", "client")
"""Speakers a detector can be pointed at."""

Turns = tuple[int, ...]
"""Turn indexes, in conversation order."""

Found = list[tuple[int, Hit]]
"""Matches with the index of the turn they are in, in conversation order."""


class DetectorConfigError(ValueError):
    """A detector configuration that cannot be compiled; names the criterion and parameter."""

    def __init__(self, parameter: str, reason: str, *, criterion: str = "") -> None:
        self.parameter = parameter
        self.reason = reason
        self.criterion = criterion
        where = f"criterion {criterion!r}: " if criterion else ""
        super().__init__(f"{where}detector parameter {parameter!r}: {reason}")

    def for_criterion(self, criterion: str) -> DetectorConfigError:
        """The same error, naming the criterion whose detector it is."""
        return DetectorConfigError(self.parameter, self.reason, criterion=criterion)


class DetectorResult(NamedTuple):
    """A detector's answer: verdict (one of VERDICTS), confidence 0..1, evidence and a note.

    A named tuple rather than a frozen dataclass: a scorecard makes one per criterion per
    conversation, and the tuple is built several times faster.
    """

    verdict: str
    confidence: float
    evidence: tuple[Evidence, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class PhraseSet:
    """Phrases a detector needs found, under one label (a lexicon, inline phrases or both)."""

    label: str
    phrases: tuple[Phrase, ...]
    name: str = ""
    """How a person would call the set: the lexicon name, or ``phrases``."""


class Detector(Protocol):
    """An auto-QA rule compiled from its configuration."""

    family: str
    phrase_sets: tuple[PhraseSet, ...]

    def detect(self, conversation: Conversation, context: DetectorContext) -> DetectorResult:
        """Answer the criterion for one conversation."""
        ...


class DetectorContext:
    """Everything detectors share for one conversation, each piece computed once on demand.

    Each turn is lemmatised and scanned by the scorecard's matcher at most once (one
    :meth:`PhraseMatcher.analyse` gives its lemma sets, word count and hits of every
    phrase set, shared by all criteria); character offsets (for quotes) are computed only
    for the turns that are quoted. ``metrics`` are the conversation's timing and volume
    figures (:mod:`nastavnik.engine.metrics`).
    """

    __slots__ = (
        "_analysed",
        "_matcher",
        "_metrics",
        "_speaker_turns",
        "_timeline",
        "_tokens",
        "conversation",
        "language",
    )

    def __init__(self, conversation: Conversation, matcher: PhraseMatcher) -> None:
        self.conversation = conversation
        self.language = "en" if conversation.language.lower().startswith("en") else "ru"
        """The language notes are written in: ``en`` for English conversations, else ``ru``."""
        self._matcher = matcher
        self._analysed: list[TurnAnalysis | None] = [None] * len(conversation.turns)
        self._tokens: dict[int, list[Token]] = {}
        self._metrics: ConversationMetrics | None = None
        self._timeline: list[tuple[float, int, float, str]] | None = None
        self._speaker_turns: dict[str, tuple[int, ...]] = {}

    @property
    def metrics(self) -> ConversationMetrics:
        """Timing and volume figures of the conversation."""
        if self._metrics is None:
            self._metrics = conversation_metrics(self.conversation)
        return self._metrics

    @property
    def timeline(self) -> list[tuple[float, int, float, str]]:
        """The conversation's :func:`~nastavnik.engine.metrics.turn_timeline` (computed once)."""
        if self._timeline is None:
            self._timeline = turn_timeline(self.conversation)
        return self._timeline

    def text(self, turn: int) -> str:
        """The text of a turn."""
        return self.conversation.turns[turn].text

    def _analysis(self, turn: int) -> TurnAnalysis:
        analysis = self._analysed[turn]
        if analysis is None:
            analysis = self._matcher.analyse(self.conversation.turns[turn].text)
            self._analysed[turn] = analysis
        return analysis

    def lemmas(self, turn: int) -> list[tuple[str, ...]]:
        """The lemma set of each token of a turn (token indexes as in :meth:`tokens`)."""
        return self._analysis(turn)[0]

    def words(self, turns: Iterable[int]) -> int:
        """Number of written words in the given turns."""
        analysed = self._analysed
        total = 0
        for turn in turns:
            analysis = analysed[turn]
            if analysis is None:
                analysis = self._analysis(turn)
            total += analysis[1]
        return total

    def matches(self, turn: int, label: str) -> Sequence[Hit]:
        """Hits of one phrase set in one turn, in text order (leftmost-longest)."""
        analysis = self._analysed[turn]
        if analysis is None:
            analysis = self._analysis(turn)
        return analysis[2].get(label, ())

    def matches_in(self, turns: Iterable[int], label: str) -> Found:
        """(turn, hit) pairs of one phrase set over the given turns, in order."""
        analysed = self._analysed
        found: Found = []
        for turn in turns:
            analysis = analysed[turn]
            if analysis is None:
                analysis = self._analysis(turn)
            hits = analysis[2].get(label)
            if hits:
                found.extend([(turn, hit) for hit in hits])
        return found

    def turns_of(self, speaker: str) -> tuple[int, ...]:
        """Indexes of the turns of one speaker, in conversation order."""
        turns = self._speaker_turns.get(speaker)
        if turns is None:
            turns = tuple(
                index
                for index, turn in enumerate(self.conversation.turns)
                if turn.speaker == speaker
            )
            self._speaker_turns[speaker] = turns
        return turns

    def tokens(self, turn: int) -> list[Token]:
        """The tokens of a turn with their character offsets (cached)."""
        tokens = self._tokens.get(turn)
        if tokens is None:
            tokens = self._tokens[turn] = tokenize(self.conversation.turns[turn].text)
        return tokens

    def evidence(self, turn: int, hit: Hit) -> Evidence:
        """Evidence quoting a hit exactly as written."""
        text = self.conversation.turns[turn].text
        lemma_sets, words, _hits, spans = self._analysis(turn)
        needed = hit.last - len(spans)
        if needed > 0:  # read the turn's token spans only as far as needed, once per text
            if len(lemma_sets) == words:  # no spelling expanded: 1 word, 1 token
                resume = spans[-1][1] if spans else 0
                spans.extend(map(_span, islice(WORD.finditer(text, resume), needed)))
            else:
                spans[:] = islice(token_spans(text), hit.last)
        start, end = spans[hit.first][0], spans[hit.last - 1][1]
        return _evidence(turn, start, end, text[start:end])

    def quote(self, turn: int, hit: Hit) -> str:
        """The text of a hit as written."""
        return self.evidence(turn, hit).quote

    def point_at(self, turn: int) -> Evidence:
        """An empty span at the start of a turn: where something expected is missing."""
        if turn < len(_POINTS):
            return _POINTS[turn]
        return Evidence(turn, 0, 0, "")

    def whole_turn(self, turn: int) -> Evidence:
        """A span over a turn's text (its first ``QUOTE_LIMIT`` characters)."""
        text = self.text(turn)
        end = min(len(text), QUOTE_LIMIT)
        return Evidence(turn, 0, end, text[:end])


_span = re.Match.span
_evidence = positional_builder(Evidence)
# Evidence is frozen: the empty span at the start of each of the first turns is made once.
_POINTS: tuple[Evidence, ...] = tuple(Evidence(turn, 0, 0, "") for turn in range(256))


def matches_in(context: DetectorContext, turns: Iterable[int], label: str) -> Found:
    """(turn, hit) pairs of one phrase set over the given turns, in order."""
    return context.matches_in(turns, label)


def evidence_of(
    context: DetectorContext, found: Found, *, limit: int = MAX_EVIDENCE
) -> tuple[Evidence, ...]:
    """Evidence for (turn, hit) pairs, at most ``limit`` of them."""
    return tuple(context.evidence(turn, hit) for turn, hit in found[:limit])


def quotes(
    context: DetectorContext,
    found: Found,
    *,
    limit: int = 3,
    evidence: tuple[Evidence, ...] = (),
) -> str:
    """The first few matches quoted for a note: «здравствуйте», «меня зовут».

    Pass the ``evidence`` already built for ``found`` to reuse its quotes.
    """
    language = context.language
    if len(evidence) >= min(limit, len(found)):
        shown = [messages.quoted(language, item.quote) for item in evidence[:limit]]
    else:
        shown = [messages.quoted(language, context.quote(turn, hit)) for turn, hit in found[:limit]]
    more = len(found) - limit
    return ", ".join(shown) + (f" (+{more})" if more > 0 else "")


def run_detector(detector: Detector, conversation: Conversation) -> DetectorResult:
    """Run one detector on one conversation (for tests and one-offs; scorecards batch this)."""
    matcher = PhraseMatcher(
        phrase for phrase_set in detector.phrase_sets for phrase in phrase_set.phrases
    )
    return detector.detect(conversation, DetectorContext(conversation, matcher))
