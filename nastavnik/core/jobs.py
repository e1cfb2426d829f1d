"""Background jobs: queued after commit, run by Celery, a thread, or inline.

The runner comes from ``settings.NASTAVNIK_JOB_RUNNER``:

* ``celery`` — when ``CELERY_BROKER_URL`` is set; workers on any machine pick the job up;
* ``thread`` — the default on a single machine: a daemon thread in this process, so a
  page can show progress without a broker;
* ``sync`` — run inside ``on_commit`` in the calling thread (tests, CLI).

A job handler is a plain function ``handler(job: Job) -> dict`` registered with
:func:`job_handler`; it reports progress with :func:`job_progress` and returns the report.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext

from nastavnik.core.errors import ApplicationError
from nastavnik.core.models import Job

logger = logging.getLogger(__name__)

JobHandler = Callable[[Job], dict]
_HANDLERS: dict[str, JobHandler] = {}


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Register the function that runs jobs of ``kind``."""

    def register(func: JobHandler) -> JobHandler:
        _HANDLERS[kind] = func
        return func

    return register


def job_enqueue(*, kind: str, payload: dict, actor, total: int | None = None) -> Job:
    """Create a job and start it once the surrounding transaction commits."""
    if kind not in _HANDLERS:
        raise ApplicationError(gettext("Unknown job kind: %(kind)s") % {"kind": kind}, field="kind")
    user = actor if getattr(actor, "is_authenticated", False) else None
    job = Job.objects.create(kind=kind, payload=payload, created_by=user, total=total)
    transaction.on_commit(lambda: _dispatch(job.pk))
    return job


def _dispatch(job_id: int) -> None:
    runner = settings.NASTAVNIK_JOB_RUNNER
    if runner == "celery":
        from nastavnik.celery import app
        from nastavnik.core.tasks import run_job_task

        # Through the app configured from settings: a bare shared task resolves to the
        # current app, which in a process that never imported nastavnik.celery (the web
        # server) is Celery's default app, blind to the CELERY_* settings.
        app.tasks[run_job_task.name].delay(job_id)
    elif runner == "thread":
        threading.Thread(target=_run_in_thread, args=(job_id,), daemon=True).start()
    else:
        job_run(job_id)


def _run_in_thread(job_id: int) -> None:
    try:
        job_run(job_id)
    finally:
        close_old_connections()


def job_run(job_id: int) -> Job:
    """Run a queued job to the end and store its report or its error."""
    job = Job.objects.get(pk=job_id)
    if job.is_finished:
        return job
    job.state = Job.State.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["state", "started_at"])
    try:
        report = _HANDLERS[job.kind](job)
        # Inside the try: a report that cannot be stored must fail the job, not leave it
        # "running".
        _finish(job, Job.State.DONE, report=report)
    except ApplicationError as error:
        _finish(job, Job.State.FAILED, error=error.message)
    except Exception:  # a crashed job must say so on its page, not stay "running"
        logger.exception("job %s failed", job_id)
        _finish(job, Job.State.FAILED, error=traceback.format_exc(limit=3))
    return job


def job_progress(job: Job, *, done: int, total: int | None = None) -> None:
    """Store how far a running job has got (cheap: one UPDATE)."""
    job.done = done
    fields = {"done": done}
    if total is not None:
        job.total = total
        fields["total"] = total
    Job.objects.filter(pk=job.pk).update(**fields)


def _finish(job: Job, state: str, *, report: dict | None = None, error: str = "") -> None:
    fields = {"state": state, "finished_at": timezone.now(), "error": error}
    if report:
        fields["report"] = report
    if state == Job.State.DONE and job.total is not None:
        fields["done"] = job.total
    # Write first, then update the instance, so that when the write fails (a report JSON
    # cannot hold) the failure path does not carry the report along; the savepoint keeps
    # a surrounding transaction usable for that second write.
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)
