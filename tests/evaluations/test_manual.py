"""Manual evaluation services: start, save with optimistic locking, submit, acknowledge."""

from __future__ import annotations

import pytest

from nastavnik.core.errors import ApplicationError
from nastavnik.core.models import AuditEvent, Notification
from nastavnik.engine import scorecards
from nastavnik.evaluations import manual, services
from nastavnik.evaluations.manual import AnswerInput
from nastavnik.evaluations.models import Answer, Evaluation
from nastavnik.scorecards import services as scorecard_services
from tests import factories


@pytest.fixture
def world(db, tmp_path):
    version = scorecard_services.scorecard_save(
        actor=None, spec=scorecards.default_scorecard("default-chat")
    )
    scorecard_services.scorecard_activate(actor=None, version=version)
    factories.import_records(tmp_path, [factories.record("c-1", operator="op-1")])
    operator = factories.operator("op-1")
    operator_login = factories.user("operator", username="oleg")
    factories.link_login(operator, operator_login)
    return {
        "version": version,
        "spec": scorecards.default_scorecard("default-chat"),
        "conversation": operator.conversations.get(),
        "analyst": factories.user("qa_analyst", username="anna"),
        "analyst2": factories.user("qa_analyst", username="boris"),
        "operator_login": operator_login,
    }


def all_yes(spec) -> list[AnswerInput]:
    """An answer for every criterion: full marks."""
    return [
        AnswerInput(c.key, float(c.points) if c.scale == "points" else 1.0) for c in spec.criteria()
    ]


def test_start_creates_a_draft_and_reopens_it(world):
    """Given an analyst, when starting twice, then one draft with the active version exists."""
    first = manual.evaluation_start(actor=world["analyst"], conversation=world["conversation"])
    second = manual.evaluation_start(actor=world["analyst"], conversation=world["conversation"])
    assert first.pk == second.pk
    assert first.state == Evaluation.State.DRAFT
    assert first.scorecard_version == world["version"]
    assert first.answers.count() == 0


def test_operator_cannot_start_an_evaluation(world):
    """Given an operator login, when starting, then it is refused and nothing is stored."""
    with pytest.raises(ApplicationError) as error:
        manual.evaluation_start(actor=world["operator_login"], conversation=world["conversation"])
    assert error.value.status_code == 403
    assert Evaluation.objects.count() == 0


def test_save_scores_and_submit_notifies_the_operator(world):
    """Given a draft, when all criteria are answered yes and submitted, then 100 % and notified."""
    evaluation = manual.evaluation_start(actor=world["analyst"], conversation=world["conversation"])
    evaluation = manual.evaluation_submit(
        actor=world["analyst"],
        evaluation=evaluation,
        revision=evaluation.revision,
        answers=all_yes(world["spec"]),
        comment="Хорошо",
    )
    assert evaluation.state == Evaluation.State.SUBMITTED
    assert evaluation.score_percent == 100.0
    assert evaluation.comment == "Хорошо"
    note = Notification.objects.get()
    assert note.user == world["operator_login"]
    assert note.kind == "evaluation.new"
    assert AuditEvent.objects.filter(action="evaluation.submit").count() == 1


def test_submit_with_a_missing_answer_names_it_and_stores_nothing(world):
    """Given one criterion unanswered, when submitting, then the error names it, no write."""
    evaluation = manual.evaluation_start(actor=world["analyst"], conversation=world["conversation"])
    answers = all_yes(world["spec"])
    missing = next(a for a in answers if not _criterion(world["spec"], a.criterion).na_allowed)
    answers.remove(missing)
    with pytest.raises(ApplicationError) as error:
        manual.evaluation_submit(
            actor=world["analyst"],
            evaluation=evaluation,
            revision=evaluation.revision,
            answers=answers,
        )
    assert error.value.field == f"answers.{missing.criterion}"
    evaluation.refresh_from_db()
    assert evaluation.state == Evaluation.State.DRAFT
    assert evaluation.answers.count() == 0
    assert evaluation.revision == 1


def test_bad_value_names_the_criterion(world):
    """Given a ternary value on a binary criterion, when saving, then the field is named."""
    evaluation = manual.evaluation_start(actor=world["analyst"], conversation=world["conversation"])
    binary = next(c for c in world["spec"].criteria() if c.scale == "binary")
    with pytest.raises(ApplicationError) as error:
        manual.evaluation_save(
            actor=world["analyst"],
            evaluation=evaluation,
            revision=1,
            answers=[AnswerInput(binary.key, 0.5)],
        )
    assert error.value.field == f"answers.{binary.key}"
    assert Answer.objects.count() == 0


