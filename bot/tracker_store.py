"""Rasa's SQL tracker store, configured from IEP_DATABASE_URL (see bot/settings.py).

Rasa's built-in `type: SQL` takes host/db/user fields one by one; this keeps the
project's one-setting switch between SQLite and PostgreSQL. On SQLite it turns on
write-ahead logging: without it every saved turn waits for a full fsync, which was
a fifth of the server's time under load. WAL with synchronous=NORMAL survives a
crash or restart of the server; only a power cut can lose the last few turns
(production uses PostgreSQL).
"""
from __future__ import annotations

import itertools
import json
from typing import Any, Iterator, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.events import SessionStarted
from sqlalchemy import create_engine, event, func, or_, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

import bot.rasa_speedups  # noqa: F401  (patches applied on import)
from bot.settings import database_url


# How many of a tracker object's events are already rows in the database.
_STORED = "_iep_events_in_database"


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class ProjectSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[str] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        url = make_url(database_url("tracker"))
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database,
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query) or None,
        )
        if self.engine.dialect.name == "sqlite":
            # SQLAlchemy 1.4 opens (and closes) a new SQLite connection for every session
            # (NullPool); with the pragmas that was ~5% of the server's time under load.
            # Pooled connections are opened once; Rasa uses them from its one event loop.
            self.engine.dispose()
            self.engine = create_engine(self.engine.url, poolclass=QueuePool,
                                        connect_args={"check_same_thread": False})
            event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sessionmaker(bind=self.engine)

    # Rasa finds the events to insert by counting the conversation's rows again on every
    # save (a subquery per turn: ~9% of the server's time under load). A tracker object
    # loaded from, or last saved to, this store carries how many of its events are rows.
    async def _retrieve(self, sender_id: Text,
                        fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        # Rasa's own query, reading only the JSON column: building an ORM object per row
        # first was a third of the time it took to load a conversation.
        events = self.SQLEvent.__table__
        query = select(events.c.data).where(events.c.sender_id == sender_id)
        if not fetch_events_from_all_sessions:  # the latest session only, as Rasa does
            start = (select(func.max(events.c.timestamp))
                     .where(events.c.sender_id == sender_id,
                            events.c.type_name == SessionStarted.type_name)
                     .scalar_subquery())
            query = query.where(or_(events.c.timestamp >= start, start.is_(None)))
        with self.session_scope() as session:
            rows = session.execute(query.order_by(events.c.id)).scalars().all()
        if not self.domain or not rows:
            return None
        tracker = DialogueStateTracker.from_dict(
            sender_id, [json.loads(row) for row in rows], self.domain.slots)
        if not fetch_events_from_all_sessions:
            setattr(tracker, _STORED, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save, with one multi-row INSERT instead of an ORM object per event (the
        ORM's unit of work was over half of the time spent saving a turn)."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = []
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                rows.append({
                    "sender_id": tracker.sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                })
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()
        setattr(tracker, _STORED, len(tracker.events))

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = getattr(tracker, _STORED, None)
        if stored is None:  # a tracker this store did not load (new, or a copy): count
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))
