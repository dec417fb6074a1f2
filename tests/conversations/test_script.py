"""The conversation checker itself: a wrong step, a missing fragment or code, or a
placeholder used too early must each be reported (else the scripts could not fail)."""

from pathlib import Path

import pytest

from tests.conversations.script import ScriptFailure, Turn, check_turn, load

STEP_2 = "**Step 2 of 6: Strengths**\nWhat is Maya good at?"


def test_the_right_reply_passes_and_its_code_is_kept():
    captured = {}
    said = "I'm saving your answers. **7KQ2-M9XD-4RTB-HW3P**\n" + STEP_2
    assert check_turn(Turn("9", says=["good at"], step="2", capture="code"), said, captured) == []
    assert captured == {"code": "7KQ2-M9XD-4RTB-HW3P"}


@pytest.mark.parametrize(
    "turn, said",
    [
        (Turn("9", step="3"), STEP_2),  # another step
        (Turn("9", step="none"), STEP_2),  # a step where none belongs
        (Turn("9", step="2"), "**Step 2 of 6**\n**Step 3 of 6**"),  # two steps at once
        (Turn("9", says=["Good at"]), STEP_2),  # fragments match exactly
        (Turn("9", not_says=["Maya"]), STEP_2),
        (Turn("9", capture="code"), STEP_2),  # no code to capture
        (Turn("9", download={"has": ["Maya"]}), STEP_2),  # no download links
        (Turn("9"), ""),  # silence
    ],
)
def test_a_wrong_reply_is_reported(turn, said):
    assert check_turn(turn, said, {})


def test_a_placeholder_before_its_capture_is_an_error():
    with pytest.raises(ScriptFailure, match="before it was captured"):
        check_turn(Turn("x", says=["{code}"]), "anything", {})


def test_every_script_loads_with_unique_names():
    conversations = load(Path(__file__).parent)
    assert conversations
    assert all(c.turns for c in conversations)