def test_evidence_quote_is_read_from_the_transcript(world):
    """Given a span, when saving, then the stored quote is the transcript's own text."""
    evaluation = manual.evaluation_start(actor=world["analyst"], conversation=world["conversation"])
    key = world["spec"].criteria()[0].key
    manual.evaluation_save(
        actor=world["analyst"],
        evaluation=evaluation,
        revision=1,
        answers=[AnswerInput(key, 1.0, "ок", ({"turn": 1, "start": 0, "end": 12, "quote": "x"},))],
    )
    answer = evaluation.answers.get()
    assert answer.evidence == [{"turn": 1, "start": 0, "end": 12, "quote": "Здравствуйте"}]
    with pytest.raises(ApplicationError) as error:
        manual.evaluation_save(
            actor=world["analyst"],
            evaluation=evaluation,
            revision=2,
            answers=[AnswerInput(key, 1.0, "", ({"turn": 9},))],
        )
    assert error.value.field == f"answers.{key}.evidence"


def test_second_save_from_a_stale_revision_is_refused(world):
    """Given two analysts who opened revision 2, when both save, then the second gets 409."""
    evaluation = manual.evaluation_start(actor=world["analyst"], conversation=world["conversation"])
    evaluation = manual.evaluation_submit(
        actor=world["analyst"],
        evaluation=evaluation,
        revision=1,
        answers=all_yes(world["spec"]),
    )
    key = world["spec"].criteria()[0].key
    seen_by_both = evaluation.revision
    manual.evaluation_save(
        actor=world["analyst"],
        evaluation=Evaluation.objects.get(pk=evaluation.pk),
        revision=seen_by_both,
        answers=[AnswerInput(key, 0.0)],
    )
    with pytest.raises(ApplicationError) as error:
        manual.evaluation_save(
            actor=world["analyst2"],
            evaluation=Evaluation.objects.get(pk=evaluation.pk),
            revision=seen_by_both,
            answers=[AnswerInput(key, 1.0, "мой ответ")],
        )
    assert error.value.status_code == 409
    assert "anna" in error.value.message
    answer = Answer.objects.get(evaluation=evaluation, criterion=key)
    assert (answer.verdict, answer.comment) == ("no", "")


def test_second_official_evaluation_is_refused(world):
    """Given a submitted official evaluation, when another analyst starts one, then 409."""
    evaluation = manual.evaluation_start(actor=world["analyst"], conversation=world["conversation"])
    manual.evaluation_submit(
        actor=world["analyst"], evaluation=evaluation, revision=1, answers=all_yes(world["spec"])
    )
    with pytest.raises(ApplicationError) as error:
        manual.evaluation_start(actor=world["analyst2"], conversation=world["conversation"])
    assert error.value.status_code == 409
    practice = manual.evaluation_start(
        actor=world["analyst2"], conversation=world["conversation"], purpose="practice"
    )
    assert practice.purpose == "practice"


def test_review_of_auto_answers_records_the_override(world):
    """Given an auto evaluation, when an analyst overrides one answer, then both are kept."""
    services.evaluation_auto_run(
        actor=None, conversations=world["conversation"].__class__.objects.all()
    )
    evaluation = manual.evaluation_start(
        actor=world["analyst"], conversation=world["conversation"], from_auto=True
    )
    answers = {a.criterion: a for a in evaluation.answers.all()}
    assert answers, "the draft starts from the auto answers"
    key, answer = next(iter(answers.items()))
    flipped = 0.0 if answer.verdict == "yes" else 1.0
    manual.evaluation_save(
        actor=world["analyst"],
        evaluation=evaluation,
        revision=1,
        answers=[AnswerInput(key, flipped)],
    )
    changed = Answer.objects.get(evaluation=evaluation, criterion=key)
    assert changed.origin == Answer.Origin.MANUAL
    assert changed.auto_verdict == answer.verdict
    assert changed.verdict != answer.verdict
    untouched = Answer.objects.filter(evaluation=evaluation).exclude(criterion=key)
    assert {a.origin for a in untouched} == {Answer.Origin.AUTO}


def test_acknowledge_only_by_the_evaluated_operator(world):
    """Given a submitted evaluation, when another user acknowledges, then refused; owner ok."""
    evaluation = manual.evaluation_start(actor=world["analyst"], conversation=world["conversation"])
    evaluation = manual.evaluation_submit(
        actor=world["analyst"], evaluation=evaluation, revision=1, answers=all_yes(world["spec"])
    )
    with pytest.raises(ApplicationError):
        manual.evaluation_acknowledge(actor=world["analyst2"], evaluation=evaluation)
    evaluation = manual.evaluation_acknowledge(actor=world["operator_login"], evaluation=evaluation)
    assert evaluation.acknowledged_at is not None


def _criterion(spec, key):
    return next(c for c in spec.criteria() if c.key == key)
