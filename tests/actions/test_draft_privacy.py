"""A conversation id is not a key (issue 14): resume codes are never repeated, a new
session needs the code, and wrong codes are limited. Real rules and actions, real
database (SQLite and PostgreSQL), NLU given per message (draft_sim.py)."""

from __future__ import annotations

import re

from bot import content
from bot.draft.codes import EXAMPLE_CODE, new_resume_code
from tests.actions.draft_sim import Parent, agent

CODE = re.compile(r"\*\*([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\*\*")


def code_in(said: str) -> str:
    found = CODE.search(said)
    assert found, said
    return found.group(1)


async def resume(parent: Parent, code: str = "") -> str:
    return await parent.say(f"continue my draft {code}".strip(), "resume_draft", 0.95)


async def test_the_start_says_how_long_a_draft_is_kept(draft_db):
    said = await Parent().start()
    assert content.text("draft.kept_for", days=90) in said


async def test_stop_gives_a_new_code_and_the_one_shown_before_stops_working(draft_db):
    parent = Parent()
    await parent.start()
    first = code_in(await parent.say("Maya", "child_details"))
    second = code_in(await parent.say("stop", "pause_draft", 0.99))
    assert second != first, "the code shown before is never repeated"
    stranger = Parent()
    assert content.text("draft.wrong_code", example=EXAMPLE_CODE) in await resume(stranger, first)
    assert "Welcome back" in await resume(Parent(), second)
    # Asked again outside the form, it is again a fresh code.
    third = code_in(await parent.say("save my draft for later", "pause_draft", 0.99))
    assert third not in (first, second)


async def age_the_session(parent: Parent, hours: float) -> None:
    """Moves the conversation `hours` into the past: its next message starts a new
    Rasa session (domain.yml: session_expiration_time), as after a long break or when
    someone else uses the same conversation id later."""
    store = agent().tracker_store
    tracker = await store.retrieve(parent.sender)
    for event in tracker.events:
        event.timestamp -= hours * 3600
    await store.save(tracker)


async def test_a_new_session_with_the_same_conversation_id_needs_the_code(draft_db):
    parent = Parent()
    await parent.start()
    await parent.say("Maya", "child_details")
    await parent.say("9", "child_details")
    await parent.say("stop", "pause_draft", 0.99)
    draft_id = parent.slots["draft_id"]
    await age_the_session(parent, hours=2)

    said = await resume(parent)
    assert content.text("draft.ask_code", example=EXAMPLE_CODE) in said
    assert "Welcome back" not in said and "Maya" not in said
    said = await parent.say("save my draft for later", "pause_draft", 0.99)
    assert content.text("draft.not_started") in said and not CODE.search(said)
    said = await parent.say("delete my draft", "delete_draft", 0.95)
    assert content.text("draft.nothing_to_delete", example=EXAMPLE_CODE) in said
    assert draft_db.get(draft_id) is not None, "the draft is still there for its owner"


async def test_wrong_codes_are_limited_then_a_person_is_offered(draft_db):
    parent = Parent()
    await parent.start()
    code = code_in(await parent.say("Maya", "child_details"))
    await parent.say("stop", "pause_draft", 0.99)
    code = code_in(await parent.say("save my draft for later", "pause_draft", 0.99))

    guesser = Parent()
    wrong = content.text("draft.wrong_code", example=EXAMPLE_CODE)
    for _ in range(5):
        assert wrong in await resume(guesser, new_resume_code())
    said = await resume(guesser, code)
    assert content.text("draft.too_many_codes") in said
    assert content.contact()["phone"] in said and "Welcome back" not in said
    # The owner, in a chat of their own, still gets in.
    assert "Welcome back" in await resume(Parent(), code)
