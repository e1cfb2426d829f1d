"""Accepting and overriding auto-QA answers in Chromium: the override is recorded and shown."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from nastavnik.conversations.models import Conversation
from nastavnik.engine import scorecards
from nastavnik.evaluations import services
from nastavnik.evaluations.models import Answer, Evaluation
from nastavnik.scorecards import services as scorecard_services
from tests import factories
from tests.browser.test_evaluation_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def auto_evaluated(tmp_path):
    version = scorecard_services.scorecard_save(
        actor=None, spec=scorecards.default_scorecard("default-chat")
    )
    scorecard_services.scorecard_activate(actor=None, version=version)
    factories.import_records(tmp_path, [factories.record("chat-5", client_name="Олег")])
    services.evaluation_auto_run(actor=None, conversations=Conversation.objects.all())
    factories.user("qa_analyst", username="qa", full_name="Мария Ковалёва")
    return Conversation.objects.get()


def test_analyst_overrides_one_auto_answer_and_keeps_the_rest(
    browser_page, live_server, auto_evaluated, screenshot_dir
):
    page = browser_page
    auto = {a.criterion: a.verdict for a in Answer.objects.filter(evaluation__kind="auto")}
    log_in(page, live_server, "qa")
    # given the conversation page, when the analyst reviews the auto-QA answers
    page.goto(f"{live_server.url}/conversations/{auto_evaluated.pk}/")
    page.get_by_role("button", name="Проверить автооценку").click()
    item = page.locator("#criterion-client_name")
    expect(item.locator(".auto-hint")).to_contain_text("Ответ автооценки")
    # then each criterion starts from the detector's verdict; one is overridden
    flipped = "no" if auto["client_name"] != "no" else "yes"
    item.locator(f"label.verdict-{flipped}").click()
    item.locator("textarea").fill("Имя клиента было только в приветствии")
    # criteria auto-QA does not check (e.g. a correct solution) are the analyst's to answer
    unanswered = page.locator(".criterion-item:not(:has(input[type=radio]:checked))")
    for _ in range(unanswered.count()):
        unanswered.nth(0).locator("label.verdict-yes").click()
    page.get_by_role("button", name="Отправить", exact=True).click()
    expect(page.get_by_test_id("score")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "review-auto-qa.png"), full_page=True)

    manual = Evaluation.objects.get(kind="manual")
    answers = {a.criterion: a for a in manual.answers.all()}
    assert (answers["client_name"].origin, answers["client_name"].auto_verdict) == (
        "manual",
        auto["client_name"],
    )
    assert answers["client_name"].verdict == flipped
    kept = [a for key, a in answers.items() if key != "client_name" and key in auto]
    assert kept
    assert {a.origin for a in kept} == {"auto"}
    # and the evaluation page shows what auto-QA had said next to the override
    expect(page.locator("#answer-client_name")).to_contain_text("ответ автооценки")
