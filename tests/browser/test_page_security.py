"""The page's Content-Security-Policy holds in a real browser, and the widget never
leaves a non-web link clickable (issue 14, defence in depth)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_chat_works_under_the_page_policy_with_no_violation(chat):
    violations = []
    chat.page.on(
        "console", lambda m: "Content Security Policy" in m.text and violations.append(m.text)
    )
    chat.goto()  # again, now that violations are being listened for
    chat.launcher.click()
    chat.ask("what is esy")
    chat.wait_for_bot("Extended School Year")
    assert violations == []
    assert chat.console_errors == []


def test_only_web_links_stay_clickable_in_the_chat(chat):
    chat.launcher.click()
    expect(chat.conversation).to_be_visible()
    # As if a message rendered these links (markdown from the bot).
    chat.page.evaluate("""() => document.querySelector('.rw-messages-container')
        .insertAdjacentHTML('beforeend',
          '<a id="bad" href="javascript:alert(1)">x</a>' +
          '<a id="data" href="data:text/html,hi">y</a>' +
          '<a id="good" href="https://www.example.org/">z</a>')""")
    expect(chat.page.locator("#bad")).not_to_have_attribute("href", "javascript:alert(1)")
    expect(chat.page.locator("#data")).not_to_have_attribute("href", "data:text/html,hi")
    expect(chat.page.locator("#good")).to_have_attribute("href", "https://www.example.org/")
