"""The draft builder's conversation, run through the real actions and a real database
(SQLite and PostgreSQL; see conftest.py). NLU is given per message (draft_sim.py)."""

from __future__ import annotations

import asyncio
import re
from io import BytesIO

import docx

from bot.draft.codes import find_code, new_resume_code
from bot.draft.compose import ComposedDraft
from bot.draft.export import to_docx, to_text
from bot.knowledge.answers import answers_by_intent
from tests.actions.draft_sim import Parent

CODE = re.compile(r"\*\*([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\*\*")
LINK = re.compile(
    r"\[Word document \(\.docx\)\]\((http://[^)]+/drafts/([^/]+)/"
    r"iep-parent-input\.docx)\)"
)
A_KNOWLEDGE_INTENT = sorted(answers_by_intent())[0]


def saved(repo, parent):
    return repo.get(parent.slots["draft_id"])


async def test_happy_path_with_a_name_under_14(draft_db):
    parent = Parent()
    said = await parent.start()
    assert "Step 1 of 6" in said and "first name or nickname" in said
    said = await parent.say("her name is maya", "child_details")
    assert CODE.search(said), "the resume code is shown as soon as something is saved"
    assert "Step 1 of 6" in said and "How old is Maya" in said
    assert "Step 2 of 6" in await parent.say("9", "child_details")
    assert "What helps Maya" in await parent.say("She loves horses and drawing")
    said = await parent.say("A calm routine and a visual schedule")
    assert "Step 3 of 6" in said and "top 3 or 4" in said
    said = await parent.say("she eats lunch alone most days and comes home upset")
    assert "Concern 1" in said and "eats lunch alone" in said
    said = await parent.say("Social skills help at lunch and recess")
    assert "another concern" in said and "1 so far" in said
    await parent.say("her reading is two grade levels behind")
    await parent.say("More reading support and a plan to measure progress")
    assert "Step 4 of 6" in await parent.say("that's all", "draft_done", 0.95)
    assert "Step 5 of 6" in await parent.say("She has a friend to sit with at lunch")
    said = await parent.say("In middle school with friends, in a club she likes")
    assert "Step 6 of 6" in said and "own vision" not in parent.transcript[-4]
    assert "Parent and/or Student Concerns" in said and "Vision Statement" in said
    # Grouped by area: the reading concern (learning) comes before lunch (friendships).
    assert said.index("two grade levels") < said.index("eats lunch alone")
    assert "Maya eats lunch alone" in said and "Maya's reading" in said
    closing = await parent.say("looks good", "draft_done", 0.95)
    assert LINK.search(closing), closing
    assert "word for word" in closing and re.search(r"continue my draft (\w{4}-){3}\w{4}", closing)
    draft = saved(draft_db, parent)
    assert draft.finished and draft.child_name == "Maya" and draft.child_age == 9
    assert draft.answer("student_after") is None  # no transition questions under 14


async def test_happy_path_without_a_name_over_14_asks_the_students_own_vision(draft_db):
    parent = Parent()
    await parent.start()
    said = await parent.say("skip", "draft_skip", 0.97)
    assert "How old is your child" in said
    await parent.say("he's 15, in 9th grade", "child_details")
    await parent.say("He is great with engines and fixing bikes")
    await parent.say("Hands-on work and a teacher who explains step by step")
    await parent.say("He loses track of assignments and his grades drop")
    await parent.say("A daily planner check with his case manager")
    await parent.say("no more concerns", "draft_done", 0.93)
    await parent.say("He passes all his classes and joins the robotics club")
    said = await parent.say("Working part time and living more on his own")
    assert "Step 5 of 6" in said and "own vision" in said and "after high school" in said
    said = await parent.say("I want to go to trade school and be a mechanic")
    assert "where and how does your child want to live" in said
    said = await parent.say("In my own apartment near my family")
    assert "Step 6 of 6" in said
    assert "My son is great with engines" in said  # "He" at the start, no name
    assert "I want to go to trade school" in said  # the student's words stay his own
    draft = saved(draft_db, parent)
    assert draft.child_name == "" and draft.child_age == 15
    assert draft.answer("student_living") == "In my own apartment near my family"


