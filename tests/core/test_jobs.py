"""The job runner: after-commit start, done/failed bookkeeping, idempotence, thread and Celery.

Handlers for these tests are registered under ``tests.*`` kinds through the public
``job_handler`` decorator; they record their calls in ``CALLS`` so a test can tell whether
(and in which thread) a handler ran.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import transaction

from nastavnik.core.errors import ApplicationError
from nastavnik.core.jobs import job_enqueue, job_handler, job_progress, job_run
from nastavnik.core.models import Job
from tests import factories

pytestmark = pytest.mark.django_db

CALLS: list[dict] = []


@pytest.fixture(autouse=True)
def _forget_calls():
    CALLS.clear()
    yield
    CALLS.clear()


@job_handler("tests.count")
def _count(job: Job) -> dict:
    """Counts to the payload's number, reporting progress after each step."""
    CALLS.append({"job": job.pk, "thread": threading.get_ident()})
    for step in range(1, job.payload["to"] + 1):
        job_progress(job, done=step)
    return {"counted": job.payload["to"]}


@job_handler("tests.refuse")
def _refuse(job: Job) -> dict:
    CALLS.append({"job": job.pk})
    raise ApplicationError("The file has no conversations", field="file")


@job_handler("tests.crash")
def _crash(job: Job) -> dict:
    CALLS.append({"job": job.pk})
    return {"ratio": 1 / job.payload["divisor"]}


@job_handler("tests.unstorable_report")
def _unstorable_report(job: Job) -> dict:
    CALLS.append({"job": job.pk})
    return {"revenue": Decimal("10.50")}


def _enqueue(kind: str, payload: dict | None = None, *, total: int | None = None) -> Job:
    with transaction.atomic():
        return job_enqueue(kind=kind, payload=payload or {}, actor=None, total=total)


def test_sync_runner_starts_the_job_when_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    # given a job enqueued inside a transaction that has not committed yet
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = _enqueue("tests.count", {"to": 3}, total=3)
    # then nothing has run, and the job waits in the queue
    assert CALLS == []
    job.refresh_from_db()
    assert (job.state, job.started_at, job.finished_at) == (Job.State.QUEUED, None, None)
    # when the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    # then the job ran once, to the end, and stored its report
    job.refresh_from_db()
    assert CALLS == [{"job": job.pk, "thread": threading.get_ident()}]
    assert job.state == Job.State.DONE
    assert job.report == {"counted": 3}
    assert job.error == ""
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert job.started_at is not None
    assert job.finished_at >= job.started_at


def test_done_job_without_a_total_reports_full_progress(django_capture_on_commit_callbacks):
    # given a job whose size was unknown when it was queued
    with django_capture_on_commit_callbacks(execute=True):
        job = _enqueue("tests.count", {"to": 2})
    # then it is done at 100 % with the progress the handler last stored
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.percent) == (Job.State.DONE, 2, None, 100)


def test_application_error_fails_the_job_with_its_message(django_capture_on_commit_callbacks):
    # when a handler refuses with an ApplicationError
    with django_capture_on_commit_callbacks(execute=True):
        job = _enqueue("tests.refuse", total=10)
    # then the job failed with exactly the message a person should read
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.error == "The file has no conversations"
    assert job.report == {}
    assert (job.done, job.percent) == (0, 0)
    assert job.finished_at is not None


def test_unexpected_exception_fails_the_job_with_a_traceback_summary(
    django_capture_on_commit_callbacks,
):
    # when a handler crashes
    with django_capture_on_commit_callbacks(execute=True):
        job = _enqueue("tests.crash", {"divisor": 0})
    # then the job is failed, not left "running", and says where and why
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.finished_at is not None
    lines = job.error.strip().splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[-1] == "ZeroDivisionError: division by zero"
    assert "in _crash" in job.error
    assert job.report == {}


def test_a_report_that_cannot_be_stored_fails_the_job_instead_of_leaving_it_running(
    django_capture_on_commit_callbacks,
):
    # when a handler finishes but returns a report JSON cannot hold
    with django_capture_on_commit_callbacks(execute=True):
        job = _enqueue("tests.unstorable_report")
    # then the job is failed with the reason, and nothing of the report was stored
    job.refresh_from_db()
    assert CALLS == [{"job": job.pk}]
    assert job.state == Job.State.FAILED
    assert job.error.strip().splitlines()[-1] == (
        "TypeError: Object of type Decimal is not JSON serializable"
    )
    assert job.report == {}


@pytest.mark.parametrize(
    ("state", "report", "error"),
    [(Job.State.DONE, {"counted": 5}, ""), (Job.State.FAILED, {}, "Earlier failure")],
)
def test_running_a_finished_job_again_changes_nothing(state, report, error):
    # given a job that already finished
    job = Job.objects.create(
        kind="tests.count", payload={"to": 1}, state=state, report=report, error=error
    )
    Job.objects.filter(pk=job.pk).update(started_at=job.created_at, finished_at=job.created_at)
    before = Job.objects.values().get(pk=job.pk)
    # when a worker delivers it a second time
    returned = job_run(job.pk)
    # then the handler did not run and the row is exactly as it was
    assert CALLS == []
    assert returned.pk == job.pk
    assert returned.state == state
    assert Job.objects.values().get(pk=job.pk) == before


def test_unknown_job_kind_is_refused_and_nothing_is_queued():
    # when enqueuing a kind nobody handles
    with pytest.raises(ApplicationError, match="Неизвестный вид задачи: tests.nobody") as raised:
        _enqueue("tests.nobody")
    # then it names the field and stores no job
    assert raised.value.field == "kind"
    assert Job.objects.count() == 0


def test_job_records_who_queued_it(django_capture_on_commit_callbacks):
    # given a signed-in analyst
    analyst = factories.user("qa_analyst")
    # when they queue a job
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        job = job_enqueue(kind="tests.count", payload={"to": 1}, actor=analyst)
    # then the job belongs to them
    job.refresh_from_db()
    assert (job.created_by, job.state) == (analyst, Job.State.DONE)


@pytest.mark.django_db(transaction=True)
def test_thread_runner_runs_the_job_in_another_thread_after_commit(settings):
    # given the thread runner
    settings.NASTAVNIK_JOB_RUNNER = "thread"
    # when a job is queued and its transaction commits
    job = _enqueue("tests.count", {"to": 4}, total=4)
    # then a background thread takes it to the end (bounded wait, no timing assertion)
    deadline = time.monotonic() + 30
    while not job.is_finished:
        assert time.monotonic() < deadline, f"job still {job.state} after 30 s"
        time.sleep(0.02)
        job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert job.report == {"counted": 4}
    assert (job.done, job.total) == (4, 4)
    assert len(CALLS) == 1
    assert CALLS[0]["job"] == job.pk
    assert CALLS[0]["thread"] != threading.get_ident()


@pytest.mark.django_db(transaction=True)
def test_thread_runner_fails_a_crashing_job_instead_of_leaving_it_running(settings):
    # given the thread runner and a handler that crashes
    settings.NASTAVNIK_JOB_RUNNER = "thread"
    job = _enqueue("tests.crash", {"divisor": 0})
    # when waiting for the background thread
    deadline = time.monotonic() + 30
    while not job.is_finished:
        assert time.monotonic() < deadline, f"job still {job.state} after 30 s"
        time.sleep(0.02)
        job.refresh_from_db()
    # then the job is failed with the exception's last line
    assert job.state == Job.State.FAILED
    assert job.error.strip().splitlines()[-1] == "ZeroDivisionError: division by zero"
