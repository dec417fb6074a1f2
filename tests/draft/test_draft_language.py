"""spaCy work on real parent sentences (paraphrased from parent-center examples in
shared/reference/vision-and-concerns-guidance.md), plus how replies are understood."""

from __future__ import annotations

import pytest

from bot.draft.interpret import Meaning, parse_age, parse_edit, parse_name
from bot.draft.language import concern_area, group_by_area, sounds_like_worry, tidy, use_name
from bot.draft.model import ConcernView, DraftView, StepRef


def test_tidy_fixes_capitals_and_full_stops_without_changing_words():
    assert (
        tidy("she eats lunch alone most days and comes home upset")
        == "She eats lunch alone most days and comes home upset."
    )
    assert (
        tidy("i think he needs esy. his iep goals havent changed")
        == "I think he needs ESY. His IEP goals havent changed."
    )
    assert (
        tidy("we moved from massachusetts and i'm worried")
        == "We moved from Massachusetts and I'm worried."
    )
    assert tidy("Does he get help?") == "Does he get help?"
    assert tidy("- reading\n- making friends") == "Reading. Making friends."
    assert tidy("maya loves horses", "Maya") == "Maya loves horses."


def test_the_childs_name_replaces_my_son_and_an_opening_pronoun():
    assert (
        use_name("My son can't ask for help when his tablet is in his backpack.", "Jake")
        == "Jake can't ask for help when his tablet is in his backpack."
    )
    assert (
        use_name("She eats lunch alone. She comes home upset.", "Maya")
        == "Maya eats lunch alone. She comes home upset."
    )  # only the first, then "she" reads fine
    assert (
        use_name("Her reading is two grade levels behind.", "Maya")
        == "Maya's reading is two grade levels behind."
    )
    assert (
        use_name("We want my daughter Ava included in kindergarten.", "Ava")
        == "We want Ava included in kindergarten."
    )
    assert use_name("We want the team to help him.", "Leo") == "We want the team to help him."
    # Without a name, an opening pronoun still needs someone the reader knows.
    assert (
        use_name("He is nonverbal and uses a tablet.", None)
        == "My son is nonverbal and uses a tablet."
    )
    assert use_name("My son loves trains.", None) == "My son loves trains."


@pytest.mark.parametrize(
    "sentence, area",
    [
        (
            "Reading is still two grade levels behind and the goal hasn't changed in three years",
            "learning",
        ),
        ("He keeps losing track of homework assignments", "learning"),
        ("He is nonverbal and his tablet is often left in his backpack", "communication"),
        ("She eats lunch alone most days and comes home upset", "social_emotional"),
        ("I'm worried she has no friends", "social_emotional"),
        ("He has meltdowns and gets sent to the office almost every week", "behavior"),
        ("His handwriting is hard to read and he still needs OT", "health_motor"),
        ("She can't dress herself or tie her shoes yet", "independence"),
        ("The bus ride is over an hour each way", "logistics"),
        ("We never hear from the school about how he is doing", "logistics"),
        ("Honestly I just want them to listen to us", "other"),
    ],
)
def test_concerns_are_grouped_by_area(sentence, area):
    assert concern_area(sentence) == area


def test_groups_follow_the_order_of_the_draft_and_keep_typing_order_inside():
    items = [
        ("bus", "logistics"),
        ("friends", "social_emotional"),
        ("reading", "learning"),
        ("lunch", "social_emotional"),
    ]
    assert group_by_area(items, lambda i: i[1]) == [
        ("learning", [("reading", "learning")]),
        ("social_emotional", [("friends", "social_emotional"), ("lunch", "social_emotional")]),
        ("logistics", [("bus", "logistics")]),
    ]


def test_worry_is_told_apart_from_good_news():
    assert sounds_like_worry("I'm worried she has no friends")
    assert sounds_like_worry("he can't read yet")
    assert not sounds_like_worry("he loves dinosaurs and knows all their names")


@pytest.mark.parametrize(
    "text, name",
    [
        ("Maya", "Maya"),
        ("her name is maya!", "Maya"),
        ("we call him JJ", "JJ"),
        ("my son is Leo, he is 9", "Leo"),
        ("Mary Ann", "Mary Ann"),
        ("Zoë", "Zoë"),
        ("He is a very sweet boy who loves trains and dinosaurs", None),
    ],
)
def test_names(text, name):
    assert parse_name(text) == name


@pytest.mark.parametrize(
    "text, age",
    [
        ("9", 9),
        ("she is 14", 14),
        ("4th grade", 9),
        ("grade 10", 15),
        ("freshman", 14),
        ("nine", 9),
        ("kindergarten", 5),
        ("he just turned 15, in 9th grade", 15),
        ("100", None),
        ("not sure", None),
    ],
)
def test_ages_and_grades(text, age):
    assert parse_age(text) == age


def _draft(concerns=2, age=9):
    return DraftView(
        id="d",
        status="in_progress",
        answers={
            "child_name": "Sam",
            "child_age_text": str(age),
            "strengths": "x",
            "supports": "x",
            "this_year": "x",
            "vision": "x",
            "student_after": None,
            "student_living": None,
        },
        child_age=age,
        concerns=tuple(ConcernView(10 + i, i + 1, f"c{i}", "x", None) for i in range(concerns)),
        concerns_done=True,
        editing=None,
        composed=None,
        created_at=None,
        finished_at=None,
    )


EDIT, REMOVE, UNCLEAR = Meaning.EDIT, Meaning.REMOVE, Meaning.UNCLEAR_EDIT


@pytest.mark.parametrize(
    "text, meaning, target",
    [
        ("change the second concern", EDIT, StepRef("concern", 11)),
        ("can you redo concern 1", EDIT, StepRef("concern", 10)),
        ("remove the last concern", REMOVE, StepRef("concern", 11)),
        ("take the first concern out", REMOVE, StepRef("concern", 10)),
        ("add a concern", EDIT, StepRef("concern")),
        ("I forgot another worry", EDIT, StepRef("concern")),
        ("change what to ask the team about concern 2", EDIT, StepRef("consider", 11)),
        ("redo the vision", EDIT, StepRef("vision")),
        ("change the strengths part", EDIT, StepRef("strengths")),
        ("fix what helps him", EDIT, StepRef("supports")),
        ("change this year", EDIT, StepRef("this_year")),
        ("his name is spelled wrong", EDIT, StepRef("child_name")),
        ("change the concern", UNCLEAR, StepRef("concern")),  # which one? there are two
    ],
)
def test_review_edits(text, meaning, target):
    reply = parse_edit(text, _draft())
    assert (reply.meaning, reply.target) == (meaning, target)


def test_the_students_own_vision_is_only_editable_from_14():
    assert parse_edit("change what he wants to do for work", _draft(age=15)).target == StepRef(
        "student_after"
    )
    assert parse_edit("change what he wants to do for work", _draft(age=9)).target == StepRef(
        "vision"
    )
    assert parse_edit("change where he wants to live", _draft(age=9)).target == StepRef("vision")


def test_step_references_are_stored_as_text_and_read_back():
    for ref in (
        StepRef("vision"),
        StepRef("consider", 12),
        StepRef("concern", 3),
        StepRef("concern"),
    ):
        assert StepRef.parse(str(ref)) == ref
    assert str(StepRef("consider", 12)) == "consider:12"
