"""ORM rows ↔ engine sampling dataclasses."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from nastavnik.conversations.models import Conversation
from nastavnik.engine import sampling
from nastavnik.evaluations.models import Evaluation
from nastavnik.sampling.models import SamplingRule

CANDIDATE_COLUMNS = (
    "id",
    "operator_id",
    "channel",
    "started_at",
    "csat",
    "duration_seconds",
    "client_ref",
    "auto_score",
    "auto_critical",
)


def rule_to_engine(rule: SamplingRule, *, quota: int | None = None) -> sampling.Rule:
    """The engine's view of a rule, optionally with a (paced) quota instead of the full one."""
    return sampling.Rule(
        per_operator=rule.per_operator if quota is None else quota,
        risk_share=rule.risk_share,
        low_csat_max=rule.low_csat_max,
        long_handling_seconds=(
            rule.long_handling_minutes * 60 if rule.long_handling_minutes else None
        ),
        autoqa_score_below=rule.autoqa_score_below,
    )


def with_auto_signals(conversations: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Conversations with their lowest automatic score and whether a critical one failed."""
    # Subqueries rather than a join: no GROUP BY over the conversation columns.
    auto = Evaluation.objects.filter(
        conversation=OuterRef("pk"), kind=Evaluation.Kind.AUTO, state=Evaluation.State.SUBMITTED
    )
    return conversations.annotate(
        auto_score=Subquery(auto.order_by("score_percent").values("score_percent")[:1]),
        auto_critical=Exists(auto.filter(critical_failed=True)),
    )


def candidates(rows: Iterable[dict], repeat_ids: set[int]) -> list[sampling.Candidate]:
    """Engine candidates from rows with ``CANDIDATE_COLUMNS``."""
    return [
        sampling.Candidate(
            id=row["id"],
            operator=row["operator_id"],
            channel=row["channel"],
            started_at=row["started_at"],
            csat=row["csat"],
            duration_seconds=row["duration_seconds"],
            auto_score=row["auto_score"],
            critical_failed=bool(row["auto_critical"]),
            repeat_contact=row["id"] in repeat_ids,
        )
        for row in rows
    ]


def repeat_contact_ids(rows: list[dict], others: Iterable[tuple[int, str, datetime]]) -> set[int]:
    """Ids among ``rows`` after which the same client came back within the repeat window.

    ``others`` are the same clients' contacts around the period, ``(id, client, started)``.
    """
    contacts = [(row["id"], row["client_ref"], row["started_at"]) for row in rows]
    known = {row["id"] for row in rows}
    contacts += [contact for contact in others if contact[0] not in known]
    return sampling.repeat_contacts(contacts) & known