async def test_a_knowledge_question_mid_flow_is_answered_then_the_same_step_returns(draft_db):
    parent = Parent()
    await parent.start()
    await parent.say("Leo", "child_details")
    await parent.say("8", "child_details")
    said = await parent.say("wait, what is ESY?", A_KNOWLEDGE_INTENT, 0.96)
    assert "Source:" in said, "the question gets its real answer"
    assert "back to your draft" in said and "Step 2 of 6" in said and "good at" in said
    assert saved(draft_db, parent).answer("strengths") is None, (
        "the question was not saved as an answer"
    )
    assert parent.slots["disclaimer_shown"] is True
    await parent.say("He loves trains and is a great reader")
    assert saved(draft_db, parent).answer("strengths") == "He loves trains and is a great reader"


async def test_an_answer_that_sounds_like_a_topic_is_saved_not_answered(draft_db):
    # The classifier is often sure that a support ("extra time on tests") is the
    # accommodations topic; in the draft it is the parent's answer and must be kept.
    parent = Parent()
    await parent.start()
    await parent.say("Leo", "child_details")
    await parent.say("8", "child_details")
    await parent.say("He loves trains and is a great reader")
    said = await parent.say(
        "extra time on tests and a quiet place to take them", A_KNOWLEDGE_INTENT, 0.97
    )
    assert "Source:" not in said
    assert (
        saved(draft_db, parent).answer("supports")
        == "extra time on tests and a quiet place to take them"
    )


async def test_commands_and_short_replies_are_not_saved_as_answers(draft_db):
    parent = Parent()
    await parent.start()
    await parent.say("Ava", "child_details")
    await parent.say("6", "child_details")
    said = await parent.say("good")  # one word: a gentle nudge with an example
    assert "a little more" in said and "For example" in said and "skip" not in said
    said = await parent.say("idk", "nlu_fallback", 0.3)
    assert "skip" in said, "the second nudge says skipping is fine"
    said = await parent.say("not sure", "nlu_fallback", 0.3)
    assert "Step 2 of 6: What helps" in said, "after two nudges the parent moves on"
    assert saved(draft_db, parent).answer("strengths") == ""  # left out, not "not sure"
    said = await parent.say("what do you mean?", "nlu_fallback", 0.4)
    assert "no right or wrong answer" in said and "What helps Ava" in said
    said = await parent.say("thanks", "thank", 0.99)
    assert "You're welcome" in said and saved(draft_db, parent).answer("supports") is None


async def test_editing_the_draft_at_review(draft_db):
    parent = Parent()
    await parent.start()
    for text, intent in [
        ("Sam", "child_details"),
        ("10", "child_details"),
        ("He builds amazing lego cities", "share_about_child"),
        ("Clear steps and extra time", "share_about_child"),
        ("He can't finish his writing assignments", "share_about_child"),
        ("A scribe or speech to text", "share_about_child"),
        ("He gets teased at recess every day", "share_about_child"),
        ("An adult who watches recess closely", "share_about_child"),
        ("that's all", "draft_done"),
        ("He finishes his work without tears", "share_about_child"),
    ]:
        await parent.say(text, intent, 0.95)
    said = await parent.say("Going to middle school with his friends", "share_about_child")
    assert "Step 6 of 6" in said
    said = await parent.say("change the second concern", "nlu_fallback", 0.4)
    assert "redo concern 2" in said and "teased at recess" in said
    said = await parent.say("Older kids call him names at recess and he won't go out")
    assert "Step 6 of 6" in said and "call him names" in said and "teased" not in said
    said = await parent.say("add a concern", "nlu_fallback", 0.4)
    assert "another concern" in said
    await parent.say("The bus ride takes over an hour each way")
    said = await parent.say("A shorter route or a different bus")
    assert "Step 6 of 6" in said and "bus ride" in said
    said = await parent.say("redo the vision", "nlu_fallback", 0.4)
    assert "Step 5 of 6" in said and "1 to 5 years" in said
    said = await parent.say("Reading for fun and riding his bike to a friend's house")
    assert "riding his bike" in said and "Going to middle school" not in said
    said = await parent.say("remove the first concern", "delete_draft", 0.8)
    assert "removed" in said and "writing assignments" not in said
    draft = saved(draft_db, parent)
    assert [c.happens for c in draft.concerns] == [
        "Older kids call him names at recess and he won't go out",
        "The bus ride takes over an hour each way",
    ]
    assert draft.status == "in_progress", "removing a concern is not deleting the draft"


