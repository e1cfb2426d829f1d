"""The demo data generator: deterministic, contract-shaped, varied and plausible.

Pure Python; run with ``pytest tests/demodata -p no:django``.
"""

from __future__ import annotations

import gzip
import io
import re
import statistics
from collections import Counter
from datetime import date, datetime
from itertools import islice

import orjson
import pytest

from nastavnik.demodata import STAGES, demo_roster, generate_records, write_jsonl
from nastavnik.demodata.roster import GRADES, HABIT_STAGES, TEAMS

START = date(2026, 1, 1)
DAYS = 90
TOP_LEVEL_KEYS = {
    "external_id", "source", "channel", "direction", "operator", "operator_name", "team",
    "client", "client_name", "language", "started_at", "ended_at", "topic", "tags", "turns",
    "outcome", "meta",
}  # fmt: skip
OUTCOME_KEYS = {
    "csat", "helped", "nps", "resolved", "converted", "cancelled", "missed",
    "retention_requested", "retained", "escalated", "transfers", "order_amount", "cancel_reason",
}  # fmt: skip
SPEAKERS = {"operator", "client", "bot", "system"}
PII = re.compile(
    r"(?:\+7|\b8)[\s(]*9\d\d[\s)]*\d{3}[\s-]?\d\d[\s-]?\d\d"  # phone
    r"|\b\d{4} ?\d{4} ?\d{4} ?\d{4}\b"  # card
    r"|[\w.]+@[\w.]+\.\w+"  # e-mail
)


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return list(generate_records(5_000, seed=11, start=START, days=DAYS))


def _serialised(count: int, seed: int) -> bytes:
    stream = io.BytesIO()
    write_jsonl(stream, generate_records(count, seed=seed, start=START, days=DAYS))
    return stream.getvalue()


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() is not None, text
    return moment


def test_same_seed_gives_byte_identical_output() -> None:
    # given / when
    first, second = _serialised(500, seed=3), _serialised(500, seed=3)

    # then
    assert first == second
    assert _serialised(500, seed=4) != first


def test_record_depends_only_on_seed_and_index() -> None:
    # given
    short = list(generate_records(50, seed=5, start=START))

    # when
    long_prefix = list(islice(generate_records(1_000, seed=5, start=START), 50))

    # then
    assert short == long_prefix


def test_external_ids_are_unique(records: list[dict]) -> None:
    ids = [record["external_id"] for record in records]

    assert len(set(ids)) == 5_000
    assert ids[0] == "demo-0000001"


def test_every_record_keeps_the_contract(records: list[dict]) -> None:
    for record in records:
        assert set(record) <= TOP_LEVEL_KEYS, record["external_id"]
        assert {"external_id", "channel", "operator", "started_at", "turns"} <= set(record)
        assert record["source"] == "demo"
        assert record["language"] == "ru"
        assert record["direction"] in {"inbound", "outbound"}
        assert set(record["outcome"]) == OUTCOME_KEYS
        assert isinstance(record["meta"], dict)
        started, ended = _aware(record["started_at"]), _aware(record["ended_at"])
        assert record["started_at"].endswith("+03:00")
        assert ended >= started
        assert START <= started.date() < date(2026, 4, 1)
        _check_turns(record, started)


def _check_turns(record: dict, started: datetime) -> None:
    turns = record["turns"]
    if record["outcome"]["missed"]:
        assert record["channel"] == "call"
        assert turns == []
        return
    assert turns, record["external_id"]
    for turn in turns:
        assert turn["speaker"] in SPEAKERS
        assert isinstance(turn["text"], str)
        assert turn["text"].strip()
        if record["channel"] == "call":
            assert isinstance(turn["start"], float)
            assert 0 <= turn["start"] <= turn["end"]
            assert "at" not in turn
        else:
            assert _aware(turn["at"]) >= started


def test_outcomes_are_consistent(records: list[dict]) -> None:
    for record in records:
        outcome = record["outcome"]
        if outcome["csat"] is not None:
            assert outcome["csat"] in {1, 2, 3, 4, 5}
        if outcome["nps"] is not None:
            assert 0 <= outcome["nps"] <= 10
        if outcome["cancelled"]:
            assert outcome["retention_requested"]
            assert outcome["retained"] is False
            assert outcome["cancel_reason"]
        if outcome["retained"] is not None:
            assert outcome["retention_requested"]
        if outcome["order_amount"] is not None:
            assert re.fullmatch(r"\d+\.\d\d", outcome["order_amount"])
            assert outcome["converted"] or outcome["cancelled"]


def test_channel_mix_is_within_tolerance(records: list[dict]) -> None:
    shares = Counter(record["channel"] for record in records)

    for channel, expected in {"call": 0.35, "chat": 0.35, "messenger": 0.15, "email": 0.15}.items():
        assert abs(shares[channel] / len(records) - expected) < 0.03, channel


def test_calls_include_outbound_missed_and_raw_asr(records: list[dict]) -> None:
    calls = [record for record in records if record["channel"] == "call"]
    answered = [call for call in calls if call["turns"]]
    raw = [call for call in answered if call["meta"].get("asr")]

    assert any(call["direction"] == "outbound" for call in calls)
    assert 0.03 < sum(call["outcome"]["missed"] for call in calls) / len(calls) < 0.12
    assert 0.2 < len(raw) / len(answered) < 0.4
    for call in raw:
        assert not any(re.search(r"[.,!?«»]", turn["text"]) for turn in call["turns"])
        assert all(turn["text"] == turn["text"].lower() for turn in call["turns"])


