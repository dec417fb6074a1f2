"""A parent never meets silence: when the action server is down, or when an action
fails, REST and the widget's socket.io both get the apology. Each test breaks its
own bot (start_bot), never the shared one."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import urllib.error
import urllib.request
import uuid

import pytest

from bot import content
from bot.launcher import port_in_use
from tests.conftest import RunningBot, start_bot, stop_bot
from tests.helpers import WidgetClient, rest, texts
from tests.system.test_draft_server import (
    DOCX_LINK,
    FREE_TEXT,
    docx_text,
    download,
    talk,
    with_marker,
)

SORRY = content.text("sorry")

pytestmark = pytest.mark.server

IEP_ANSWER = "Individualized Education Program"


def widget_says(bot: RunningBot, message: str) -> list[str]:
    """What the widget shows for one message (socket.io, from the bot's own page)."""

    async def conversation() -> list[str]:
        client = WidgetClient(bot.rasa_url, origin=bot.origin)
        await client.connect()
        try:
            return [reply.get("text", "") for reply in await client.say(message)]
        finally:
            await client.close()

    return asyncio.run(conversation())


def wait_until(condition, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout:.0f}s"
        time.sleep(0.2)


def action_server_answers(bot: RunningBot) -> bool:
    try:
        with urllib.request.urlopen(f"http://localhost:{bot.action_port}/health", timeout=5):
            return True
    except (OSError, urllib.error.URLError):
        return False


def test_while_the_action_server_is_down_parents_get_an_apology_and_keep_their_draft(tmp_path):
    bot = start_bot(tmp_path)
    try:
        drafting = uuid.uuid4().hex
        messages = with_marker("RESTARTMARKER")
        talk(bot.rasa_url, drafting, messages[:6])  # up to the first concern
        old = bot.pids()["actions"]
        # The launcher restarts a dead server within a second. Paused, it cannot yet:
        # the apology is checked while the action server is certainly down.
        os.kill(bot.process.pid, signal.SIGSTOP)
        try:
            os.killpg(old, signal.SIGKILL)
            wait_until(lambda: not port_in_use(bot.action_port), "the action server's end")
            assert texts(rest(bot.rasa_url, "what is an iep")) == SORRY
            assert widget_says(bot, "what is an iep") == [SORRY]
        finally:
            os.kill(bot.process.pid, signal.SIGCONT)
        wait_until(
            lambda: bot.pids()["actions"] != old and action_server_answers(bot),
            "the action server's restart",
        )
        assert "The actions server stopped" in "".join(bot.output)
        assert IEP_ANSWER in texts(rest(bot.rasa_url, "what is an iep"))
        # The draft goes on from where it was; nothing typed before is lost.
        replies = talk(bot.rasa_url, drafting, messages[6:])
        assert "Step 4 of 6" in replies[1], replies
        body = docx_text(download(DOCX_LINK.search(replies[-1]).group(1)))
        for i in FREE_TEXT:
            assert f"RESTARTMARKER{i}" in body
    finally:
        stop_bot(bot)


def test_a_turn_whose_action_fails_gets_an_apology(tmp_path):
    # The drafts database cannot be opened (its path is a folder): starting a draft
    # raises in validate_draft_form. Knowledge answers need no database and still work.
    (tmp_path / "drafts.db").mkdir()
    bot = start_bot(tmp_path)
    try:
        assert widget_says(bot, "help me write my vision statement") == [SORRY]
        assert texts(rest(bot.rasa_url, "help me write my vision statement")) == SORRY
        assert "unable to open database file" in (tmp_path / "log" / "actions.log").read_text()
        assert IEP_ANSWER in "\n".join(widget_says(bot, "what is an iep"))
    finally:
        stop_bot(bot)
