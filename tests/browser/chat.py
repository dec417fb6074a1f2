"""The demo page's chat, as a parent sees and uses it (roles and names, not CSS
classes, wherever the page offers them)."""

from __future__ import annotations

import time

from playwright.sync_api import Locator, Page, expect

LAUNCHER_OPEN = "Open the chat with IEP Guide"
MESSAGE_BOX = "Type your question"
CONVERSATION = "Conversation with IEP Guide"
# The bot's bubbles (the typing indicator is also an .rw-response, outside the groups).
BOT_BUBBLES = "#iep-guide-chat .rw-from-response .rw-response"
REPLY_SHOWN_JS = """
([selector, after, text]) =>
  !document.querySelector('#iep-guide-chat .rw-typing-indication') &&
  [...document.querySelectorAll(selector)].slice(after).some(b => b.innerText.includes(text))
"""

# Computed in the page: every visible piece of text with its color, the color behind
# it (first non-transparent background up the tree, blended over white) and its size.
TEXT_COLORS_JS = """
() => {
  const parse = (c) => { const m = c.match(/[\\d.]+/g).map(Number);
                         return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const over = (top, below) => ({r: top.r * top.a + below.r * (1 - top.a),
                                 g: top.g * top.a + below.g * (1 - top.a),
                                 b: top.b * top.a + below.b * (1 - top.a), a: 1});
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg.a > 0) { layers.push(bg); if (bg.a >= 1) break; }
    }
    return layers.reverse().reduce((acc, layer) => over(layer, acc), {r: 255, g: 255, b: 255, a: 1});
  };
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none"
           && parseFloat(s.opacity) > 0; };
  const out = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || seen.has(el) || !visible(el)) continue;
    if (["SCRIPT", "STYLE", "NOSCRIPT"].includes(el.tagName)) continue;
    if (el.closest(".skip") && el.matches(".skip:not(:focus)")) continue;  // off-screen until focused
    seen.add(el);
    const s = getComputedStyle(el);
    const bg = background(el);
    out.push({text: n.textContent.trim().slice(0, 60), color: over(parse(s.color), bg), background: bg,
              size: parseFloat(s.fontSize), weight: parseInt(s.fontWeight, 10)});
  }
  for (const box of document.querySelectorAll("textarea, input")) {
    if (!box.placeholder || !visible(box)) continue;
    const bg = background(box);
    const s = getComputedStyle(box, "::placeholder");
    out.push({text: "placeholder: " + box.placeholder, color: over(parse(s.color), bg), background: bg,
              size: parseFloat(s.fontSize), weight: parseInt(s.fontWeight, 10)});
  }
  return out;
}
"""


class Chat:
    def __init__(self, page: Page, url: str):
        self.page, self.url = page, url
        self.console_errors: list[str] = []
        self.requested_hosts: set[str] = set()

    # ------------------------------------------------------------ the page
    def goto(self) -> None:
        self.page.goto(self.url)
        expect(self.launcher).to_be_visible()

    def reload(self) -> None:
        self.page.reload()
        expect(
            self.page.locator("#iep-guide-chat .rw-launcher, #iep-guide-chat .rw-header").first
        ).to_be_visible()

    @property
    def launcher(self) -> Locator:
        return self.page.get_by_role("button", name=LAUNCHER_OPEN, exact=True)

    @property
    def message_box(self) -> Locator:
        return self.page.get_by_role("textbox", name=MESSAGE_BOX)

    @property
    def conversation(self) -> Locator:
        return self.page.get_by_role("log", name=CONVERSATION)

    @property
    def bot_bubbles(self) -> Locator:
        # (the typing indicator is also an .rw-response, outside the message groups)
        return self.conversation.locator(".rw-from-response .rw-response")

    def reply_button(self, title: str) -> Locator:
        return self.conversation.get_by_role("button", name=title, exact=True)

    # ------------------------------------------------------------ actions
    def open_with_keyboard(self, max_tabs: int = 15) -> None:
        """Tabs through the page until the chat launcher has focus, then presses Enter."""
        for _ in range(max_tabs):
            self.page.keyboard.press("Tab")
            if (
                self.page.evaluate("document.activeElement.getAttribute('aria-label')")
                == LAUNCHER_OPEN
            ):
                break
        else:
            raise AssertionError(f"The chat launcher was not reached with {max_tabs} Tab presses")
        self.page.keyboard.press("Enter")
        expect(self.message_box).to_be_visible()

    def ask(self, text: str) -> None:
        """Types a question in the message box and presses Enter, as a parent does."""
        self.message_box.click()
        self.message_box.fill(text)
        self.page.keyboard.press("Enter")
        expect(
            self.conversation.locator(".rw-from-client .rw-client").filter(has_text=text).last
        ).to_be_visible()

    def bubble_count(self) -> int:
        return self.bot_bubbles.count()

    def wait_for_bot(self, text: str, after: int = 0, timeout: float = 30_000) -> None:
        """Waits for a bot bubble that contains `text` among those after the first
        `after` (pass bubble_count() from before the parent acted: earlier bubbles
        never count), then for the rest of that reply: the widget shows a turn's
        bubbles one by one behind a typing indicator, which stays up while any wait.
        Polled from here, not with wait_for_function: the page's policy forbids eval."""
        deadline = time.monotonic() + timeout / 1000
        while not self.page.evaluate(REPLY_SHOWN_JS, [BOT_BUBBLES, after, text]):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no bot reply with {text!r} after bubble {after}: {self.bot_texts()[after:]}"
                )
            self.page.wait_for_timeout(100)

    def bot_texts(self) -> list[str]:
        return self.bot_bubbles.all_inner_texts()

    def screenshot(self, path) -> None:
        self.page.screenshot(path=str(path), animations="disabled")

    def text_colors(self) -> list:
        return self.page.evaluate(TEXT_COLORS_JS)
