"""Reads for the overview page: what the viewer can see and what waits for them."""

from __future__ import annotations

from django.db.models import Avg, Count, Q

from nastavnik.accounts import access
from nastavnik.accounts.models import Operator
from nastavnik.conversations.selectors import conversation_queryset
from nastavnik.evaluations.selectors import evaluation_todo
from nastavnik.sampling.selectors import queue_progress


def overview(*, viewer) -> dict:
    """Counts of the viewer's visible conversations by channel, operators and CSAT."""
    conversations = conversation_queryset(viewer=viewer)
    by_channel = dict(
        conversations.values_list("channel").annotate(n=Count("id")).values_list("channel", "n")
    )
    totals = conversations.aggregate(
        total=Count("id"),
        with_csat=Count("id", filter=Q(csat__isnull=False)),
        csat=Avg("csat"),
    )
    return {
        "total": totals["total"],
        "by_channel": by_channel,
        "csat": totals["csat"],
        "with_csat": totals["with_csat"],
        "operators": access.scope_operators(Operator.objects.all(), viewer).count(),
        "latest": conversations.select_related("operator").defer("turns", "search_text")[:8],
    }


def todo(*, viewer) -> dict:
    """The viewer's to-do figures: evaluations to read, disputes, drafts, the queue."""
    queue = None
    if access.can_grade(viewer):
        mine = queue_progress(viewer=viewer, grader_id=viewer.pk)
        queue = next((row for row in mine if row.grader_id == viewer.pk), None)
    return {"evaluations": evaluation_todo(viewer=viewer), "queue": queue}
