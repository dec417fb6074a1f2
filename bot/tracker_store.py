"""Rasa's SQL tracker store, configured from IEP_DATABASE_URL (see bot/settings.py).

Rasa's built-in `type: SQL` takes host/db/user fields one by one; this keeps the
project's one-setting switch between SQLite and PostgreSQL. On SQLite it turns on
write-ahead logging: without it every saved turn waits for a full fsync, which was
a fifth of the server's time under load. WAL with synchronous=NORMAL survives a
crash or restart of the server; only a power cut can lose the last few turns
(production uses PostgreSQL).
"""
from __future__ import annotations

from typing import Any, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

import bot.rasa_speedups  # noqa: F401  (patches applied on import)
from bot.settings import database_url


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
