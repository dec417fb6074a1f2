"""The draft tables. Table names carry an `iep_` prefix because, with PostgreSQL, the
drafts share one database with Rasa's own tracker tables (events, ...).

A field that is None has not been asked yet; "" means the parent skipped it. The
flow uses that difference to resume at the right step.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import declarative_base, relationship

# SQLAlchemy 1.4 ships no type information: to mypy its declarative base is Any.
Base: Any = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Draft(Base):
    __tablename__ = "iep_drafts"

    id = Column(String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    # Only hashes: a leaked database does not open anyone's draft.
    resume_code_hash = Column(String(64), nullable=False, unique=True)
    download_secret_hash = Column(String(64), unique=True)
    status = Column(String(16), nullable=False, default="in_progress")

    child_name = Column(Text)
    child_age_text = Column(Text)  # what the parent typed ("9", "4th grade")
    child_age = Column(Integer)  # estimated years; 14+ turns on transition questions
    strengths = Column(Text)
    supports = Column(Text)
    concerns_done = Column(Boolean, nullable=False, default=False)
    this_year = Column(Text)
    vision = Column(Text)
    student_after = Column(Text)  # the student's own words: school, training, work
    student_living = Column(Text)  # the student's own words: where and how to live
    # The part the parent asked to change at review ("vision", "concern:3", ...).
    editing = Column(String(40))
    # JSON of the draft as the parent confirmed it; the download is built from it.
    composed = Column(Text)

    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
    finished_at = Column(DateTime(timezone=True))

    concerns = relationship(
        "Concern", order_by="Concern.position", cascade="all, delete-orphan", passive_deletes=True
    )


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
