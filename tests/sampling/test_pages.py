"""The queue page and the sampling-rule pages: scoping, progress, forms, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nastavnik.core.models import AuditEvent
from nastavnik.sampling.models import QueueItem, SamplingRule
from tests import factories
from tests.sampling.conftest import november, rule, submit_manual

pytestmark = pytest.mark.django_db


@pytest.fixture
def sampled(centre):
    """November sampled for two analysts (15 items each)."""
    rule(graders=[centre["analyst"], centre["analyst2"]], name="Двое")
    november()
    return centre


def test_an_analyst_sees_only_their_own_items_with_an_evaluate_button(client, sampled):
    """Given 15 items each, when Анна opens the queue, then 15 rows, each with Evaluate."""
    client.force_login(sampled["analyst"])
    response = client.get(reverse("sampling:queue"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("data-item=") == 15
    mine = QueueItem.objects.filter(grader=sampled["analyst"]).first()
    start_url = reverse("evaluations:start", kwargs={"conversation_id": mine.conversation_id})
    assert f'action="{start_url}"' in page
    others = QueueItem.objects.filter(grader=sampled["analyst2"]).first()
    assert f'data-item="{others.pk}"' not in page
    assert "0 of 15 evaluated" in page
    assert '<html lang="en">' in page


def test_progress_counts_a_submitted_manual_evaluation_as_done(client, sampled, chat_scorecard):
    """Given one of Анна's items evaluated, when the queue opens, then 1 of 15 and done."""
    item = QueueItem.objects.filter(grader=sampled["analyst"], conversation__channel="chat").first()
    submit_manual(sampled["analyst"], item.conversation)
    client.force_login(sampled["analyst"])
    page = client.get(reverse("sampling:queue")).content.decode()
    assert "1 of 15 evaluated" in page
    done = client.get(reverse("sampling:queue"), {"status": "done"}).content.decode()
    assert done.count("data-item=") == 1
    assert f'data-item="{item.pk}"' in done


def test_overdue_items_are_marked(client, sampled):
    """Given an item due yesterday, when the queue opens, then it is shown overdue."""
    from datetime import timedelta

    from django.utils import timezone

    item = QueueItem.objects.filter(grader=sampled["analyst"]).first()
    QueueItem.objects.filter(pk=item.pk).update(due_at=timezone.now() - timedelta(days=1))
    client.force_login(sampled["analyst"])
    page = client.get(reverse("sampling:queue"), {"status": "overdue"}).content.decode()
    assert page.count("data-item=") == 1
    assert "1 overdue" in page


def test_a_qa_lead_sees_every_grader_and_filters_by_one(client, sampled):
    """Given two graders, when the QA lead opens the queue, then both with a grader filter."""
    client.force_login(sampled["lead"])
    page = client.get(reverse("sampling:queue")).content.decode()
    assert 'id="grader-progress"' in page
    assert "Анна Аналитик" in page
    assert "Борис Аналитик" in page
    assert "0 of 30 evaluated" in page
    assert "Evaluate" not in page  # nothing is assigned to the lead
    only_anna = client.get(
        reverse("sampling:queue"), {"grader": sampled["analyst"].pk}
    ).content.decode()
    assert only_anna.count("data-item=") == 15


def test_a_grader_filter_from_an_analyst_is_ignored(client, sampled):
    """Given Анна asks for Борис's items, when the queue opens, then she still sees her own."""
    client.force_login(sampled["analyst"])
    page = client.get(
        reverse("sampling:queue"), {"grader": sampled["analyst2"].pk}
    ).content.decode()
    assert page.count("data-item=") == 15
    assert not QueueItem.objects.filter(
        grader=sampled["analyst2"], pk__in=[int(x) for x in _item_ids(page)]
    ).exists()


def _item_ids(page: str) -> list[str]:
    return [part.split('"')[1] for part in page.split("data-item=")[1:]]


def test_operators_and_trainers_have_no_queue(client, sampled):
    """Given an operator and a trainer, when they open the queue, then 403."""
    for role in ("operator", "trainer"):
        client.force_login(factories.user(role))
        assert client.get(reverse("sampling:queue")).status_code == 403


def test_the_queue_page_runs_a_fixed_number_of_queries(client, sampled):
    """Given 15 or 30 items, when the lead's queue renders, then the query count is the same."""
    client.force_login(sampled["lead"])
    with CaptureQueriesContext(connection) as thirty:
        client.get(reverse("sampling:queue"))
    QueueItem.objects.filter(grader=sampled["analyst2"]).delete()
    with CaptureQueriesContext(connection) as fifteen:
        client.get(reverse("sampling:queue"))
    assert len(thirty) == len(fifteen)


