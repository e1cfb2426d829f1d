"""Family ``hold_etiquette``: asking before putting the client on hold, thanking after.

Parameters: ``ask`` (default lexicon hold_requests), ``thanks`` (default hold_thanks).
A hold is an operator turn with a hold request, up to the operator's next turn (the
return); in calls also a silence of at least ``HOLD_GAP_SECONDS`` that the operator ends,
with no request before it. For each hold: asked (a request) and thanked (a thanks phrase
in the returning turn). Every hold asked and thanked → yes; none asked and none thanked →
no; anything between → partial; no hold → na.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from nastavnik.engine.detectors import messages
from nastavnik.engine.detectors.base import (
    DetectorContext,
    DetectorResult,
    PhraseSet,
)
from nastavnik.engine.detectors.config import Params
from nastavnik.engine.detectors.timing import speech_intervals
from nastavnik.engine.types import Conversation, Evidence

HOLD_GAP_SECONDS = 30.0
"""A call silence this long, ended by the operator, is a hold even when nobody said so."""

ALL, SOME, NONE, NOT_APPLICABLE = 0.8, 0.75, 0.7, 0.8


@dataclass(frozen=True, slots=True)
class HoldEtiquetteDetector:
    """Compiled ``hold_etiquette`` detector."""

    family: ClassVar[str] = "hold_etiquette"
    ask: PhraseSet
    thanks: PhraseSet

    @property
    def phrase_sets(self) -> tuple[PhraseSet, ...]:
        return (self.ask, self.thanks)

    def detect(self, conversation: Conversation, context: DetectorContext) -> DetectorResult:
        """Find the holds and check the request before and the thanks after each."""
        language = context.language
        holds = self._holds(conversation, context)
        if not holds:
            operator_turns = context.turns_of("operator")
            evidence = (context.point_at(operator_turns[0]),) if operator_turns else ()
            return DetectorResult("na", NOT_APPLICABLE, evidence, messages.say(language, "hold_na"))
        evidence: list[Evidence] = []
        asked = thanked = 0
        for request, back in holds:
            if request is not None:
                asked += 1
                first_request = context.matches(request, self.ask.label)[0]
                evidence.append(context.evidence(request, first_request))
            thanks = context.matches(back, self.thanks.label)
            if thanks:
                thanked += 1
                evidence.append(context.evidence(back, thanks[0]))
            else:
                evidence.append(context.point_at(back))
        note = messages.say(
            language,
            "hold_note",
            holds=len(holds),
            asked=f"{asked}/{len(holds)}",
            thanked=f"{thanked}/{len(holds)}",
        )
        if asked == thanked == len(holds):
            return DetectorResult("yes", ALL, tuple(evidence), note)
        if asked or thanked:
            return DetectorResult("partial", SOME, tuple(evidence), note)
        return DetectorResult("no", NONE, tuple(evidence), note)

    def _holds(
        self, conversation: Conversation, context: DetectorContext
    ) -> list[tuple[int | None, int]]:
        """(turn with the request or None, turn where the operator comes back), in order."""
        operator_turns = context.turns_of("operator")
        holds: dict[int, int | None] = {}
        for request, back in zip(operator_turns, operator_turns[1:], strict=False):
            if context.matches(request, self.ask.label):
                holds[back] = request
        if conversation.channel == "call":
            for back in _silent_returns(conversation):
                holds.setdefault(back, None)
        return [(request, back) for back, request in sorted(holds.items())]


def _silent_returns(conversation: Conversation) -> list[int]:
    """Operator turns of a call that end a silence of at least ``HOLD_GAP_SECONDS``."""
    intervals = speech_intervals(conversation)
    returns = []
    speaking_until = intervals[0][1] if intervals else 0.0
    for start, end, position, speaker in intervals[1:]:
        if speaker == "operator" and start - speaking_until >= HOLD_GAP_SECONDS:
            returns.append(position)
        speaking_until = max(speaking_until, end)
    return returns


def build(params: Params) -> HoldEtiquetteDetector:
    """Compile a ``hold_etiquette`` configuration."""
    return HoldEtiquetteDetector(
        ask=params.source("ask", default_lexicon="hold_requests"),
        thanks=params.source("thanks", default_lexicon="hold_thanks"),
    )
