"""Everything the draft builder says reads at grade 8 or below (Flesch-Kincaid, the bar
the knowledge answers meet in test_knowledge.py). The texts come from the code itself:
conversations through the real rules and actions that reach every step, command and
fixed reply, every step's nudges, and every draft text in data/texts/draft.yml."""

from __future__ import annotations

import re

import pytest
import textstat

from bot import content
from bot.draft import steps
from bot.draft.codes import new_resume_code
from bot.draft.compose import compose
from bot.draft.model import StepRef
from bot.storage.database import make_engine
from bot.storage.repository import DraftRepository, default_repository, use_repository
from tests.actions.draft_sim import Parent
from tests.knowledge.test_knowledge import MAX_GRADE

CODE = re.compile(r"\*\*([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\*\*")


def readable(text: str) -> str:
    """The words a parent reads: no Markdown, links as their titles, a code or a
    placeholder as one word, a heading line as a sentence of its own."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", "code", text)
    text = re.sub(r"\{\w+\}", "it", text).replace("**", "")
    return re.sub(r"(?<![.!?:])\n", ". ", text)


class Conversations:
    """Parents who together reach every step and command; everything the bot said."""

    def __init__(self) -> None:
        self.said: list[str] = []
        self.steps_asked: set[str] = set()

    async def say(
        self, parent: Parent, text: str, intent: str = "share_about_child", confidence: float = 0.9
    ) -> str:
        reply = await parent.say(text, intent, confidence)
        said = [(m.get("text") or "").strip() for m in parent.last_messages]
        if parent.step:
            self.steps_asked.add(StepRef.parse(parent.step).step)
        if parent.step == "review":  # the review shows the parent's own draft: not ours
            draft = default_repository().get(parent.slots["draft_id"])
            assert draft is not None
            shown = {
                part.strip()
                for section in compose(draft).sections
                for part in steps.render_section(section).split("\n\n")
            }
            said = [text for text in said if text not in shown]
        self.said += said
        return reply

    async def run(self) -> None:
        say = self.say
        # Outside a draft: commands with nothing to act on, an unprompted concern.
        early = Parent()
        await say(early, "delete my draft", "delete_draft", 0.95)
        await say(early, "continue my draft", "resume_draft", 0.95)
        await say(early, f"continue my draft {new_resume_code()}", "resume_draft", 0.95)
        await say(early, "stop", "pause_draft", 0.95)
        await say(early, "9", "child_details", 0.9)
        await say(early, "I'm worried he has no friends at school")
        # A whole draft under 14 (with the concern from above), with nudges, help,
        # asides and changes at the review.
        maya = early
        await say(maya, "/start_draft", "start_draft", 1.0)
        await say(maya, "123", "child_details")
        found = CODE.search(await say(maya, "Maya", "child_details"))
        assert found, "the first answer shows the resume code"
        code = found.group(1)
        await say(maya, "soon", "child_details")
        await say(maya, "9", "child_details")
        await say(maya, "good")
        await say(maya, "idk", "nlu_fallback", 0.3)
        await say(maya, "what do you mean?", "nlu_fallback", 0.4)
        await say(maya, "thanks", "thank", 0.99)
        await say(maya, "/start_draft", "start_draft", 1.0)
        for answer in (
            "She loves horses and drawing",
            "A calm routine and a visual schedule",
            "A lunch bunch with a counselor",
            "She reads two grades behind",
            "More reading help each day",
        ):
            await say(maya, answer)
        await say(maya, "that's all", "draft_done", 0.95)
        await say(maya, "She has a friend to sit with at lunch")
        await say(maya, "In middle school with friends and in a club she likes")
        await say(maya, "change something", "edit_draft", 0.9)
        await say(maya, "change the first concern", "edit_draft", 0.9)
        await say(maya, "She sits alone at lunch every day")
        await say(maya, "remove the second concern", "edit_draft", 0.9)
        await say(maya, "add a concern", "edit_draft", 0.9)
        # "stop" gives a new code (the first one stops working), so does finishing.
        paused = CODE.search(await say(maya, "stop", "pause_draft", 0.99))
        assert paused, "stop shows a new code"
        code = paused.group(1)
        again = Parent()
        await say(again, f"continue my draft {code}", "resume_draft", 0.95)
        await say(again, "that's all", "draft_done", 0.95)
        finished = await say(again, "looks good", "draft_done", 0.95)
        offered = re.search(r"continue my draft ((\w{4}-){3}\w{4})", finished)
        assert offered, "the finished draft comes with a new code"
        code = offered.group(1)
        await say(again, f"continue my draft {code}", "resume_draft", 0.95)
        await say(again, "delete my draft", "delete_draft", 0.95)
        # A teenager's draft: the student's own vision, no name given.
        teen = Parent()
        await say(teen, "help me write my vision statement", "start_draft", 0.98)
        await say(teen, "skip", "draft_skip", 0.97)
        await say(teen, "he is 15", "child_details")
        for answer in (
            "He is great with engines",
            "Hands-on work and clear steps",
            "He loses track of his homework",
            "A daily planner check",
            "that's all",
            "He passes all his classes",
            "Working part time and living on his own",
            "I want to be a mechanic",
            "In my own apartment near my family",
        ):
            await say(
                teen, answer, "draft_done" if answer == "that's all" else "share_about_child", 0.95
            )
        await say(teen, "stop", "pause_draft", 0.99)


@pytest.fixture
def drafts(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'drafts.db'}")
    use_repository(DraftRepository(engine))
    yield
    use_repository(None)
    engine.dispose()


def fixed_replies() -> dict[str, str]:
    """Every draft text in the content files (placeholders read as one word), but the
    IEP form's own section headings ("Parent and/or Student Concerns"): the draft must
    use the form's words there, whatever their grade."""
    return {
        key: content.raw(key)
        for key in content.keys()
        if key.startswith("draft.")
        and len(content.raw(key).split()) >= 3
        and not (key.startswith("draft.doc.") and key.endswith(".heading"))
    }


async def test_everything_the_draft_builder_says_reads_at_grade_8_or_below(drafts):
    talk = Conversations()
    await talk.run()
    assert talk.steps_asked == {s.key for s in steps.STEPS}, (
        "the conversations must reach every step"
    )
    texts = {f"said {text!r}": text for text in talk.said if text}
    for step in (s for s in steps.STEPS if s.kind is not steps.Kind.REVIEW):
        for count in (1, 2):
            texts[f"nudge {step.key} {count}"] = steps.nudge(StepRef(step.key), count)
    texts.update(fixed_replies())
    for needed in ("draft.intro", "draft.offer.start", "draft.next_steps"):
        assert needed in texts, needed
    assert len(texts) > 60
    too_hard = {
        name[:90]: round(textstat.flesch_kincaid_grade(readable(text)), 1)
        for name, text in texts.items()
        if textstat.flesch_kincaid_grade(readable(text)) > MAX_GRADE
    }
    assert not too_hard, f"above grade {MAX_GRADE}: {too_hard}"
