"""Reads of conversations, always scoped to what the viewer may see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from nastavnik.accounts import access
from nastavnik.conversations.filters import ConversationFilter
from nastavnik.conversations.models import Conversation

LIST_COLUMNS = (
    "id",
    "source",
    "external_id",
    "channel",
    "direction",
    "operator_id",
    "operator__full_name",
    "team__name",
    "client_name",
    "started_at",
    "duration_seconds",
    "first_response_seconds",
    "csat",
    "topic",
    "turn_count",
    "resolved",
)


def conversation_queryset(*, viewer) -> QuerySet[Conversation]:
    """Every conversation the viewer may see (no other filter)."""
    return access.scope_by_operator(Conversation.objects.all(), viewer)


def conversation_list(*, viewer, params: Any = None) -> ConversationFilter:
    """The viewer's conversations filtered by ``params`` (a GET-like mapping).

    Returns the bound filter set so the caller can render its form and errors;
    its ``qs`` holds the rows, without the heavy turns column.
    """
    queryset = (
        conversation_queryset(viewer=viewer)
        .select_related("operator", "team")
        .defer("turns", "search_text", "meta")
    )
    return ConversationFilter(
        params if params is not None else {}, queryset=queryset, viewer=viewer
    )


def conversation_get(*, viewer, conversation_id: int) -> Conversation:
    """One conversation, or 404 when it does not exist or the viewer may not see it."""
    conversation = (
        conversation_queryset(viewer=viewer)
        .select_related("operator", "team", "operator__team")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        raise Http404("No such conversation")
    return conversation


def turns_for_display(conversation: Conversation) -> list[dict[str, Any]]:
    """Turns with their index and a clock label (mm:ss for calls, local time otherwise)."""
    result = []
    for index, turn in enumerate(conversation.turns):
        label = ""
        if turn.get("start") is not None:
            seconds = int(turn["start"])
            label = f"{seconds // 60:02d}:{seconds % 60:02d}"
        elif turn.get("at"):
            label = timezone.localtime(datetime.fromisoformat(turn["at"])).strftime("%H:%M:%S")
        result.append({"index": index, "clock": label, **turn})
    return result
