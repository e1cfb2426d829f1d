"""The importer: validation report, idempotency, updates, atomic batches, PII, operators."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from nastavnik.accounts.models import Operator, Team
from nastavnik.conversations.models import Conversation
from nastavnik.core.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def _broken_line(n: int) -> str:
    variants = [
        "{not json",
        '{"external_id": "b%d", "channel": "fax", "operator": "op-1", '
        '"started_at": "2026-03-02T10:00:00+03:00", "turns": []}',
        '{"external_id": "b%d", "channel": "chat", "operator": "op-1", '
        '"started_at": "2026-03-02T10:00:00", "turns": []}',
        '{"external_id": "b%d", "channel": "chat", "operator": "op-1", "colour": "red", '
        '"started_at": "2026-03-02T10:00:00+03:00", "turns": []}',
        '{"channel": "chat", "operator": "op-1", '
        '"started_at": "2026-03-02T10:00:00+03:00", "turns": []}',
    ]
    line = variants[n % len(variants)]
    return line.replace("%d", str(n)) if "%d" in line else line


def test_five_percent_broken_records_are_named_and_the_rest_imported(tmp_path):
    # given 200 records of which every 20th line is broken in a different way
    lines: list = []
    for n in range(200):
        lines.append(_broken_line(n // 20) if n % 20 == 0 else factories.record(f"c{n}"))
    # when importing
    report = factories.import_records(tmp_path, lines)
    # then every good record is stored and every broken line is named
    assert report.records == 200
    assert report.created == 190
    assert report.rejected == 10
    assert Conversation.objects.count() == 190
    rejected_lines = sorted({issue.line for issue in report.issues})
    assert rejected_lines == [n + 1 for n in range(0, 200, 20)]
    reasons = " | ".join(f"{i.field}: {i.reason}" for i in report.issues)
    assert "channel" in reasons
    assert "colour" in reasons
    assert "external_id" in reasons


def test_reimport_does_not_duplicate_and_reports_unchanged(tmp_path):
    records = [factories.record(f"c{n}") for n in range(30)]
    factories.import_records(tmp_path, records)
    report = factories.import_records(tmp_path, records)
    assert Conversation.objects.count() == 30
    assert (report.created, report.updated, report.unchanged) == (0, 0, 30)


def test_changed_record_is_updated_in_place(tmp_path):
    factories.import_records(tmp_path, [factories.record("c1", topic="доставка")])
    first = Conversation.objects.get()
    report = factories.import_records(
        tmp_path, [factories.record("c1", topic="возврат", outcome={"csat": 2})]
    )
    updated = Conversation.objects.get()
    assert (report.created, report.updated) == (0, 1)
    assert updated.pk == first.pk
    assert (updated.topic, updated.csat) == ("возврат", 2)


def test_same_external_id_in_another_source_is_another_conversation(tmp_path):
    factories.import_records(tmp_path, [factories.record("c1")], source="helpdesk")
    factories.import_records(tmp_path, [factories.record("c1")], source="telephony")
    assert Conversation.objects.filter(external_id="c1").count() == 2


def test_operators_and_teams_are_created_from_external_ids(tmp_path):
    factories.import_records(
        tmp_path,
        [
            factories.record("c1", operator="op-17", operator_name="Анна Смирнова", team="Линия 1"),
            factories.record("c2", operator="op-17", operator_name="Анна Смирнова", team="Линия 1"),
            factories.record("c3", operator="op-18", team="Линия 2"),
        ],
    )
    anna = factories.operator("op-17")
    assert anna.full_name == "Анна Смирнова"
    assert anna.team.name == "Линия 1"
    assert Operator.objects.count() == 2
    assert sorted(Team.objects.values_list("name", flat=True)) == ["Линия 1", "Линия 2"]
    assert anna.conversations.count() == 2


def test_pii_is_masked_in_stored_text_and_search(tmp_path):
    turns = [
        {
            "speaker": "client",
            "text": "Мой телефон +7 912 345-67-89, почта oleg@example.ru",
            "at": "2026-03-02T10:15:00+03:00",
        },
        {"speaker": "operator", "text": "Спасибо!", "at": "2026-03-02T10:16:00+03:00"},
    ]
    factories.import_records(tmp_path, [factories.record("c1", turns=turns)])
    stored = Conversation.objects.get()
    assert "345-67-89" not in stored.turns[0]["text"]
    assert "oleg@example.ru" not in stored.turns[0]["text"]
    assert "345-67-89" not in stored.search_text


def test_masking_can_be_switched_off(tmp_path):
    turns = [
        {"speaker": "client", "text": "почта oleg@example.ru", "at": "2026-03-02T10:15:00+03:00"}
    ]
    factories.import_records(tmp_path, [factories.record("c1", turns=turns)], mask_pii=False)
    assert Conversation.objects.get().turns[0]["text"] == "почта oleg@example.ru"


def test_derived_metrics_are_stored(tmp_path):
    factories.import_records(tmp_path, [factories.record("c1")])
    stored = Conversation.objects.get()
    assert stored.first_response_seconds == 45.0
    assert stored.turn_count == 2


def test_import_writes_one_audit_event(tmp_path):
    factories.import_records(tmp_path, [factories.record("c1"), "{broken"])
    event = AuditEvent.objects.get(action="conversations.import")
    assert event.changes["created"] == 1
    assert event.changes["rejected"] == 1


def test_a_failing_batch_leaves_earlier_batches_and_nothing_half_written(tmp_path):
    # given a file whose third batch fails while being written
    records = [factories.record(f"c{n}") for n in range(25)]
    path = factories.write_jsonl(tmp_path / "in.jsonl", records)
    calls = {"n": 0}

    def explode_after_two_batches(done: int, total: int) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt

    from nastavnik.conversations import services

    # when the import is interrupted after the second batch
    with pytest.raises(KeyboardInterrupt):
        services.conversation_import(
            path=path,
            source="test",
            actor=None,
            batch_size=10,
            progress=explode_after_two_batches,
        )
    # then exactly the committed batches are there, and a re-run completes the file
    assert Conversation.objects.count() == 20
    report = services.conversation_import(path=path, source="test", actor=None, batch_size=10)
    assert (report.created, report.unchanged) == (5, 20)
    assert Conversation.objects.count() == 25


@pytest.mark.django_db(transaction=True)
def test_killed_cli_import_resumes_to_exactly_the_expected_rows(tmp_path):
    # given a large file and the CLI importing it in another process
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory"):
        pytest.skip("needs a file database shared with the subprocess")
    from nastavnik.demodata import generator, writer

    path = tmp_path / "big.jsonl"
    writer.write_jsonl(path, generator.generate_records(TOTAL, seed=3))
    env = {**os.environ, "DATABASE_URL": _database_url(), "NASTAVNIK_LOG_LEVEL": "ERROR"}
    command = [
        sys.executable,
        "-m",
        "nastavnik",
        "import",
        str(path),
        "--source",
        "kill",
        "--batch-size",
        "100",
        "--quiet",
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # when it is killed once a few batches are in (generated records carry source "demo")
    deadline = time.monotonic() + 120
    while Conversation.objects.count() < 300:
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = Conversation.objects.count()
    # then only whole batches were written, and a re-run completes exactly
    assert partial % 100 == 0
    assert partial < TOTAL
    finished = subprocess.run(command, env=env, capture_output=True, timeout=300)
    assert finished.returncode == 0, finished.stderr.decode()
    assert Conversation.objects.count() == TOTAL
    stored = set(Conversation.objects.values_list("external_id", flat=True))
    assert len(stored) == TOTAL


TOTAL = 20_000


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    user = settings.get("USER") or "postgres"
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def test_missing_file_is_a_clear_error(tmp_path):
    from nastavnik.conversations import services
    from nastavnik.core.errors import ApplicationError

    with pytest.raises(ApplicationError, match="Файл не найден"):
        services.conversation_import(path=tmp_path / "nope.jsonl", source="x", actor=None)
    assert Conversation.objects.count() == 0


def test_gzip_and_csv_files_import(tmp_path):
    import gzip

    plain = factories.write_jsonl(tmp_path / "a.jsonl", [factories.record("g1")])
    gz = Path(str(plain) + ".gz")
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    from nastavnik.conversations import services

    report = services.conversation_import(path=gz, source="gz", actor=None)
    assert report.created == 1
    csv_path = tmp_path / "b.csv"
    csv_path.write_text(
        "external_id,channel,operator,started_at,speaker,text,at\n"
        "k1,chat,op-1,2026-03-02T10:00:00+03:00,client,Привет,2026-03-02T10:00:00+03:00\n"
        "k1,,,,operator,Здравствуйте!,2026-03-02T10:01:00+03:00\n",
        encoding="utf-8",
    )
    report = services.conversation_import(path=csv_path, source="csv", actor=None)
    assert report.created == 1, [str(i) for i in report.issues]
    assert len(Conversation.objects.get(source="csv").turns) == 2


def test_parallel_preparation_gives_the_same_rows_and_line_numbers(tmp_path):
    # given a file with good and broken records spread over several chunks
    lines: list = []
    for n in range(57):
        lines.append(_broken_line(n) if n % 10 == 3 else factories.record(f"p{n}"))
    path = factories.write_jsonl(tmp_path / "in.jsonl", lines)
    from nastavnik.conversations import services

    # when importing with two worker processes and small batches
    report = services.conversation_import(
        path=path, source="test", actor=None, batch_size=7, workers=2
    )
    # then the counts and the named lines are those of a serial import
    assert (report.records, report.created, report.rejected) == (57, 51, 6)
    assert sorted(i.line for i in report.issues) == [4, 14, 24, 34, 44, 54]
    stored = dict(Conversation.objects.values_list("external_id", "content_hash"))
    Conversation.objects.all().delete()
    services.conversation_import(path=path, source="test", actor=None, workers=1)
    assert dict(Conversation.objects.values_list("external_id", "content_hash")) == stored
