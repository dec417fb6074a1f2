"""Bad input against the real running bot (issue 14): a malformed REST body gets a 400
with a JSON error, a malformed socket.io event is ignored without breaking the chat,
a too-long message gets a kind reply, a payload cannot smuggle entities into slots,
and a socket only hears the conversation it opened."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
import uuid

import pytest

from bot import content
from bot.server.inputs import MAX_MESSAGE_CHARS
from tests.conftest import start_bot, stop_bot
from tests.helpers import WidgetClient, rest, texts

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def postgres_bot(postgres_url, tmp_path_factory):
    bot = start_bot(
        tmp_path_factory.mktemp("bad-input-pg"),
        {"IEP_DATABASE_URL": postgres_url, "IEP_RATE_PER_ADDRESS": "0"},
    )
    bot.database_url = postgres_url
    yield bot
    stop_bot(bot)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def bot(request):
    """Every check runs on the shared bot (SQLite) and on one with PostgreSQL, where a
    NUL or a 300-character id used to reach the database and fail there."""
    if request.param == "sqlite":
        return request.getfixturevalue("running_bot")
    return request.getfixturevalue("postgres_bot")


def post(rasa_url: str, body: bytes, content_type: str = "application/json"):
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'"hello"',
        b"42",
        b'{"sender": "a", "message": 5}',
        b'{"sender": "a", "message": {"x": 1}}',
        b'{"sender": "a", "message": ["hi"]}',
        b'{"message": "hi"}',
        b'{"sender": 7, "message": "hi"}',
        b'{"sender": "a\\u0000b", "message": "hi"}',
        json.dumps({"sender": "x" * 300, "message": "hi"}).encode(),
        b'{"sender": "a", "message": "hi", "metadata": "state"}',
    ],
)
def test_a_malformed_rest_body_gets_a_400_with_a_json_error(bot, body):
    status, raw = post(bot.rasa_url, body)
    assert status == 400
    assert json.loads(raw)["error"]


def test_the_bot_still_answers_after_bad_requests(bot):
    post(bot.rasa_url, b"[]")
    assert "Individualized Education Program" in texts(rest(bot.rasa_url, "what is an iep"))


def test_a_too_long_message_gets_a_kind_reply_and_is_not_stored(bot):
    sender = uuid.uuid4().hex
    words = "my son has a hard time at school " * 100
    assert len(words) > MAX_MESSAGE_CHARS
    reply = texts(rest(bot.rasa_url, words, sender=sender))
    assert reply == content.text("input.too_long", limit=MAX_MESSAGE_CHARS)
    assert "hard time at school" not in tracker_text(bot, sender)


def tracker_text(bot, sender: str) -> str:
    """Every stored event of one conversation, as text (SQLite file or PostgreSQL)."""
    import sqlalchemy

    url = bot.database_url or f"sqlite:///{bot.var_dir / 'tracker.db'}"
    engine = sqlalchemy.create_engine(url)
    with engine.connect() as db:
        rows = db.execute(
            sqlalchemy.text("SELECT data FROM events WHERE sender_id = :s"), {"s": sender}
        ).fetchall()
    engine.dispose()
    return "\n".join(row[0] for row in rows)


def test_a_payload_cannot_put_a_wrong_type_into_a_slot(bot):
    sender = uuid.uuid4().hex
    rest(bot.rasa_url, '/inform_state{"us_state": 5}', sender=sender)
    # Answers in that chat still work, and no integer reached the slot.
    assert "Extended School Year" in texts(rest(bot.rasa_url, "what is esy", sender=sender))
    assert '"value": 5' not in tracker_text(bot, sender)


async def test_malformed_socket_events_are_ignored_and_the_chat_goes_on(bot):
    client = WidgetClient(bot.rasa_url, bot.origin)
    await client.connect()
    for data in [
        "just a string",
        42,
        None,
        ["list"],
        {"message": 5},
        {"message": "hi", "session_id": client.session_id, "customData": "{bad"},
    ]:
        await client.sio.emit("user_uttered", data)
    replies = await client.say("what is an iep")
    await client.close()
    assert "Individualized Education Program" in "\n".join(r.get("text", "") for r in replies)


async def test_a_second_socket_with_the_same_id_does_not_hear_the_first_parent(bot):
    first = WidgetClient(bot.rasa_url, bot.origin)
    await first.connect()
    second = WidgetClient(bot.rasa_url, bot.origin, session_id=first.session_id)
    await second.connect()
    replies = await first.say("what is esy")
    assert replies, "the parent gets the answer"
    await asyncio.sleep(0)  # anything addressed to the second socket has been queued
    overheard = []
    while not second.bot_messages.empty():
        overheard.append(second.bot_messages.get_nowait())
    await first.close()
    await second.close()
    assert overheard == []


async def test_a_socket_cannot_write_into_a_conversation_it_did_not_open(bot):
    client = WidgetClient(bot.rasa_url, bot.origin)
    await client.connect()
    other = uuid.uuid4().hex
    await client.sio.emit("user_uttered", {"message": "what is esy", "session_id": other})
    replies = await client.say("what is an iep")
    await client.close()
    spoken = "\n".join(r.get("text", "") for r in replies)
    assert "Individualized Education Program" in spoken and "Extended School" not in spoken
    assert tracker_text(bot, other) == ""
