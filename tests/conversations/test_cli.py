"""The console commands: import, generate and demo set-up."""

from __future__ import annotations

import subprocess
import sys

import orjson
import pytest
from django.core.management import CommandError, call_command

from nastavnik.accounts.models import Operator, Role, User
from nastavnik.conversations.models import Conversation
from nastavnik.evaluations.models import Dispute, Evaluation
from tests import factories

pytestmark = pytest.mark.django_db


def test_import_command_names_every_rejected_line_and_exits_non_zero(tmp_path, capsys):
    # given a file with two good records and one broken line
    path = factories.write_jsonl(
        tmp_path / "in.jsonl", [factories.record("a"), "{oops", factories.record("b")]
    )
    # when importing it from the command line
    with pytest.raises(CommandError, match="1 record"):
        call_command("import_conversations", str(path), "--source", "cli", "--quiet")
    # then the good records are in and the broken line is named on stderr
    captured = capsys.readouterr()
    assert "line 2" in captured.err
    assert "created: 2" in captured.out
    assert Conversation.objects.filter(source="cli").count() == 2


def test_import_command_succeeds_on_a_clean_file(tmp_path, capsys):
    path = factories.write_jsonl(tmp_path / "in.jsonl", [factories.record("a")])
    call_command("import_conversations", str(path), "--source", "cli", "--quiet")
    assert "created: 1" in capsys.readouterr().out


def test_generate_command_writes_valid_jsonl_without_a_database(tmp_path):
    out = tmp_path / "gen.jsonl"
    call_command("generate_conversations", "--conversations", "50", "--out", str(out), "--quiet")
    lines = out.read_bytes().splitlines()
    assert len(lines) == 50
    assert {orjson.loads(line)["channel"] for line in lines} <= {
        "call",
        "chat",
        "email",
        "messenger",
    }


def test_demo_setup_creates_a_login_for_every_role_and_the_conversations(tmp_path, settings):
    settings.HOME_DIR = tmp_path
    call_command("run_demo", "--no-serve", "--conversations", "300")
    roles = set(User.objects.values_list("role_assignments__role", flat=True))
    assert set(Role.values) <= roles
    assert Conversation.objects.filter(source="demo").count() == 300
    assert Operator.objects.exclude(user=None).count() == 24
    assert Operator.objects.exclude(mentor=None).count() >= 12
    assert Evaluation.objects.filter(kind="auto").count() == 300
    # QA analysts' submitted evaluations, so the evaluation and trust pages have content
    manual = Evaluation.objects.filter(kind="manual", state="submitted")
    assert manual.count() >= 100
    assert manual.exclude(acknowledged_at=None).exists()
    assert Dispute.objects.exists()
    # a second run keeps what is there
    call_command("run_demo", "--no-serve", "--conversations", "300")
    assert Conversation.objects.filter(source="demo").count() == 300
    assert Evaluation.objects.filter(kind="manual").count() == manual.count()


def test_console_script_help_lists_product_commands():
    result = subprocess.run(
        [sys.executable, "-m", "nastavnik", "import", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Bad" in result.stdout
    assert "--source" in result.stdout
