"""What a draft is, as the rest of the bot sees it: frozen snapshots that storage
returns (never live ORM objects, so callers in other threads cannot touch a closed
session). A field that is None has not been answered; "" means the parent skipped it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Tuple


@dataclass(frozen=True)
class ConcernView:
    id: int
    position: int
    happens: str
    consider: Optional[str]
    area: Optional[str]


@dataclass(frozen=True)
class DraftView:
    id: str
    status: str
    child_name: Optional[str]
    child_age_text: Optional[str]
    child_age: Optional[int]
    strengths: Optional[str]
    supports: Optional[str]
    concerns: Tuple[ConcernView, ...]
    concerns_done: bool
    this_year: Optional[str]
    vision: Optional[str]
    student_after: Optional[str]
    student_living: Optional[str]
    editing: Optional[str]
    composed: Optional[str]
    created_at: datetime
    finished_at: Optional[datetime]

    @property
    def finished(self) -> bool:
        return self.status == "finished"

    def concern(self, concern_id: int) -> Optional[ConcernView]:
        return next((c for c in self.concerns if c.id == concern_id), None)