async def test_pause_then_resume_with_the_code_in_a_new_conversation(draft_db):
    first = Parent()
    await first.start()
    await first.say("Jake", "child_details")
    await first.say("12", "child_details")
    await first.say("He is a kind friend and great at drawing comics")
    said = await first.say("stop", "pause_draft", 0.99)
    code = CODE.search(said).group(1)
    assert "saved" in said and "continue my draft" in said
    assert not first.form_active

    later = Parent()  # another day, another device: nothing but the code
    said = await later.say(f"continue my draft {code.lower()}", "resume_draft", 0.9)
    assert "Welcome back" in said and "Step 2 of 6: What helps" in said
    assert "What helps Jake" in said
    await later.say("Short breaks and a quiet corner")
    assert saved(draft_db, later).answer("supports") == "Short breaks and a quiet corner"
    assert later.slots["draft_id"] == first.slots["draft_id"]


async def test_a_wrong_code_is_refused_kindly_and_reveals_nothing(draft_db):
    owner = Parent()
    await owner.start()
    await owner.say("Secretname", "child_details")
    stranger = Parent()
    said = await stranger.say(f"continue my draft {new_resume_code()}", "resume_draft", 0.9)
    assert "couldn't find a draft with that code" in said
    assert "Secretname" not in said and "Step" not in said
    assert stranger.slots["draft_found"] is False and stranger.slots["draft_id"] is None
    said = await stranger.say("continue my draft", "resume_draft", 0.9)
    assert "type your resume code" in said


async def test_delete_removes_the_draft_and_its_code_stops_working(draft_db):
    parent = Parent()
    await parent.start()
    said = await parent.say("Mia", "child_details")
    code = CODE.search(said).group(1)
    draft_id = parent.slots["draft_id"]
    said = await parent.say("delete my draft", "delete_draft", 0.97)
    assert "deleted" in said and not parent.form_active
    assert draft_db.get(draft_id) is None and parent.slots["draft_id"] is None
    said = await Parent().say(f"continue my draft {code}", "resume_draft", 0.9)
    assert "couldn't find" in said


async def test_delete_outside_the_form_with_a_code(draft_db):
    parent = Parent()
    await parent.start()
    code = CODE.search(await parent.say("Noah", "child_details")).group(1)
    draft_id = parent.slots["draft_id"]
    said = await Parent().say(f"delete my draft {code}", "delete_draft", 0.95)
    assert "deleted" in said and draft_db.get(draft_id) is None


async def test_an_unsolicited_concern_is_offered_into_the_draft(draft_db):
    parent = Parent()
    said = await parent.say("I'm worried she has no friends")
    assert "sounds hard" in said and "Would you like help writing" in said
    assert parent.last_messages[-1]["buttons"][0]["payload"] == "/start_draft"
    await parent.say("/start_draft", "start_draft", 1.0)
    await parent.say("Zoe", "child_details")
    said = await parent.say("7", "child_details")
    assert "added what you told me earlier" in parent.transcript[
        -3
    ] or "added what you told me earlier" in "\n".join(parent.transcript)
    await parent.say("She is brave and loves music")
    said = await parent.say("Songs to learn routines")
    assert "Concern 1" in said and "no friends" in said, "asks what the team should consider"
    draft = saved(draft_db, parent)
    assert draft.concerns[0].happens == "I'm worried she has no friends"
    assert draft.concerns[0].area == "social_emotional"


async def test_two_parents_drafting_at_once_never_see_each_others_text(draft_db):
    one, two = Parent(), Parent()
    closing_one, closing_two = await asyncio.gather(
        one.complete("Ruby", "8", marker="ALPHA-ONLY"),
        two.complete("Omar", "16", marker="BRAVO-ONLY"),
    )
    assert "BRAVO" not in "\n".join(one.transcript)
    assert "ALPHA" not in "\n".join(two.transcript)
    first, second = saved(draft_db, one), saved(draft_db, two)
    assert first.id != second.id
    assert "ALPHA-ONLY" in first.composed and "BRAVO" not in first.composed
    assert "BRAVO-ONLY" in second.composed and "ALPHA" not in second.composed
    assert LINK.search(closing_one).group(2) != LINK.search(closing_two).group(2)


