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
