"""The parent's take-away: a Word document (python-docx) and plain text to paste into
an email, both from the composed draft the parent confirmed."""

from __future__ import annotations

from datetime import datetime, timezone
from io import BytesIO

from bot import content
from bot.draft.compose import ComposedDraft
from bot.draft.text import strip_unsafe

# The one shape of a download link: the web page serves it (bot/web/app.py), the
# finished draft's message links to it (actions/draft_closing.py).
DOWNLOAD_PATH = "/drafts/{secret}/{filename}"
DOCX_NAME = "iep-parent-input.docx"
TEXT_NAME = "iep-parent-input.txt"


def download_links(secret: str) -> dict[str, str]:
    """{"docx": url, "txt": url} of a finished draft, on the public web page."""
    from bot.settings import settings

    return {
        kind: settings().public_url + DOWNLOAD_PATH.format(secret=secret, filename=name)
        for kind, name in (("docx", DOCX_NAME), ("txt", TEXT_NAME))
    }


def to_docx(draft: ComposedDraft) -> bytes:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    props = doc.core_properties  # no "python-docx" author or a 2013 date from the template
    props.title = strip_unsafe(draft.title)
    props.author = props.comments = props.last_modified_by = ""
    props.created = props.modified = datetime.now(timezone.utc)
    doc.styles["Normal"].font.size = Pt(11)

    doc.add_heading(strip_unsafe(draft.title), level=0)
    doc.add_paragraph(content.text("draft.doc.date", draft.lang, date=draft.date_text))
    if draft.child:
        doc.add_paragraph(
            content.text("draft.doc.student", draft.lang, child=strip_unsafe(draft.child))
        )
    for section in draft.sections:
        doc.add_heading(section.heading, level=1)
        note = doc.add_paragraph()
        note.add_run(section.note).italic = True
        if not section.paragraphs:
            doc.add_paragraph(content.text("draft.doc.empty_section", draft.lang))
        for paragraph in section.paragraphs:
            p = doc.add_paragraph()
            if paragraph.label:
                p.add_run(strip_unsafe(paragraph.label) + ": ").bold = True
            # clean_text again: the document must open even if stored text predates
            # today's cleaning rules (Word refuses control characters).
            p.add_run(strip_unsafe(paragraph.text))
    reminder = doc.add_paragraph()
    reminder.add_run(draft.reminder).italic = True
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def to_text(draft: ComposedDraft) -> str:
    lines = [
        draft.title,
        "=" * len(draft.title),
        content.text("draft.doc.date", draft.lang, date=draft.date_text),
    ]
    if draft.child:
        lines.append(content.text("draft.doc.student", draft.lang, child=draft.child))
    for section in draft.sections:
        lines += ["", section.heading, "-" * len(section.heading), f"({section.note})", ""]
        if not section.paragraphs:
            lines.append(content.text("draft.doc.empty_section", draft.lang))
        for paragraph in section.paragraphs:
            label = f"{paragraph.label}: " if paragraph.label else ""
            lines += [label + paragraph.text, ""]
    lines += ["", draft.reminder, ""]
    return strip_unsafe("\n".join(lines))
