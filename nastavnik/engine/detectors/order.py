"""Family ``order``: one kind of phrase comes before another (a question before a solution).

Parameters: ``before`` (default lexicon clarifying_questions), ``after`` (default
solution_markers), ``speaker`` (default operator). The first ``after`` match anchors the
check: yes if a ``before`` match comes before it (in an earlier turn of the speaker, or
earlier in the same turn: «Подскажите номер заказа? Я проверю»), no otherwise, na when
there is no ``after`` match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from nastavnik.engine.detectors import messages
from nastavnik.engine.detectors.base import (
    SPEAKERS,
    DetectorContext,
    DetectorResult,
    PhraseSet,
    quotes,
)
from nastavnik.engine.detectors.config import Params
from nastavnik.engine.types import Conversation

CONFIDENT, UNSURE, NOT_APPLICABLE = 0.85, 0.7, 0.7


@dataclass(frozen=True, slots=True)
class OrderDetector:
    """Compiled ``order`` detector."""

    family: ClassVar[str] = "order"
    before: PhraseSet
    after: PhraseSet
    speaker: str

    @property
    def phrase_sets(self) -> tuple[PhraseSet, ...]:
        return (self.before, self.after)

    def detect(self, conversation: Conversation, context: DetectorContext) -> DetectorResult:
        """Check that a ``before`` phrase precedes the first ``after`` phrase."""
        language = context.language
        turns = context.turns_of(self.speaker)
        for position, turn in enumerate(turns):
            after = context.matches(turn, self.after.label)
            if not after:
                continue
            anchor = [(turn, after[0])]
            for earlier in turns[: position + 1]:
                before = [
                    match
                    for match in context.matches(earlier, self.before.label)
                    if earlier != turn or match.first < after[0].first
                ]
                if before:
                    pair = [(earlier, before[0])]
                    note = messages.say(
                        language,
                        "order_yes",
                        before=quotes(context, pair),
                        after=quotes(context, anchor),
                    )
                    evidence = (
                        context.evidence(earlier, before[0]),
                        context.evidence(*anchor[0]),
                    )
                    return DetectorResult("yes", CONFIDENT, evidence, note)
            note = messages.say(language, "order_no", after=quotes(context, anchor))
            return DetectorResult("no", UNSURE, (context.evidence(*anchor[0]),), note)
        evidence = (context.point_at(turns[0]),) if turns else ()
        return DetectorResult("na", NOT_APPLICABLE, evidence, messages.say(language, "order_na"))


def build(params: Params) -> OrderDetector:
    """Compile an ``order`` configuration."""
    return OrderDetector(
        before=params.source("before", default_lexicon="clarifying_questions"),
        after=params.source("after", default_lexicon="solution_markers"),
        speaker=params.choice("speaker", SPEAKERS, "operator"),
    )