HOSTILE = [
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "'); DROP TABLE iep_drafts; -- and \" OR 1=1",
    "🌈🦄 she loves unicorns 💜 and 中文 and العربية",
    "NUL\x00bytes\x00inside and a bell \x07",
    "[click me](javascript:alert(1)) **bold** _x_",
]


async def test_hostile_text_is_stored_and_exported_safely(draft_db):
    parent = Parent()
    await parent.start()
    await parent.say("Kai", "child_details")
    await parent.say("11", "child_details")
    long_text = ("He works hard every day. " * 400)[:10_000]
    await parent.say(" ".join(HOSTILE[:3]))  # strengths
    await parent.say(" ".join(HOSTILE[3:]))  # supports
    await parent.say(long_text)  # concern
    await parent.say(HOSTILE[1])  # consider
    await parent.say("that's all", "draft_done", 0.95)
    await parent.say(HOSTILE[2])
    review = await parent.say(HOSTILE[0])
    # In the chat the widget renders Markdown: the parent's text is escaped.
    assert "alert('x')\\</script\\>" in review and "\\[click me\\]" in review
    await parent.say("looks good", "draft_done", 0.95)

    draft = saved(draft_db, parent)
    supports = draft.answer("supports")
    assert "\x00" not in supports and "NULbytesinside" in supports
    assert draft.concerns[0].happens == long_text.strip()
    assert len(draft_db.engine.dialect.get_table_names(draft_db.engine.connect())) >= 2
    composed = ComposedDraft.from_json(draft.composed)
    text = to_text(composed)
    assert "alert('x')</script><img src=x onerror=alert(1)>" in text  # literally: just text
    assert "DROP TABLE iep_drafts" in text and "🦄" in text and "\x00" not in text
    assert long_text.strip()[:200] in text and len(text) > 10_000
    document = docx.Document(BytesIO(to_docx(composed)))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "alert('x')</script><img src=x onerror=alert(1)>" in body and "🌈🦄" in body
    assert "NULbytesinside and a bell" in body


async def test_the_export_opens_and_has_every_section(draft_db):
    parent = Parent()
    await parent.complete("Maya", "9")
    composed = ComposedDraft.from_json(saved(draft_db, parent).composed)
    document = docx.Document(BytesIO(to_docx(composed)))
    assert document.core_properties.author == ""  # nothing about the tool or the parent
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Parent and/or Student Concerns", "Vision Statement"]
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Parent input for Maya's IEP" in body
    assert "Student and Parent Concerns" in body and "Student and Team Vision" in body
    assert "Maya loves horses and drawing." in body
    assert "We would like the team to consider: social skills help at lunch." in body
    assert "In the next 1 to 5 years:" in body
    assert re.search(r"Date: \w+ \d{1,2}, \d{4}", body)
    assert "word for word" in body and "keep a copy" in body
    text = to_text(composed)
    for part in ("Parent and/or Student Concerns", "Vision Statement", "Maya", "word for word"):
        assert part in text


def test_codes_in_messages_are_found_however_they_are_typed():
    code = new_resume_code()
    raw = code.replace("-", "")
    assert find_code(f"continue my draft {code}") == raw
    assert find_code(f"my code is {code.lower().replace('-', ' ')} thanks") == raw
    assert find_code(code.replace("0", "O").replace("1", "l")) == raw
    # A four-letter word just before the code is not its first group.
    assert find_code(f"hi i'm back, here is my code {code}") == raw
    assert find_code("my code TKZF-MK0A-1PWP-G0MQ") == "TKZFMK0A1PWPG0MQ"
    assert find_code("this will help them a lot") is None  # four 4-letter words
    assert find_code("continue my draft") is None


