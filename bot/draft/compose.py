"""Turns a parent's answers into the two IEP sections, in the parent's voice.

The result is plain data (JSON-able) so the same text is shown at review, stored when
the parent confirms, and exported to Word and plain text without spaCy. It is written
in one language (`lang`), kept with it, so the export speaks the draft's language.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date

from bot import content
from bot.draft.language import group_by_area, tidy, use_name
from bot.draft.model import DraftView
from bot.draft.steps import STEPS, IepSection, Kind

# Heading and note of each section, in the draft's order.
SECTION_TEXTS = {
    IepSection.CONCERNS: ("draft.doc.concerns.heading", "draft.doc.concerns.note"),
    IepSection.VISION: ("draft.doc.vision.heading", "draft.doc.vision.note"),
}


@dataclass
class Paragraph:
    text: str
    label: str | None = None


@dataclass
class Section:
    key: str
    heading: str
    note: str
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class ComposedDraft:
    child: str  # the name, or "" when the parent skipped it
    written_on: str  # ISO date
    sections: list[Section]
    reminder: str
    lang: str = content.DEFAULT_LANGUAGE

    @property
    def title(self) -> str:
        if self.child:
            return content.text("draft.doc.title", self.lang, child=self.child)
        return content.text("draft.doc.title_unnamed", self.lang)

    @property
    def date_text(self) -> str:
        day = date.fromisoformat(self.written_on)
        return f"{day.strftime('%B')} {day.day}, {day.year}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> ComposedDraft:
        data = json.loads(raw)
        lang = data.get("lang", content.DEFAULT_LANGUAGE)
        sections = [
            Section(s["key"], s["heading"], s["note"], [Paragraph(**p) for p in s["paragraphs"]])
            for s in data["sections"]
        ]
        return cls(
            data["child"],
            data["written_on"],
            sections,
            data.get("reminder") or content.text("draft.doc.reminder", lang),
            lang,
        )


def area_title(area: str, lang: str = content.DEFAULT_LANGUAGE) -> str:
    return content.text(f"draft.area.{area}", lang)


def _lower_start(text: str, name: str) -> str:
    """ "Social skills help." -> "social skills help." after a colon, unless it
    starts with I, a name or an acronym."""
    first = text.split(" ", 1)[0].strip(".,")
    if not first or first == "I" or first == name or (len(first) > 1 and first.isupper()):
        return text
    return text[:1].lower() + text[1:]


def compose(
    draft: DraftView, today: date | None = None, lang: str = content.DEFAULT_LANGUAGE
) -> ComposedDraft:
    name = draft.child_name or ""
    day = (draft.finished_at.date() if draft.finished_at else None) or today or date.today()
    values: dict[str, str] = {
        "child": name or content.text("draft.doc.child_unnamed", lang),
        "owner": content.text("draft.doc.owner", lang, child=name)
        if name
        else content.text("draft.doc.owner_unnamed", lang),
    }

    def parent_words(text: str | None) -> str:
        return use_name(tidy(text, name or None), name or None) if text else ""

    sections = []
    for part, (heading, note) in SECTION_TEXTS.items():
        section = Section(part.value, content.text(heading, lang), content.text(note, lang))
        for step in STEPS:
            if step.section is not part:
                continue
            if step.kind is Kind.CONCERN:
                section.paragraphs += _concerns(draft, parent_words, lang)
                continue
            answer = draft.answer(step.field) if step.field else None
            if not answer:
                continue
            # The student's own words: tidied, never re-voiced.
            words = tidy(answer, name or None) if step.students_words else parent_words(answer)
            label = content.text(step.label, lang, **values) if step.label else None
            section.paragraphs.append(Paragraph(words, label))
        sections.append(section)
    return ComposedDraft(
        name, day.isoformat(), sections, content.text("draft.doc.reminder", lang), lang
    )


def _concerns(
    draft: DraftView, parent_words: Callable[[str | None], str], lang: str
) -> list[Paragraph]:
    """The concerns grouped by area (each group titled once), then a closing line."""
    name = draft.child_name or ""
    paragraphs = []
    for area, items in group_by_area(draft.concerns, lambda c: c.area):
        for index, concern in enumerate(items):
            text = parent_words(concern.happens)
            if concern.consider:
                text = content.text(
                    "draft.doc.consider",
                    lang,
                    happens=text,
                    consider=_lower_start(parent_words(concern.consider), name),
                )
            paragraphs.append(Paragraph(text, area_title(area, lang) if index == 0 else None))
    if draft.concerns:
        paragraphs.append(Paragraph(content.text("draft.doc.closing", lang)))
    return paragraphs
