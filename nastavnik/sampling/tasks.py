"""Background work for sampling: the morning run that fills every grader's queue."""

from __future__ import annotations

from celery import shared_task

from nastavnik.sampling import services

FILL_QUEUES_TASK = "nastavnik.sampling.fill_queues"


@shared_task(name=FILL_QUEUES_TASK)
def fill_queues_task() -> list[dict]:
    """Sample this week and month up to today (paced); idempotent, so a retry is harmless."""
    return [report.as_dict() for report in services.sample_current_periods(actor=None)]
