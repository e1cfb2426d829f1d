"""Frozen dataclasses that form the contract between the engine and the apps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

CHANNELS: tuple[str, ...] = ("call", "chat", "email", "messenger")
SPEAKERS: tuple[str, ...] = ("operator", "client", "bot", "system")
DIRECTIONS: tuple[str, ...] = ("inbound", "outbound")
WRITTEN_CHANNELS: frozenset[str] = frozenset({"chat", "email", "messenger"})


@dataclass(frozen=True, slots=True)
class Turn:
    """One utterance of a conversation.

    Written channels carry ``at`` (an aware datetime); calls carry ``start`` and
    ``end`` in seconds from the call start (and may carry ``at`` too).
    """

    speaker: str
    text: str
    at: datetime | None = None
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened as a result of the conversation; every field is optional."""

    csat: int | None = None
    helped: bool | None = None
    nps: int | None = None
    resolved: bool | None = None
    converted: bool | None = None
    cancelled: bool | None = None
    missed: bool | None = None
    retention_requested: bool | None = None
    retained: bool | None = None
    escalated: bool | None = None
    transfers: int | None = None
    order_amount: Decimal | None = None
    cancel_reason: str | None = None


OUTCOME_FIELDS: tuple[str, ...] = tuple(Outcome.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class Conversation:
    """One contact with a client in one channel, as read from an import file."""

    external_id: str
    channel: str
    operator: str
    started_at: datetime
    turns: tuple[Turn, ...]
    source: str = ""
    operator_name: str = ""
    team: str = ""
    client: str = ""
    client_name: str = ""
    language: str = "ru"
    direction: str = "inbound"
    ended_at: datetime | None = None
    topic: str = ""
    tags: tuple[str, ...] = ()
    outcome: Outcome = field(default_factory=Outcome)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem with one input record: which record, which field, and why.

    ``record`` names the record for a person (``line 17`` or ``line 17 (ch-1029)``);
    ``field`` is a dotted path such as ``turns[3].speaker``.
    """

    record: str
    field: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.record}: {self.field}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    """Result of reading one record: a conversation, or the issues that reject it."""

    line: int
    conversation: Conversation | None
    issues: tuple[Issue, ...] = ()

    @property
    def is_valid(self) -> bool:
        return self.conversation is not None and not self.issues


@dataclass(frozen=True, slots=True)
class ConversationMetrics:
    """Figures derived from the turns of a conversation (seconds; None when unknown)."""

    duration_seconds: float | None = None
    first_response_seconds: float | None = None
    longest_operator_delay_seconds: float | None = None
    longest_silence_seconds: float | None = None
    overlap_seconds: float | None = None
    operator_turns: int = 0
    client_turns: int = 0
    operator_words: int = 0
    client_words: int = 0


# --- Scorecards, answers and scores (see docs/scoring.md) ---------------------------------

SCALES: tuple[str, ...] = ("binary", "ternary", "points")
CRITICAL_LEVELS: tuple[str, ...] = ("none", "stage", "evaluation")
VERDICTS: tuple[str, ...] = ("yes", "partial", "no", "na")
DISPLAYS: tuple[str, ...] = ("percent", "points")


@dataclass(frozen=True, slots=True)
class CriterionSpec:
    """One checklist item.

    ``scale``: ``binary`` (yes/no), ``ternary`` (yes/partial/no = 1/0.5/0) or ``points``
    (an integer 0..``points``). ``weight`` is the criterion's maximum points in the total.
    A ``pilot`` criterion is scored and shown but left out of the totals. ``detector`` is
    the auto-QA configuration (family name and parameters), or None for manual-only items.
    Texts come in Russian with an optional English translation (``*_en``).
    """

    key: str
    title: str
    rule: str = ""
    weight: float = 1.0
    scale: str = "binary"
    points: int = 1
    na_allowed: bool = False
    critical: str = "none"
    pilot: bool = False
    skills: tuple[str, ...] = ()
    detector: dict[str, Any] | None = None
    title_en: str = ""
    rule_en: str = ""


@dataclass(frozen=True, slots=True)
class StageSpec:
    """A section of a scorecard: greeting, needs, solution, objections, closing."""

    key: str
    title: str
    criteria: tuple[CriterionSpec, ...]
    title_en: str = ""


@dataclass(frozen=True, slots=True)
class ScorecardSpec:
    """A versioned checklist for one or more channels (the YAML file, parsed)."""

    key: str
    title: str
    version: int
    channels: tuple[str, ...]
    stages: tuple[StageSpec, ...]
    direction: str = "inbound"
    display: str = "percent"  # or "points"
    title_en: str = ""
    description: str = ""

    def criteria(self) -> tuple[CriterionSpec, ...]:
        """Every criterion in stage order."""
        return tuple(c for stage in self.stages for c in stage.criteria)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What justifies an answer: a span of one turn's text and its quote."""

    turn: int
    start: int
    end: int
    quote: str


@dataclass(frozen=True, slots=True)
class Answer:
    """The value of one criterion in one evaluation.

    ``value``: binary 1/0, ternary 1/0.5/0, points an integer 0..N; None means N/A.
    """

    criterion: str
    value: float | None
    evidence: tuple[Evidence, ...] = ()
    confidence: float | None = None
    comment: str = ""


@dataclass(frozen=True, slots=True)
class CriterionScore:
    """One criterion's part of a score: ``earned`` of ``maximum`` (its weight).

    ``fraction`` and ``earned`` are None when the answer is N/A. Pilot criteria are scored
    here but never counted in stage or evaluation sums. ``critical_failed`` is set when a
    counted critical criterion was answered "no" (fraction 0).
    """

    criterion: str
    stage: str
    earned: float | None
    maximum: float
    fraction: float | None
    pilot: bool = False
    critical_failed: bool = False


@dataclass(frozen=True, slots=True)
class StageScore:
    """Earned and maximum points of one stage, and its percent (None if nothing applies)."""

    stage: str
    earned: float
    maximum: float
    percent: float | None
    critical_failed: bool = False


@dataclass(frozen=True, slots=True)
class Score:
    """An evaluation's total and per-stage scores (pilot criteria excluded).

    ``criteria`` holds every criterion's part in scorecard order, pilot ones included.
    """

    earned: float
    maximum: float
    percent: float | None
    stages: tuple[StageScore, ...]
    critical_failed: bool = False
    criteria: tuple[CriterionScore, ...] = ()
