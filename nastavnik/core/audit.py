"""Recording writes in the audit trail (call inside the writing transaction)."""

from __future__ import annotations

from typing import Any

from django.db import models

from nastavnik.core.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    entity: models.Model | None = None,
    entity_type: str = "",
    entity_id: str | int = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row: who (``actor``), what (``action`` on an entity), old → new."""
    if entity is not None:
        entity_type = entity_type or entity._meta.label_lower
        entity_id = entity_id or entity.pk
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        changes=changes or {},
    )


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as ``{field: [old, new]}``."""
    return {key: [old.get(key), value] for key, value in new.items() if old.get(key) != value}
