"""Answers for parents outside Massachusetts, through the real stack (NLU, rules, action
server): the signing, partial-acceptance, timeline and evaluation questions, with the
state set by the page (REST metadata, as the embed snippet sends it) or named in the
chat. A parent in Ohio or Texas must never be given Massachusetts' rule as theirs and
must be pointed to their own parent center; a Massachusetts parent gets the
Massachusetts rule, labelled as Massachusetts's. (Rasa test stories cannot check answer
text: they run without the action server.)"""

import uuid

import pytest

from tests.helpers import rest, texts

pytestmark = pytest.mark.server

# What only Massachusetts' rules say, and where they come from.
MASSACHUSETTS_RULE = ("Massachusetts", "30 calendar days", "school working days", "BSEA", "603 CMR")

SIGNING = "do i have to sign the iep"
PARTIAL = "can i accept part of the iep and reject the rest"
EVALUATION_DEADLINE = "how long does an iep evaluation take"
SERVICES_START = "how many days does the school have to start services"
EVALUATION = "how do i request an evaluation"


def said(replies) -> str:
    """What the parent reads, without the source lines."""
    return " ".join(r.get("text", "").split("\nSource: ")[0] for r in replies)


def assert_not_massachusetts(replies, state):
    text = texts(replies)
    for rule in MASSACHUSETTS_RULE:
        assert rule not in text, f"{rule!r} shown to a parent in {state}:\n{text}"
    assert f"{state}'s parent center" in text and "parentcenterhub.org" in text, text


@pytest.mark.parametrize(
    "question,federal_rule",
    [
        (SIGNING, "before it starts services for the very first time"),
        (PARTIAL, "before it starts services for the very first time"),
        (EVALUATION_DEADLINE, "60 calendar days"),
        (SERVICES_START, "as soon as possible"),
        (EVALUATION, "60 calendar days"),
    ],
    ids=["signing", "partial", "evaluation-deadline", "services-start", "evaluation"],
)
def test_a_parent_on_an_ohio_page_gets_federal_law_and_ohios_parent_center(
    running_bot, question, federal_rule
):
    replies = rest(running_bot.rasa_url, question, metadata={"state": "Ohio"})
    assert federal_rule in said(replies)
    assert_not_massachusetts(replies, "Ohio")


@pytest.mark.parametrize(
    "question",
    [SIGNING, PARTIAL, EVALUATION_DEADLINE, EVALUATION],
    ids=["signing", "partial", "evaluation-deadline", "evaluation"],
)
def test_a_parent_who_says_they_are_in_texas_is_answered_for_texas(running_bot, question):
    parent = uuid.uuid4().hex
    assert "Texas" in texts(rest(running_bot.rasa_url, "we're in texas", sender=parent))
    replies = rest(running_bot.rasa_url, question, sender=parent)
    assert_not_massachusetts(replies, "Texas")
    # Asking again about the same topic for the state keeps the same answer.
    again = rest(running_bot.rasa_url, "and in texas?", sender=parent)
    assert_not_massachusetts(again, "Texas")


def test_partial_acceptance_is_not_promised_in_another_state(running_bot):
    replies = rest(running_bot.rasa_url, PARTIAL, metadata={"state": "Ohio"})
    text = said(replies)
    assert "Accepted parts start" not in text and "you can accept some parts" not in text
    assert "if you can accept only part" in text


def test_a_massachusetts_page_gives_the_massachusetts_rule_as_massachusettss(running_bot):
    replies = rest(running_bot.rasa_url, SIGNING, metadata={"state": "Massachusetts"})
    text = said(replies)
    assert "In Massachusetts, you have 30 calendar days" in text
    assert "accept only some parts" in text and "within 5 days" in text
    # The federal rule is still there, and called federal.
    assert "Under federal law, the school needs your written OK" in text
    assert "603 CMR 28.05(7)" in texts(replies)


def test_a_parent_who_names_massachusetts_gets_its_evaluation_deadlines(running_bot):
    parent = uuid.uuid4().hex
    rest(running_bot.rasa_url, "we live in massachusetts", sender=parent)
    replies = rest(running_bot.rasa_url, EVALUATION_DEADLINE, sender=parent)
    text = said(replies)
    assert "60 calendar days" in text  # the federal rule
    assert "In Massachusetts, you get a consent form within 5 school days" in text
    assert "30 school working days" in text and "14 days after school ends" in text
    assert "Massachusetts (603 CMR 28.04(1)(a), 28.05(1))" in texts(replies)


def test_a_state_named_in_the_chat_wins_over_the_page(running_bot):
    parent = uuid.uuid4().hex
    page = {"state": "Massachusetts"}
    rest(running_bot.rasa_url, "we're in texas", sender=parent, metadata=page)
    replies = rest(running_bot.rasa_url, SIGNING, sender=parent, metadata=page)
    assert_not_massachusetts(replies, "Texas")
