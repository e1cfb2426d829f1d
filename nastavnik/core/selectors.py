"""Reads of background jobs."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from nastavnik.accounts import access
from nastavnik.core.models import Job


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