async def test_a_change_asked_for_mid_flow_is_made_then_the_flow_goes_on(draft_db):
    parent = Parent()
    await parent.start()
    for text in (
        "Eli",
        "7",
        "He loves puzzles and maps",
        "Quiet spaces and warnings",
        "He cries every morning before the bus",
        "A calm start to the day",
    ):
        await parent.say(text, "child_details" if len(text) < 4 else "share_about_child")
    said = await parent.say("that's all", "draft_done", 0.95)
    assert "Step 4 of 6" in said
    said = await parent.say("wait, change the first concern", "edit_draft", 0.9)
    assert "redo concern 1" in said
    said = await parent.say("He panics on the bus and won't get on")
    assert "Step 4 of 6" in said, "back to where the parent was"
    assert saved(draft_db, parent).concerns[0].happens == "He panics on the bus and won't get on"


async def test_a_draft_deleted_from_another_chat_is_handled_kindly(draft_db):
    parent = Parent()
    await parent.start()
    code = CODE.search(await parent.say("Ivy", "child_details")).group(1)
    await Parent().say(f"delete my draft {code}", "delete_draft", 0.95)
    said = await parent.say("9", "child_details")
    assert "can't find your draft" in said and not parent.form_active
    said = await parent.start()  # starting again makes a fresh draft
    assert "let's write it together" in said and "Step 1 of 6" in said
    assert parent.slots["draft_id"] is None


async def test_buttons_from_earlier_messages_are_not_saved_as_answers(draft_db):
    parent = Parent()
    await parent.start()
    await parent.say("Ben", "child_details")
    said = await parent.say("/start_draft", "start_draft", 1.0)  # the greeting's button
    assert "already working on your draft" in said and "How old is Ben" in said
    said = await parent.say("/greet", "greet", 1.0)  # the widget greets again on reload
    assert "How old is Ben" in said
    assert saved(draft_db, parent).answer("child_age_text") is None


async def test_an_unsure_nlu_still_lets_a_question_through_but_not_a_statement(draft_db):
    parent = Parent()
    await parent.start()
    await parent.say("Lia", "child_details")
    await parent.say("10", "child_details")
    unsure = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": A_KNOWLEDGE_INTENT, "confidence": 0.66},
        {"name": "share_about_child", "confidence": 0.2},
    ]
    said = await parent.say("hmm what's that again?", "nlu_fallback", 0.5, ranking=unsure)
    assert "Source:" in said and "good at" in said
    said = await parent.say(
        "She wants to learn everything about space", "nlu_fallback", 0.5, ranking=unsure
    )
    assert "Source:" not in said and "What helps Lia" in said
    assert (
        saved(draft_db, parent).answer("strengths") == "She wants to learn everything about space"
    )


async def test_a_turn_waiting_for_the_database_does_not_hold_up_other_parents(draft_db):
    # Another writer (another tab, the web page) holds the draft's row. While this
    # parent's answer waits for it, the action server must keep serving everyone
    # else; then the answer is saved as usual.
    import threading

    from sqlalchemy import event, text

    parent = Parent()
    await parent.start()
    await parent.say("Maya", "child_details")
    held = draft_db.engine.connect()
    held.begin()
    held.execute(
        text("UPDATE iep_drafts SET child_age_text = child_age_text WHERE id = :id"),
        {"id": parent.slots["draft_id"]},
    )
    writing = threading.Event()  # the parent's turn has sent its write to the database

    def on_statement(conn, cursor, statement, *args):
        words = statement.upper()
        if words.lstrip().startswith(("UPDATE", "INSERT")) or "FOR UPDATE" in words:
            writing.set()

    event.listen(draft_db.engine, "before_cursor_execute", on_statement)
    # Only if the turn blocked this event loop (the bug this test is for) does this
    # let go of the row, so the test ends instead of hanging.
    rescue = threading.Timer(60, held.rollback)
    rescue.start()
    try:
        turn = asyncio.create_task(parent.say("9", "child_details"))
        assert await asyncio.to_thread(writing.wait, 60), "the turn never wrote"
        other = await Parent().say("what is an IEP?", "ask_what_is_iep", 0.98)
        assert "Individualized Education Program" in other
        assert not rescue.finished.is_set(), (
            "other parents waited while one turn waited for the database"
        )
        assert not turn.done(), "the turn did not wait for the row it needs"
    finally:
        rescue.cancel()
        event.remove(draft_db.engine, "before_cursor_execute", on_statement)
        held.rollback()
        held.close()
    assert "Step 2 of 6" in await turn
    assert saved(draft_db, parent).child_age == 9
