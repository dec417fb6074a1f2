"""A parent on the demo page, in a real Chromium, talking to the real bot.

Runs against the session's running bot (tests/conftest.py); screenshots go to
results/screenshots/ (git-ignored).
"""

from __future__ import annotations

import pytest
import yaml
from playwright.sync_api import expect

from bot import ROOT, content
from bot.knowledge.answers import answer_for_intent
from tests.browser.chat import LAUNCHER_OPEN
from tests.browser.conftest import hosts_outside

DISCLAIMER = content.text("answer.disclaimer")

pytestmark = [pytest.mark.browser, pytest.mark.server]

GREETING_BUTTONS = ["What is an IEP?", "What is ESY?", "Help me write my vision statement"]
IEP_ANSWER = "Individualized Education Program"
SITE_STATE = "Massachusetts"  # what the demo page passes to IEPGuide.init


def domain_intents() -> set:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return {i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents", [])}


# ------------------------------------------------------------------ contrast (WCAG 2)
def _luminance(color: dict[str, float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color["r"]) + 0.7152 * channel(color["g"]) + 0.0722 * channel(color["b"])
    )


def contrast(a: dict[str, float], b: dict[str, float]) -> float:
    light, dark = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def aa_minimum(size_px: float, weight: int) -> float:
    """WCAG AA: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold)."""
    large = size_px >= 24 or (size_px >= 18.66 and weight >= 700)
    return 3.0 if large else 4.5


def test_contrast_math_matches_wcag_examples():
    black, white = {"r": 0, "g": 0, "b": 0}, {"r": 255, "g": 255, "b": 255}
    assert round(contrast(black, white), 1) == 21.0
    # #767676 on white is the well-known lightest grey that passes AA (4.54:1).
    assert round(contrast({"r": 0x76, "g": 0x76, "b": 0x76}, white), 2) == 4.54
    assert aa_minimum(16, 400) == 4.5 and aa_minimum(19, 700) == 3.0


# ------------------------------------------------------------------ the parent's view
def test_keyboard_only_parent_opens_the_chat_is_greeted_and_gets_an_answer(chat, screenshot_dir):
    chat.screenshot(screenshot_dir / "desktop-page.png")
    chat.open_with_keyboard()
    expect(chat.message_box).to_be_focused()
    chat.wait_for_bot("IEP Guide")
    for title in GREETING_BUTTONS:
        expect(chat.reply_button(title)).to_be_visible()
    chat.screenshot(screenshot_dir / "desktop-greeting.png")

    # Shift+Tab from the message box back to a quick reply, then Enter.
    page = chat.page
    for _ in range(8):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.textContent") == "What is an IEP?":
            break
    else:
        pytest.fail("The 'What is an IEP?' button could not be reached with the keyboard")
    before = chat.bubble_count()
    page.keyboard.press("Enter")
    chat.wait_for_bot(IEP_ANSWER, after=before)
    expect(chat.message_box).to_be_focused()  # ready to type the next question

    # Escape closes the chat and puts the keyboard back on the launcher.
    page.keyboard.press("Escape")
    expect(chat.launcher).to_be_focused()


def test_typed_question_gets_its_answer_on_the_page(chat, screenshot_dir):
    """The socket.io trap: with a python-socketio Rasa 3.6 can't work with, the widget
    connects and the parent's message goes out, but the bot's replies never reach the
    page. Only a real browser showing the answer proves the whole path works."""
    chat.launcher.click()
    chat.wait_for_bot("IEP Guide")
    before = chat.bubble_count()
    chat.ask("what is an IEP")
    chat.wait_for_bot(IEP_ANSWER, after=before)
    assert "Source:" in chat.bot_texts()[-1]
    chat.screenshot(screenshot_dir / "desktop-answer.png")
    assert chat.console_errors == []


def test_esy_button_answers_with_the_sites_state_rule(chat, screenshot_dir):
    """The page says it serves Massachusetts (customData); the ESY answer gives that
    state's rule without the parent having to name it."""
    assert "ask_esy" in domain_intents()
    esy = answer_for_intent("ask_esy")
    assert SITE_STATE in esy.by_state, f"the ESY answer has no {SITE_STATE} rule to show"
    chat.launcher.click()
    button = chat.reply_button("What is ESY?")
    expect(button).to_be_visible()
    before = chat.bubble_count()
    button.click()
    chat.wait_for_bot(esy.text[0][:40], after=before)
    chat.wait_for_bot(esy.by_state[SITE_STATE][:60], after=before)
    assert esy.varies_note is None or esy.varies_note[:40] not in "\n".join(
        chat.bot_texts()[before:]
    ), "asked for the parent's state although the page gave it"
    chat.screenshot(screenshot_dir / "desktop-esy.png")


def test_reloading_the_page_keeps_the_conversation(chat):
    chat.launcher.click()
    chat.ask("what is an IEP")
    chat.wait_for_bot(IEP_ANSWER)
    before = chat.bot_texts()
    assert DISCLAIMER in "\n".join(before)

    chat.reload()
    if chat.launcher.is_visible():
        chat.launcher.click()
    chat.wait_for_bot(IEP_ANSWER)
    assert chat.bot_texts() == before  # the same bubbles, and no second greeting

    # The bot also remembers it is the same conversation: the "not legal advice" note
    # is said once per conversation, so a second answer comes without it.
    chat.ask("what's an iep?")
    chat.wait_for_bot(IEP_ANSWER, after=len(before))
    expect(chat.bot_bubbles.filter(has_text=IEP_ANSWER)).to_have_count(2)
    assert DISCLAIMER not in "\n".join(chat.bot_texts()[len(before) :])


def test_phone_width(phone_chat, screenshot_dir):
    chat, page = phone_chat, phone_chat.page
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    chat.screenshot(screenshot_dir / "phone-page.png")

    chat.launcher.tap()
    chat.wait_for_bot("IEP Guide")
    window = page.locator("#iep-guide-chat .rw-conversation-container").bounding_box()
    assert window["x"] >= 0 and window["x"] + window["width"] <= width
    box = chat.message_box.bounding_box()
    assert box["y"] + box["height"] <= page.viewport_size["height"]
    for title in GREETING_BUTTONS:
        button = chat.reply_button(title).bounding_box()
        assert button["height"] >= 44, f"{title!r} is too small to tap"
        assert button["x"] + button["width"] <= width, f"{title!r} runs off the screen"
    chat.screenshot(screenshot_dir / "phone-greeting.png")

    before = chat.bubble_count()
    chat.reply_button("What is an IEP?").tap()
    chat.wait_for_bot(IEP_ANSWER, after=before)
    for bubble in chat.bot_bubbles.all():
        b = bubble.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= width
    chat.screenshot(screenshot_dir / "phone-answer.png")

    page.get_by_role("button", name="Close the chat").first.tap()
    expect(chat.launcher).to_be_visible()


def test_page_and_chat_controls_have_accessible_names(chat):
    page = chat.page
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "IEP" in page.title()
    expect(page.get_by_role("heading", level=1)).to_have_text("Questions about your child's IEP?")
    expect(page.get_by_role("button", name=LAUNCHER_OPEN)).to_have_attribute(
        "aria-expanded", "false"
    )

    page.get_by_role(
        "button", name="Chat with IEP Guide", exact=True
    ).click()  # the page's own button
    expect(chat.message_box).to_be_focused()
    chat_region = page.get_by_role("complementary", name="IEP Guide chat")
    expect(chat_region.get_by_role("log", name="Conversation with IEP Guide")).to_be_visible()
    expect(chat_region.get_by_role("heading", name="IEP Guide")).to_be_visible()
    expect(page.get_by_role("button", name="Close the chat").first).to_be_visible()
    chat.message_box.fill("hello")
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    chat.wait_for_bot("IEP Guide")
    expect(chat.reply_button("What is an IEP?")).to_have_attribute("tabindex", "0")


def test_text_contrast_passes_wcag_aa(chat):
    chat.launcher.click()
    chat.ask("what is an IEP")
    chat.wait_for_bot(IEP_ANSWER)
    texts = chat.text_colors()
    checked = " | ".join(t["text"] for t in texts)
    # Make sure the page, the chat header, both kinds of bubbles, the quick replies and
    # the input hint were all measured.
    for expected in [
        "Questions about your child",
        "IEP Guide",
        IEP_ANSWER[:10],
        "what is an IEP",
        "placeholder: ",
        "Chat with IEP Guide",
    ]:
        assert expected in checked
    failures = [
        f"{t['text']!r}: {contrast(t['color'], t['background']):.2f} < "
        f"{aa_minimum(t['size'], t['weight'])}"
        for t in texts
        if contrast(t["color"], t["background"]) < aa_minimum(t["size"], t["weight"])
    ]
    assert failures == []


def test_nothing_is_loaded_from_other_sites(chat):
    """No CDN, no web fonts: the widget's files all come from our own server."""
    chat.launcher.click()
    chat.wait_for_bot("IEP Guide")
    assert hosts_outside(chat.requested_hosts) == []
