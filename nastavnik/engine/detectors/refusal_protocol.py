"""Family ``refusal_protocol``: after a categorical refusal, two soft attempts, then refund.

Parameters: ``triggers`` (default lexicon refusal_triggers, client phrases), ``attempts``
(default retention_attempts, operator phrases), ``refund`` (default refund_actions,
operator phrases), ``insist`` (default refusal_insist, client phrases that repeat the
demand: «отменяйте», «верните деньги» — plain requests, which after an attempt mean the
client insists; a trigger counts too), ``max_attempts`` (default 2).

From the client's first trigger, each later operator turn with an attempt phrase counts as
one attempt, until the first operator turn with a refund phrase (an attempt earlier in that
same turn still counts). Verdict:

* refund after exactly ``max_attempts`` attempts → yes; after fewer (but some) → partial;
  after none → no (no retention at all); more than ``max_attempts`` attempts → no;
* no refund: the client insists again (a trigger or an insist phrase after the last
  attempt) → no; no attempt
  at all → no; 1..``max_attempts`` attempts and the client does not insist (retained) → yes;
* no trigger → na.
"""

from __future__ import annotations

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

FOLLOWED, PARTLY, BROKEN, UNCLEAR, NOT_APPLICABLE = 0.8, 0.75, 0.75, 0.6, 0.8


@dataclass(frozen=True, slots=True)
class RefusalProtocolDetector:
    """Compiled ``refusal_protocol`` detector."""

    family: ClassVar[str] = "refusal_protocol"
    triggers: PhraseSet
    attempts: PhraseSet
    refund: PhraseSet
    max_attempts: int
    insist: PhraseSet | None = None

    @property
    def phrase_sets(self) -> tuple[PhraseSet, ...]:
        found = (self.triggers, self.attempts, self.refund)
        return found if self.insist is None else (*found, self.insist)

    def detect(self, conversation: Conversation, context: DetectorContext) -> DetectorResult:
        """Follow the conversation from the refusal to the refund and judge the attempts."""
        language = context.language
        turns = conversation.turns
        start = None
        for turn in context.turns_of("client"):
            matches = context.matches(turn, self.triggers.label)
            if matches:
                start, trigger = turn, (turn, matches[0])
                break
        if start is None:
            evidence = tuple(context.point_at(t) for t in context.turns_of("operator")[:1])
            note = messages.say(language, "refusal_na")
            return DetectorResult("na", NOT_APPLICABLE, evidence, note)
        attempts: Found = []
        insisted: Found = []
        refund: Found = []
        for turn in range(start + 1, len(turns)):
            speaker = turns[turn].speaker
            if speaker == "client":
                repeated = context.matches(turn, self.triggers.label)
                if not repeated and self.insist is not None:
                    repeated = context.matches(turn, self.insist.label)
                if repeated and attempts:
                    insisted = [(turn, repeated[0])]
                continue
            if speaker != "operator":
                continue
            offered = context.matches(turn, self.attempts.label)
            refunded = context.matches(turn, self.refund.label)
            if refunded:
                if offered and offered[0].first < refunded[0].first:
                    attempts.append((turn, offered[0]))
                refund = [(turn, refunded[0])]
                break
            if offered:
                attempts.append((turn, offered[0]))
                insisted = []
        verdict, confidence, outcome = self._judge(len(attempts), bool(refund), bool(insisted))
        note = messages.say(
            language,
            "refusal",
            attempts=len(attempts),
            maximum=self.max_attempts,
            outcome=messages.say(language, outcome),
        )
        found = sorted([trigger, *attempts, *insisted, *refund], key=lambda pair: pair[0])
        return DetectorResult(verdict, confidence, evidence_of(context, found), note)

    def _judge(self, attempts: int, refunded: bool, insisted: bool) -> tuple[str, float, str]:
        if refunded:
            if attempts == self.max_attempts:
                return "yes", FOLLOWED, "refund_done"
            if 0 < attempts < self.max_attempts:
                return "partial", PARTLY, "refund_done"
            return "no", BROKEN, "refund_done"
        if attempts > self.max_attempts:
            return "no", BROKEN, "refund_missing"
        if insisted:
            return "no", BROKEN, "refund_missing_insisted"
        if attempts == 0:
            return "no", UNCLEAR, "refund_missing"
        return "yes", UNCLEAR, "refund_missing"


def build(params: Params) -> RefusalProtocolDetector:
    """Compile a ``refusal_protocol`` configuration."""
    return RefusalProtocolDetector(
        triggers=params.source("triggers", default_lexicon="refusal_triggers"),
        attempts=params.source("attempts", default_lexicon="retention_attempts"),
        refund=params.source("refund", default_lexicon="refund_actions"),
        insist=params.source("insist", default_lexicon="refusal_insist"),
        max_attempts=params.integer("max_attempts", 2, minimum=1) or 2,
    )
