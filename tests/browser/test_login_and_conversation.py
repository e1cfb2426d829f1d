"""End-to-end in Chromium: log in, filter the list, read a transcript, import, switch language."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from nastavnik.core.models import Job
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def analyst():
    return factories.user("qa_analyst", username="qa", full_name="Мария Ковалёва")


@pytest.fixture
def conversations(tmp_path):
    factories.import_records(
        tmp_path,
        [
            factories.record("chat-1", channel="chat", client_name="Олег", outcome={"csat": 5}),
            factories.record("chat-2", channel="chat", started_at="2026-03-03T11:00:00+03:00"),
            factories.record(
                "call-1", channel="call", topic="возврат", started_at="2026-03-04T12:00:00+03:00"
            ),
        ],
    )


def _log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "qa")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Обзор")


def test_log_in_filter_and_open_a_conversation(
    browser_page, live_server, analyst, conversations, screenshot_dir
):
    page = browser_page
    # given the analyst signs in through the login form
    page.goto(f"{live_server.url}/login/")
    page.screenshot(path=screenshot_dir / "login-ru.png", full_page=True)
    _log_in(page, live_server)
    page.screenshot(path=screenshot_dir / "home-ru.png", full_page=True)
    # when they open the conversation list from the menu
    page.get_by_role("link", name="Обращения", exact=True).click()
    rows = page.locator("table.table tbody tr")
    expect(rows).to_have_count(3)
    # and keep only calls
    page.locator("label.chip-call").click()
    page.get_by_role("button", name="Применить").click()
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".badge")).to_have_text("Звонок")
    assert "channel=call" in page.url
    page.screenshot(path=screenshot_dir / "list-calls-ru.png", full_page=True)
    # and open that conversation
    rows.first.locator("a.primary-link").click()
    # then the transcript shows both turns on their sides
    expect(page.locator("h1")).to_have_text("Обращение call-1")
    expect(page.locator("#turn-0.turn-operator .bubble")).to_have_text(
        "Здравствуйте, меня зовут Анна."
    )
    expect(page.locator("#turn-1.turn-client .bubble")).to_have_text("Где мой заказ?")
    expect(page.locator("#turn-1 time")).to_have_text("00:03")
    page.screenshot(path=screenshot_dir / "detail-ru.png", full_page=True)


def test_import_in_the_browser_shows_the_report(
    browser_page, live_server, analyst, tmp_path, screenshot_dir
):
    page = browser_page
    # given a file with two good records and a broken third line
    path = factories.write_jsonl(
        tmp_path / "upload.jsonl",
        [factories.record("b1"), factories.record("b2"), '{"external_id": "b3", "channel": '],
    )
    _log_in(page, live_server)
    # when the analyst uploads it on the import page
    page.get_by_role("link", name="Импорт", exact=True).click()
    page.set_input_files("input[type=file]", str(path))
    page.fill("input[name=source]", "browser")
    page.get_by_role("button", name="Начать импорт").click()
    # then the progress finishes and the report names the rejected line
    expect(page.locator("#import-progress")).to_have_attribute("data-state", "done")
    expect(page.locator("[data-count=created]")).to_have_text("2")
    expect(page.locator("[data-count=rejected]")).to_have_text("1")
    expect(page.locator("#import-issues tbody tr")).to_have_count(1)
    expect(page.locator("#import-issues tbody td").first).to_have_text("3")
    page.screenshot(path=screenshot_dir / "import-report-ru.png", full_page=True)


def test_progress_polls_until_the_job_is_done(browser_page, live_server, analyst, screenshot_dir):
    page = browser_page
    # given an import that is still running
    job = Job.objects.create(
        kind="conversations.import",
        state=Job.State.RUNNING,
        payload={"filename": "big.jsonl", "source": "crm"},
        created_by=analyst,
        total=1000,
        done=400,
    )
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/conversations/import/{job.pk}/")
    expect(page.locator("#import-progress")).to_have_attribute("data-state", "running")
    expect(page.locator("[role=progressbar]")).to_have_attribute("aria-valuenow", "40")
    page.screenshot(path=screenshot_dir / "import-running-ru.png", full_page=True)
    # when the job finishes in the background
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.DONE,
        done=1000,
        report={
            "records": 5,
            "created": 4,
            "updated": 0,
            "unchanged": 0,
            "rejected": 1,
            "issues_total": 1,
            "issues": [
                {
                    "line": 4,
                    "record": "line 4",
                    "field": "channel",
                    "reason": "unknown channel 'fax'",
                }
            ],
        },
    )
    # then the polled fragment shows the report without a reload, and polling stops
    expect(page.locator("#import-progress")).to_have_attribute("data-state", "done")
    expect(page.locator("[data-count=created]")).to_have_text("4")
    expect(page.locator("#import-issues")).to_contain_text("unknown channel 'fax'")
    expect(page.locator("#import-progress")).not_to_have_attribute("hx-trigger", "every 1s")


def test_switching_to_english_changes_the_menu(
    browser_page, live_server, analyst, conversations, screenshot_dir
):
    page = browser_page
    _log_in(page, live_server)
    nav = page.locator("nav .nav")
    expect(nav).to_contain_text("Обращения")
    # when the analyst presses EN
    page.get_by_role("button", name="EN").click()
    # then the menu and the page are in English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav).to_contain_text("Conversations")
    expect(nav).not_to_contain_text("Обращения")
    expect(page.locator("h1")).to_have_text("Overview")
    page.screenshot(path=screenshot_dir / "home-en.png", full_page=True)
