"""Retention (issue 14): drafts unchanged for IEP_RETENTION_DAYS and conversations silent
for IEP_CONVERSATION_DAYS are deleted for good. The launcher runs `purge` at start and
then every hour, in a thread of its own (`RetentionJob`), off every event loop.

A conversation is deleted whole (every row of its sender id), never cut in the middle:
a tracker missing its start would replay into a wrong state. The Rasa server's tracker
cache notices the missing rows (bot/server/tracker_store.py counts them) and starts over.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from bot.settings import Settings
from bot.storage.database import after_delete, make_engine
from bot.storage.repository import DraftRepository

logger = logging.getLogger(__name__)
EVERY_SECONDS = 3600.0
# Rasa's SQL tracker store keeps every event of every conversation in this table.
EVENTS_TABLE = "events"


@dataclass(frozen=True)
class Purged:
    drafts: int
    conversations: int


def tracker_engine(url: str) -> Engine:
    engine = create_engine(url, future=True, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        from sqlalchemy import event

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

    return engine


def purge_conversations(engine: Engine, cutoff: datetime) -> int:
    """Deletes every conversation whose latest event is older than `cutoff`; how many."""
    if not inspect(engine).has_table(EVENTS_TABLE):
        return 0  # the Rasa server has not made its table yet: nothing stored
    with engine.begin() as connection:
        old = (
            connection.execute(
                text(
                    f"SELECT sender_id FROM {EVENTS_TABLE} GROUP BY sender_id "
                    "HAVING MAX(timestamp) < :cutoff"
                ),
                {"cutoff": cutoff.timestamp()},
            )
            .scalars()
            .all()
        )
        for sender in old:
            connection.execute(
                text(f"DELETE FROM {EVENTS_TABLE} WHERE sender_id = :sender"), {"sender": sender}
            )
    if old:
        after_delete(engine)
    return len(old)


def purge(run_settings: Settings, now: datetime | None = None) -> Purged:
    """One pass of retention over both databases (blocking)."""
    now = now or datetime.now(timezone.utc)
    drafts_engine = make_engine(run_settings.database_url("drafts"))
    events_engine = tracker_engine(run_settings.database_url("tracker"))
    try:
        drafts = DraftRepository(drafts_engine).delete_unchanged_since(
            now - timedelta(days=run_settings.retention_days)
        )
        conversations = purge_conversations(
            events_engine, now - timedelta(days=run_settings.conversation_days)
        )
    finally:
        drafts_engine.dispose()
        events_engine.dispose()
    return Purged(drafts, conversations)


class RetentionJob:
    """`purge` now and then every `every` seconds, in a daemon thread, until stopped. A
    failed pass (a database restarting) is logged and tried again next time."""

    def __init__(
        self,
        run_settings: Settings,
        report: Callable[[str], None],
        every: float = EVERY_SECONDS,
    ) -> None:
        self.settings = run_settings
        self.report = report
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="retention", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                done = purge(self.settings)
                self.report(
                    f"==> retention: {done.drafts} expired draft(s), "
                    f"{done.conversations} expired conversation(s) deleted"
                )
            except Exception:  # the bot keeps running; the next pass retries
                logger.exception("Retention pass failed")
                self.report("==> retention: pass failed, next try in an hour")
            self._stop.wait(max(0.0, self.every - (time.monotonic() - started)))
