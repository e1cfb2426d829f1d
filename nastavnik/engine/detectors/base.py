"""The detector protocol, its result, and the per-conversation context detectors share.

A detector answers one criterion for one conversation with a verdict (``yes``, ``partial``,
``no``, ``na``), a confidence and the evidence (turn index, character span, quote) that
justifies it. Detectors never tokenise text themselves: the :class:`DetectorContext` of a
conversation tokenises each turn and runs the scorecard's one phrase matcher over it at most
once, on demand, so ten detectors cost one pass. See ``docs/detectors.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple, Protocol

from nastavnik.engine.detectors import messages
from nastavnik.engine.metrics import conversation_metrics
from nastavnik.engine.text.morph import WORD, Token, lemma_tokens, token_spans, tokenize
from nastavnik.engine.text.phrases import Hit, Phrase, PhraseMatcher
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

    Each turn is lemmatised and scanned by the scorecard's matcher at most once; character
    offsets (for quotes) are computed only for the turns that are quoted. ``metrics`` are
    the conversation's timing and volume figures (:mod:`nastavnik.engine.metrics`).
    """

    __slots__ = (
        "_hits",
        "_lemmas",
        "_matcher",
        "_metrics",
        "_spans",
        "_speaker_turns",
        "_tokens",
        "_words",
        "conversation",
        "language",
    )

    def __init__(self, conversation: Conversation, matcher: PhraseMatcher) -> None:
        self.conversation = conversation
        self.language = "en" if conversation.language.lower().startswith("en") else "ru"
        """The language notes are written in: ``en`` for English conversations, else ``ru``."""
        self._matcher = matcher
        self._lemmas: dict[int, list[tuple[str, ...]]] = {}
        self._words: dict[int, int] = {}
        self._hits: dict[int, dict[str, list[Hit]]] = {}
        self._tokens: dict[int, list[Token]] = {}
        self._spans: dict[int, tuple[list[tuple[int, int]], Iterator[tuple[int, int]]]] = {}
        self._metrics: ConversationMetrics | None = None
        self._speaker_turns: dict[str, tuple[int, ...]] = {}

    @property
    def metrics(self) -> ConversationMetrics:
        """Timing and volume figures of the conversation."""
        if self._metrics is None:
            self._metrics = conversation_metrics(self.conversation)
        return self._metrics

    def text(self, turn: int) -> str:
        """The text of a turn."""
        return self.conversation.turns[turn].text

    def lemmas(self, turn: int) -> list[tuple[str, ...]]:
        """The lemma set of each token of a turn (token indexes as in :meth:`tokens`)."""
        lemma_sets = self._lemmas.get(turn)
        if lemma_sets is None:
            lemma_sets, self._words[turn] = lemma_tokens(self.conversation.turns[turn].text)
            self._lemmas[turn] = lemma_sets
        return lemma_sets

    def tokens(self, turn: int) -> list[Token]:
        """The tokens of a turn with their character offsets (cached)."""
        tokens = self._tokens.get(turn)
        if tokens is None:
            tokens = self._tokens[turn] = tokenize(self.conversation.turns[turn].text)
        return tokens

    def words(self, turns: Iterable[int]) -> int:
        """Number of written words in the given turns."""
        total = 0
        for turn in turns:
            if turn not in self._words:
                self.lemmas(turn)
            total += self._words[turn]
        return total

    def matches(self, turn: int, label: str) -> list[Hit]:
        """Hits of one phrase set in one turn, in text order (leftmost-longest)."""
        hits = self._hits.get(turn)
        if hits is None:
            hits = self._hits[turn] = self._matcher.scan_by_label(self.lemmas(turn))
        return hits.get(label, [])

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

    def evidence(self, turn: int, hit: Hit) -> Evidence:
        """Evidence quoting a hit exactly as written."""
        cached = self._spans.get(turn)
        if cached is None:
            text = self.conversation.turns[turn].text
            if len(self.lemmas(turn)) == self._words[turn]:  # no spelling expanded: 1 word, 1 token
                cached = ([], map(_span, WORD.finditer(text)))
            else:
                cached = ([], token_spans(text))
            self._spans[turn] = cached
        spans, rest = cached
        if len(spans) < hit.last:  # read the turn's token spans only as far as needed
            spans.extend(islice(rest, hit.last - len(spans)))
        start, end = spans[hit.first][0], spans[hit.last - 1][1]
        return Evidence(turn, start, end, self.text(turn)[start:end])

    def quote(self, turn: int, hit: Hit) -> str:
        """The text of a hit as written."""
        return self.evidence(turn, hit).quote

    def point_at(self, turn: int) -> Evidence:
        """An empty span at the start of a turn: where something expected is missing."""
        return Evidence(turn, 0, 0, "")

    def whole_turn(self, turn: int) -> Evidence:
        """A span over a turn's text (its first ``QUOTE_LIMIT`` characters)."""
        text = self.text(turn)
        end = min(len(text), QUOTE_LIMIT)
        return Evidence(turn, 0, end, text[:end])


_span = re.Match.span


def matches_in(context: DetectorContext, turns: Iterable[int], label: str) -> Found:
    """(turn, hit) pairs of one phrase set over the given turns, in order."""
    return [(turn, hit) for turn in turns for hit in context.matches(turn, label)]


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
