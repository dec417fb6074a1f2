"""What a draft is, as the rest of the bot sees it: frozen snapshots that storage
returns (never live ORM objects, so callers in other threads cannot touch a closed
session). An answer that is None has not been given; "" means the parent skipped it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class StepRef:
    """Which step is being asked: a step of the table (bot/draft/steps.py), and for the
    concern steps which concern ("consider" for concern 12, "concern" rewriting 12).
    Strings like "consider:12" exist only where it is stored: the `draft_step` slot and
    the `editing` column (`str(ref)`, `StepRef.parse`)."""

    step: str
    concern_id: int | None = None

    def __str__(self) -> str:
        return self.step if self.concern_id is None else f"{self.step}:{self.concern_id}"

    @classmethod
    def parse(cls, stored: str) -> StepRef:
        step, _, concern = stored.partition(":")
        return cls(step, int(concern) if concern.isdigit() else None)


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
    # Every stored text answer, by the field the step table names (steps.STEPS):
    # child_name, child_age_text, strengths, ...
    answers: Mapping[str, str | None]
    child_age: int | None  # estimated years, from the age step's answer
    concerns: tuple[ConcernView, ...]
    concerns_done: bool
    editing: StepRef | None  # the part the parent asked to change at review
    composed: str | None
    created_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status == "finished"

    @property
    def child_name(self) -> str | None:
        return self.answers.get("child_name")

    def answer(self, field: str) -> str | None:
        return self.answers.get(field)

    def concern(self, concern_id: int | None) -> ConcernView | None:
        return next((c for c in self.concerns if c.id == concern_id), None)


class DraftNotFound(LookupError):
    """The draft was deleted (maybe from another tab) while someone was using it."""


class DraftStore(Protocol):
    """What the draft builder needs from storage (bot.storage.repository.DraftRepository
    is the one implementation). Each call is one committed transaction."""

    def get(self, draft_id: str | None) -> DraftView | None: ...

    def create(self, **fields: Any) -> tuple[DraftView, str]: ...

    def update(self, draft_id: str, **fields: Any) -> DraftView: ...

    def add_concern(
        self, draft_id: str, happens: str, area: str | None, **fields: Any
    ) -> tuple[DraftView, int]: ...

    def update_concern(self, draft_id: str, concern_id: int, **fields: Any) -> DraftView: ...

    def remove_concern(self, draft_id: str, concern_id: int, **fields: Any) -> DraftView: ...

    def finish(self, draft_id: str, composed: str) -> tuple[DraftView, str]: ...

    def delete(self, draft_id: str | None) -> bool: ...

    def new_code(self, draft_id: str) -> str: ...

    def conversations(self, draft_id: str) -> list[str]: ...