def test_a_qa_lead_creates_a_rule_through_the_form(client, centre):
    """Given the form, when a QA lead posts a rule, then it is stored with graders and audited."""
    client.force_login(centre["lead"])
    assert client.get(reverse("sampling:rule_create")).status_code == 200
    response = client.post(
        reverse("sampling:rule_create"),
        {
            "name": "Чаты, 10 в месяц",
            "team": "",
            "channel": "chat",
            "per_operator": 10,
            "period": "month",
            "risk_share": 0.3,
            "low_csat_max": 3,
            "long_handling_minutes": 20,
            "autoqa_score_below": "",
            "graders": [centre["analyst"].pk],
            "due_days": 5,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    created = SamplingRule.objects.get()
    assert (created.channel, created.per_operator, created.due_days) == ("chat", 10, 5)
    assert list(created.graders.all()) == [centre["analyst"]]
    assert AuditEvent.objects.filter(action="sampling.rule_create", actor=centre["lead"]).exists()
    listing = client.get(reverse("sampling:rule_list")).content.decode()
    assert "Чаты, 10 в месяц" in listing


def test_a_bad_rule_is_refused_naming_the_field(client, centre):
    """Given a risk share of 2 and no graders, when posted, then both fields have errors."""
    client.force_login(centre["lead"])
    response = client.post(
        reverse("sampling:rule_create"),
        {"name": "Плохое", "per_operator": 10, "period": "month", "risk_share": 2, "due_days": 7},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"risk_share", "graders"}
    assert SamplingRule.objects.count() == 0


def test_a_duplicate_rule_name_is_reported_on_the_name_field(client, centre):
    """Given a rule named «Все», when another is posted with that name, then the name errs."""
    existing = rule(graders=[centre["analyst"]], name="Все")
    client.force_login(centre["lead"])
    response = client.post(
        reverse("sampling:rule_create"),
        {
            "name": "Все",
            "per_operator": 10,
            "period": "month",
            "risk_share": 0.3,
            "graders": [centre["analyst"].pk],
            "due_days": 7,
        },
    )
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert list(SamplingRule.objects.all()) == [existing]


def test_a_qa_lead_edits_a_rule(client, centre):
    """Given a rule, when the lead changes its quota, then it is saved."""
    existing = rule(graders=[centre["analyst"]], name="Все")
    client.force_login(centre["lead"])
    url = reverse("sampling:rule_edit", kwargs={"rule_id": existing.pk})
    assert "Все" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "name": "Все",
            "per_operator": 15,
            "period": "month",
            "risk_share": 0.3,
            "graders": [centre["analyst"].pk, centre["analyst2"].pk],
            "due_days": 7,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.per_operator == 15
    assert existing.graders.count() == 2


def test_an_analyst_may_not_change_rules(client, centre):
    """Given an analyst, when posting a rule, then 403 and nothing stored."""
    client.force_login(centre["analyst"])
    response = client.post(reverse("sampling:rule_create"), {"name": "Моё"})
    assert response.status_code == 403
    assert SamplingRule.objects.count() == 0


def test_sample_now_fills_the_queue(client, centre):
    """Given a rule, when the lead presses «Sample now», then items are added and reported."""
    rule(graders=[centre["analyst"]], name="Все")
    client.force_login(centre["lead"])
    response = client.post(reverse("sampling:run"), follow=True)
    assert response.status_code == 200
    assert "Sampling added" in response.content.decode()


def test_the_menu_shows_the_queue_to_graders_only(client, centre):
    """Given an analyst and an operator, when they open the overview, then only one has it."""
    client.force_login(centre["analyst"])
    assert reverse("sampling:queue") in client.get(reverse("home")).content.decode()
    client.force_login(factories.user("operator"))
    assert reverse("sampling:queue") not in client.get(reverse("home")).content.decode()


def test_a_mentor_grader_sees_only_their_mentees_items(client, centre):
    """Given a mentor of op-a among the graders, when they open the queue, then op-a only."""
    mentor = factories.user("mentor", username="mentor")
    factories.link_login(centre["op_a"], factories.user("operator"), mentor=mentor)
    rule(graders=[mentor, centre["analyst"]], name="С наставником")
    november()
    client.force_login(mentor)
    page = client.get(reverse("sampling:queue")).content.decode()
    mine = QueueItem.objects.filter(grader=mentor)
    assert mine.exists()
    assert set(mine.values_list("conversation__operator", flat=True)) == {centre["op_a"].pk}
    assert page.count("data-item=") == mine.count()


def test_a_head_of_support_sees_every_queue_but_evaluates_nothing(client, sampled):
    """Given a head of support, when they open the queue, then all 30 items, no button."""
    client.force_login(factories.user("head"))
    response = client.get(reverse("sampling:queue"))
    page = response.content.decode()
    assert response.context["page"].paginator.count == 30
    assert "Evaluate" not in page
