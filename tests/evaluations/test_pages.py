"""Evaluation pages: evaluate, save, submit, acknowledge, dispute and decide through HTTP."""

from __future__ import annotations

import pytest
from django.urls import reverse

from nastavnik.core.models import AuditEvent, Notification
from nastavnik.evaluations.models import Dispute, Evaluation
from tests.evaluations.test_manual import all_yes
from tests.evaluations.test_manual import world as manual_world  # noqa: F401

world = manual_world


def form_data(spec, revision, *, action="save", overrides=None, comment=""):
    """The page's POST: one value per criterion (full marks unless overridden)."""
    data = {"revision": revision, "action": action, "comment": comment}
    for answer in all_yes(spec):
        data[f"value-{answer.criterion}"] = f"{answer.value:g}"
        data[f"evidence-{answer.criterion}"] = "[]"
    for key, value in (overrides or {}).items():
        data[f"value-{key}"] = value
    return data


@pytest.fixture
def submitted(world, client):
    client.force_login(world["analyst"])
    response = client.post(
        reverse("evaluations:start", kwargs={"conversation_id": world["conversation"].pk})
    )
    evaluation = Evaluation.objects.get()
    assert response.url == reverse("evaluations:edit", kwargs={"evaluation_id": evaluation.pk})
    first = world["spec"].criteria()[0].key
    response = client.post(
        response.url,
        form_data(
            world["spec"], 1, action="submit", overrides={first: "0"}, comment="Нет приветствия"
        ),
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    return evaluation, first


def test_analyst_evaluates_with_evidence_and_submits(world, client, submitted):
    """Given the edit page, when the analyst submits, then the score and notification exist."""
    evaluation, first = submitted
    assert evaluation.state == "submitted"
    assert evaluation.score_percent < 100
    assert evaluation.comment == "Нет приветствия"
    assert Notification.objects.filter(user=world["operator_login"]).count() == 1
    page = client.get(reverse("evaluations:detail", kwargs={"evaluation_id": evaluation.pk}))
    assert page.status_code == 200
    assert "Нет приветствия" in page.content.decode()


def test_edit_page_renders_the_scorecard_beside_the_transcript(world, client):
    """Given a draft, when the analyst opens it, then criteria and turns are on the page."""
    client.force_login(world["analyst"])
    client.post(reverse("evaluations:start", kwargs={"conversation_id": world["conversation"].pk}))
    evaluation = Evaluation.objects.get()
    page = client.get(reverse("evaluations:edit", kwargs={"evaluation_id": evaluation.pk}))
    html = page.content.decode()
    assert page.status_code == 200
    for criterion in world["spec"].criteria():
        assert f'name="value-{criterion.key}"' in html
    assert 'data-turn="1"' in html


def test_live_preview_scores_without_storing(world, client):
    """Given a draft, when the page asks for a preview, then the score shows, nothing stored."""
    client.force_login(world["analyst"])
    client.post(reverse("evaluations:start", kwargs={"conversation_id": world["conversation"].pk}))
    evaluation = Evaluation.objects.get()
    response = client.post(
        reverse("evaluations:preview", kwargs={"evaluation_id": evaluation.pk}),
        form_data(world["spec"], 1),
    )
    assert response.status_code == 200
    assert "100%" in response.content.decode()
    assert evaluation.answers.count() == 0


def test_stale_save_is_refused_on_the_page(world, client, submitted):
    """Given an old revision, when saving from the page, then 409 with the message, no change."""
    evaluation, first = submitted
    response = client.post(
        reverse("evaluations:edit", kwargs={"evaluation_id": evaluation.pk}),
        form_data(world["spec"], evaluation.revision - 1),
    )
    assert response.status_code == 409
    assert "anna" in response.content.decode()
    assert evaluation.answers.get(criterion=first).verdict == "no"


def test_operator_disputes_and_reviewer_accepts(world, client, submitted):
    """Given a submitted evaluation, when disputed and accepted, then score and history change."""
    evaluation, first = submitted
    before = evaluation.score_percent
    client.force_login(world["operator_login"])
    client.post(reverse("evaluations:acknowledge", kwargs={"evaluation_id": evaluation.pk}))
    client.post(
        reverse("evaluations:dispute_open", kwargs={"evaluation_id": evaluation.pk}),
        {"criterion": first, "reason": "Я поздоровалась в первой реплике"},
    )
    dispute = Dispute.objects.get()
    assert dispute.state == "open"
    reviewer = world["analyst2"]
    client.force_login(reviewer)
    assert client.get(reverse("evaluations:dispute_list")).status_code == 200
    response = client.post(
        reverse("evaluations:dispute_detail", kwargs={"dispute_id": dispute.pk}),
        {"decision": "accept", f"value-{first}": "1", "comment": "Верно, приветствие было"},
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    evaluation.refresh_from_db()
    assert dispute.state == "accepted"
    assert dispute.changes == {first: ["no", "yes"]}
    assert evaluation.score_percent == 100.0 > before
    assert dispute.score_before == before
    actions = set(
        AuditEvent.objects.filter(entity_id__in=[str(evaluation.pk), str(dispute.pk)]).values_list(
            "action", flat=True
        )
    )
    assert {"dispute.open", "dispute.accept", "evaluation.dispute_change"} <= actions
    assert Notification.objects.filter(
        user=world["operator_login"], kind="dispute.accepted"
    ).exists()
    client.force_login(world["operator_login"])
    page = client.get(reverse("evaluations:detail", kwargs={"evaluation_id": evaluation.pk}))
    assert 'data-testid="score">100%' in page.content.decode()


def test_grader_cannot_decide_a_dispute_on_own_evaluation(world, client, submitted):
    """Given the grader, when deciding a dispute of their evaluation, then 403, nothing changes."""
    evaluation, first = submitted
    client.force_login(world["operator_login"])
    client.post(
        reverse("evaluations:dispute_open", kwargs={"evaluation_id": evaluation.pk}),
        {"criterion": "", "reason": "Не согласна"},
    )
    dispute = Dispute.objects.get()
    client.force_login(world["analyst"])
    response = client.post(
        reverse("evaluations:dispute_detail", kwargs={"dispute_id": dispute.pk}),
        {"decision": "reject", "comment": "нет"},
    )
    assert response.status_code == 403
    dispute.refresh_from_db()
    assert dispute.state == "open"


def test_reject_needs_an_explanation(world, client, submitted):
    """Given a reviewer, when rejecting without a comment, then an error names the field."""
    evaluation, first = submitted
    client.force_login(world["operator_login"])
    client.post(
        reverse("evaluations:dispute_open", kwargs={"evaluation_id": evaluation.pk}),
        {"criterion": first, "reason": "Не согласна"},
    )
    dispute = Dispute.objects.get()
    client.force_login(world["analyst2"])
    response = client.post(
        reverse("evaluations:dispute_detail", kwargs={"dispute_id": dispute.pk}),
        {"decision": "reject", "comment": " "},
    )
    assert response.status_code == 400
    dispute.refresh_from_db()
    assert dispute.state == "open"


def test_overview_shows_what_waits_for_each_person(world, client, submitted):
    """Given a submitted, disputed evaluation, when the operator and a reviewer open the
    overview, then the operator sees it to read and the reviewer the dispute to decide."""
    evaluation, first = submitted
    client.force_login(world["operator_login"])
    home = client.get(reverse("home"))
    assert home.context["todo"]["evaluations"].to_acknowledge == 1
    assert "?acknowledged=false" in home.content.decode()
    client.post(
        reverse("evaluations:dispute_open", kwargs={"evaluation_id": evaluation.pk}),
        {"criterion": first, "reason": "Было приветствие"},
    )
    assert client.get(reverse("home")).context["todo"]["evaluations"].own_open_disputes == 1
    client.force_login(world["analyst2"])
    todo = client.get(reverse("home")).context["todo"]["evaluations"]
    assert todo.disputes_to_decide == 1
    client.force_login(world["analyst"])  # the grader does not decide their own
    assert client.get(reverse("home")).context["todo"]["evaluations"].disputes_to_decide == 0


def test_operator_page_shows_weekly_scores_and_weak_stages(world, client, submitted):
    """Given a submitted evaluation with a "no" in the first stage, when the operator page
    opens, then the week's score, that stage first among the weakest and the evaluation show."""
    evaluation, first = submitted
    client.force_login(world["analyst"])
    operator = world["conversation"].operator
    # the fixture's conversation is from March; look back far enough to include it
    from nastavnik.evaluations import selectors

    quality = selectors.operator_quality(operator=operator, weeks=520)
    assert quality.manual_count == 1
    assert quality.manual_average == evaluation.score_percent
    assert [week.get("manual") for week in quality.weeks] == [round(evaluation.score_percent, 1)]
    first_stage = next(s.key for s in world["spec"].stages if first in {c.key for c in s.criteria})
    assert quality.stages[0].key == first_stage
    assert quality.latest == [evaluation]
    page = client.get(reverse("accounts:operator_detail", kwargs={"operator_id": operator.pk}))
    assert page.status_code == 200


def test_a_conversation_without_turns_can_be_evaluated(world, client, tmp_path):
    """Given a missed call with no turns, when an analyst evaluates it, then the page says
    there is no transcript and turn evidence is refused by name."""
    from nastavnik.engine import scorecards
    from nastavnik.evaluations import manual
    from nastavnik.scorecards import services as scorecard_services
    from tests import factories

    version = scorecard_services.scorecard_save(
        actor=None, spec=scorecards.default_scorecard("default-call")
    )
    scorecard_services.scorecard_activate(actor=None, version=version)
    factories.import_records(
        tmp_path, [factories.record("missed-1", channel="call", turns=[], operator="op-1")]
    )
    conversation = world["conversation"].__class__.objects.get(external_id="missed-1")
    client.force_login(world["analyst"])
    response = client.post(
        reverse("evaluations:start", kwargs={"conversation_id": conversation.pk})
    )
    page = client.get(response.url)
    assert page.status_code == 200
    assert "missed" in page.content.decode() or "пропущен" in page.content.decode()
    evaluation = Evaluation.objects.get(conversation=conversation)
    key = scorecards.default_scorecard("default-call").criteria()[0].key
    with pytest.raises(manual.ApplicationError) as error:
        manual.evaluation_save(
            actor=world["analyst"],
            evaluation=evaluation,
            revision=evaluation.revision,
            answers=[manual.AnswerInput(key, 1.0, "", ({"turn": 0},))],
        )
    assert error.value.field == f"answers.{key}.evidence"
