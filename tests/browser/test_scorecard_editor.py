"""End-to-end in Chromium: an analyst edits an active scorecard and publishes version 2."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from nastavnik.engine import scorecards
from nastavnik.scorecards import services
from nastavnik.scorecards.models import ScorecardVersion
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def analyst():
    return factories.user("qa_analyst", username="qa", full_name="Мария Ковалёва")


@pytest.fixture
def active_chat():
    spec = scorecards.default_scorecard("default-chat")
    return services.scorecard_activate(
        actor=None, version=services.scorecard_save(actor=None, spec=spec)
    )


def _log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "qa")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Обзор")


def test_analyst_adds_and_reorders_a_criterion_then_publishes_version_two(
    browser_page, live_server, analyst, active_chat, screenshot_dir
):
    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())
    stage = active_chat.spec["stages"][0]
    count = len(stage["criteria"])
    # given the analyst on the active version 1 of the chat scorecard
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/scorecards/default-chat/")
    page.locator("#edit-version").click()
    # then the editor says that saving creates version 2 as a draft
    outcome = page.locator("#save-outcome")
    expect(outcome).to_have_attribute("data-mode", "new_version")
    expect(outcome).to_contain_text("2")
    # when they add a criterion to the first stage (htmx swaps the editor in place)
    first_stage = page.locator("#stage-0")
    first_stage.locator(".stage-foot button").click()
    criteria = first_stage.locator("li.criterion-editor")
    expect(criteria).to_have_count(count + 1)
    page.fill(f"input[name='s0-c{count}-title']", "Уточнил номер заказа")
    page.fill(f"textarea[name='s0-c{count}-rule']", "Да — спросил номер заказа до решения.")
    page.select_option(f"select[name='s0-c{count}-scale']", "ternary")
    # and move it one place up
    criteria.nth(count).locator(f"button[value='criterion:0:{count}:up']").click()
    expect(criteria.nth(count - 1)).to_have_attribute("data-key", "criterion-1")
    expect(page.locator(f"input[name='s0-c{count - 1}-title']")).to_have_value(
        "Уточнил номер заказа"
    )
    page.screenshot(path=screenshot_dir / "scorecard-editor-ru.png", full_page=True)
    # and save
    page.locator("#editor-save").click()
    # then version 2 is a draft with the new criterion in its place, and v1 is still active
    expect(page).to_have_url(f"{live_server.url}/scorecards/default-chat/v2/")
    expect(page.locator("#version-state")).to_have_text("черновик")
    rows = page.locator(".stage-card").first.locator("tbody tr")
    expect(rows.nth(count - 1)).to_have_attribute("id", "criterion-criterion-1")
    expect(rows.nth(count - 1)).to_contain_text("Уточнил номер заказа")
    states = dict(ScorecardVersion.objects.values_list("number", "state"))
    assert states == {1: "active", 2: "draft"}
    # when they activate version 2
    page.locator("#activate-version").click()
    # then it is the active one and version 1 is archived
    expect(page.locator("#version-state")).to_have_text("активен")
    page.screenshot(path=screenshot_dir / "scorecard-activated-ru.png", full_page=True)
    states = dict(ScorecardVersion.objects.values_list("number", "state"))
    assert states == {1: "archived", 2: "active"}
    criterion = ScorecardVersion.objects.get(number=2).spec["stages"][0]["criteria"][count - 1]
    assert criterion == {
        "key": "criterion-1",
        "title": "Уточнил номер заказа",
        "rule": "Да — спросил номер заказа до решения.",
        "weight": 1,
        "scale": "ternary",
    }


def test_a_bad_weight_is_shown_next_to_the_field_in_the_browser(
    browser_page, live_server, analyst, active_chat, screenshot_dir
):
    page = browser_page
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/scorecards/default-chat/v1/edit/")
    # when a weight is not a number and the analyst presses Enter in a text field
    page.fill("input[name='s0-c0-weight']", "два")
    page.press("input[name='s0-c0-weight']", "Enter")
    # then the engine's reason stands under that field and nothing was stored
    field = page.locator("#criterion-0-0 .field.invalid")
    expect(field).to_contain_text("stages[0].criteria[0].weight: must be a number")
    expect(page.locator("#editor-issues")).to_be_visible()
    page.screenshot(path=screenshot_dir / "scorecard-editor-error-ru.png", full_page=True)
    assert ScorecardVersion.objects.count() == 1
