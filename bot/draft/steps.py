"""The six steps of the draft, which one comes next, and how each is asked.

Progress lives in the database, not in the conversation: the next step is always
worked out from what is saved, so a resumed draft (another day, another device)
continues exactly where it stopped. A field that is None has not been answered; ""
means the parent skipped it.

Prompts are fixed text (browser tests and parents rely on them); only the child's
name and counts change.
"""
from __future__ import annotations

from typing import Dict, List, Optional

from bot.draft.compose import ComposedDraft
from bot.draft.text import quote, show
from bot.draft.model import DraftView

TOTAL_STEPS = 6
TRANSITION_AGE = 14
STEP_NUMBERS = {"child_name": 1, "child_age": 1, "strengths": 2, "supports": 2,
                "concern": 3, "consider": 3, "this_year": 4, "vision": 5,
                "student_after": 5, "student_living": 5, "review": 6}
# The draft field each simple step fills.
FIELDS = {"child_name": "child_name", "child_age": "child_age_text",
          "strengths": "strengths", "supports": "supports", "this_year": "this_year",
          "vision": "vision", "student_after": "student_after",
          "student_living": "student_living"}
# Fewest words that make a useful answer; fewer gets a gentle nudge.
MIN_WORDS = {"strengths": 2, "supports": 2, "concern": 3, "consider": 2,
             "this_year": 3, "vision": 3, "student_after": 2, "student_living": 2}
EXAMPLES = {
    "child_age": "“9” or “4th grade”",
    "strengths": "“She loves horses, she's a kind big sister, and she just read her "
                 "first chapter book.”",
    "supports": "“A calm routine, a visual schedule, and a teacher who checks in "
                "with him.”",
    "concern": "“She eats lunch alone most days and comes home upset.”",
    "consider": "“Social skills help at lunch and recess, and a plan for what adults "
                "do when she shuts down.”",
    "this_year": "“He reads chapter books on his own and has a friend to sit with "
                 "at lunch.”",
    "vision": "“In middle school with friends, in a club she likes, and getting "
              "around the building on her own.”",
    "vision_teen": "“Finishing high school, working part time at a bike shop, and taking "
                   "the bus on his own.”",
    "student_after": "“I want to go to trade school and be a mechanic.”",
    "student_living": "“In my own apartment near my family, with a cat.”",
}
CONCERNS_SUGGESTED = 4


def kind(step: str) -> str:
    """"consider:12" -> "consider"; "concern:12" (rewriting one) -> "concern"."""
    return step.split(":", 1)[0]


def concern_id(step: str) -> Optional[int]:
    head, _, tail = step.partition(":")
    return int(tail) if head in ("concern", "consider") and tail.isdigit() else None


def is_transition_age(draft: Optional[DraftView]) -> bool:
    return bool(draft and draft.child_age is not None and draft.child_age >= TRANSITION_AGE)


def next_step(draft: Optional[DraftView]) -> str:
    if draft is None:
        return "child_name"
    if draft.editing:
        return draft.editing
    for step in ("child_name", "child_age", "strengths", "supports"):
        if getattr(draft, FIELDS[step]) is None:
            return step
    for concern in draft.concerns:
        if concern.consider is None:
            return f"consider:{concern.id}"
    if not draft.concerns_done:
        return "concern"
    for step in ("this_year", "vision"):
        if getattr(draft, FIELDS[step]) is None:
            return step
    if is_transition_age(draft):
        for step in ("student_after", "student_living"):
            if getattr(draft, FIELDS[step]) is None:
                return step
    return "review"


def child(draft: Optional[DraftView]) -> str:
    """How prompts name the child (already safe to show)."""
    return show(draft.child_name) if draft and draft.child_name else "your child"


def concern_number(draft: DraftView, cid: Optional[int]) -> int:
    ids = [c.id for c in draft.concerns]
    return ids.index(cid) + 1 if cid in ids else len(ids) + 1


def header(step: str, title: str) -> str:
    return f"**Step {STEP_NUMBERS[kind(step)]} of {TOTAL_STEPS}: {title}**"


