"""Family ``rate``: how often a speaker uses phrases of a lexicon, per 100 of their words.

Parameters: ``lexicon`` (filler_words, bureaucratese, negative_phrases …), ``speaker``
(default operator), ``per_100_words_max`` (required), ``partial_max`` (optional, ≥ the
former). Rate ≤ ``per_100_words_max`` → yes, ≤ ``partial_max`` → partial, else no; yes when
the speaker wrote or said no words (nothing to count). Overlapping phrases count once
(leftmost-longest). The evidence is the matches; when the lexicon gives alternatives
(negative_phrases), the note suggests them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from nastavnik.engine.detectors import messages
from nastavnik.engine.detectors.base import (
    SPEAKERS,
    DetectorConfigError,
    DetectorContext,
    DetectorResult,
    Found,
    PhraseSet,
    evidence_of,
    matches_in,
)
from nastavnik.engine.detectors.config import Params
from nastavnik.engine.types import Conversation

MAX_ALTERNATIVES = 5
WITHIN, OVER, NOTHING_SAID = 0.8, 0.85, 0.95


@dataclass(frozen=True, slots=True)
class RateDetector:
    """Compiled ``rate`` detector."""

    family: ClassVar[str] = "rate"
    phrases: PhraseSet
    speaker: str
    limit: float
    partial_limit: float | None

    @property
    def phrase_sets(self) -> tuple[PhraseSet, ...]:
        return (self.phrases,)

    def detect(self, conversation: Conversation, context: DetectorContext) -> DetectorResult:
        """Count the phrases per 100 of the speaker's words and compare with the limits."""
        language = context.language
        turns = context.turns_of(self.speaker)
        words = context.words(turns)
        if not words:
            speaker = messages.say(language, self.speaker)
            evidence = (context.point_at(turns[0]),) if turns else ()
            note = messages.say(language, "rate_na", speaker=speaker)
            return DetectorResult("yes", NOTHING_SAID, evidence, note)
        found = matches_in(context, turns, self.phrases.label)
        rate = 100.0 * len(found) / words
        note = messages.say(
            language,
            "rate",
            count=_number(rate),
            matches=len(found),
            words=words,
            limit=_number(self.limit),
        )
        alternatives = _alternatives(context, found)
        if alternatives:
            note = f"{note}; {alternatives}"
        evidence = evidence_of(context, found) if found else (context.point_at(turns[0]),)
        if rate <= self.limit:
            return DetectorResult("yes", WITHIN, evidence, note)
        if self.partial_limit is not None and rate <= self.partial_limit:
            return DetectorResult("partial", OVER, evidence, note)
        return DetectorResult("no", OVER, evidence, note)


def _alternatives(context: DetectorContext, found: Found) -> str:
    language = context.language
    pairs: dict[str, str] = {}
    for turn, hit in found:
        alternative = hit.phrase.alternative
        if not alternative:
            continue
        written = context.quote(turn, hit).lower()
        if written not in pairs and len(pairs) < MAX_ALTERNATIVES:
            pairs[written] = alternative
    if not pairs:
        return ""
    shown = "; ".join(
        f"{messages.quoted(language, written)} → {messages.quoted(language, alternative)}"
        for written, alternative in pairs.items()
    )
    return messages.say(language, "alternatives", pairs=shown)


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def build(params: Params) -> RateDetector:
    """Compile a ``rate`` configuration."""
    lexicon = params.raw("lexicon")
    if not isinstance(lexicon, str):
        reason = "is required: a lexicon name (filler_words, bureaucratese, negative_phrases …)"
        raise DetectorConfigError("lexicon", reason)
    phrases = params.source("lexicon")
    speaker = params.choice("speaker", SPEAKERS, "operator")
    limit = params.number("per_100_words_max", None, required=True)
    partial_limit = params.number("partial_max", None)
    assert limit is not None  # required=True
    if partial_limit is not None and partial_limit < limit:
        raise DetectorConfigError("partial_max", f"must be ≥ per_100_words_max ({limit:g})")
    return RateDetector(phrases, speaker, limit, partial_limit)
