"""Mystery shopping through the real services: scenarios, visits, transcripts, scoping, results."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from nastavnik.accounts.models import OperatorExternalId
from nastavnik.coaching import selectors, services
from nastavnik.coaching.models import MysteryScenario, MysteryVisit
from nastavnik.conversations.models import Conversation
from nastavnik.core.errors import ApplicationError
from nastavnik.core.models import AuditEvent
from nastavnik.engine import scorecards
from nastavnik.evaluations.models import Evaluation
from tests import factories
from tests.coaching import helpers

MSK = timezone(timedelta(hours=3))
START = datetime(2026, 3, 2, 12, 0, tzinfo=MSK)


@pytest.fixture
def qa(db):
    helpers.active_scorecard()
    return factories.user("qa_analyst", username="qa")


@pytest.fixture
def operators(tmp_path, qa):
    """Two operators with one imported chat each; Анна has a login."""
    factories.import_records(
        tmp_path,
        [
            factories.record("c-anna", operator="op-anna", operator_name="Анна"),
            factories.record("c-boris", operator="op-boris", operator_name="Борис"),
            factories.record("call-anna", operator="op-anna", channel="call"),
        ],
    )
    anna, boris = factories.operator("op-anna"), factories.operator("op-boris")
    return anna, boris


# --- scenarios ----------------------------------------------------------------------------


def test_scenario_keeps_its_behaviours_and_is_audited(qa):
    """Given QA, when saving a scenario, then behaviours are stored and the write audited."""
    scenario = helpers.scenario(qa)
    assert scenario.expected_behaviours == helpers.BEHAVIOURS
    assert scenario.created_by == qa
    event = AuditEvent.objects.get(action="mystery_scenario.create")
    assert event.actor == qa
    assert event.changes["title"] == [None, "Возврат наушников"]


def test_unknown_criterion_names_the_behaviour_and_writes_nothing(qa):
    """Given a behaviour linked to a key the chat scorecard lacks, then the error names it."""
    behaviours = [*helpers.BEHAVIOURS, {"text": "Предложил обмен", "criterion": "offer_swap"}]
    with pytest.raises(ApplicationError) as caught:
        helpers.scenario(qa, expected_behaviours=behaviours)
    assert "Предложил обмен" in caught.value.message
    assert "offer_swap" in caught.value.message
    assert caught.value.field == "expected_behaviours[3].criterion"
    assert caught.value.record == "scenario «Возврат наушников»"
    assert MysteryScenario.objects.count() == 0


def test_a_channel_without_active_scorecard_is_refused(qa):
    """Given no active e-mail scorecard, when saving an e-mail scenario, then it is refused."""
    with pytest.raises(ApplicationError) as caught:
        helpers.scenario(qa, channel="email")
    assert caught.value.field == "channel"
    assert MysteryScenario.objects.count() == 0


def test_editing_changes_and_audits_old_and_new(qa):
    """Given a scenario, when its title changes, then the audit row holds old → new."""
    scenario = helpers.scenario(qa)
    services.scenario_save(
        actor=qa,
        scenario=scenario,
        title="Возврат без чека",
        channel="chat",
        script=scenario.script,
        expected_behaviours=scenario.expected_behaviours[:1],
    )
    scenario.refresh_from_db()
    assert scenario.title == "Возврат без чека"
    assert len(scenario.expected_behaviours) == 1
    event = AuditEvent.objects.get(action="mystery_scenario.update")
    assert event.changes["title"] == ["Возврат наушников", "Возврат без чека"]


@pytest.mark.parametrize("role", ["operator", "mentor", "team_lead", "trainer"])
def test_only_mystery_managers_write(qa, role):
    """Given a user outside QA/head/admin, when saving a scenario, then 403 and nothing."""
    user = factories.user(role)
    with pytest.raises(ApplicationError) as caught:
        helpers.scenario(user)
    assert caught.value.status_code == 403
    assert MysteryScenario.objects.count() == 0


# --- visits -------------------------------------------------------------------------------


def test_plan_makes_one_visit_per_operator(qa, operators):
    """Given two operators, when planning, then each gets a planned visit, audited."""
    scenario = helpers.scenario(qa)
    visits = helpers.plan(qa, scenario, *operators)
    assert [(v.operator.full_name, v.state, v.planned_on) for v in visits] == [
        ("Анна", "planned", helpers.DAY),
        ("Борис", "planned", helpers.DAY),
    ]
    assert AuditEvent.objects.filter(action="mystery_visit.plan").count() == 2


def test_plan_refuses_an_inactive_scenario(qa, operators):
    """Given an inactive scenario, when planning, then refused and nothing planned."""
    scenario = helpers.scenario(qa, is_active=False)
    with pytest.raises(ApplicationError) as caught:
        helpers.plan(qa, scenario, operators[0])
    assert caught.value.field == "is_active"
    assert MysteryVisit.objects.count() == 0


def test_attach_by_source_and_external_id(qa, operators):
    """Given an imported chat of the operator, when attached, then the visit is done."""
    anna, _ = operators
    (visit,) = helpers.plan(qa, helpers.scenario(qa), anna)
    services.visit_attach_conversation(actor=qa, visit=visit, source="test", external_id="c-anna")
    visit.refresh_from_db()
    assert visit.state == MysteryVisit.State.DONE
    assert visit.conversation.external_id == "c-anna"


def test_attach_refuses_another_channel_with_a_clear_error(qa, operators):
    """Given a call and a chat scenario, when attaching the call, then the channel is named."""
    anna, _ = operators
    (visit,) = helpers.plan(qa, helpers.scenario(qa), anna)
    call = Conversation.objects.get(external_id="call-anna")
    with pytest.raises(ApplicationError) as caught:
        services.visit_attach_conversation(actor=qa, visit=visit, conversation_id=call.pk)
    assert caught.value.field == "conversation.channel"
    assert caught.value.record == f"visit {visit.pk}"
    assert "test:call-anna" in caught.value.message
    visit.refresh_from_db()
    assert (visit.state, visit.conversation_id) == ("planned", None)


def test_attach_refuses_another_operators_conversation(qa, operators):
    """Given Борис's chat, when attaching it to Анна's visit, then it is refused."""
    anna, _ = operators
    (visit,) = helpers.plan(qa, helpers.scenario(qa), anna)
    with pytest.raises(ApplicationError) as caught:
        services.visit_attach_conversation(
            actor=qa, visit=visit, source="test", external_id="c-boris"
        )
    assert caught.value.field == "conversation.operator"
    visit.refresh_from_db()
    assert visit.conversation_id is None


def test_attach_unknown_conversation_names_it(qa, operators):
    """Given no such conversation, when attaching, then the error names source:id."""
    (visit,) = helpers.plan(qa, helpers.scenario(qa), operators[0])
    with pytest.raises(ApplicationError) as caught:
        services.visit_attach_conversation(actor=qa, visit=visit, source="test", external_id="x")
    assert "test:x" in caught.value.message


def test_typed_transcript_becomes_a_conversation_through_the_importer(qa, operators):
    """Given a typed dialogue, when recorded, then an imported conversation is linked."""
    anna, _ = operators
    (visit,) = helpers.plan(qa, helpers.scenario(qa), anna)
    text = (
        "[12:00] Клиент: Хочу вернуть наушники\n[12:02] Оператор: Добрый день! Я Анна.\nчек есть?"
    )
    services.visit_record_transcript(actor=qa, visit=visit, text=text, started_at=START)
    visit.refresh_from_db()
    conversation = visit.conversation
    assert visit.state == MysteryVisit.State.DONE
    assert (conversation.source, conversation.external_id) == (
        "mystery_shopper",
        f"visit-{visit.pk}",
    )
    assert conversation.operator == anna
    assert conversation.channel == "chat"
    assert conversation.meta["mystery_visit"] == visit.pk
    assert conversation.client_name == "Ирина (агентство)"
    assert [(t["speaker"], t["text"]) for t in conversation.turns] == [
        ("client", "Хочу вернуть наушники"),
        ("operator", "Добрый день! Я Анна.\nчек есть?"),
    ]
    assert conversation.first_response_seconds == 120
    # typing it again updates the same conversation instead of adding one
    services.visit_record_transcript(
        actor=qa, visit=visit, text="Клиент: алло\nОператор: слушаю", started_at=START
    )
    assert Conversation.objects.filter(source="mystery_shopper").count() == 1
    assert OperatorExternalId.objects.get(source="mystery_shopper").operator == anna


def test_a_bad_transcript_names_the_line_and_writes_nothing(qa, operators):
    """Given text whose first line has no speaker, then the error names line 1."""
    (visit,) = helpers.plan(qa, helpers.scenario(qa), operators[0])
    with pytest.raises(ApplicationError) as caught:
        services.visit_record_transcript(
            actor=qa, visit=visit, text="Звонок\nОператор: Добрый день", started_at=START
        )
    assert caught.value.field == "transcript"
    assert caught.value.message.split(":")[0] in ("Line 1", "Строка 1")
    assert Conversation.objects.filter(source="mystery_shopper").count() == 0
    visit.refresh_from_db()
    assert visit.state == "planned"


def test_evaluate_starts_a_mystery_shopper_evaluation_once(qa, operators):
    """Given a done visit, when evaluated twice, then one mystery-shopper draft is linked."""
    (visit,) = helpers.plan(qa, helpers.scenario(qa), operators[0])
    services.visit_attach_conversation(actor=qa, visit=visit, source="test", external_id="c-anna")
    evaluation = services.visit_evaluate(actor=qa, visit=visit)
    again = services.visit_evaluate(actor=qa, visit=visit)
    visit.refresh_from_db()
    assert again.pk == evaluation.pk
    assert (evaluation.purpose, evaluation.state, evaluation.grader) == (
        "mystery_shopper",
        "draft",
        qa,
    )
    assert (visit.state, visit.evaluation_id) == ("evaluated", evaluation.pk)
    assert Evaluation.objects.filter(kind="manual").count() == 1


def test_evaluate_needs_a_conversation(qa, operators):
    """Given a planned visit, when evaluated, then refused naming the conversation."""
    (visit,) = helpers.plan(qa, helpers.scenario(qa), operators[0])
    with pytest.raises(ApplicationError) as caught:
        services.visit_evaluate(actor=qa, visit=visit)
    assert caught.value.field == "conversation"
    assert Evaluation.objects.count() == 0


def test_an_evaluated_visit_cannot_be_cancelled_or_changed(qa, operators):
    """Given an evaluated visit, then cancelling and re-attaching are refused."""
    (visit,) = helpers.plan(qa, helpers.scenario(qa), operators[0])
    helpers.evaluated_visit(qa, visit)
    with pytest.raises(ApplicationError):
        services.visit_cancel(actor=qa, visit=visit)
    with pytest.raises(ApplicationError):
        services.visit_attach_conversation(
            actor=qa, visit=visit, source="test", external_id="c-anna"
        )
    visit.refresh_from_db()
    assert visit.state == "evaluated"


def test_cancel_keeps_the_reason(qa, operators):
    """Given a planned visit, when cancelled with a reason, then it is in the notes."""
    (visit,) = helpers.plan(qa, helpers.scenario(qa), operators[0])
    services.visit_cancel(actor=qa, visit=visit, reason="Оператор в отпуске")
    visit.refresh_from_db()
    assert (visit.state, visit.notes) == ("cancelled", "Оператор в отпуске")


# --- scoping ------------------------------------------------------------------------------


@pytest.fixture
def scoped(qa, operators):
    """Анна (login, mentored) with one visit in each state; Борис with an evaluated one."""
    anna, boris = operators
    anna_login = factories.user("operator", username="anna")
    boris_login = factories.user("operator", username="boris")
    mentor = factories.user("mentor", username="mentor")
    factories.link_login(anna, anna_login, mentor=mentor)
    factories.link_login(boris, boris_login)
    scenario = helpers.scenario(qa)
    planned, done, draft, evaluated, cancelled = helpers.plan(qa, scenario, *[anna] * 5)
    (boris_visit,) = helpers.plan(qa, scenario, boris)
    services.visit_attach_conversation(actor=qa, visit=done, source="test", external_id="c-anna")
    services.visit_record_transcript(
        actor=qa, visit=draft, text="Клиент: а\nОператор: б", started_at=START
    )
    services.visit_evaluate(actor=qa, visit=draft)
    helpers.evaluated_visit(qa, evaluated)
    helpers.evaluated_visit(qa, boris_visit)
    services.visit_cancel(actor=qa, visit=cancelled)
    return {
        "anna": anna_login,
        "boris": boris_login,
        "mentor": mentor,
        "visits": {
            "planned": planned,
            "done": done,
            "draft": draft,
            "evaluated": evaluated,
            "cancelled": cancelled,
            "boris": boris_visit,
        },
    }


def test_an_operator_sees_only_own_evaluated_visits(scoped):
    """Given visits in every state, then Анна sees only her submitted-evaluation visit."""
    visits = scoped["visits"]
    assert list(selectors.visit_list(viewer=scoped["anna"])) == [visits["evaluated"]]
    assert list(selectors.visit_list(viewer=scoped["boris"])) == [visits["boris"]]
    for name in ("planned", "done", "draft", "cancelled", "boris"):
        with pytest.raises(Exception, match="No such visit"):
            selectors.visit_get(viewer=scoped["anna"], visit_id=visits[name].pk)


def test_operators_and_mentors_see_no_scenarios(scoped):
    """Given scenarios, then operators and mentors get none; QA gets them."""
    assert list(selectors.scenario_list(viewer=scoped["anna"])) == []
    assert list(selectors.scenario_list(viewer=scoped["mentor"])) == []
    qa = factories.user("qa_lead")
    assert selectors.scenario_list(viewer=qa).count() == 1


def test_a_mentor_sees_the_mentees_evaluated_visits_only(scoped):
    """Given Анна is the mentor's mentee, then the mentor sees her evaluated visit only."""
    assert list(selectors.visit_list(viewer=scoped["mentor"])) == [scoped["visits"]["evaluated"]]
    trainer = factories.user("trainer")
    assert list(selectors.visit_list(viewer=trainer)) == []


