"""A conversation or an address that sends faster than a person types gets a kind
reply and is not processed (issue 14), over REST and socket.io, on a bot of its own
with low limits."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest

from bot import content
from tests.conftest import start_bot, stop_bot
from tests.helpers import WidgetClient, rest, texts

pytestmark = pytest.mark.server

TOO_FAST = content.text("input.too_fast")


@pytest.fixture(scope="module")
def limited_bot(tmp_path_factory):
    bot = start_bot(
        tmp_path_factory.mktemp("limits-var"),
        {"IEP_RATE_PER_CONVERSATION": "3", "IEP_RATE_PER_ADDRESS": "8"},
    )
    yield bot
    stop_bot(bot)


def status_of(rasa_url: str, sender: str, message: str) -> tuple[int, str]:
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, texts(json.loads(response.read()))
    except urllib.error.HTTPError as error:
        return error.code, texts(json.loads(error.read()))


async def test_a_conversation_then_an_address_past_its_limit_is_asked_to_wait(limited_bot):
    """One test, in this order: both limits count the same address's messages."""
    sender = uuid.uuid4().hex
    for _ in range(3):
        assert "Extended School Year" in texts(
            rest(limited_bot.rasa_url, "what is esy", sender=sender)
        )
    assert status_of(limited_bot.rasa_url, sender, "what is esy") == (429, TOO_FAST)
    # New conversations from the same address, until the address's limit (8 a minute;
    # the launcher's start-up probe counted too) is reached.
    answered = 0
    while status_of(limited_bot.rasa_url, uuid.uuid4().hex, "what is an iep")[0] == 200:
        answered += 1
        assert answered <= 8, "the address limit never came"
    # ... and the widget, from that address, is asked to wait as well.
    client = WidgetClient(limited_bot.rasa_url, limited_bot.origin)
    await client.connect()
    replies = await client.say("what is an iep")
    await client.close()
    assert [r.get("text") for r in replies] == [TOO_FAST]
