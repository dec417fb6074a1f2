"""Rasa's SQL tracker store, configured from IEP_DATABASE_URL (see bot/settings.py).

Rasa's built-in `type: SQL` takes host/db/user fields one by one; this keeps the
project's one-setting switch between SQLite and PostgreSQL. On SQLite it turns on
write-ahead logging: without it every saved turn waits for a full fsync, which was
a fifth of the server's time under load. WAL with synchronous=NORMAL survives a
crash or restart of the server; only a power cut can lose the last few turns
(production uses PostgreSQL).

Loading and saving a turn are also cheaper than in Rasa's class (each change measured
with `make bench`'s profile, and each kept to Rasa's behaviour by
tests/server/test_patches.py on SQLite and PostgreSQL): last turn's tracker is kept
while the database proves it current, events are inserted in one statement, and the
rows already stored are remembered instead of counted again.

Privacy (issue 14): what is stored of an event has every resume code and download secret
redacted (the parent saw them; the database keeps none). And "delete my draft" ends with
the slot `forget_conversation` set (bot/draft/flow.py `forget`, used by the form and by
action_delete_draft): on that save the store deletes every stored row of the conversation
(and of the other conversations that held the draft, named in the slot), keeps only what
comes after the marker, and drops its cached trackers. The conversation goes on without
its earlier slots (the parent's state too): it is forgotten whole. It has to happen
here: Rasa saves the turn's events after the action returns, so a delete done by the
action server itself would be written back by this save, and this store's cache would
still hold the old tracker.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.draft import flow
from bot.draft.codes import redact
from bot.server import patches
from bot.settings import settings

# How many of a tracker object's events are already rows in the database.
_STORED = "_iep_events_in_database"
# Conversations kept in memory between turns: enough for every parent typing right now
# on one worker (the benchmark's 50 at once); others are simply reloaded. 256 measured
# slower after a few thousand conversations (more memory to walk, nothing gained).
CACHED_CONVERSATIONS = 64
# The longest a turn waits for the tracker database (a lock, a statement, a connection).
DATABASE_WAIT_SECONDS = 5.0
# Set by the delete actions; its value lists other conversations to forget too.
FORGET_SLOT = "forget_conversation"
# What a new session does not carry over (domain.yml carries the other slots): the draft
# this chat had open and where its form stood. Coming back then takes the resume code.
LEFT_BEHIND = (
    *flow.FORGET_DRAFT,
    *flow.FORM_ENDED,
    FORGET_SLOT,
    "draft_answer",
    "draft_found",
)


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are zeroed, not left in free pages
    cursor.close()


# NLU's verdict: intent names and confidences, never the parent's words. Walking its
# ranking for codes was most of the redaction's cost (a tenth of the server's main
# thread under load), so it is kept as it is.
_NO_WORDS = frozenset({"intent", "intent_ranking", "response_selector"})


def _redacted(value: Any) -> Any:
    """An event's data with every code and secret in its strings redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: item if key in _NO_WORDS else _redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return value


