"""Jobs through Celery: queued through the app configured from the settings, and a real
round trip in which the web side queues an import and a ``nastavnik worker`` runs it.

The round trip needs Redis on 127.0.0.1:6379 (database 15, flushed before and after; another URL
can be given in ``NASTAVNIK_TEST_REDIS_URL``). Without Redis it is skipped, unless
``NASTAVNIK_REQUIRE_REDIS=1`` (CI), when it fails instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse

from nastavnik.conversations.models import Conversation
from nastavnik.conversations.services import IMPORT_JOB
from nastavnik.core.jobs import job_enqueue
from nastavnik.core.models import Job
from tests import factories
from tests.redis_broker import empty_redis_database

BROKER_URL = os.environ.get("NASTAVNIK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
WAIT_SECONDS = 20


@pytest.fixture
def broker():
    """An empty Redis database for the round trip, emptied again afterwards."""
    with empty_redis_database(BROKER_URL) as url:
        yield url


@pytest.fixture
def celery_runner(broker, settings, monkeypatch):
    """Point this process's Celery app at the test broker and queue jobs through it."""
    from nastavnik.celery import app

    settings.NASTAVNIK_JOB_RUNNER = "celery"
    settings.CELERY_BROKER_URL = broker
    # Celery reads its configuration from the settings once, on first use, and lets the
    # CELERY_BROKER_URL environment variable win over it: set both for this test.
    monkeypatch.setenv("CELERY_BROKER_URL", broker)
    previous = app.conf.broker_url
    app.conf.broker_url = broker
    _drop_broker_connections(app)
    yield broker
    app.conf.broker_url = previous
    _drop_broker_connections(app)


def _drop_broker_connections(app) -> None:
    """Forget pooled broker connections, so the next message goes to the current broker_url.

    Celery builds its connection and producer pools once, from the broker_url of that
    moment (eager mode builds them too), and offers no public way to rebuild them; this is
    what it does itself after a fork.
    """
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


def _database_url() -> str:
    """The test database as a DATABASE_URL, for the worker process."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    user = database.get("USER") or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"


def _worker_command(pidfile: Path) -> list[str]:
    script = Path(sys.executable).with_name("nastavnik")
    entry = [str(script)] if script.exists() else [sys.executable, "-m", "nastavnik"]
    return [*entry, "worker", "--concurrency", "1", "--loglevel", "INFO", "--pidfile", str(pidfile)]


def _stop(process: subprocess.Popen, pidfile: Path) -> None:
    """Warm-stop the worker by the pid it wrote; kill our own child only as a last resort."""
    pid = int(pidfile.read_text().strip()) if pidfile.exists() else process.pid
    if process.poll() is None:
        os.kill(pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.mark.django_db(transaction=True)
def test_worker_imports_an_uploaded_file_queued_through_redis(client, celery_runner, tmp_path):
    # given a worker on the test broker and database, and an analyst with a file
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory"):
        pytest.skip("needs a file database shared with the worker process")
    pidfile = tmp_path / "w.pid"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": celery_runner,
        "DATABASE_URL": _database_url(),
        "NASTAVNIK_LOG_LEVEL": "WARNING",
    }
    client.force_login(factories.user("qa_analyst"))
    lines = [factories.record("w1"), "{not json", factories.record("w2", channel="call")]
    content = b"\n".join(
        line.encode() if isinstance(line, str) else orjson.dumps(line) for line in lines
    )
    with log.open("wb") as output:
        process = subprocess.Popen(
            _worker_command(pidfile),
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[2],
        )
    try:
        # when the file is uploaded (the job is queued in Redis as the request commits)
        response = client.post(
            reverse("api-conversation-import"),
            {"file": SimpleUploadedFile("calls.jsonl", content), "source": "worker"},
        )
        assert response.status_code == 202, response.content
        job = Job.objects.get(pk=response.json()["id"])
        # then the worker picks it up and finishes it (bounded wait, no timing assertion)
        deadline = time.monotonic() + WAIT_SECONDS
        while not job.is_finished:
            assert process.poll() is None, f"worker exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, (
                f"job still {job.state} after {WAIT_SECONDS} s; worker log:\n{log.read_text()}"
            )
            time.sleep(0.05)
            job.refresh_from_db()
    finally:
        _stop(process, pidfile)
    assert (job.state, job.error) == (Job.State.DONE, "")
    assert (job.report["created"], job.report["rejected"]) == (2, 1)
    assert [issue["line"] for issue in job.report["issues"]] == [2]
    assert set(Conversation.objects.values_list("source", "external_id", "channel")) == {
        ("worker", "w1", "chat"),
        ("worker", "w2", "call"),
    }
    assert process.returncode == 0, log.read_text()


@pytest.mark.django_db
def test_celery_runner_sends_through_the_app_configured_from_settings(
    settings, django_capture_on_commit_callbacks, tmp_path
):
    """The task goes through ``nastavnik.celery.app`` even when another Celery app is current.

    A web process never imports ``nastavnik.celery`` on its own, so a bare shared task would
    resolve to Celery's default app, which knows nothing of the ``CELERY_*`` settings.
    """
    from celery import Celery

    from nastavnik.celery import app

    # given a file to import, the Celery runner in eager mode on our app, and a foreign
    # app made current
    path = factories.write_jsonl(tmp_path / "one.jsonl", [factories.record("e1")])
    payload = {"path": str(path), "source": "eager", "filename": path.name}
    settings.NASTAVNIK_JOB_RUNNER = "celery"
    eager_before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    foreign = Celery("foreign", broker="memory://", set_as_current=True)
    try:
        # when a job is queued
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            job = job_enqueue(kind=IMPORT_JOB, payload=payload, actor=None)
    finally:
        app.conf.task_always_eager = eager_before
        _drop_broker_connections(app)  # eager mode built them for the default broker
        app.set_current()
        foreign.close()
    # then our app ran it (eagerly), so the job is done
    job.refresh_from_db()
    assert (job.state, job.error) == (Job.State.DONE, "")
    assert job.report["created"] == 1