def test_qa_sees_every_visit(scoped, qa):
    """Given six visits, then QA sees all six."""
    assert selectors.visit_list(viewer=qa).count() == 6


def test_operator_pages_never_show_planned_visits(client, scoped):
    """Given Анна logged in, then the visit list shows one visit and planned ones are 404."""
    client.force_login(scoped["anna"])
    page = client.get("/coaching/mystery/")
    assert page.status_code == 200
    assert list(page.context["page"].object_list) == [scoped["visits"]["evaluated"]]
    for name in ("planned", "done", "draft", "boris"):
        response = client.get(f"/coaching/mystery/visits/{scoped['visits'][name].pk}/")
        assert response.status_code == 404, name
    own = client.get(f"/coaching/mystery/visits/{scoped['visits']['evaluated'].pk}/")
    assert own.status_code == 200
    assert "Ирина (агентство)" not in own.content.decode()  # the shopper stays unnamed
    assert client.get("/coaching/mystery/scenarios/").status_code == 403


# --- results ------------------------------------------------------------------------------


def test_results_per_scenario_and_operator(qa, operators):
    """Given one perfect visit and one with a partial, an N/A and a no, then the maths hold."""
    anna, boris = operators
    scenario = helpers.scenario(qa)
    anna_visit, boris_visit, anna_planned = helpers.plan(qa, scenario, anna, boris, anna)
    helpers.evaluated_visit(qa, anna_visit)
    helpers.evaluated_visit(
        qa,
        boris_visit,
        verdicts={
            "greeting_introduction": "partial",
            "clarifying_questions": "na",
            "closing_question": "no",
        },
    )
    # Борис: the N/A criterion leaves the maximum, the partial (ternary) earns half its weight
    weights = {c.key: c.weight for c in scorecards.default_scorecard("default-chat").criteria()}
    maximum = sum(weights.values()) - weights["clarifying_questions"]
    earned = maximum - weights["greeting_introduction"] / 2 - weights["closing_question"]
    boris_score = 100 * earned / maximum
    assert boris_visit.evaluation.score_percent == pytest.approx(boris_score)

    results = selectors.scenario_results(viewer=qa, scenario=scenario)

    assert (results.total.visits, results.total.evaluated) == (3, 2)
    assert results.total.average_score == round((100 + boris_score) / 2, 1)
    # met: Анна 3 of 3, Борис 0 of 2 (partial and no count, N/A is left out)
    assert (results.total.met, results.total.counted) == (3, 5)
    assert results.total.behaviours_met_percent == 60.0
    rows = {row.label: row for row in results.by_operator}
    assert (rows["Анна"].visits, rows["Анна"].evaluated, rows["Анна"].average_score) == (
        2,
        1,
        100.0,
    )
    assert rows["Анна"].behaviours_met_percent == 100.0
    assert rows["Борис"].average_score == round(boris_score, 1)
    assert rows["Борис"].behaviours_met_percent == 0.0
    behaviours = {row.detail: (row.met, row.counted) for row in results.by_behaviour}
    assert behaviours == {
        "greeting_introduction": (1, 2),
        "clarifying_questions": (1, 1),
        "closing_question": (1, 2),
    }
    assert results.chart() == {
        "labels": ["Анна", "Борис"],
        "scores": [100.0, round(boris_score, 1)],
    }
    assert anna_planned.state == "planned"


