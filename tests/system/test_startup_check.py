"""The run command says "ready" only when a real question gets a real answer that was
saved in the tracker database (bot/launcher.py, Stack._probe). Each test starts a bot
with one thing broken, for a real reason, and expects a refusal that names it."""

from __future__ import annotations

import sqlite3

import pytest

from bot.launcher import READY_LINE
from tests.conftest import run_bot_until_it_exits

pytestmark = pytest.mark.server


def test_not_ready_when_conversations_do_not_reach_the_tracker_database(tmp_path):
    # Another program holds the tracker database's write lock for the whole start-up
    # (a backup, a database browser with a transaction open). Rasa then answers from
    # memory and saves nothing; parents would lose their conversations on a restart.
    from rasa.core.tracker_store import SQLTrackerStore

    path = tmp_path / "tracker.db"
    SQLTrackerStore(dialect="sqlite", db=str(path)).engine.dispose()  # Rasa's own tables
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")  # as the bot's store runs it: reads go on
    holder.execute("BEGIN IMMEDIATE")
    try:
        run = run_bot_until_it_exits(tmp_path)
    finally:
        holder.rollback()
        holder.close()
    assert run.returncode == 1, run.stdout
    assert READY_LINE not in run.stdout
    assert "Rasa is not saving conversations to the tracker database" in run.stdout
    assert "Traceback" not in run.stdout.split("ERROR:")[-1]


def test_not_ready_when_the_test_question_gets_only_the_apology(tmp_path):
    # The action server is up (its health check answers) but refuses every action call:
    # here a request size limit in the environment, below the size of Rasa's calls
    # (Sanic reads SANIC_* settings; the Rasa server's own limit is hit by nothing here).
    run = run_bot_until_it_exits(tmp_path, {"SANIC_REQUEST_MAX_SIZE": "1000"})
    assert run.returncode == 1, run.stdout
    assert READY_LINE not in run.stdout
    assert "Rasa is up but could not answer a test question" in run.stdout
    assert "PayloadTooLarge" in run.stdout  # the cause, from the action server's log
