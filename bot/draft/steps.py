"""The steps of the draft: one table (STEPS) that the form, storage, review, editor and
export all loop over, which step comes next, and how each is asked.

Progress lives in the database, not in the conversation: the next step is always
worked out from what is saved, so a resumed draft (another day, another device)
continues exactly where it stopped. An answer that is None has not been given; ""
means the parent skipped it.

Adding a step is one entry in STEPS plus its texts in data/texts/draft.yml (its stored
field becomes a column of iep_drafts: an existing database needs that column added).
Every sentence is a key into data/texts/ (bot/content.py); prompts keep their exact
words (browser tests and parents rely on them), only the child's name and counts change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import Enum
from typing import TYPE_CHECKING

from bot import content
from bot.content import Message
from bot.draft.model import DraftView, StepRef
from bot.draft.text import quote, show

if TYPE_CHECKING:  # compose imports this table; these are only types here
    from bot.draft.compose import ComposedDraft, Section

TRANSITION_AGE = 14  # from 14 the vision includes the student's own words
CONCERNS_SUGGESTED = 4


class Kind(Enum):
    """How a step's answer is read and kept; the table says which steps are which."""

    NAME = "name"  # the child's name: parsed; the first answer creates the draft
    AGE = "age"  # an age or grade, kept as typed and as years
    TEXT = "text"  # the parent's words, kept in the step's field
    CONCERN = "concern"  # one more concern, or (with a concern id) rewriting one
    CONSIDER = "consider"  # what the team should consider about one concern
    REVIEW = "review"  # the whole draft, to confirm or change


class IepSection(str, Enum):
    """The two IEP sections the draft writes (compose.py), in the draft's order."""

    CONCERNS = "concerns"
    VISION = "vision"


@dataclass(frozen=True, eq=False)
class Step:
    key: str  # names the step in the draft_step slot and the `editing` column
    number: int  # "Step {number} of 6"
    title: str  # text keys (data/texts/draft.yml) ...
    prompt: str
    kind: Kind = Kind.TEXT
    field: str | None = None  # the stored answer: a Text column, DraftView.answers
    example: str | None = None
    teen_example: str | None = None  # the example from TRANSITION_AGE
    min_words: int = 1  # fewer words get a gentle nudge
    from_age: int | None = None  # asked only of students this old
    # Where the answer goes in the draft, and the label it gets there.
    section: IepSection | None = None
    label: str | None = None
    students_words: bool = False  # tidied only, never re-voiced ("I want ..." stays)
    # What parents type at review to change this part, per language (a regex), and
    # which step's words parse_edit tries first (lowest rank): specific words before
    # general ones ("after high school" before "vision", "loves" before "grade").
    edit_words: Mapping[str, str] = dataclass_field(default_factory=dict)
    edit_rank: int = 0


