"""Reading and writing drafts. Every public method is one unit of work: it opens a
session, commits (or rolls back) and closes it before returning, so an answer is on
disk before the bot asks the next question. Methods return plain frozen snapshots,
never live ORM objects, so callers in other threads cannot touch a closed session.

The methods are blocking; async code calls them through `asyncio.to_thread`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.draft import steps
from bot.draft.codes import (
    code_hash,
    new_download_secret,
    new_resume_code,
    normalize_code,
    secret_hash,
)
from bot.draft.model import ConcernView, DraftNotFound, DraftView, StepRef
from bot.draft.text import clean_text
from bot.storage.database import after_delete
from bot.storage.models import Concern, Draft, DraftConversation, utcnow

__all__ = [
    "ConcernView",
    "DraftNotFound",
    "DraftRepository",
    "DraftView",
    "default_repository",
    "repository_if_made",
    "use_repository",
]

# Fields the flow may write; anything else is a programming error. The parent's
# answers are the step table's fields.
TEXT_FIELDS = tuple(steps.text_fields())
OTHER_FIELDS = ("child_age", "concerns_done", "editing", "status", "composed")


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; every one stored here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _view(draft: Draft) -> DraftView:
    return DraftView(
        id=draft.id,
        status=draft.status,
        answers={name: getattr(draft, name) for name in TEXT_FIELDS},
        child_age=draft.child_age,
        concerns=tuple(
            ConcernView(c.id, c.position, c.happens, c.consider, c.area) for c in draft.concerns
        ),
        concerns_done=bool(draft.concerns_done),
        editing=StepRef.parse(draft.editing) if draft.editing else None,
        composed=draft.composed,
        created_at=draft.created_at,
        finished_at=draft.finished_at,
    )


class DraftRepository:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, future=True, expire_on_commit=False)

    @contextmanager
    def _unit_of_work(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    @staticmethod
    def _load(session: Session, draft_id: str, for_update: bool = False) -> Draft:
        query = select(Draft).where(Draft.id == draft_id).options(selectinload(Draft.concerns))
        if for_update:
            query = query.with_for_update()  # two tabs on one draft: one at a time
        draft: Draft | None = session.execute(query).scalar_one_or_none()
        if draft is None:
            raise DraftNotFound(draft_id)
        return draft

    # ------------------------------------------------------------------ create/find
    def create(self, **fields: Any) -> tuple[DraftView, str]:
        """A new draft with its first answers; returns it and its resume code (the
        only time the code exists in readable form on the server side)."""
        for _ in range(3):
            code = new_resume_code()
            try:
                with self._unit_of_work() as session:
                    draft = Draft(resume_code_hash=code_hash(code))
                    self._apply(draft, fields)
                    session.add(draft)
                    session.flush()
                    draft_id = draft.id
                view = self.get(draft_id)
                if view is None:  # deleted in the same instant, by its only code holder
                    raise DraftNotFound(draft_id)
                return view, code
            except IntegrityError:  # a code collision: astronomically rare, try again
                continue
        raise RuntimeError("could not create a draft")

    def get(self, draft_id: str | None) -> DraftView | None:
        if not draft_id:
            return None
        with self._unit_of_work() as session:
            try:
                return _view(self._load(session, draft_id))
            except DraftNotFound:
                return None

    def find_by_code(self, code: str, changed_since: datetime | None = None) -> DraftView | None:
        """The draft a code opens; with `changed_since`, not one left unchanged longer
        (an expired code stops working before the retention pass deletes its draft)."""
        if normalize_code(code) is None:
            return None
        draft = self._find_one(Draft.resume_code_hash == code_hash(code))
        if draft is not None and changed_since is not None:
            with self._unit_of_work() as session:
                changed = session.execute(
                    select(Draft.updated_at).where(Draft.id == draft.id)
                ).scalar_one_or_none()
            if changed is None or _aware(changed) < changed_since:
                return None
        return draft

    def find_by_download_secret(self, secret: str) -> DraftView | None:
        return self._find_one(Draft.download_secret_hash == secret_hash(secret))

    def _find_one(self, where: Any) -> DraftView | None:
        """The draft matching a hashed-secret condition, with its concerns, or None."""
        with self._unit_of_work() as session:
            draft = session.execute(
                select(Draft).where(where).options(selectinload(Draft.concerns))
            ).scalar_one_or_none()
            return _view(draft) if draft else None

    # ------------------------------------------------------------------ update
    @staticmethod
    def _apply(draft: Draft, fields: dict[str, Any]) -> None:
        for key, value in fields.items():
            if key in TEXT_FIELDS:
                value = None if value is None else clean_text(value)
            elif key == "editing":
                value = None if value is None else str(value)  # a StepRef, stored as text
            elif key not in OTHER_FIELDS:
                raise ValueError(f"unknown draft field {key}")
            setattr(draft, key, value)

    def update(self, draft_id: str, **fields: Any) -> DraftView:
        with self._unit_of_work() as session:
            draft = self._load(session, draft_id, for_update=True)
            self._apply(draft, fields)
            session.flush()
            return _view(draft)

    def add_concern(
        self, draft_id: str, happens: str, area: str | None, **fields: Any
    ) -> tuple[DraftView, int]:
        with self._unit_of_work() as session:
            draft = self._load(session, draft_id, for_update=True)
            position = max((c.position for c in draft.concerns), default=0) + 1
            concern = Concern(position=position, happens=clean_text(happens), area=area)
            draft.concerns.append(concern)
            self._apply(draft, fields)
            session.flush()
            return _view(draft), concern.id

    def update_concern(self, draft_id: str, concern_id: int, **fields: Any) -> DraftView:
        """Sets happens/consider/area of one concern (and optional draft fields,
        e.g. editing=None, in the same transaction)."""
        draft_fields = {
            k: fields.pop(k) for k in list(fields) if k not in ("happens", "consider", "area")
        }
        with self._unit_of_work() as session:
            draft = self._load(session, draft_id, for_update=True)
            concern = next((c for c in draft.concerns if c.id == concern_id), None)
            if concern is None:
                raise DraftNotFound(f"{draft_id}/{concern_id}")
            for key, value in fields.items():
                setattr(
                    concern,
                    key,
                    clean_text(value) if key != "area" and value is not None else value,
                )
            self._apply(draft, draft_fields)
            draft.updated_at = utcnow()
            session.flush()
            return _view(draft)

    def remove_concern(self, draft_id: str, concern_id: int, **fields: Any) -> DraftView:
        with self._unit_of_work() as session:
            draft = self._load(session, draft_id, for_update=True)
            draft.concerns[:] = [c for c in draft.concerns if c.id != concern_id]
            self._apply(draft, fields)
            draft.updated_at = utcnow()
            session.flush()
            return _view(draft)

    def finish(self, draft_id: str, composed: str) -> tuple[DraftView, str]:
        """Marks the draft finished with the text the parent confirmed; returns it and
        a new secret for its download links (earlier links stop working)."""
        secret = new_download_secret()
        with self._unit_of_work() as session:
            draft = self._load(session, draft_id, for_update=True)
            draft.status = "finished"
            draft.composed = composed
            draft.editing = None
            draft.finished_at = utcnow()
            draft.download_secret_hash = secret_hash(secret)
            session.flush()
            return _view(draft), secret

    def new_code(self, draft_id: str) -> str:
        """A fresh resume code for the draft; the one shown before stops working. Codes
        are never kept readable, so "stop" can only ever offer a new one."""
        for _ in range(3):
            code = new_resume_code()
            try:
                with self._unit_of_work() as session:
                    draft = self._load(session, draft_id, for_update=True)
                    draft.resume_code_hash = code_hash(code)
                return code
            except IntegrityError:  # a code collision: astronomically rare, try again
                continue
        raise RuntimeError("could not make a resume code")

    def link_conversation(self, draft_id: str, sender_id: str) -> None:
        """Remembers that conversation `sender_id` holds words of this draft."""
        with self._unit_of_work() as session:
            if session.get(DraftConversation, (draft_id, sender_id)) is None:
                session.add(DraftConversation(draft_id=draft_id, sender_id=sender_id))

    def conversations(self, draft_id: str) -> list[str]:
        with self._unit_of_work() as session:
            rows = session.execute(
                select(DraftConversation.sender_id).where(DraftConversation.draft_id == draft_id)
            )
            return sorted(sender for (sender,) in rows)

    def delete(self, draft_id: str | None) -> bool:
        if not draft_id:
            return False
        with self._unit_of_work() as session:
            # Children first, so it also works where the database ignores ON DELETE.
            session.execute(delete(Concern).where(Concern.draft_id == draft_id))
            session.execute(delete(DraftConversation).where(DraftConversation.draft_id == draft_id))
            result = session.execute(delete(Draft).where(Draft.id == draft_id))
            deleted = bool(result.rowcount > 0)
        after_delete(self.engine)
        return deleted

    def delete_unchanged_since(self, cutoff: datetime) -> int:
        """Retention: deletes every draft last changed before `cutoff`; how many."""
        with self._unit_of_work() as session:
            old = select(Draft.id).where(Draft.updated_at < cutoff).scalar_subquery()
            plain = {"synchronize_session": False}  # no ORM objects are loaded here
            for table in (Concern, DraftConversation):
                session.execute(
                    delete(table).where(table.draft_id.in_(old)), execution_options=plain
                )
            count = int(
                session.execute(
                    delete(Draft).where(Draft.id.in_(old)), execution_options=plain
                ).rowcount
            )
        if count:
            after_delete(self.engine)
        return count


_default: DraftRepository | None = None


def default_repository() -> DraftRepository:
    """The repository on the drafts database of bot/settings.py (made on first use,
    which also creates the tables)."""
    global _default
    if _default is None:
        from bot.storage.database import default_engine

        _default = DraftRepository(default_engine())
    return _default


def repository_if_made() -> DraftRepository | None:
    """The repository if it exists already (no database work), else None."""
    return _default


def use_repository(repository: DraftRepository | None) -> None:
    """Points the actions at another database (tests use it for PostgreSQL)."""
    global _default
    _default = repository
