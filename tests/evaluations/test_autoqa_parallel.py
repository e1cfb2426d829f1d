"""Auto-QA of stored conversations on several processes and as Celery chunks.

Whatever runs the scoring — this process, worker processes, chunks run inline, or a real
``nastavnik worker`` fed through Redis — every conversation ends with exactly one automatic
evaluation per scorecard version, with the same answers, verdicts and scores. The Redis
round trip reuses the Celery fixtures of tests/core/test_celery_worker.py on Redis database 13
(skipped without Redis unless NASTAVNIK_REQUIRE_REDIS=1).
"""

from __future__ import annotations

import os
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from nastavnik.conversations.models import Conversation
from nastavnik.core.models import AuditEvent, Job
from nastavnik.demodata import generator
from nastavnik.evaluations import services
from nastavnik.evaluations.models import Evaluation
from nastavnik.evaluations.tasks import autoqa_chunk_task
from nastavnik.scorecards import services as scorecard_services
from nastavnik.scorecards.models import Scorecard
from tests import factories
from tests.core.test_celery_worker import (  # noqa: F401 (celery_runner: a fixture)
    WAIT_SECONDS,
    _database_url,
    _stop,
    _worker_command,
    celery_runner,
)
from tests.redis_broker import empty_redis_database

CONVERSATIONS = 48
# Not database 15 of tests/core/test_celery_worker.py, so both can run at the same time.
BROKER_URL = os.environ.get("NASTAVNIK_TEST_AUTOQA_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def broker():
    """An empty Redis database for the round trip (celery_runner uses it), emptied after."""
    with empty_redis_database(BROKER_URL) as url:
        yield url


def _store_conversations(tmp_path: Path) -> None:
    versions = scorecard_services.scorecard_install_defaults(actor=None)
    # E-mails get no active scorecard, so skipping is exercised on every path.
    email = next(v for v in versions if v.scorecard.key == "default-email")
    scorecard_services.scorecard_archive(actor=None, version=email)
    records = generator.generate_records(CONVERSATIONS, seed=11, start=date(2026, 3, 1))
    factories.import_records(tmp_path, list(records))


def _evaluable() -> int:
    return Conversation.objects.exclude(channel="email").count()


@pytest.fixture
def stored(tmp_path):
    """Generated conversations in all four channels, and the default scorecards active."""
    _store_conversations(tmp_path)


def _snapshot() -> dict:
    """Every automatic evaluation as plain values, keyed by (conversation, version)."""
    result = {}
    evaluations = (
        Evaluation.objects.filter(kind=Evaluation.Kind.AUTO)
        .select_related("conversation")
        .prefetch_related("answers")
    )
    for evaluation in evaluations:
        key = (evaluation.conversation.external_id, evaluation.scorecard_version_id)
        assert key not in result, f"two automatic evaluations for {key}"
        result[key] = (
            evaluation.score_percent,
            evaluation.earned,
            evaluation.maximum,
            evaluation.critical_failed,
            evaluation.stage_scores,
            evaluation.state,
            evaluation.purpose,
            sorted(
                (a.criterion, a.stage, a.value, a.verdict, a.confidence, a.comment, a.origin)
                + (tuple(tuple(sorted(e.items())) for e in a.evidence),)
                for a in evaluation.answers.all()
            ),
        )
    return result


def _one_process_snapshot() -> dict:
    services.evaluation_auto_run(actor=None, conversations=Conversation.objects.all(), workers=0)
    return _snapshot()


@pytest.mark.django_db
def test_worker_processes_store_what_one_process_stores(stored):
    """Given stored conversations, when auto-QA runs with 0 and then with 2 worker processes,
    then both runs leave identical evaluations, one per conversation with a scorecard."""
    alone = services.evaluation_auto_run(
        actor=None, conversations=Conversation.objects.all(), workers=0, batch_size=7
    )
    expected = _snapshot()
    parallel = services.evaluation_auto_run(
        actor=None, conversations=Conversation.objects.all(), workers=2, batch_size=7
    )
    assert _snapshot() == expected
    assert len(expected) == Evaluation.objects.count() == alone.evaluated == _evaluable()
    assert alone.skipped_no_scorecard == CONVERSATIONS - _evaluable() > 0
    assert parallel == alone
    assert sum(parallel.by_scorecard.values()) == _evaluable()
    verdicts = {a[3] for value in expected.values() for a in value[-1]}
    assert {"yes", "no"} <= verdicts  # the corpus exercises both outcomes


@pytest.mark.django_db
def test_an_interrupted_parallel_run_completes_on_a_rerun(stored):
    """Given a run with 2 workers stopped after its first batch, when it is run again,
    then every conversation has exactly one automatic evaluation, as a single run gives."""

    def stop_after_first_batch(done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        services.evaluation_auto_run(
            actor=None,
            conversations=Conversation.objects.all(),
            workers=2,
            batch_size=10,
            progress=stop_after_first_batch,
        )
    first_batch = Conversation.objects.order_by("id")[:10]
    assert set(Evaluation.objects.values_list("conversation_id", flat=True)) == {
        c.pk for c in first_batch if c.channel != "email"
    }  # the first batch, whole
    services.evaluation_auto_run(
        actor=None, conversations=Conversation.objects.all(), workers=2, batch_size=10
    )
    rerun = _snapshot()
    assert rerun == _one_process_snapshot()
    assert Evaluation.objects.count() == _evaluable()


@pytest.mark.django_db
def test_chunks_are_idempotent_and_a_queued_run_resumes(stored, django_capture_on_commit_callbacks):
    """Given a queued run whose chunks were never delivered, when one chunk runs twice and
    the run is resumed, then the job counts every conversation once and ends done with the
    same evaluations as a single-process run."""
    with django_capture_on_commit_callbacks(execute=False):
        job = services.evaluation_auto_enqueue(
            actor=None, filters=services.AutoQaFilters(), chunk_size=10
        )
    total = CONVERSATIONS
    assert (job.state, job.total, job.done, len(job.payload["chunks"])) == (
        Job.State.RUNNING,
        total,
        0,
        5,
    )
    assert autoqa_chunk_task(job.pk, 0) == Job.State.RUNNING
    assert autoqa_chunk_task(job.pk, 0) == Job.State.RUNNING  # a redelivery
    job.refresh_from_db()
    first_chunk = Conversation.objects.order_by("id")[:10]
    assert (job.done, job.report["chunks_done"], Evaluation.objects.count()) == (
        10,
        [0],
        sum(c.channel != "email" for c in first_chunk),
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.evaluation_auto_resume(actor=None, job=job)
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.error) == (Job.State.DONE, total, total, "")
    assert sorted(job.report["chunks_done"]) == [0, 1, 2, 3, 4]
    assert (job.report["conversations"], job.report["evaluated"]) == (total, _evaluable())
    assert job.report["skipped_no_scorecard"] == CONVERSATIONS - _evaluable()
    assert AuditEvent.objects.filter(action="evaluations.autoqa", entity_id=str(job.pk)).exists()
    queued = _snapshot()
    assert queued == _one_process_snapshot()


@pytest.mark.django_db
def test_a_queued_run_over_nothing_is_done_at_once(stored):
    """Given filters no conversation matches, when the run is queued, then its job is done."""
    job = services.evaluation_auto_enqueue(
        actor=None, filters=services.AutoQaFilters(channel="call", team="nobody")
    )
    assert (job.state, job.total, job.payload["chunks"]) == (Job.State.DONE, 0, [])


@pytest.mark.django_db
def test_cli_runs_on_worker_processes_with_filters(stored, capsys):
    """Given stored conversations, when `autoqa --workers 2 --channel chat` runs, then only
    chats are evaluated and the summary says how many."""
    chats = Conversation.objects.filter(channel="chat").count()
    call_command("autoqa", "--workers", "2", "--batch-size", "3", "--channel", "chat", "--quiet")
    assert f"evaluated: {chats} " in capsys.readouterr().out
    assert set(Evaluation.objects.values_list("conversation__channel", flat=True)) == {"chat"}
    assert Evaluation.objects.count() == chats


@pytest.mark.django_db
def test_cli_celery_without_a_broker_says_so(stored):
    """Given no CELERY_BROKER_URL (the sync runner), when `autoqa --celery` runs, then it
    fails naming the setting and queues nothing."""
    with pytest.raises(CommandError, match="CELERY_BROKER_URL"):
        call_command("autoqa", "--celery", "--quiet")
    assert not Job.objects.exists()
    assert not Evaluation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_celery_workers_store_what_one_process_stores(celery_runner, tmp_path):  # noqa: F811
    """Given a `nastavnik worker` (2 processes) on the test broker and database, when
    `autoqa --celery` queues a run in chunks, then the worker finishes the job and its
    evaluations equal those of a single-process run."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory"):
        pytest.skip("needs a file database shared with the worker process")
    _store_conversations(tmp_path)
    pidfile = tmp_path / "w.pid"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": celery_runner,
        "DATABASE_URL": _database_url(),
        "NASTAVNIK_LOG_LEVEL": "WARNING",
    }
    command = _worker_command(pidfile)
    command[command.index("--concurrency") + 1] = "2"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[2],
        )
    try:
        call_command("autoqa", "--celery", "--chunk-size", "7", "--no-wait", "--quiet")
        job = Job.objects.get(kind=services.AUTOQA_JOB)
        deadline = time.monotonic() + 3 * WAIT_SECONDS
        while not job.is_finished:
            assert process.poll() is None, f"worker exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, (
                f"job still {job.state} ({job.done}/{job.total}); worker log:\n{log.read_text()}"
            )
            time.sleep(0.1)
            job.refresh_from_db()
    finally:
        _stop(process, pidfile)
    assert (job.state, job.error) == (Job.State.DONE, ""), log.read_text()
    assert (job.done, job.total) == (CONVERSATIONS, CONVERSATIONS)
    assert job.report["evaluated"] == _evaluable()
    assert sorted(job.report["chunks_done"]) == list(range(len(job.payload["chunks"])))
    distributed = _snapshot()
    assert len(distributed) == _evaluable()
    assert distributed == _one_process_snapshot()


@pytest.mark.django_db
def test_a_failing_chunk_fails_the_job_naming_the_chunk(stored, django_capture_on_commit_callbacks):
    """Given a queued run whose messenger scorecard is deleted before the chunks run, when
    they run, then the job is failed with the chunk's error and counts nothing."""
    with django_capture_on_commit_callbacks(execute=False):
        job = services.evaluation_auto_enqueue(actor=None, filters=services.AutoQaFilters())
    Scorecard.objects.filter(key="default-messenger").delete()
    with pytest.raises(KeyError):
        autoqa_chunk_task(job.pk, 0)
    job.refresh_from_db()
    assert (job.state, job.done, job.report["chunks_done"]) == (Job.State.FAILED, 0, [])
    assert job.error.startswith("chunk 0: ")
    assert not Evaluation.objects.exists()


@pytest.mark.django_db
def test_resuming_a_finished_run_queues_nothing(stored, django_capture_on_commit_callbacks):
    """Given a finished queued run, when it is resumed, then it stays done and unchanged."""
    with django_capture_on_commit_callbacks(execute=True):
        job = services.evaluation_auto_enqueue(actor=None, filters=services.AutoQaFilters())
    job.refresh_from_db()
    before = (job.state, job.done, job.report, job.finished_at)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.evaluation_auto_resume(actor=None, job=job)
    job.refresh_from_db()
    assert (job.state, job.done, job.report, job.finished_at) == before
    assert callbacks == []