def test_some_records_contain_pii(records: list[dict]) -> None:
    with_pii = [
        record
        for record in records
        if any(PII.search(turn["text"]) for turn in record["turns"] if turn["speaker"] == "client")
    ]

    assert 0.1 < len(with_pii) / len(records) < 0.6


def test_lengths_vary_from_empty_to_long(records: list[dict]) -> None:
    lengths = [len(record["turns"]) for record in records]

    assert min(lengths) == 0
    assert max(lengths) >= 40
    assert 6 <= statistics.median(lengths) <= 20
    assert sum(length >= 40 for length in lengths) / len(lengths) < 0.05


def test_csat_is_answered_by_a_third_and_lower_when_weak_operators_skip_stages(
    records: list[dict],
) -> None:
    # given
    operators, _ = demo_roster(11, today=date(2026, 4, 1))
    weak = {operator.external_id for operator in operators if operator.weak_stages}
    rated = [record for record in records if record["outcome"]["csat"] is not None]

    # when
    skipped = [
        record["outcome"]["csat"]
        for record in rated
        if record["operator"] in weak and record["meta"]["skipped"]
    ]
    others = [
        record["outcome"]["csat"]
        for record in rated
        if not (record["operator"] in weak and record["meta"]["skipped"])
    ]

    # then
    assert 0.28 < len(rated) / len(records) < 0.42
    assert statistics.mean(skipped) < statistics.mean(others) - 0.3


def test_categorical_refusal_has_zero_to_three_retention_attempts(records: list[dict]) -> None:
    refusals = [record for record in records if record["meta"].get("categorical_refusal")]

    attempts = Counter(record["meta"]["retention_attempts"] for record in refusals)

    assert set(attempts) == {0, 1, 2, 3}
    assert attempts.most_common(1)[0][0] == 2


def test_conversations_fall_in_working_hours_with_fewer_on_weekends(
    records: list[dict],
) -> None:
    live = [record for record in records if record["channel"] != "email"]
    starts = [datetime.fromisoformat(record["started_at"]) for record in live]
    weekend = sum(moment.weekday() >= 5 for moment in starts) / len(starts)

    assert all(8 <= moment.hour < 22 for moment in starts)
    assert weekend < 2 / 7 * 0.8


def test_operators_only_work_after_they_were_hired(records: list[dict]) -> None:
    operators, _ = demo_roster(11, today=date(2026, 4, 1))
    hired = {operator.external_id: operator.hired_at for operator in operators}

    for record in records:
        assert date.fromisoformat(record["started_at"][:10]) >= hired[record["operator"]]


def test_roster_has_three_teams_of_twenty_four_operators_and_the_staff() -> None:
    # given / when
    operators, staff = demo_roster(7, today=date(2026, 4, 1))

    # then
    assert len(operators) == 24
    assert {operator.team for operator in operators} == set(TEAMS)
    assert {operator.grade for operator in operators} == set(GRADES)
    assert len({operator.external_id for operator in operators}) == 24
    assert len({operator.full_name for operator in operators}) == 24
    recent = [op for op in operators if (date(2026, 4, 1) - op.hired_at).days <= 90]
    assert len(recent) >= 3
    assert all(op.grade == "junior" for op in recent)
    roles = Counter(role for member in staff for role in member.roles)
    assert roles == {
        "team_lead": 3, "mentor": 4, "qa_analyst": 2, "qa_lead": 1, "head": 1, "trainer": 1,
        "admin": 1,
    }  # fmt: skip
    logins = {member.login for member in staff}
    assert all(login.isascii() for login in logins)
    assert {op.mentor_login for op in operators} - {None} <= logins
    for operator in operators:
        assert set(operator.weak_stages) <= set(STAGES)
        assert {HABIT_STAGES[habit] for habit in operator.habits} == set(operator.weak_stages)
        assert 0 <= operator.skill <= 1


def test_skill_grows_with_grade() -> None:
    operators, _ = demo_roster(7, today=date(2026, 4, 1))
    by_grade = {
        grade: statistics.mean(op.skill for op in operators if op.grade == grade)
        for grade in GRADES
    }

    assert by_grade["junior"] < by_grade["middle"] < by_grade["senior"] < by_grade["mentor"]


def test_write_jsonl_writes_one_line_per_record_and_compresses_gz(tmp_path) -> None:
    # given
    path = tmp_path / "demo.jsonl.gz"
    seen: list[int] = []

    # when
    count = write_jsonl(path, generate_records(2_500, seed=2, start=START), progress=seen.append)

    # then
    lines = gzip.decompress(path.read_bytes()).splitlines()
    assert count == 2_500
    assert len(lines) == 2_500
    assert orjson.loads(lines[0])["external_id"] == "demo-0000001"
    assert seen == [1_000, 2_000, 2_500]


def test_write_jsonl_accepts_text_streams() -> None:
    # given
    stream = io.StringIO()

    # when
    count = write_jsonl(stream, generate_records(3, seed=2, start=START))

    # then
    lines = stream.getvalue().splitlines()
    assert count == 3
    assert [orjson.loads(line)["external_id"] for line in lines] == [
        "demo-0000001",
        "demo-0000002",
        "demo-0000003",
    ]


def test_generated_records_pass_the_import_validation() -> None:
    # given
    formats = pytest.importorskip("nastavnik.engine.formats")
    stream = io.BytesIO(_serialised(2_000, seed=9))

    # when
    parsed = list(formats.read_jsonl(stream, default_source="other"))

    # then
    assert len(parsed) == 2_000
    assert [str(issue) for record in parsed for issue in record.issues] == []
    assert all(record.is_valid for record in parsed)
    assert {record.conversation.source for record in parsed} == {"demo"}