def _forget_marker(events: list[Any]) -> tuple[int, set[str]] | None:
    """The index of the last "forget this conversation" event among `events`, and the
    other conversations it names; None without one."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, SlotSet) and event.key == FORGET_SLOT and event.value:
            others = event.value if isinstance(event.value, list) else []
            return index, {str(sender) for sender in others}
    return None


class ProjectSQLTrackerStore(SQLTrackerStore):
    engine: Any  # SQLAlchemy's, made by Rasa's __init__ and replaced below for SQLite

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        # The one place the Rasa patches are switched on. Every `rasa run` and `rasa shell`
        # of this project makes its tracker store from endpoints.yml (the launcher's copy
        # of it too), before the first message. The channels from credentials.yml would
        # miss `rasa shell` (it uses the command line channel only), and an NLU component
        # would switch them on in training and evaluation too. A server without them still
        # works, only slower; its log then lacks the "Rasa patches active" line, which
        # tests/system/test_run_command.py looks for.
        patches.apply()
        url = make_url(settings().database_url("tracker"))
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
        # The engine Rasa made, made again with what a parent-facing server needs. Its
        # calls run on Rasa's event loop, so each is bounded: a stalled database costs a
        # turn an apology (see the tracker-*-errors patches), not every parent a freeze.
        # A failed statement is logged without its values (a parent's words).
        url_made = self.engine.url
        self.engine.dispose()
        if url_made.get_backend_name() == "sqlite":
            # SQLAlchemy 1.4 opens (and closes) a new SQLite connection for every session
            # (NullPool); with the pragmas that was ~5% of the server's time under load.
            # Pooled connections are opened once; Rasa uses them from its one event loop.
            # A locked file is waited for DATABASE_WAIT_SECONDS at most.
            self.engine = create_engine(
                url_made,
                poolclass=QueuePool,
                hide_parameters=True,
                connect_args={"check_same_thread": False, "timeout": DATABASE_WAIT_SECONDS},
            )
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            # A pooled connection that died with a server restart is noticed before use
            # (pre-ping), so the first turn after a restart works; a statement or a
            # connection that hangs is cut off.
            # Rasa's own settings (pool size, schema) are kept.
            kwargs = create_engine_kwargs(url_made)
            connect_args = kwargs.pop("connect_args", {})
            timeout = f"-c statement_timeout={int(DATABASE_WAIT_SECONDS * 1000)}"
            connect_args["options"] = f"{connect_args.get('options', '')} {timeout}".strip()
            connect_args["connect_timeout"] = int(DATABASE_WAIT_SECONDS)
            self.engine = create_engine(
                url_made,
                pool_pre_ping=True,
                hide_parameters=True,
                connect_args=connect_args,
                **kwargs,
            )
        self.sessionmaker = sessionmaker(bind=self.engine)
        # sender id -> (domain, the conversation's rows in the database, its tracker)
        self._cache: OrderedDict[str, tuple[Any, int, DialogueStateTracker]] = OrderedDict()
        # sender ids that retrieve found without a single row (until their tracker is made)
        self._new_conversations: OrderedDict[str, None] = OrderedDict()

    # Loading a conversation means reading every event of its session and replaying
    # them into a tracker: the biggest cost of a turn in a long draft conversation. The
    # tracker saved last turn is kept, and used again only if the database still holds
    # exactly the rows it was saved with (one indexed count; another worker or process
    # writing to the conversation makes it reload) and nothing unsaved was added to it
    # (a turn that failed half-way). So a turn never sees anything the database lacks.
    def _rows_for(self, session: Any, sender_id: str) -> int:
        events = self.SQLEvent.__table__
        return session.execute(
            select(func.count()).select_from(events).where(events.c.sender_id == sender_id)
        ).scalar_one()

    def _remember(self, tracker: DialogueStateTracker, rows: int) -> None:
        cache = self._cache
        cache[tracker.sender_id] = (self.domain, rows, tracker)
        cache.move_to_end(tracker.sender_id)
        while len(cache) > CACHED_CONVERSATIONS:
            cache.popitem(last=False)

    # Rasa finds the events to insert by counting the conversation's rows again on every
    # save (a subquery per turn: ~9% of the server's time under load). A tracker object
    # loaded from, or last saved to, this store carries how many of its events are rows.
    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        tracker = await self._retrieve_kept_or_loaded(sender_id, fetch_events_from_all_sessions)
        if tracker is not None and not fetch_events_from_all_sessions:
            self._leave_draft_behind_if_expired(tracker)
        return tracker

    def _leave_draft_behind_if_expired(self, tracker: DialogueStateTracker) -> None:
        """A conversation whose session has expired is about to start a new one (Rasa's
        processor checks the same, next, and runs action_session_start, which carries
        every slot over). The draft it had open is let go first, so a conversation id
        alone (an hour later, or whoever else writes with it) never reopens a draft:
        "continue my draft" then takes the code. The slots set to None are stored in the
        old session, before its end."""
        config = self.domain.session_config if self.domain else None
        if config is None or not config.are_sessions_enabled():
            return
        last = tracker.get_last_event_for(UserUttered)
        if last is None or time.time() - last.timestamp <= config.session_expiration_time * 60:
            return
        stamp = tracker.events[-1].timestamp if tracker.events else None
        for name in LEFT_BEHIND:
            if tracker.get_slot(name) is not None:
                tracker.update(SlotSet(name, None, timestamp=stamp))

    async def _retrieve_kept_or_loaded(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            if fetch_events_from_all_sessions:
                return self._load(session, sender_id, True)
            cached = self._cache.pop(sender_id, None)
            rows = self._rows_for(session, sender_id)
            if cached is not None:
                domain, cached_rows, kept = cached
                if (
                    domain is self.domain
                    and cached_rows == rows
                    and getattr(kept, _STORED, None) == len(kept.events)
                ):
                    self._remember(kept, rows)
                    return kept
            # A conversation without a single row has nothing to load.
            tracker = self._load(session, sender_id, False) if rows else None
        if tracker is not None:
            self._remember(tracker, rows)
        elif rows == 0:
            self._new_conversations[sender_id] = None
            if len(self._new_conversations) > CACHED_CONVERSATIONS:
                self._new_conversations.popitem(last=False)
        return tracker

    def init_tracker(self, sender_id: str) -> DialogueStateTracker:
        # A conversation that retrieve just found has no rows starts with none stored:
        # its first save need not count them (an ORM count with a subquery).
        tracker = super().init_tracker(sender_id)
        if sender_id in self._new_conversations:
            del self._new_conversations[sender_id]
            setattr(tracker, _STORED, 0)
        return tracker

    def _load(
        self, session: Any, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        # Rasa's own query, reading only the JSON column: building an ORM object per row
        # first was a third of the time it took to load a conversation.
        rows = [
            data
            for (data,) in self._event_query(
                session,
                sender_id,
                fetch_events_from_all_sessions,
            ).with_entities(self.SQLEvent.data)
        ]
        if not self.domain or not rows:
            return None
        tracker = DialogueStateTracker.from_dict(
            sender_id, [json.loads(row) for row in rows], self.domain.slots
        )
        if not fetch_events_from_all_sessions:
            setattr(tracker, _STORED, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save, with one multi-row INSERT instead of an ORM object per event (the
        ORM's unit of work was over half of the time spent saving a turn)."""
        await self.stream_events(tracker)
        new_session = False
        forgotten: set[str] = set()
        with self.session_scope() as session:
            events = list(self._additional_events(session, tracker))
            marker = _forget_marker(events)
            if marker is not None:
                index, others = marker
                forgotten = {tracker.sender_id, *others}
                table = self.SQLEvent.__table__
                session.execute(table.delete().where(table.c.sender_id.in_(forgotten)))
                events = events[index + 1 :]
            rows = []
            for event in events:
                new_session = new_session or isinstance(event, SessionStarted)
                data = event.as_dict()
                rows.append(
                    {
                        "sender_id": tracker.sender_id,
                        "type_name": event.type_name,
                        "timestamp": data.get("timestamp"),
                        "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
                        "action_name": data.get("name"),
                        "data": json.dumps(_redacted(data)),
                    }
                )
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()
        setattr(tracker, _STORED, len(tracker.events))
        if forgotten:
            # The next turn starts from what the database now holds (nothing before the
            # marker); on SQLite the log is emptied so the deleted words are in no file.
            for sender in forgotten:
                self._cache.pop(sender, None)
            if self.engine.dialect.name == "sqlite":
                with self.engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return
        cached = self._cache.get(tracker.sender_id)
        if new_session:
            # Loaded from the database, a conversation starts at its latest session; this
            # object still holds the earlier one, so the next turn reloads, as in Rasa.
            self._cache.pop(tracker.sender_id, None)
        elif cached is not None and cached[2] is tracker:
            self._remember(tracker, cached[1] + len(rows))

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = getattr(tracker, _STORED, None)
        if stored is None:  # a tracker this store did not load (new, or a copy): count
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))