def test_draft_evaluations_do_not_count(qa, operators):
    """Given a visit whose evaluation is a draft, then results have no evaluated visits."""
    (visit,) = helpers.plan(qa, helpers.scenario(qa), operators[0])
    services.visit_attach_conversation(actor=qa, visit=visit, source="test", external_id="c-anna")
    services.visit_evaluate(actor=qa, visit=visit)
    results = selectors.results(viewer=qa)
    assert results.by_operator == []
    assert results.by_scenario == []


def test_overall_results_group_by_scenario(qa, operators):
    """Given two scenarios with one evaluated visit each, then each has its own row."""
    anna, _ = operators
    first = helpers.scenario(qa, title="А: возврат")
    second = helpers.scenario(qa, title="Б: доставка")
    helpers.evaluated_visit(qa, helpers.plan(qa, first, anna)[0])
    helpers.evaluated_visit(
        qa, helpers.plan(qa, second, anna)[0], verdicts={"closing_question": "no"}
    )
    results = selectors.results(viewer=qa)
    assert [(r.label, r.evaluated, r.met, r.counted) for r in results.by_scenario] == [
        ("А: возврат", 1, 3, 3),
        ("Б: доставка", 1, 2, 3),
    ]
    (anna_row,) = results.by_operator
    assert (anna_row.visits, anna_row.evaluated, anna_row.met, anna_row.counted) == (2, 2, 5, 6)