STEPS: tuple[Step, ...] = (
    Step(
        key="child_name",
        number=1,
        title="draft.step.child_name.title",
        prompt="draft.step.child_name.prompt",
        kind=Kind.NAME,
        field="child_name",
        edit_words={"en": r"\bname\b"},
        edit_rank=7,
    ),
    Step(
        key="child_age",
        number=1,
        title="draft.step.child_age.title",
        prompt="draft.step.child_age.prompt",
        kind=Kind.AGE,
        field="child_age_text",
        example="draft.step.child_age.example",
        edit_words={"en": r"\b(age|grade|how old)\b"},
        edit_rank=8,
    ),
    Step(
        key="strengths",
        number=2,
        title="draft.step.strengths.title",
        prompt="draft.step.strengths.prompt",
        field="strengths",
        example="draft.step.strengths.example",
        min_words=2,
        section=IepSection.CONCERNS,
        label="draft.step.strengths.label",
        edit_words={"en": r"\b(strengths?|good at|proud|loves?)\b"},
        edit_rank=1,
    ),
    Step(
        key="supports",
        number=2,
        title="draft.step.supports.title",
        prompt="draft.step.supports.prompt",
        field="supports",
        example="draft.step.supports.example",
        min_words=2,
        section=IepSection.CONCERNS,
        label="draft.step.supports.label",
        edit_words={"en": r"\b(what helps|helps|supports?|strateg(y|ies))\b"},
        edit_rank=2,
    ),
    # Concerns are rows of their own (iep_draft_concerns); parse_edit finds them by
    # their own words (interpret.Phrases). A concern waits for its "consider" before
    # the next concern is asked.
    Step(
        key="concern",
        number=3,
        title="draft.step.concern.title",
        prompt="draft.step.concern.prompt",
        kind=Kind.CONCERN,
        example="draft.step.concern.example",
        min_words=3,
        section=IepSection.CONCERNS,
    ),
    Step(
        key="consider",
        number=3,
        title="draft.step.consider.title",
        prompt="draft.step.consider.prompt",
        kind=Kind.CONSIDER,
        example="draft.step.consider.example",
        min_words=2,
    ),
    Step(
        key="this_year",
        number=4,
        title="draft.step.this_year.title",
        prompt="draft.step.this_year.prompt",
        field="this_year",
        example="draft.step.this_year.example",
        min_words=3,
        section=IepSection.VISION,
        label="draft.step.this_year.label",
        edit_words={"en": r"\b(this year|good year)\b"},
        edit_rank=3,
    ),
    Step(
        key="vision",
        number=5,
        title="draft.step.vision.title",
        prompt="draft.step.vision.prompt",
        field="vision",
        example="draft.step.vision.example",
        teen_example="draft.step.vision.example_teen",
        min_words=3,
        section=IepSection.VISION,
        label="draft.step.vision.label",
        edit_words={"en": r"\b(vision|future|1 to 5|five years|5 years)\b"},
        edit_rank=6,
    ),
    Step(
        key="student_after",
        number=5,
        title="draft.step.student_after.title",
        prompt="draft.step.student_after.prompt",
        field="student_after",
        example="draft.step.student_after.example",
        min_words=2,
        from_age=TRANSITION_AGE,
        section=IepSection.VISION,
        label="draft.step.student_after.label",
        students_words=True,
        edit_rank=4,
        edit_words={"en": r"\b(after high school|job|work|college|career|training)\b"},
    ),
    Step(
        key="student_living",
        number=5,
        title="draft.step.student_living.title",
        prompt="draft.step.student_living.prompt",
        field="student_living",
        example="draft.step.student_living.example",
        min_words=2,
        from_age=TRANSITION_AGE,
        section=IepSection.VISION,
        label="draft.step.student_living.label",
        students_words=True,
        edit_words={"en": r"\b(live|living|apartment)\b"},
        edit_rank=5,
    ),
    Step(
        key="review",
        number=6,
        title="draft.step.review.title",
        prompt="draft.step.review.prompt",
        kind=Kind.REVIEW,
    ),
)


# Lookups read STEPS when called, so a table extended before use (a test adds a
# throwaway step) is seen everywhere.
def step_of(ref: StepRef) -> Step:
    return by_key(ref.step)


def by_key(key: str) -> Step:
    for step in STEPS:
        if step.key == key:
            return step
    raise ValueError(f"unknown step {key}")


def of_kind(kind: Kind) -> Step:
    return next(step for step in STEPS if step.kind is kind)


def text_fields() -> list[str]:
    """The stored text answers, in table order (storage makes a column of each)."""
    return [step.field for step in STEPS if step.field]


def total_steps() -> int:
    return max(step.number for step in STEPS)


def is_transition_age(draft: DraftView | None) -> bool:
    return bool(draft and draft.child_age is not None and draft.child_age >= TRANSITION_AGE)


def is_asked(step: Step, draft: DraftView | None) -> bool:
    """False for a step this child is too young for (the student's own vision)."""
    return step.from_age is None or bool(
        draft and draft.child_age is not None and draft.child_age >= step.from_age
    )


def next_step(draft: DraftView | None) -> StepRef:
    if draft is None:
        return StepRef(STEPS[0].key)
    if draft.editing:
        return draft.editing
    for step in STEPS:
        waiting = _waiting(step, draft)
        if waiting is not None:
            return waiting
    raise ValueError("the step table has no review step")


def _waiting(step: Step, draft: DraftView) -> StepRef | None:
    """`step` if it still needs an answer from this draft, else None."""
    if not is_asked(step, draft):
        return None
    if step.kind is Kind.REVIEW:
        return StepRef(step.key)
    if step.kind is Kind.CONCERN:
        waits = draft.concerns_done or any(c.consider is None for c in draft.concerns)
        return None if waits else StepRef(step.key)
    if step.kind is Kind.CONSIDER:
        concern = next((c for c in draft.concerns if c.consider is None), None)
        return StepRef(step.key, concern.id) if concern else None
    assert step.field, f"step {step.key} stores nothing"
    return StepRef(step.key) if draft.answer(step.field) is None else None


