"""Delete means delete, and nothing secret is stored (issue 14), through the real stack
(launcher, Rasa with the trained model, the action server, the web page) on SQLite and on
PostgreSQL: a whole draft leaves no resume code or download secret in any file or table;
"delete my draft" leaves the draft's words in none; the launcher's retention pass removes
expired drafts and conversations and keeps fresh ones."""

from __future__ import annotations

import http.client
import json
import random
import re
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from bot.draft.codes import new_resume_code
from tests.conftest import RunningBot, start_bot, stop_bot
from tests.helpers import rest, texts
from tests.system.test_draft_server import DOCX_LINK, FLOW, talk, with_marker

pytestmark = pytest.mark.server

ANY_CODE = re.compile(r"([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")
SECRET_IN_LINK = re.compile(r"/drafts/([A-Za-z0-9_-]{43})/")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request) -> str | None:
    """None: SQLite files under the bot's var/; else the PostgreSQL URL."""
    return None if request.param == "sqlite" else request.getfixturevalue("postgres_url")


def env_for(database: str | None) -> dict[str, str]:
    return {"IEP_DATABASE_URL": database} if database else {}


@pytest.fixture
def own_bot(database, tmp_path) -> Iterator[RunningBot]:
    bot = start_bot(tmp_path / "var", env_for(database))
    yield bot
    stop_bot(bot)


def everything_stored(var_dir: Path, database: str | None) -> bytes:
    """Every byte of every file under var/ (databases, their -wal and -shm, logs), and
    with PostgreSQL the text of every row of every table."""
    found = [path.read_bytes() for path in var_dir.rglob("*") if path.is_file()]
    if database:
        engine = create_engine(database, future=True)
        with engine.connect() as connection:
            for table in inspect(engine).get_table_names():
                rows = connection.execute(text(f'SELECT t::text FROM "{table}" t'))
                found += [row.encode() for (row,) in rows]
        engine.dispose()
    return b"\n".join(found)


def test_delete_leaves_no_word_code_or_secret_anywhere(own_bot, database):
    marker = "QZX" + uuid.uuid4().hex[:8].upper()
    sender = uuid.uuid4().hex
    replies = talk(own_bot.rasa_url, sender, with_marker(marker))
    shown = "\n".join(replies)
    codes = set(ANY_CODE.findall(shown))
    secrets = set(SECRET_IN_LINK.findall(DOCX_LINK.search(replies[-1]).group(1)))
    assert len(codes) >= 2 and secrets, "a code at the first answer, a new one at the end"
    # A code typed back by the parent is not kept either.
    code = sorted(codes)[0]
    texts(rest(own_bot.rasa_url, f"continue my draft {code}", sender=uuid.uuid4().hex))

    stored = everything_stored(own_bot.var_dir, database)
    assert marker.encode() in stored, "the draft and its conversation are stored"
    for secret in codes | secrets | {c.replace("-", "") for c in codes}:
        assert secret.encode() not in stored, secret

    said = texts(rest(own_bot.rasa_url, "delete my draft", sender=sender))
    assert "deleted" in said
    stored = everything_stored(own_bot.var_dir, database)
    for index in range(len(FLOW)):
        assert f"{marker}{index}".encode() not in stored, f"{marker}{index}"
    assert b"Maya" not in stored or database  # PostgreSQL is shared with other tests
    # The chat goes on, and it no longer knows the draft.
    said = texts(rest(own_bot.rasa_url, "continue my draft", sender=sender))
    assert "Welcome back" not in said and marker not in said


def age(database: str | None, var_dir: Path, sender: str, days: int) -> None:
    """`days` pass for one conversation and for every draft it wrote."""
    then = datetime.now(timezone.utc) - timedelta(days=days)
    for kind in ("tracker", "drafts"):
        url = database or f"sqlite:///{var_dir / (kind + '.db')}"
        engine = create_engine(url, future=True)
        with engine.begin() as connection:
            if kind == "tracker":
                connection.execute(
                    text("UPDATE events SET timestamp = :t WHERE sender_id = :s"),
                    {"t": then.timestamp(), "s": sender},
                )
            if kind == "drafts" or database:
                connection.execute(
                    text(
                        "UPDATE iep_drafts SET updated_at = :t WHERE id IN (SELECT draft_id "
                        "FROM iep_draft_conversations WHERE sender_id = :s)"
                    ),
                    {"t": then, "s": sender},
                )
        engine.dispose()


