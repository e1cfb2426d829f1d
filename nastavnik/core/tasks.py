"""Celery entry point for background jobs (the same handlers as the in-process runner)."""

from __future__ import annotations

from celery import shared_task

from nastavnik.core.jobs import job_run


@shared_task(name="nastavnik.run_job", acks_late=True)
def run_job_task(job_id: int) -> str:
    """Load the job by id and run it; idempotent for a finished job."""
    return job_run(job_id).state
