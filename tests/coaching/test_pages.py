"""Mystery shopper pages: the QA workflow through the browser forms, and the demo data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from nastavnik.coaching import demo
from nastavnik.coaching.models import MysteryScenario, MysteryVisit
from nastavnik.conversations.models import Conversation
from nastavnik.evaluations.models import Evaluation
from tests import factories
from tests.coaching import helpers

pytestmark = pytest.mark.usefixtures("english_ui")


@pytest.fixture
def qa_client(client, db, tmp_path):
    helpers.active_scorecard()
    factories.import_records(
        tmp_path, [factories.record("c-anna", operator="op-anna", operator_name="Анна")]
    )
    qa = factories.user("qa_analyst", username="qa")
    client.force_login(qa)
    return client


def test_qa_creates_plans_types_in_and_evaluates(qa_client):
    """Given QA, when going through the forms, then the evaluation page is reached."""
    # when a scenario is created with one behaviour row filled and one left empty
    response = qa_client.post(
        reverse("coaching:mystery_scenario_create"),
        {
            "title": "Возврат",
            "channel": "chat",
            "script": "Покупатель просит вернуть деньги",
            "is_active": "on",
            "behaviour_text": ["Представился", ""],
            "behaviour_criterion": ["greeting_introduction", ""],
        },
    )
    scenario = MysteryScenario.objects.get()
    assert response.status_code == 302
    assert scenario.expected_behaviours == [
        {"text": "Представился", "criterion": "greeting_introduction"}
    ]
    # and a visit is planned for the operator
    anna = factories.operator("op-anna")
    response = qa_client.post(
        reverse("coaching:mystery_visit_plan", kwargs={"scenario_id": scenario.pk}),
        {"operators": [anna.pk], "planned_on": "2026-03-02", "shopper_name": "Ирина"},
    )
    assert response.status_code == 302
    visit = MysteryVisit.objects.get()
    # and the dialogue is typed in
    response = qa_client.post(
        reverse("coaching:mystery_visit_transcript", kwargs={"visit_id": visit.pk}),
        {"started_at": "2026-03-02T12:00", "transcript": "Клиент: Привет\nОператор: Здравствуйте"},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.conversation.source == "mystery_shopper"
    # and evaluated
    response = qa_client.post(
        reverse("coaching:mystery_visit_evaluate", kwargs={"visit_id": visit.pk})
    )
    evaluation = Evaluation.objects.get(purpose="mystery_shopper")
    # then the browser goes to the evaluation page
    assert response["Location"] == reverse(
        "evaluations:edit", kwargs={"evaluation_id": evaluation.pk}
    )
    detail = qa_client.get(reverse("coaching:mystery_scenario_detail", args=[scenario.pk]))
    assert detail.status_code == 200
    assert "Представился" in detail.content.decode()


def test_unknown_criterion_is_shown_on_the_form(qa_client):
    """Given a behaviour with a criterion of no chat scorecard, then the form says which."""
    response = qa_client.post(
        reverse("coaching:mystery_scenario_create"),
        {
            "title": "Возврат",
            "channel": "chat",
            "behaviour_text": ["Предложил обмен"],
            "behaviour_criterion": ["offer_swap"],
        },
    )
    assert response.status_code == 200
    assert "Предложил обмен" in str(response.context["form"].non_field_errors())
    assert MysteryScenario.objects.count() == 0


def test_a_transcript_error_names_the_line_on_the_form(qa_client):
    """Given a dialogue starting without a speaker, then the form shows line 1."""
    qa = factories.user("qa_lead")
    scenario = helpers.scenario(qa)
    (visit,) = helpers.plan(qa, scenario, factories.operator("op-anna"))
    response = qa_client.post(
        reverse("coaching:mystery_visit_transcript", kwargs={"visit_id": visit.pk}),
        {"started_at": "2026-03-02T12:00", "transcript": "Привет\nОператор: Здравствуйте"},
    )
    assert response.status_code == 200
    assert "Line 1" in str(response.context["form"].errors["transcript"])
    assert Conversation.objects.filter(source="mystery_shopper").count() == 0


def test_attach_with_the_wrong_channel_shows_the_error(qa_client, tmp_path):
    """Given a call, when attached to a chat visit through the page, then the error is shown."""
    factories.import_records(
        tmp_path, [factories.record("call-1", operator="op-anna", channel="call")]
    )
    qa = factories.user("qa_lead")
    (visit,) = helpers.plan(qa, helpers.scenario(qa), factories.operator("op-anna"))
    response = qa_client.post(
        reverse("coaching:mystery_visit_attach", kwargs={"visit_id": visit.pk}),
        {"source": "test", "external_id": "call-1"},
        follow=True,
    )
    text = response.content.decode()
    assert "test:call-1" in text
    visit.refresh_from_db()
    assert visit.conversation_id is None


def test_results_page_lists_operators(qa_client):
    """Given an evaluated visit, then the results page shows its operator and score."""
    qa = factories.user("qa_lead")
    (visit,) = helpers.plan(qa, helpers.scenario(qa), factories.operator("op-anna"))
    helpers.evaluated_visit(qa, visit)
    response = qa_client.get(reverse("coaching:mystery_results"))
    assert response.status_code == 200
    (row,) = response.context["results"].by_operator
    assert (row.label, row.average_score) == ("Анна", 100.0)


def test_demo_fills_the_pages(db, tmp_path):
    """Given the demo roster and conversations, when the mystery demo runs twice, then 3
    scenarios with visits in several states exist once."""
    from nastavnik.web import services as web_services

    web_services.demo_roster_setup()
    demo.mystery_demo()
    demo.mystery_demo()
    assert MysteryScenario.objects.count() == 3
    states = set(MysteryVisit.objects.values_list("state", flat=True))
    assert {"planned", "done", "evaluated"} <= states
    submitted = MysteryVisit.objects.filter(evaluation__state="submitted").count()
    assert submitted >= 3


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_and_results_pages_do_not_query_per_visit(qa_client, tmp_path):
    """Given one and then four evaluated visits, then each page runs the same queries."""
    qa = factories.user("qa_lead")
    scenario = helpers.scenario(qa)
    anna = factories.operator("op-anna")
    helpers.evaluated_visit(qa, helpers.plan(qa, scenario, anna)[0])
    urls = [
        reverse("coaching:mystery_visits"),
        reverse("coaching:mystery_results"),
        reverse("coaching:mystery_scenario_detail", args=[scenario.pk]),
    ]
    before = [_queries(qa_client, url) for url in urls]
    for visit in helpers.plan(qa, scenario, anna, anna, anna):
        helpers.evaluated_visit(qa, visit)
    after = [_queries(qa_client, url) for url in urls]
    assert after == before


def test_editing_a_typed_dialogue_again_keeps_its_timing(qa_client):
    """Given a typed dialogue with times, when its form is reopened and saved, then the
    turns keep their moments."""
    qa = factories.user("qa_lead")
    (visit,) = helpers.plan(qa, helpers.scenario(qa), factories.operator("op-anna"))
    url = reverse("coaching:mystery_visit_transcript", kwargs={"visit_id": visit.pk})
    qa_client.post(
        url,
        {
            "started_at": "2026-03-02T12:00",
            "transcript": "[12:00] Клиент: Привет\n[12:03:30] Оператор: Здравствуйте\nчем помочь?",
        },
    )
    before = Conversation.objects.get(source="mystery_shopper").turns
    form = qa_client.get(url).context["form"]
    assert form.initial["transcript"] == (
        "[12:00:00] Клиент: Привет\n[12:03:30] Оператор: Здравствуйте\nчем помочь?"
    )
    qa_client.post(
        url,
        {"started_at": "2026-03-02T12:00", "transcript": form.initial["transcript"]},
    )
    assert Conversation.objects.get(source="mystery_shopper").turns == before
