"""Reads of users, teams and operators, scoped to the viewer."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404

from nastavnik.accounts import access
from nastavnik.accounts.models import Operator, Team


def operator_list(*, viewer) -> QuerySet[Operator]:
    """Operators the viewer may see, with their team and mentor."""
    queryset = (
        Operator.objects.select_related("team", "mentor")
        .annotate(conversation_count=Count("conversations"))
        .order_by("full_name", "id")
    )
    return access.scope_operators(queryset, viewer)


def operator_get(*, viewer, operator_id: int) -> Operator:
    """One operator, or 404 if the viewer may not see them."""
    operator = operator_list(viewer=viewer).filter(pk=operator_id).first()
    if operator is None:
        raise Http404("No such operator")
    return operator


def team_list(*, viewer) -> QuerySet[Team]:
    """Teams the viewer has at least one visible operator in (all for full access)."""
    if access.sees_everything(viewer):
        return Team.objects.select_related("lead").all()
    operator_teams = access.scope_operators(Operator.objects.all(), viewer).values("team_id")
    return Team.objects.select_related("lead").filter(pk__in=operator_teams)


def operator_latest_conversations(operator: Operator, limit: int = 20):
    """The operator's most recent conversations (the caller has already checked access)."""
    return operator.conversations.defer("turns", "search_text", "meta").order_by("-started_at")[
        :limit
    ]
