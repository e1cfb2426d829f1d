"""Family ``empathy_after_negativity``: the operator answers a client's negativity with empathy.

Parameters: ``negativity`` (default lexicon client_negativity, client phrases), ``empathy``
(default empathy, operator phrases), ``within_turns`` (default 2). Each client turn with
negativity needs an empathy phrase in one of the next ``within_turns`` operator turns:
all answered → yes, some → partial, none → no; no negativity → na. Several negative client
turns in a row share the operator turns that follow them.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import ClassVar

from nastavnik.engine.detectors import messages
from nastavnik.engine.detectors.base import (
    DetectorContext,
    DetectorResult,
    Found,
    PhraseSet,
    evidence_of,
)
from nastavnik.engine.detectors.config import Params
from nastavnik.engine.types import Conversation

ALL, SOME, NONE, NOT_APPLICABLE = 0.85, 0.75, 0.7, 0.8


@dataclass(frozen=True, slots=True)
class EmpathyDetector:
    """Compiled ``empathy_after_negativity`` detector."""

    family: ClassVar[str] = "empathy_after_negativity"
    negativity: PhraseSet
    empathy: PhraseSet
    within_turns: int

    @property
    def phrase_sets(self) -> tuple[PhraseSet, ...]:
        return (self.negativity, self.empathy)

    def detect(self, conversation: Conversation, context: DetectorContext) -> DetectorResult:
        """Pair every negative client turn with empathy in the next operator turns."""
        language = context.language
        operator_turns = context.turns_of("operator")
        negative: Found = []
        for turn in context.turns_of("client"):
            matches = context.matches(turn, self.negativity.label)
            if matches:
                negative.append((turn, matches[0]))
        if not negative:
            evidence = (context.point_at(operator_turns[0]),) if operator_turns else ()
            note = messages.say(language, "empathy_na")
            return DetectorResult("na", NOT_APPLICABLE, evidence, note)
        answered: Found = []
        covered = 0
        for turn, _match in negative:
            following = bisect_right(operator_turns, turn)
            for reply in operator_turns[following : following + self.within_turns]:
                empathy = context.matches(reply, self.empathy.label)
                if empathy:
                    covered += 1
                    if (reply, empathy[0]) not in answered:
                        answered.append((reply, empathy[0]))
                    break
        note = messages.say(language, "empathy", covered=covered, total=len(negative))
        found = sorted([*negative, *answered], key=lambda pair: (pair[0], pair[1].first))
        evidence = evidence_of(context, found)
        if covered == len(negative):
            return DetectorResult("yes", ALL, evidence, note)
        if covered:
            return DetectorResult("partial", SOME, evidence, note)
        return DetectorResult("no", NONE, evidence, note)


def build(params: Params) -> EmpathyDetector:
    """Compile an ``empathy_after_negativity`` configuration."""
    return EmpathyDetector(
        negativity=params.source("negativity", default_lexicon="client_negativity"),
        empathy=params.source("empathy", default_lexicon="empathy"),
        within_turns=params.integer("within_turns", 2, minimum=1) or 2,
    )
