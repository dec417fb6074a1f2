"""Turns a parent's answers into the two IEP sections, in the parent's voice.

The result is plain data (JSON-able) so the same text is shown at review, stored when
the parent confirms, and exported to Word and plain text without spaCy.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import List, Optional

from bot.draft.language import AREA_TITLES, group_by_area, tidy, use_name
from bot.draft.model import DraftView

# Massachusetts form wording: the long-used DESE form and the 2024 form.
CONCERNS_HEADING = "Parent and/or Student Concerns"
CONCERNS_NOTE = ("On the 2024 Massachusetts IEP form this section is called "
                 "“Student and Parent Concerns”. Other states may call it parent input.")
VISION_HEADING = "Vision Statement"
VISION_NOTE = ("On the 2024 Massachusetts IEP form this section is called "
               "“Student and Team Vision”.")
REMINDER = ("Reminder: send this to the IEP team before the meeting. Ask that it be "
            "included in the IEP word for word, and keep a copy for your records.")


@dataclass
class Paragraph:
    text: str
    label: Optional[str] = None


@dataclass
class Section:
    key: str
    heading: str
    note: str
    paragraphs: List[Paragraph] = field(default_factory=list)


@dataclass
class ComposedDraft:
    child: str  # the name, or "" when the parent skipped it
    written_on: str  # ISO date
    sections: List[Section]
    reminder: str = REMINDER

    @property
    def title(self) -> str:
        return f"Parent input for {self.child}'s IEP" if self.child else \
            "Parent input for my child's IEP"

    @property
    def date_text(self) -> str:
        day = date.fromisoformat(self.written_on)
        return f"{day.strftime('%B')} {day.day}, {day.year}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> "ComposedDraft":
        data = json.loads(raw)
        sections = [Section(s["key"], s["heading"], s["note"],
                            [Paragraph(**p) for p in s["paragraphs"]])
                    for s in data["sections"]]
        return cls(data["child"], data["written_on"], sections,
                   data.get("reminder", REMINDER))


def _lower_start(text: str, name: str) -> str:
    """"Social skills help." -> "social skills help." after a colon, unless it
    starts with I, a name or an acronym."""
    first = text.split(" ", 1)[0].strip(".,")
    if not first or first == "I" or first == name or (len(first) > 1 and first.isupper()):
        return text
    return text[:1].lower() + text[1:]


def compose(draft: DraftView, today: Optional[date] = None) -> ComposedDraft:
    name = draft.child_name or ""
    who = name or "my child"
    day = (draft.finished_at.date() if draft.finished_at else None) or today or date.today()

    def parent_words(text: Optional[str]) -> str:
        return use_name(tidy(text, name or None), name or None) if text else ""

    concerns = Section("concerns", CONCERNS_HEADING, CONCERNS_NOTE)
    if draft.strengths:
        concerns.paragraphs.append(Paragraph(parent_words(draft.strengths),
                                             f"What {who} does well"))
    if draft.supports:
        concerns.paragraphs.append(Paragraph(parent_words(draft.supports),
                                             f"What helps {who}"))
    for area, items in group_by_area(draft.concerns, lambda c: c.area):
        for index, concern in enumerate(items):
            text = parent_words(concern.happens)
            if concern.consider:
                text += (" We would like the team to consider: "
                         + _lower_start(parent_words(concern.consider), name))
            concerns.paragraphs.append(
                Paragraph(text, AREA_TITLES[area] if index == 0 else None))
    if draft.concerns:
        concerns.paragraphs.append(Paragraph(
            "Thank you for considering our concerns. We look forward to working "
            "together with the team."))

    vision = Section("vision", VISION_HEADING, VISION_NOTE)
    if draft.this_year:
        vision.paragraphs.append(Paragraph(parent_words(draft.this_year), "This year"))
    if draft.vision:
        vision.paragraphs.append(Paragraph(parent_words(draft.vision),
                                           "In the next 1 to 5 years"))
    # The student's own words: tidied, never re-voiced.
    owner = f"{name}'s" if name else "My child's"
    if draft.student_after:
        vision.paragraphs.append(Paragraph(
            tidy(draft.student_after, name or None),
            f"{owner} own vision: after high school (education, training, work)"))
    if draft.student_living:
        vision.paragraphs.append(Paragraph(
            tidy(draft.student_living, name or None),
            f"{owner} own vision: where and how to live"))
    return ComposedDraft(name, day.isoformat(), [concerns, vision])