def hours_pass(database: str | None, var_dir: Path, sender: str, hours: float) -> None:
    """Moves one conversation's events `hours` into the past (the stored JSON, which the
    tracker is rebuilt from, and the timestamp column)."""
    engine = create_engine(database or f"sqlite:///{var_dir / 'tracker.db'}", future=True)
    shift = hours * 3600
    if engine.dialect.name == "sqlite":
        new_data = "json_set(data, '$.timestamp', json_extract(data, '$.timestamp') - :d)"
    else:
        new_data = (
            "jsonb_set(data::jsonb, '{timestamp}', to_jsonb((data::jsonb->>'timestamp')::float"
            " - :d))::text"
        )
    with engine.begin() as connection:
        connection.execute(
            text(
                f"UPDATE events SET data = {new_data}, timestamp = timestamp - :d "
                "WHERE sender_id = :s"
            ),
            {"d": shift, "s": sender},
        )
    engine.dispose()


def test_the_launcher_deletes_expired_drafts_and_conversations(database, tmp_path):
    var_dir = tmp_path / "var"
    old, fresh = uuid.uuid4().hex, uuid.uuid4().hex
    bot = start_bot(var_dir, env_for(database))
    try:
        old_code = ANY_CODE.search(talk(bot.rasa_url, old, FLOW[:2])[1]).group(1)
        fresh_code = ANY_CODE.search(talk(bot.rasa_url, fresh, FLOW[:2])[1]).group(1)
    finally:
        stop_bot(bot)
    age(database, var_dir, old, days=91)
    hours_pass(database, var_dir, fresh, hours=2)  # its Rasa session (an hour) expires

    bot = start_bot(var_dir, env_for(database))
    try:
        deadline = time.monotonic() + 60
        while not any("retention:" in line for line in bot.output):
            assert time.monotonic() < deadline, "".join(bot.output)
            time.sleep(0.2)
        url = database or f"sqlite:///{var_dir / 'tracker.db'}"
        engine = create_engine(url, future=True)
        with engine.connect() as connection:
            count = "SELECT count(*) FROM events WHERE sender_id = :s"
            assert connection.execute(text(count), {"s": old}).scalar() == 0
            assert connection.execute(text(count), {"s": fresh}).scalar() > 0
        engine.dispose()
        # Back after two hours, the same conversation id alone does not reopen the draft.
        said = texts(rest(bot.rasa_url, "continue my draft", sender=fresh))
        assert "Please type your resume code" in said and "Welcome back" not in said
        said = texts(rest(bot.rasa_url, f"continue my draft {old_code}", sender=uuid.uuid4().hex))
        assert "couldn't find a draft" in said
        said = texts(rest(bot.rasa_url, f"continue my draft {fresh_code}", sender=uuid.uuid4().hex))
        assert "Welcome back" in said and "Maya" in said
    finally:
        stop_bot(bot)


def rest_from(rasa_url: str, address: str, message: str, sender: str, **body) -> str:
    """One REST message sent from `address` (a loopback address of this machine: each
    test plays clients on other machines), returning what the bot said."""
    host, port = rasa_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(
        host, int(port), timeout=60, source_address=(address, 0)
    )
    try:
        payload = json.dumps({"sender": sender, "message": message, **body})
        connection.request(
            "POST", "/webhooks/rest/webhook", payload, {"Content-Type": "application/json"}
        )
        return texts(json.loads(connection.getresponse().read()))
    finally:
        connection.close()


def test_wrong_codes_are_limited_per_address_across_new_chats(running_bot):
    from bot import content
    from bot.storage import attempts

    def address() -> str:
        return f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"

    guesser, neighbour = address(), address()
    too_many = content.text("draft.too_many_codes")
    chats = attempts.PER_ADDRESS // attempts.PER_CONVERSATION
    for _ in range(chats):  # a fresh chat each time the conversation's own limit is hit
        sender = uuid.uuid4().hex
        for _ in range(attempts.PER_CONVERSATION):
            said = rest_from(
                running_bot.rasa_url, guesser, "continue my draft " + new_resume_code(), sender
            )
            assert "couldn't find a draft" in said and too_many not in said
    # A new chat from the same address is held back, whatever metadata it sends...
    said = rest_from(
        running_bot.rasa_url,
        guesser,
        "continue my draft " + new_resume_code(),
        uuid.uuid4().hex,
        metadata={"iep_address": "somewhere-else"},
    )
    assert too_many in said and content.contact()["phone"] in said
    # ...and a parent on another machine is not.
    said = rest_from(
        running_bot.rasa_url, neighbour, "continue my draft " + new_resume_code(), uuid.uuid4().hex
    )
    assert "couldn't find a draft" in said and too_many not in said