def ask(step: str, draft: Optional[DraftView],
        review: Optional[ComposedDraft] = None) -> List[Dict]:
    """The bot messages that ask for `step` (review needs the composed draft)."""
    who = child(draft)
    owner = "Your child's" if who == "your child" else f"{who}'s"
    k = kind(step)
    if k == "child_name":
        return [{"text": f"{header(step, 'Your child')}\nWhat is your child's first name "
                         "or nickname? I'll use it in the draft. If you'd rather not say, "
                         "type “skip”."}]
    if k == "child_age":
        return [{"text": f"{header(step, 'Your child')}\nHow old is {who}, or what grade "
                         f"are they in? For example: {EXAMPLES['child_age']}."}]
    if k == "strengths":
        return [{"text": f"{header(step, 'Strengths')}\nLet's start with what's going "
                         f"well. What is {who} good at? What do they love, or feel proud "
                         f"of? For example: {EXAMPLES['strengths']}"}]
    if k == "supports":
        return [{"text": f"{header(step, 'What helps')}\nWhat helps {who} do well? Think "
                         "of people, strategies or places, at school or at home. For "
                         f"example: {EXAMPLES['supports']}"}]
    if k == "concern":
        cid = concern_id(step)
        if cid is not None and draft and draft.concern(cid):
            return [{"text": f"{header(step, 'Concerns')}\nLet's redo concern "
                             f"{concern_number(draft, cid)} "
                             f"(“{quote(draft.concern(cid).happens)}”). What happens? "
                             "Tell me in your own words."}]
        count = len(draft.concerns) if draft else 0
        if count == 0:
            return [{"text": f"{header(step, 'Concerns')}\nNow your concerns, one at a "
                             "time. Most parents pick their top 3 or 4. What worries you "
                             "most right now? Tell me what happens. For example: "
                             f"{EXAMPLES['concern']}"}]
        so_far = f"You have {count} so far"
        if count >= CONCERNS_SUGGESTED:
            so_far += "; the top few usually get the most attention"
        return [{"text": f"{header(step, 'Concerns')}\nIs there another concern? Tell me "
                         f"what happens, or say “that's all” to move on. ({so_far}.)",
                 "buttons": [{"title": "That's all", "payload": "that's all"}]}]
    if k == "consider":
        cid = concern_id(step)
        concern = draft.concern(cid) if draft and cid is not None else None
        number = concern_number(draft, cid) if draft else 1
        question = (f"About “{quote(concern.happens)}”: what would you like the team to do "
                    "or consider?" if concern else
                    "What would you like the team to do or consider about this?")
        return [{"text": f"{header(step, f'Concern {number}')}\n{question} For example: "
                         f"{EXAMPLES['consider']}"}]
    if k == "this_year":
        return [{"text": f"{header(step, 'This year')}\nPicture the end of this school "
                         f"year. What would make you say it was a good year for {who}? "
                         f"For example: {EXAMPLES['this_year']}"}]
    if k == "vision":
        example = EXAMPLES["vision_teen" if is_transition_age(draft) else "vision"]
        return [{"text": f"{header(step, 'Vision')}\nNow dream a little. Where do you see "
                         f"{who} in 1 to 5 years? What are they doing, who are they with, "
                         f"what can they do on their own? For example: {example}"}]
    if k == "student_after":
        return [{"text": f"{header(step, f'{owner} own vision')}\nFrom age 14, the vision "
                         f"should come from {who}'s own hopes. What does {who} say they "
                         "want after high school: more school or training, and what kind "
                         "of work? Use their words, even if it seems far off. For "
                         f"example: {EXAMPLES['student_after']}"}]
    if k == "student_living":
        return [{"text": f"{header(step, f'{owner} own vision')}\nAnd where and how does "
                         f"{who} want to live as an adult? Again in their words. For "
                         f"example: {EXAMPLES['student_living']}"}]
    if k == "review":
        messages = [{"text": f"{header(step, 'Review')}\nHere is your draft, in your "
                             "words. Read it through; you can change anything."}]
        if review is not None:
            messages += [{"text": render_section(s)} for s in review.sections]
        messages.append(REVIEW_QUESTION)
        return messages
    raise ValueError(f"unknown step {step}")


REVIEW_QUESTION = {
    "text": "Does it look right? Say “looks good” to finish, or tell me what to change, "
            "for example “change the second concern”, “add a concern” or “redo the "
            "vision”.",
    "buttons": [{"title": "Looks good", "payload": "looks good"},
                {"title": "Add a concern", "payload": "add a concern"},
                {"title": "Redo the vision", "payload": "redo the vision"}],
}


def render_section(section) -> str:
    lines = [f"**{section.heading}**"]
    if not section.paragraphs:
        lines.append("(Nothing here yet.)")
    for paragraph in section.paragraphs:
        label = f"**{show(paragraph.label)}:** " if paragraph.label else ""
        lines.append(label + show(paragraph.text))
    return "\n\n".join(lines)


def nudge(step: str, count: int) -> str:
    """A gentle push for a very short answer; the second one offers to skip."""
    k = kind(step)
    if k == "child_age":
        text = ("I didn't catch an age or grade there. Could you type a number, like "
                f"{EXAMPLES['child_age']}?")
    else:
        text = ("Could you tell me a little more? A sentence or two helps the team see "
                f"what you see. For example: {EXAMPLES[k]}")
    if count >= 2:
        text += " If you'd rather leave this part out, just say “skip”."
    return text
