"""``nastavnik sample`` and the scheduled task."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from nastavnik.core.models import AuditEvent
from nastavnik.sampling import tasks
from nastavnik.sampling.models import QueueItem
from tests.sampling.conftest import rule

pytestmark = pytest.mark.django_db


def test_sample_a_month_prints_a_summary_table(centre, capsys):
    """Given a rule, when sampling --period 2026-11, then 30 items and a table row per rule."""
    rule(graders=[centre["analyst"]], name="Все")
    call_command("sample", "--period", "2026-11", "--quiet")
    out = capsys.readouterr().out
    assert QueueItem.objects.count() == 30
    lines = out.splitlines()
    assert lines[0] == "Sampling 2026-11-01 … 2026-11-30"
    assert lines[1].split() == ["rule", "period", "operators", "picked", *tasks_reasons()]
    assert lines[2].split() == ["Все", "2026-11", "3", "30", "4", "0", "0", "0", "26"]
    assert lines[-1] == "picked: 30, added to queues: 30"


def tasks_reasons() -> list[str]:
    return ["low_csat", "long_handling", "autoqa_flag", "repeat_contact", "random"]


def test_dry_run_writes_nothing(centre, capsys):
    """Given a rule, when --dry-run, then the summary says what would be picked, nothing stored."""
    rule(graders=[centre["analyst"]], name="Все")
    call_command("sample", "--period", "2026-11", "--dry-run", "--quiet")
    out = capsys.readouterr().out
    assert "dry run" in out
    assert out.splitlines()[-1] == "would pick: 30"
    assert QueueItem.objects.count() == 0
    assert not AuditEvent.objects.filter(action="sampling.run").exists()


def test_week_and_rule_options(centre, capsys):
    """Given two rules, when sampling one week with --rule, then only that rule's items."""
    rule(graders=[centre["analyst"]], name="Все")
    weekly = rule(graders=[centre["analyst2"]], name="Неделя", period="week", per_operator=1)
    call_command("sample", "--week", "2026-W45", "--rule", str(weekly.pk), "--quiet")
    assert set(QueueItem.objects.values_list("rule__name", "period")) == {("Неделя", "2026-W45")}
    # op-a, op-b and op-c all worked in W45 (2–8 November).
    assert QueueItem.objects.count() == 3


def test_since_until_limits_the_days(centre):
    """Given a rule, when sampling 1–3 November, then only chats of those days are queued."""
    rule(graders=[centre["analyst"]], name="Все")
    call_command("sample", "--since", "2026-11-01", "--until", "2026-11-03", "--quiet")
    days = {
        started.day
        for started in QueueItem.objects.values_list("conversation__started_at", flat=True)
    }
    assert days <= {1, 2, 3}
    # op-a: 3 chats, op-b: 2 chats and 2 calls, op-c: 1 chat.
    assert QueueItem.objects.count() == 8


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13"], "YYYY-MM"),
        (["--week", "48"], "YYYY-Www"),
        (["--rule", "нет такого"], "no sampling rule"),
        (["--until", "2026-11-03"], "--until goes with --since"),
        (["--since", "2026-11-03", "--until", "2026-11-01"], "period_end"),
    ],
)
def test_bad_options_fail_with_a_clear_message(centre, args, message):
    """Given a malformed option, when running, then the command fails naming the problem."""
    with pytest.raises(CommandError, match=message):
        call_command("sample", *args, "--quiet")
    assert QueueItem.objects.count() == 0


def test_the_console_script_knows_sample():
    """Given the console script, when looking up «sample», then it runs the sample command."""
    from nastavnik import cli

    assert cli.ALIASES["sample"] == "sample"


def test_the_scheduled_task_samples_the_current_period_and_is_on_the_beat():
    """Given the beat schedule, then the task runs daily at 06:00 local time."""
    entry = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == tasks.FILL_QUEUES_TASK
    )
    schedule = entry["schedule"]
    assert (schedule.hour, schedule.minute) == ({6}, {0})
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE


def test_the_task_runs_the_paced_sample_for_today(centre, settings):
    """Given a monthly rule, when the task runs eagerly, then it reports one run and audits it."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    rule(graders=[centre["analyst"]], name="Все")
    result = tasks.fill_queues_task.apply().get()
    assert len(result) == 1
    assert result[0]["dry_run"] is False
    assert AuditEvent.objects.filter(action="sampling.run").count() == 1


def test_current_runs_what_the_morning_task_runs(centre, capsys):
    """Given a monthly rule, when --current --dry-run, then one paced report for this month."""
    rule(graders=[centre["analyst"]], name="Все")
    call_command("sample", "--current", "--dry-run", "--quiet")
    out = capsys.readouterr().out
    assert out.startswith("Sampling ")
    assert "dry run" in out
    assert QueueItem.objects.count() == 0
    with pytest.raises(CommandError, match="--current"):
        call_command("sample", "--current", "--rule", "Все", "--quiet")
