"""Background work for evaluations: one chunk of a distributed auto-QA run per Celery task."""

from __future__ import annotations

from celery import shared_task

from nastavnik.evaluations import services


@shared_task(name="nastavnik.evaluations.autoqa_chunk", acks_late=True)
def autoqa_chunk_task(job_id: int, index: int) -> str:
    """Auto-evaluate chunk ``index`` of the auto-QA job ``job_id``; idempotent."""
    return services.evaluation_auto_chunk(job_id=job_id, index=index)


def autoqa_chunks_send(job_id: int, indexes: list[int]) -> None:
    """Queue one task per chunk through the app configured from the settings."""
    from nastavnik.celery import app

    # Through our app, not the bare shared task: see nastavnik.core.jobs._dispatch.
    task = app.tasks[autoqa_chunk_task.name]
    for index in indexes:
        task.delay(job_id, index)
