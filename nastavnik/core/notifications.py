"""In-app notifications: sending them (inside the caller's transaction) and their texts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from nastavnik.core.models import Notification

# Texts are kept by kind and rendered when read, so each reader sees their own language.
MESSAGES = {
    "evaluation.new": _("New evaluation of your work: %(score)s"),
    "evaluation.changed": _("Your evaluation was changed: %(score)s"),
    "dispute.opened": _("%(operator)s disputed an evaluation: %(criterion)s"),
    "dispute.accepted": _("Your dispute was accepted: %(criterion)s. New score %(score)s"),
    "dispute.rejected": _("Your dispute was rejected: %(criterion)s"),
}


def notification_send(
    *, user_ids: Iterable[int], kind: str, params: dict[str, Any], url: str = ""
) -> None:
    """Queue one notification per user (deduplicated)."""
    Notification.objects.bulk_create(
        [
            Notification(user_id=user_id, kind=kind, params=params, url=url)
            for user_id in dict.fromkeys(user_ids)
        ]
    )


def notification_text(notification: Notification) -> str:
    """The message in the current language."""
    template = MESSAGES.get(notification.kind)
    if template is None:
        return notification.kind
    params = dict(notification.params)
    score = params.get("score")
    params["score"] = "—" if score is None else f"{score:.0f} %"
    params.setdefault("criterion", gettext("the whole evaluation"))
    params.setdefault("operator", "—")
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def notification_mark_read(*, actor: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's notifications read (all of them when ``ids`` is None)."""
    queryset = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    with transaction.atomic():
        return queryset.update(read_at=timezone.now())
