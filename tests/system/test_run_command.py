"""The run command's stack, for real: action server + Rasa server + web page."""

import json
import urllib.error
import urllib.request
import uuid

import pytest
import socketio
from sqlalchemy import create_engine, text

from tests.conftest import OUTSIDE_SITE, start_bot, stop_bot
from tests.helpers import WidgetClient, rest, texts

pytestmark = pytest.mark.server

OTHER_SITE = "http://evil.example"  # not in IEP_ALLOWED_ORIGINS


def test_rest_answers_what_is_an_iep(running_bot):
    replies = rest(running_bot.rasa_url, "what is an IEP?")
    assert "Individualized Education Program" in texts(replies)
    assert "Source:" in texts(replies)


def test_rest_declines_out_of_scope_kindly(running_bot):
    answer = texts(rest(running_bot.rasa_url, "how much tylenol can I give my son"))
    assert "outside what I know" in answer
    assert "Individualized Education Program" not in answer


async def test_socketio_widget_gets_the_answer(running_bot):
    """Connects as rasa-webchat does. Fails if bot replies stop reaching the widget
    (what python-socketio >= 5.10 does to Rasa 3.6)."""
    client = WidgetClient(running_bot.rasa_url, origin=running_bot.origin)
    assert await client.connect() == client.session_id
    try:
        replies = await client.say("what is an iep")
        assert "Individualized Education Program" in texts(replies)
    finally:
        await client.close()


async def test_socketio_lets_an_allowed_outside_site_in(running_bot):
    """A parent center's own website (in IEP_ALLOWED_ORIGINS) embeds the widget."""
    client = WidgetClient(running_bot.rasa_url, origin=OUTSIDE_SITE)
    assert await client.connect() == client.session_id
    try:
        assert "Individualized Education Program" in texts(await client.say("what is an iep"))
    finally:
        await client.close()


async def test_socketio_refuses_other_websites(running_bot):
    client = WidgetClient(running_bot.rasa_url, origin=OTHER_SITE)
    with pytest.raises(socketio.exceptions.ConnectionError, match="status code 400"):
        await client.connect()
    assert not client.sio.connected
    # The 400 is the origin check's own refusal, not some other bad request.
    request = urllib.request.Request(
        f"{running_bot.rasa_url}/socket.io/?EIO=4&transport=polling", headers={"Origin": OTHER_SITE}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 400
    assert f"{OTHER_SITE} is not an accepted origin" in refused.value.read().decode()


def cors_preflight(rasa_url: str, origin: str):
    """What a browser asks before a page on `origin` may POST to the REST channel."""
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook",
        method="OPTIONS",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers


def test_rest_cors_lets_an_allowed_outside_site_in_and_no_other(running_bot):
    allowed = cors_preflight(running_bot.rasa_url, OUTSIDE_SITE)
    assert allowed["Access-Control-Allow-Origin"] == OUTSIDE_SITE
    assert "POST" in allowed["Access-Control-Allow-Methods"]
    assert cors_preflight(running_bot.rasa_url, OTHER_SITE)["Access-Control-Allow-Origin"] is None
    # The answer itself carries the header too, or the browser would not show it.
    request = urllib.request.Request(
        f"{running_bot.rasa_url}/webhooks/rest/webhook",
        method="POST",
        data=json.dumps({"sender": uuid.uuid4().hex, "message": "what is an iep"}).encode(),
        headers={"Origin": OUTSIDE_SITE, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.headers["Access-Control-Allow-Origin"] == OUTSIDE_SITE
        assert "Individualized Education Program" in texts(json.loads(response.read()))


def test_conversations_are_stored_in_the_sql_tracker_store(running_bot):
    rest(running_bot.rasa_url, "hello", sender="stored-parent")
    engine = create_engine(f"sqlite:///{running_bot.var_dir / 'tracker.db'}", future=True)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM events WHERE sender_id='stored-parent'"))
        assert count.scalar_one() > 0


def test_the_rasa_server_runs_with_every_speed_up_switched_on(running_bot):
    # Replacing the tracker store in endpoints.yml would silently drop them.
    from bot.server.patches import PATCHES

    log = (running_bot.var_dir / "log" / "rasa.log").read_text(errors="replace")
    active = [line for line in log.splitlines() if "Rasa patches active:" in line]
    assert len(active) == 1, log[-3000:]
    assert active[0].split("Rasa patches active:")[1].strip().split(", ") == [
        patch.name for patch in PATCHES
    ]


def test_web_page_serves_the_widget_locally(running_bot):
    with urllib.request.urlopen(running_bot.web_url) as page:
        html = page.read().decode()
    assert '<script src="/static/embed.js">' in html  # the snippet loads webchat.js
    with urllib.request.urlopen(running_bot.web_url + "static/webchat.js") as js:
        assert b"WebChat" in js.read()


@pytest.mark.postgres
def test_one_setting_switches_conversations_to_postgresql(postgres_url, tmp_path):
    bot = start_bot(tmp_path, {"IEP_DATABASE_URL": postgres_url})
    try:
        assert "Individualized Education Program" in texts(
            rest(bot.rasa_url, "what is an iep", sender="pg-parent")
        )
    finally:
        stop_bot(bot)
    engine = create_engine(postgres_url, future=True)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM events WHERE sender_id='pg-parent'"))
        assert count.scalar_one() > 0
    assert not (tmp_path / "tracker.db").exists()
