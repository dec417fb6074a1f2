"""A conversation id is not a key (issue 14): resume codes are never repeated and wrong
codes are limited (a new session needing the code: tests/server/test_tracker_privacy.py
and tests/system/test_privacy_server.py). Real rules and actions, real
database (SQLite and PostgreSQL), NLU given per message (draft_sim.py)."""

from __future__ import annotations

import re

from bot import content
from bot.draft.codes import EXAMPLE_CODE, new_resume_code
from tests.actions.draft_sim import Parent

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
