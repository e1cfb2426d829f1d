"""``nastavnik autoqa --input … --scorecard … --out …``: scoring a file without a database."""

from __future__ import annotations

import subprocess
import sys

import orjson
import pytest
from django.core.management import CommandError, call_command

from tests import factories

CHAT = [
    {
        "speaker": "client",
        "text": "добрый день, мне не пришёл заказ",
        "at": "2026-03-02T10:00:00+03:00",
    },
    {
        "speaker": "operator",
        "text": "Здравствуйте, Олег! Меня зовут Анна, магазин «Вега». "
        "Подскажите, пожалуйста, номер заказа?",
        "at": "2026-03-02T10:01:00+03:00",
    },
    {"speaker": "client", "text": "1234567", "at": "2026-03-02T10:02:00+03:00"},
    {
        "speaker": "operator",
        "text": "Спасибо! Заказ передан курьеру, привезут сегодня до 18:00. "
        "Остались ли у вас вопросы?",
        "at": "2026-03-02T10:03:00+03:00",
    },
    {"speaker": "client", "text": "нет спасибо", "at": "2026-03-02T10:04:00+03:00"},
    {
        "speaker": "operator",
        "text": "Всего доброго, Олег, хорошего дня!",
        "at": "2026-03-02T10:04:30+03:00",
    },
]


def test_a_file_is_scored_line_by_line_with_evidence(tmp_path):
    # given a file with one good chat and one broken line
    source = factories.write_jsonl(
        tmp_path / "in.jsonl",
        [factories.record("c1", turns=CHAT, client_name="Олег"), '{"broken": true}'],
    )
    out = tmp_path / "out.jsonl"
    # when scoring it with the shipped chat scorecard
    with pytest.raises(CommandError, match="1 record"):
        call_command(
            "autoqa",
            "--input",
            str(source),
            "--scorecard",
            "default-chat",
            "--out",
            str(out),
            "--quiet",
        )
    # then the good conversation has a result with stage scores and evidenced verdicts
    (line,) = out.read_bytes().splitlines()
    result = orjson.loads(line)
    assert (result["external_id"], result["scorecard"], result["version"]) == (
        "c1",
        "default-chat",
        1,
    )
    assert 0 <= result["score"] <= 100
    assert set(result["stages"]) == {"greeting", "needs", "solution", "objections", "closing"}
    verdicts = {c["criterion"]: c for c in result["criteria"]}
    greeting = verdicts["greeting_introduction"]
    assert greeting["verdict"] == "yes"
    turn = greeting["evidence"][0]
    text = CHAT[turn["turn"]]["text"]
    assert text[turn["start"] : turn["end"]].lower() == turn["quote"].lower()


def test_runs_without_any_database(tmp_path):
    source = factories.write_jsonl(tmp_path / "in.jsonl", [factories.record("c1", turns=CHAT)])
    out = tmp_path / "out.jsonl"
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "NASTAVNIK_HOME": str(tmp_path),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nastavnik",
            "autoqa",
            "--input",
            str(source),
            "--scorecard",
            "default-chat",
            "--out",
            str(out),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert len(out.read_bytes().splitlines()) == 1


def test_an_invalid_scorecard_file_names_its_fields(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: x\ntitle: X\nversion: 1\nchannels: [fax]\nstages: []\n", encoding="utf-8")
    source = factories.write_jsonl(tmp_path / "in.jsonl", [factories.record("c1")])
    with pytest.raises(CommandError, match="not a valid scorecard"):
        call_command(
            "autoqa",
            "--input",
            str(source),
            "--scorecard",
            str(bad),
            "--out",
            str(tmp_path / "o.jsonl"),
            "--quiet",
        )
