"""Playwright fixtures: Debian's Chromium, headless, started once per test session.

The browser comes from the system package (``apt-get install chromium``); Playwright's own
download (``playwright install``) is never used. Without ``/usr/bin/chromium`` these tests
are skipped, unless ``NASTAVNIK_REQUIRE_BROWSER=1`` asks for them to fail instead.
Screenshots go to ``$NASTAVNIK_SCREENSHOT_DIR`` or a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 900}


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists() or os.environ.get("NASTAVNIK_REQUIRE_BROWSER") == "1":
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing (apt-get install -y chromium); "
        "set NASTAVNIK_REQUIRE_BROWSER=1 to make this a failure"
    )
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing and NASTAVNIK_REQUIRE_BROWSER=1 is set")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium_browser):
    """A fresh page (own cookies) at the screenshot size."""
    context = chromium_browser.new_context(viewport=VIEWPORT, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """Where the browser tests save full-page screenshots."""
    configured = os.environ.get("NASTAVNIK_SCREENSHOT_DIR")
    folder = Path(configured) if configured else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
