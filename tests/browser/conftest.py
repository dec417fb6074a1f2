"""Playwright (Python) driving Debian's Chromium against the real running bot.

One browser per test module, one fresh browser context (empty storage) per test; the
bot itself is the session-wide `running_bot` from tests/conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage

from bot import ROOT
from tests.browser.chat import Chat

# Debian's package, installed by scripts/setup-system.sh (IEP_CHROMIUM: one elsewhere).
CHROMIUM = Path(os.environ.get("IEP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "results" / "screenshots"  # git-ignored test artifacts
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def browser() -> Iterator:
    # The machine is shared and slow at times: wait for what a parent would see
    # (launcher, replies) up to 30 s instead of Playwright's 5 s.
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is not installed ({CHROMIUM} missing). Install Debian's "
            "chromium package: `make test` does (scripts/setup-system.sh, needs root "
            "or sudo), or `sudo apt-get install chromium`. To leave the browser "
            "tests out on purpose: IEP_TEST_SKIP=browser.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _new_chat(browser, running_bot, viewport, **context_options) -> Chat:
    context = browser.new_context(viewport=viewport, **context_options)
    context.set_default_timeout(30_000)
    page = context.new_page()
    chat = Chat(page, running_bot.web_url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            chat.console_errors.append(message.text)

    page.on("console", on_console)
    page.on("request", lambda r: chat.requested_hosts.add(urlsplit(r.url).hostname or ""))
    return chat


@pytest.fixture
def chat(browser, running_bot) -> Iterator[Chat]:
    """A parent on a desktop browser, on the demo page, chat not opened yet."""
    chat = _new_chat(browser, running_bot, DESKTOP)
    chat.goto()
    yield chat
    chat.page.context.close()


@pytest.fixture
def phone_chat(browser, running_bot) -> Iterator[Chat]:
    """A parent on a 375 px wide phone screen with a touch screen."""
    chat = _new_chat(
        browser, running_bot, PHONE, has_touch=True, is_mobile=True, device_scale_factor=2
    )
    chat.goto()
    yield chat
    chat.page.context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def hosts_outside(hosts: set) -> list[str]:
    return sorted(h for h in hosts if h not in {"localhost", "127.0.0.1", ""})
