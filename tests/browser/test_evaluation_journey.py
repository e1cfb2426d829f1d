"""The evaluation journey in Chromium: an analyst evaluates with evidence, the operator
disputes a criterion, a reviewer accepts, and everyone sees the new score and the history."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from nastavnik.core.models import AuditEvent
from nastavnik.engine import scorecards
from nastavnik.evaluations.models import Answer, Dispute, Evaluation
from nastavnik.scorecards import services as scorecard_services
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(tmp_path):
    version = scorecard_services.scorecard_save(
        actor=None, spec=scorecards.default_scorecard("default-chat")
    )
    scorecard_services.scorecard_activate(actor=None, version=version)
    factories.import_records(
        tmp_path,
        [
            factories.record(
                "chat-77",
                operator="op-7",
                client_name="Олег",
                turns=[
                    {
                        "speaker": "client",
                        "text": "Где мой заказ?",
                        "at": "2026-03-02T10:15:00+03:00",
                    },
                    {
                        "speaker": "operator",
                        "text": "Добрый день, Олег! Меня зовут Анна, сейчас проверю.",
                        "at": "2026-03-02T10:15:40+03:00",
                    },
                    {"speaker": "client", "text": "Жду", "at": "2026-03-02T10:16:00+03:00"},
                    {
                        "speaker": "operator",
                        "text": "Заказ приедет завтра. Хорошего дня!",
                        "at": "2026-03-02T10:17:00+03:00",
                    },
                ],
            )
        ],
    )
    operator = factories.operator("op-7")
    login = factories.user("operator", username="anna", full_name="Анна Смирнова")
    factories.link_login(operator, login)
    factories.user("qa_analyst", username="qa", full_name="Мария Ковалёва")
    factories.user("qa_lead", username="lead", full_name="Ирина Петрова")
    return {"conversation": operator.conversations.get(), "spec": version_spec_of(version)}


def version_spec_of(version):
    """The engine spec of a stored version."""
    from nastavnik.scorecards.mappers import version_spec

    return version_spec(version)


def log_in(page, live_server, username: str) -> None:
    """Sign in through the login form (a fresh session)."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Обзор")


def test_evaluate_dispute_accept_journey(browser_page, live_server, world, screenshot_dir):
    page = browser_page
    spec = world["spec"]
    criteria = spec.criteria()
    name_key = "client_name"
    # given the analyst on the conversation page, when pressing «Оценить»
    log_in(page, live_server, "qa")
    page.goto(f"{live_server.url}/conversations/{world['conversation'].pk}/")
    page.get_by_role("button", name="Оценить", exact=True).click()
    expect(page.locator("#evaluation-form")).to_be_visible()

    # the analyst answers from the keyboard: "yes" for every criterion (J moves on)
    page.locator(f"#criterion-{criteria[0].key}").click()
    for _ in criteria:
        page.keyboard.press("Digit1")
        page.keyboard.press("KeyJ")
    # then says "no" to the client-name criterion with a comment ...
    name_item = page.locator(f"#criterion-{name_key}")
    name_item.locator("legend").click()
    page.keyboard.press("Digit3")
    name_item.locator("textarea").fill("Имя клиента не прозвучало")
    # ... and attaches the operator's greeting as evidence by selecting its text
    page.evaluate(
        """() => {
            const bubble = document.querySelector('.bubble[data-turn="1"]');
            const range = document.createRange();
            range.setStart(bubble.firstChild, 0);
            range.setEnd(bubble.firstChild, 17);
            const selection = document.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }"""
    )
    name_item.get_by_role("button", name="+ выделенный текст").click()
    expect(name_item.locator(".evidence-chip")).to_contain_text("Добрый день, Олег")
    # the live score follows the answers before anything is saved
    expect(page.get_by_test_id("live-score")).not_to_have_text("100%")
    live = page.get_by_test_id("live-score").inner_text()
    page.screenshot(path=str(screenshot_dir / "evaluation-edit.png"), full_page=True)
    page.get_by_role("button", name="Отправить", exact=True).click()
    expect(page.get_by_test_id("score")).to_have_text(live)

    evaluation = Evaluation.objects.get(kind="manual")
    answer = Answer.objects.get(evaluation=evaluation, criterion=name_key)
    assert answer.verdict == "no"
    assert answer.evidence == [{"turn": 1, "start": 0, "end": 17, "quote": "Добрый день, Олег"}]
    before = evaluation.score_percent

    # when the operator opens the notification and disputes that criterion
    log_in(page, live_server, "anna")
    page.locator(".topbar-bell").click()
    page.get_by_role("link", name="Новая оценка").first.click()
    row = page.locator(f"#answer-{name_key}")
    row.get_by_text("Оспорить этот ответ").click()
    row.locator("textarea").fill("Я назвала клиента по имени: «Добрый день, Олег!»")
    row.get_by_role("button", name="Отправить апелляцию").click()
    expect(row.locator(".dispute-box")).to_contain_text("Оспорено")
    page.screenshot(path=str(screenshot_dir / "evaluation-disputed.png"), full_page=True)

    # and the reviewer accepts it with the corrected answer
    log_in(page, live_server, "lead")
    page.goto(f"{live_server.url}/evaluations/disputes/")
    page.locator("table a.badge").first.click()
    page.locator("#resolve-form label.verdict-yes").click()
    page.fill("#decision-comment", "Верно, имя прозвучало в приветствии")
    page.get_by_role("button", name="Принять и изменить ответ").click()
    expect(page.locator(".dispute-box").first).to_contain_text("Апелляция принята")

    # then the score is recomputed, the history and the audit log show the change
    evaluation.refresh_from_db()
    assert evaluation.score_percent > before
    dispute = Dispute.objects.get()
    assert (dispute.state, dispute.changes) == ("accepted", {name_key: ["no", "yes"]})
    assert AuditEvent.objects.filter(action="dispute.accept").exists()
    page.goto(f"{live_server.url}/audit/")
    expect(page.locator("table")).to_contain_text("апелляция принята")

    # and the operator sees the new score
    log_in(page, live_server, "anna")
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/")
    expect(page.get_by_test_id("score")).to_have_text(f"{evaluation.score_percent:.0f}%")
    expect(page.locator(".history-list")).to_contain_text("апелляция принята")
    page.screenshot(path=str(screenshot_dir / "evaluation-after-dispute.png"), full_page=True)
