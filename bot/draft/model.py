"""What a draft is, as the rest of the bot sees it: frozen snapshots that storage
returns (never live ORM objects, so callers in other threads cannot touch a closed
session). A field that is None has not been answered; "" means the parent skipped it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ConcernView:
    id: int
    position: int
    happens: str
    consider: str | None
    area: str | None


@dataclass(frozen=True)
class DraftView:
    id: str
    status: str
    child_name: str | None
    child_age_text: str | None
    child_age: int | None
    strengths: str | None
    supports: str | None
    concerns: tuple[ConcernView, ...]
    concerns_done: bool
    this_year: str | None
    vision: str | None
    student_after: str | None
    student_living: str | None
    editing: str | None
    composed: str | None
    created_at: datetime
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status == "finished"

    def concern(self, concern_id: int) -> ConcernView | None:
        return next((c for c in self.concerns if c.id == concern_id), None)
