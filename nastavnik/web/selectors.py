"""Reads for the overview page."""

from __future__ import annotations

from django.db.models import Avg, Count, Q

from nastavnik.accounts import access
from nastavnik.accounts.models import Operator
from nastavnik.conversations.selectors import conversation_queryset


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
