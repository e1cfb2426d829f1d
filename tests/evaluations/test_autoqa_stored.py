"""Auto-QA of stored conversations: one automatic evaluation each, replaced on a re-run."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from nastavnik.conversations.models import Conversation
from nastavnik.core.models import AuditEvent
from nastavnik.engine import scoring
from nastavnik.evaluations import services
from nastavnik.evaluations.models import Answer, Evaluation
from nastavnik.scorecards import services as scorecard_services
from nastavnik.scorecards.mappers import version_spec
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(tmp_path):
    scorecard_services.scorecard_install_defaults(actor=None)
    records = [factories.record(f"c{n}", client_name="Олег") for n in range(7)]
    records += [factories.record(f"k{n}", channel="call") for n in range(3)]
    factories.import_records(tmp_path, records)


def test_every_conversation_gets_one_auto_evaluation_with_evidence(stored):
    report = services.evaluation_auto_run(actor=None, conversations=Conversation.objects.all())
    assert (report.conversations, report.evaluated) == (10, 10)
    assert report.by_scorecard == {"default-call v1": 3, "default-chat v1": 7}
    evaluation = Evaluation.objects.get(conversation__external_id="c0")
    assert (evaluation.kind, evaluation.state, evaluation.purpose) == (
        "auto",
        "submitted",
        "official",
    )
    greeting = evaluation.answers.get(criterion="greeting_introduction")
    assert greeting.origin == "auto"
    quote = greeting.evidence[0]
    text = evaluation.conversation.turns[quote["turn"]]["text"]
    assert text[quote["start"] : quote["end"]].lower() == quote["quote"].lower()


def test_stored_score_is_the_formula_applied_to_the_stored_answers(stored):
    services.evaluation_auto_run(actor=None, conversations=Conversation.objects.all())
    for evaluation in Evaluation.objects.select_related("scorecard_version"):
        spec = version_spec(evaluation.scorecard_version)
        from nastavnik.engine import types

        answers = [types.Answer(a.criterion, a.value) for a in evaluation.answers.all()]
        again = scoring.score(spec, answers, allow_missing=True)
        assert evaluation.score_percent == again.percent
        assert evaluation.critical_failed == again.critical_failed


def test_a_rerun_replaces_instead_of_duplicating(stored):
    services.evaluation_auto_run(actor=None, conversations=Conversation.objects.all())
    first_answers = Answer.objects.count()
    services.evaluation_auto_run(actor=None, conversations=Conversation.objects.all())
    assert Evaluation.objects.count() == 10
    assert Answer.objects.count() == first_answers
    assert AuditEvent.objects.filter(action="evaluations.autoqa").count() == 2


def test_conversations_without_an_active_scorecard_are_counted_not_failed(tmp_path):
    factories.import_records(tmp_path, [factories.record("e1", channel="email")])
    report = services.evaluation_auto_run(actor=None, conversations=Conversation.objects.all())
    assert (report.evaluated, report.skipped_no_scorecard) == (0, 1)
    assert Evaluation.objects.count() == 0


def test_cli_filters_by_channel(stored, capsys):
    call_command("autoqa", "--channel", "call", "--quiet")
    assert "evaluated: 3" in capsys.readouterr().out
    assert set(Evaluation.objects.values_list("conversation__channel", flat=True)) == {"call"}


def test_import_with_autoqa_evaluates_what_it_wrote(tmp_path, capsys):
    # given active scorecards and one conversation imported earlier
    scorecard_services.scorecard_install_defaults(actor=None)
    factories.import_records(tmp_path, [factories.record("old")])
    path = factories.write_jsonl(
        tmp_path / "new.jsonl", [factories.record("new1"), factories.record("new2")]
    )
    # when a file is imported with --autoqa
    call_command("import_conversations", str(path), "--source", "test", "--autoqa", "--quiet")
    # then exactly the conversations it wrote are evaluated
    evaluated = set(Evaluation.objects.values_list("conversation__external_id", flat=True))
    assert evaluated == {"new1", "new2"}
    assert "auto-QA: evaluated 2" in capsys.readouterr().out
