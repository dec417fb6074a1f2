"""No parent text, resume code or secret in any log at the default level (issue 14),
after a scripted draft that includes a failing action and a cancelled request. Logs
and databases are readable by this user only, and logs rotate."""

from __future__ import annotations

import json
import socket
import sqlite3
import stat
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import start_bot, stop_bot
from tests.helpers import rest, texts
from tests.system.test_draft_server import CODE, FLOW

pytestmark = pytest.mark.server

MARK = "Zebrafinch"  # a word no log line has any reason to contain


def hold_drafts_lock(db: Path, seconds: float) -> threading.Thread:
    """Another writer holds the drafts database, so the action's save fails after
    SQLite's busy timeout: a real failure, with the parent's words in the SQL."""
    ready = threading.Event()

    def hold() -> None:
        with sqlite3.connect(db, timeout=30) as connection:
            connection.execute("BEGIN EXCLUSIVE")
            ready.set()
            time.sleep(seconds)
            connection.rollback()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    ready.wait(10)
    return thread


def cancelled_request(rasa_url: str, sender: str, message: str) -> None:
    """A REST call whose client goes away before the reply (Rasa logged its text)."""
    host, port = rasa_url.split("//")[1].split(":")
    body = json.dumps({"sender": sender, "message": message}).encode()
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(
            b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        time.sleep(0.5)  # the turn is under way (the drafts database is held)


@pytest.fixture(scope="module")
def logged_bot(tmp_path_factory):
    bot = start_bot(tmp_path_factory.mktemp("logs-var"))
    yield bot
    stop_bot(bot)


def test_a_draft_with_a_failure_and_a_cancelled_request_leaves_no_words_in_logs(logged_bot):
    sender = uuid.uuid4().hex
    replies = [texts(rest(logged_bot.rasa_url, m, sender=sender)) for m in FLOW[:3]]
    code = CODE.search("\n".join(replies)).group(1)
    # The strengths answer fails to save: the parent gets the apology.
    # (the action server waits up to 30 s for the database: bot/storage/database.py)
    holder = hold_drafts_lock(logged_bot.var_dir / "drafts.db", 40)
    failed = texts(rest(logged_bot.rasa_url, f"She loves {MARK} birds", sender=sender))
    assert "something went wrong" in failed
    cancelled_request(logged_bot.rasa_url, sender, f"She is kind to {MARK} friends")
    holder.join()
    # And the chat goes on.
    assert "Step" in texts(rest(logged_bot.rasa_url, f"She draws {MARK} horses", sender=sender))
    stop_bot(logged_bot)  # every line flushed
    logs = sorted(logged_bot.var_dir.rglob("*.log*"))
    for path in logs:
        written = path.read_text(errors="replace")
        assert MARK not in written, path
        assert code not in written and code.replace("-", "") not in written, path
    # The logs are written, and they do tell what happened.
    assert (
        "An action failed (OperationalError)"
        in (logged_bot.var_dir / "log" / "actions.log").read_text()
    )
    assert (
        "Failed to execute custom action" in (logged_bot.var_dir / "log" / "rasa.log").read_text()
    )


def test_logs_and_databases_are_private_files(logged_bot):
    var = logged_bot.var_dir
    for folder in (var / "log", var / "run"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for path in [*var.glob("*.db"), *(var / "log").glob("*.log")]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
