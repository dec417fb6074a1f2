"""The drafts database: one engine per process, tables created on first use.

Why no Alembic (yet): the schema is two tables that `create_all` makes idempotently
on first use by either process (action server or web page), on SQLite or PostgreSQL.
The first schema change should add Alembic with this schema as its base revision.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool

from bot.settings import settings
from bot.storage.models import Base

_lock = threading.Lock()
_engine: Engine | None = None


def make_engine(url: str) -> Engine:
    # hide_parameters: a failed statement is logged without its values, so a
    # parent's text never reaches a log file.
    kwargs: dict[str, Any] = {"future": True, "hide_parameters": True}
    if not url.startswith("sqlite"):
        # A server connection can drop while pooled (restart, idle timeout); a local
        # SQLite file cannot, so it skips the extra SELECT 1 on every checkout.
        kwargs["pool_pre_ping"] = True
    else:
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        if make_url(url).database not in (None, "", ":memory:"):
            # SQLAlchemy 1.4 opens and closes a file database's connection for every
            # unit of work (NullPool); a pool keeps them open (a fifth of the action
            # server's database time). Each is used by one thread at a time.
            kwargs["poolclass"] = QueuePool
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    ensure_schema(engine)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # ON DELETE CASCADE for concerns
    cursor.execute("PRAGMA journal_mode=WAL")  # the web page reads while we write
    # Deleted rows are overwritten with zeros, not left readable in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def after_delete(engine: Engine) -> None:
    """After a delete: on SQLite, copies the write-ahead log into the database file and
    empties it, so the deleted words are in no file (secure_delete has zeroed them in the
    database file). A reader holding the log open makes the checkpoint partial; the next
    delete or the retention job finishes it. PostgreSQL deletes rows for real already
    (its dead tuples are vacuumed; nothing else is kept by this bot)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def ensure_schema(engine: Engine) -> None:
    """Creates the tables if missing. Two processes may race to create them; the
    loser's error is fine as long as the tables now exist."""
    try:
        Base.metadata.create_all(engine, checkfirst=True)
    except DBAPIError:
        existing = set(inspect(engine).get_table_names())
        if not set(Base.metadata.tables) <= existing:
            raise


def default_engine() -> Engine:
    """The engine for the drafts database (bot/settings.py), made once per process."""
    global _engine
    with _lock:
        if _engine is None:
            _engine = make_engine(settings().database_url("drafts"))
        return _engine