def child(draft: DraftView | None, lang: str = content.DEFAULT_LANGUAGE) -> str:
    """How prompts name the child (already safe to show)."""
    if draft and draft.child_name:
        return show(draft.child_name)
    return content.text("draft.chat.who_unnamed", lang)


def concern_number(draft: DraftView, cid: int | None) -> int:
    ids = [c.id for c in draft.concerns]
    return ids.index(cid) + 1 if cid in ids else len(ids) + 1


def example(step: Step, draft: DraftView | None, lang: str = content.DEFAULT_LANGUAGE) -> str:
    key = step.teen_example if step.teen_example and is_transition_age(draft) else step.example
    if key is None:
        raise ValueError(f"step {step.key} has no example")
    return content.text(key, lang)


def ask(
    ref: StepRef,
    draft: DraftView | None,
    review: ComposedDraft | None = None,
    lang: str = content.DEFAULT_LANGUAGE,
) -> list[Message]:
    """The bot messages that ask for `ref` (review needs the composed draft)."""
    step = step_of(ref)
    who = child(draft, lang)
    values: dict[str, object] = {
        "who": who,
        "owner": content.text("draft.chat.owner", lang, who=who)
        if draft and draft.child_name
        else content.text("draft.chat.owner_unnamed", lang),
    }
    if step.example:
        values["example"] = example(step, draft, lang)
    prompt = step.prompt
    if step.kind is Kind.CONCERN:
        prompt = _concern_prompt(ref, draft, values, lang)
    elif step.kind is Kind.CONSIDER:
        concern = draft.concern(ref.concern_id) if draft and ref.concern_id is not None else None
        values["number"] = concern_number(draft, ref.concern_id) if draft else 1
        if concern:
            values["happens"] = quote(concern.happens)
        else:
            prompt = "draft.step.consider.prompt_unknown"
    header = content.text(
        "draft.step.header",
        lang,
        number=step.number,
        total=total_steps(),
        title=content.text(step.title, lang, **values),
    )
    first = content.message(prompt, lang, **values)
    messages = [{**first, "text": f"{header}\n{first['text']}"}]
    if step.kind is Kind.REVIEW:
        if review is not None:
            messages += [{"text": render_section(s, lang)} for s in review.sections]
        messages.append(review_question(lang))
    return messages


def _concern_prompt(
    ref: StepRef,
    draft: DraftView | None,
    values: dict[str, object],
    lang: str = content.DEFAULT_LANGUAGE,
) -> str:
    """The first concern, another one, or rewriting one: which text, with its values."""
    concern = draft.concern(ref.concern_id) if draft and ref.concern_id is not None else None
    if draft and concern:
        values.update(number=concern_number(draft, concern.id), happens=quote(concern.happens))
        return "draft.step.concern.redo"
    count = len(draft.concerns) if draft else 0
    if count == 0:
        return "draft.step.concern.prompt"
    so_far = (
        "draft.step.concern.so_far_many"
        if count >= CONCERNS_SUGGESTED
        else "draft.step.concern.so_far"
    )
    values["so_far"] = content.text(so_far, lang, count=count)
    return "draft.step.concern.another"


def review_question(lang: str = content.DEFAULT_LANGUAGE) -> Message:
    return content.message("draft.review.question", lang)


def render_section(section: Section, lang: str = content.DEFAULT_LANGUAGE) -> str:
    lines = [f"**{section.heading}**"]
    if not section.paragraphs:
        lines.append(content.text("draft.review.empty", lang))
    for paragraph in section.paragraphs:
        label = f"**{show(paragraph.label)}:** " if paragraph.label else ""
        lines.append(label + show(paragraph.text))
    return "\n\n".join(lines)


def nudge(ref: StepRef, count: int, lang: str = content.DEFAULT_LANGUAGE) -> str:
    """A gentle push for a too-short answer; the second one offers to skip (the name's
    already does)."""
    step = step_of(ref)
    if step.kind is Kind.NAME:
        return content.text("draft.nudge.name", lang)
    key = "draft.nudge.age" if step.kind is Kind.AGE else "draft.nudge.more"
    # The plain example, also for a teenager's vision: it shows the length wanted.
    text = content.text(key, lang, example=example(step, None, lang))
    if count >= 2:
        text += " " + content.text("draft.nudge.skip_offer", lang)
    return text
