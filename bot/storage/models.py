"""The draft tables. Table names carry an `iep_` prefix because, with PostgreSQL, the
drafts share one database with Rasa's own tracker tables (events, ...).

A field that is None has not been asked yet; "" means the parent skipped it. The
flow uses that difference to resume at the right step. Each stored answer of the step
table (bot/draft/steps.py) is a Text column named by its step's `field`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import declarative_base, relationship

from bot.draft import steps

if TYPE_CHECKING:

    class Base:
        """What type checkers see: SQLAlchemy 1.4 ships no type information."""

        metadata: Any
        __table__: Any

        def __init__(self, **columns: Any) -> None: ...
else:
    Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Draft(Base):
    __tablename__ = "iep_drafts"

    id = Column(String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    # Only hashes: a leaked database does not open anyone's draft.
    resume_code_hash = Column(String(64), nullable=False, unique=True)
    download_secret_hash = Column(String(64), unique=True)
    status = Column(String(16), nullable=False, default="in_progress")

    # child_name, child_age_text (as typed: "9", "4th grade"), strengths, ...: one Text
    # column per answer of the step table, added below the class.
    child_age = Column(Integer)  # estimated years; 14+ turns on transition questions
    concerns_done = Column(Boolean, nullable=False, default=False)
    # The part the parent asked to change at review (str(StepRef): "vision", "concern:3").
    editing = Column(String(40))
    # JSON of the draft as the parent confirmed it; the download is built from it.
    composed = Column(Text)

    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
    finished_at = Column(DateTime(timezone=True))

    concerns = relationship(
        "Concern", order_by="Concern.position", cascade="all, delete-orphan", passive_deletes=True
    )


for _field in steps.text_fields():
    setattr(Draft, _field, Column(_field, Text))  # declarative maps it like a class attribute


class Concern(Base):
    __tablename__ = "iep_draft_concerns"

    id = Column(Integer, primary_key=True, autoincrement=True)
    draft_id = Column(
        String(32), ForeignKey("iep_drafts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position = Column(Integer, nullable=False)
    happens = Column(Text, nullable=False)  # what happens, in the parent's words
    consider = Column(Text)  # what the parent would like the team to consider
    area = Column(String(32))  # learning, communication, ... (bot/draft/language.py)


class DraftConversation(Base):
    """The conversations (sender ids) that wrote to or reopened a draft: deleting the
    draft also forgets what those conversations hold of it (bot/server/forget.py)."""

    __tablename__ = "iep_draft_conversations"

    draft_id = Column(String(32), ForeignKey("iep_drafts.id", ondelete="CASCADE"), primary_key=True)
    sender_id = Column(String(255), primary_key=True)


class CodeAttempt(Base):
    """One wrong resume code, by conversation or by (hashed) address: the window of
    recent ones limits guessing (bot/storage/attempts.py). Kept here, not in memory, so
    every worker and process of the bot counts together."""

    __tablename__ = "iep_code_attempts"

    id = Column(Integer, primary_key=True, autoincrement=True)
    key = Column(String(80), nullable=False, index=True)  # "sender:<hash>" or "address:<hash>"
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
