"""Reads of background jobs, notifications and the audit log."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from nastavnik.accounts import access
from nastavnik.core.filters import AuditFilter
from nastavnik.core.models import AuditEvent, Job, Notification


def job_list(*, viewer, kind: str | None = None) -> QuerySet[Job]:
    """Jobs the viewer may follow: their own, or all for full-access roles."""
    queryset = Job.objects.select_related("created_by")
    if kind:
        queryset = queryset.filter(kind=kind)
    if access.sees_everything(viewer):
        return queryset
    return queryset.filter(created_by=viewer)


def job_get(*, viewer, job_id: int) -> Job:
    """One job, or 404."""
    job = job_list(viewer=viewer).filter(pk=job_id).first()
    if job is None:
        raise Http404("No such job")
    return job


def notification_list(*, viewer) -> QuerySet[Notification]:
    """The viewer's own notifications, newest first."""
    if not getattr(viewer, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=viewer).order_by("-created_at", "-id")


def notification_unread_count(*, viewer) -> int:
    """How many of the viewer's notifications are unread."""
    return notification_list(viewer=viewer).filter(read_at__isnull=True).count()


def audit_list(*, viewer, params: Any = None) -> AuditFilter:
    """Every recorded change, filtered; only for the roles that read the audit log."""
    if not access.can_read_audit(viewer):
        raise PermissionDenied
    queryset = AuditEvent.objects.select_related("actor").order_by("-at", "-id")
    return AuditFilter(params, queryset=queryset)
