"""The run command's stack, for real: action server + Rasa server + web page."""

import time
import urllib.request

import pytest
import socketio
from sqlalchemy import create_engine, text

from bot import content
from tests.conftest import start_bot, stop_bot
from tests.helpers import WidgetClient, rest, texts

pytestmark = pytest.mark.server


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


async def test_socketio_refuses_other_websites(running_bot):
    client = WidgetClient(running_bot.rasa_url, origin="http://evil.example")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect()


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


def test_never_silent_when_the_action_server_dies_and_it_comes_back(running_bot):
    pids = running_bot.pids()
    import os
    import signal

    os.killpg(pids["actions"], signal.SIGKILL)
    # Rasa cannot reach the action server: the parent gets an apology, not silence.
    assert texts(rest(running_bot.rasa_url, "what is an iep")) == content.text("sorry")
    # The launcher restarts it; answers come back without anyone touching the server.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if "Individualized Education Program" in texts(
            rest(running_bot.rasa_url, "what is an iep")
        ):
            break
        time.sleep(1)
    else:
        pytest.fail("The action server did not come back")
    assert running_bot.pids()["actions"] != pids["actions"]


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
