"""Background work for conversations: importing an uploaded file."""

from __future__ import annotations

from pathlib import Path

from nastavnik.conversations import services
from nastavnik.core.jobs import job_handler, job_progress
from nastavnik.core.models import Job


@job_handler(services.IMPORT_JOB)
def import_job(job: Job) -> dict:
    """Run the importer on the job's stored file, reporting progress in bytes."""
    path = Path(job.payload["path"])
    actor = job.created_by

    def progress(done: int, total: int) -> None:
        job_progress(job, done=done, total=total)

    report = services.conversation_import(
        path=path, source=job.payload["source"], actor=actor, progress=progress
    )
    path.unlink(missing_ok=True)
    return {"filename": job.payload.get("filename", path.name), **report.as_dict()}
