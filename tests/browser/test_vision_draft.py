"""A parent writes the vision statement in the browser, edits one part, clicks the
real download link and finds the child's name (and the edit) in the document."""

from __future__ import annotations

import io
import re
import time
import zipfile
from dataclasses import dataclass

import pytest
from playwright.sync_api import Download, Locator, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHILD_NAME = "Maya"


@dataclass
class Step:
    say: str | None = None  # typed into the message box, or ...
    tap: str | None = None  # ... a quick-reply button's title
    expect_reply: str = ""  # part of the bot's reply to this step


# The REST version of this conversation is FLOW in tests/system/test_draft_server.py.
DRAFT_STEPS: list[Step] = [
    Step(tap="Help me write my vision statement", expect_reply="Step 1 of 6"),
    Step(say=CHILD_NAME, expect_reply=f"How old is {CHILD_NAME}"),
    Step(say="9", expect_reply="Step 2 of 6"),
    Step(
        say="She loves horses and drawing, and she is proud of reading her first chapter book",
        expect_reply=f"What helps {CHILD_NAME}",
    ),
    Step(
        say="A calm routine, a visual schedule and a teacher who checks in",
        expect_reply="Step 3 of 6",
    ),
    Step(say="She eats lunch alone most days and comes home upset", expect_reply="Concern 1"),
    Step(say="Social skills help at lunch and recess", expect_reply="another concern"),
    Step(say="that's all", expect_reply="Step 4 of 6"),
    Step(
        say="She has a friend to sit with at lunch and reads on her own", expect_reply="Step 5 of 6"
    ),
    Step(say="In middle school with friends, in a club she likes", expect_reply="look right"),
]
EDITED_TEXT = "Older kids call her names at recess"
EDIT_STEPS: list[Step] = [
    Step(say="change the first concern", expect_reply="concern 1"),
    Step(say=EDITED_TEXT, expect_reply="look right"),
    Step(say="looks good", expect_reply="Your draft is ready"),
]
# The closing message links "[Word document (.docx)](...)".
DOWNLOAD_LINK_NAME = re.compile(r"word document", re.I)


def click_and_download(page: Page, link: Locator, timeout: float = 30.0) -> Download:
    """Clicks a real link as a parent would. Bot links open in a new tab
    (target=_blank), so the download may start on this page or on the new one."""
    downloads: list[Download] = []

    def keep(download: Download) -> None:
        downloads.append(download)

    page.on("download", keep)
    page.context.on("page", lambda new_page: new_page.on("download", keep))
    link.click()
    deadline = time.monotonic() + timeout
    while not downloads and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert downloads, "Clicking the download link did not download anything"
    return downloads[0]


def document_text(data: bytes) -> str:
    """Readable text of a downloaded .docx (zip of XML) or a plain/markdown/HTML file."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as docx:
            xml = " ".join(
                docx.read(n).decode("utf-8", "replace")
                for n in docx.namelist()
                if n.endswith(".xml")
            )
        return re.sub(r"<[^>]+>", "", xml)
    return data.decode("utf-8", "replace")


def take(chat, step: Step) -> None:
    # Several expected replies ("concern 1", "look right") are also in earlier bubbles:
    # only a bubble that comes after this step counts.
    before = chat.bubble_count()
    if step.tap:
        chat.reply_button(step.tap).click()
    else:
        chat.ask(step.say)
    chat.wait_for_bot(step.expect_reply, after=before)


def test_parent_writes_the_vision_statement_edits_it_and_downloads_it(chat, screenshot_dir):
    chat.launcher.click()
    chat.wait_for_bot("IEP Guide")
    for step in DRAFT_STEPS:
        take(chat, step)
    for step in EDIT_STEPS:
        take(chat, step)
    chat.screenshot(screenshot_dir / "desktop-draft.png")

    link = chat.conversation.get_by_role("link", name=DOWNLOAD_LINK_NAME).last
    expect(link).to_be_visible()
    download = click_and_download(chat.page, link)
    with open(download.path(), "rb") as f:
        text = document_text(f.read())
    assert CHILD_NAME in text
    assert EDITED_TEXT in text
    assert "eats lunch alone" not in text, "the replaced concern is still in the document"
