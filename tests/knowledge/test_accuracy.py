"""Issue 18's fact-check, item by item: what a parent reads now, and the section each
sentence rests on (data/citations.yml says what each section covers)."""

import re

import pytest

from bot.knowledge.answers import (
    Answer,
    answer_for_topic,
    answers_by_intent,
    render,
    who_decides_reply,
)


def topic(name: str) -> Answer:
    answer = answer_for_topic(name)
    assert answer is not None, name
    return answer


def spoken(answer: Answer, state=None) -> str:
    return " ".join(
        m["text"].split("\nSource: ")[0] for m in render(answer, state, first_answer=False)
    )


def part_saying(bubbles, words: str):
    """The part of these bubbles that says `words` (the sentence a citation backs)."""
    found = [p for b in bubbles for p in b if words in p.say]
    assert found, f"nobody says {words!r}"
    return found[0]


def everything(answer: Answer):
    return [
        b
        for b in [
            *answer.bubbles,
            answer.plain_parts,
            answer.who_decides_parts,
            answer.varies_parts,
            answer.other_states_parts,
            *answer.state_parts.values(),
        ]
        if b
    ]


# ---------------------------------------------------------------- High
@pytest.mark.parametrize("name", ["parent_role", "what_is_iep"])
def test_no_answer_says_the_iep_is_not_final_until_you_sign(name):
    answer = topic(name)
    for state in (None, "Ohio", "Massachusetts"):
        text = spoken(answer, state) + " " + answer.plain
        assert "until you sign" not in text and "not final until" not in text
        assert "That is the law under IDEA" not in text
    consent = part_saying(answer.bubbles, "before services start")
    assert consent.rule == "federal" and "34 CFR 300.300(b)" in consent.cite


def test_what_is_an_iep_in_another_state_spreads_only_federal_law():
    note = topic("what_is_iep").state_note("Texas")
    assert "same in Texas" in note
    assert not any(p.rule == "state" for b in topic("what_is_iep").bubbles for p in b)


# ---------------------------------------------------------------- Medium
@pytest.mark.parametrize("name", ["signing", "disagree", "parent_role"])
def test_accepting_part_of_an_iep_is_massachusetts_right_only(name):
    answer = topic(name)
    for bubble in everything(answer):
        for part in bubble:
            if "part" in part.say and ("accept" in part.say or "reject" in part.say):
                assert part.rule == "state", part.say
                if "Massachusetts" in part.say:
                    assert "603 CMR 28.05(7)" in part.cite, part.say
    ohio = spoken(answer, "Ohio")
    assert "parts you accept" not in ohio and "Accepted parts" not in ohio
    assert "you can accept some parts" not in ohio


def test_who_decides_after_any_topic_no_longer_promises_you_dont_have_to_sign():
    team = who_decides_reply(None, first_answer=False)[0]["text"]
    assert "sign" not in team.split("\nSource: ")[0]


def test_esy_is_beyond_the_school_year_not_after_the_school_day():
    esy = topic("esy")
    assert "after the school day" not in spoken(esy)
    assert "beyond the normal school year" in spoken(esy)
    assert "34 CFR 300.106(b)" in part_saying(esy.bubbles, "beyond the normal").cite


def test_the_transition_planning_form_is_folded_into_the_new_massachusetts_iep():
    note = topic("transition").by_state["Massachusetts"]
    assert "new state IEP form" in note and "old Transition Planning Form" in note
    assert "Massachusetts IEP form" in topic("transition").state_parts["Massachusetts"][0].cite


def test_a_504_plan_is_credited_to_section_504_and_meeting_tips_to_nobody():
    assert "Section 504" in topic("iep_vs_504").state_note("Ohio")
    prep = topic("meeting_prep").state_note("Ohio")
    assert "same in" not in prep and "parentcenterhub.org" in prep


# ---------------------------------------------------------------- Low
def test_stay_put_exception_covers_any_discipline_appeal():
    stay = topic("stay_put")
    assert "serious discipline" not in spoken(stay)
    assert "34 CFR 300.533" in part_saying(stay.bubbles, "appeal a discipline").cite


# ---------------------------------------------------------------- Missing caveats
CAVEATS = [
    # topic, where (None = the answer every parent reads), what it now says, its section
    ("evaluation", None, "60 calendar days", "34 CFR 300.301(c)"),
    ("evaluation", None, "The clock can stop", "34 CFR 300.301(d)"),
    ("evaluation", "Massachusetts", "14 days after school ends", "603 CMR 28.05(1)"),
    (
        "iep_process",
        "Massachusetts",
        "within 5 school days of the meeting",
        "DESE memo SY2024-2025-6",
    ),
    ("iee", "Massachusetts", "based on income", "603 CMR 28.04(5)(c)"),
    ("iee", "Massachusetts", "5 school days to pay or ask for a hearing", "603 CMR 28.04(5)(d)"),
    ("iee", None, "if it meets the school's rules", "34 CFR 300.502(c)"),
    ("signing", "Massachusetts", "30 calendar days", "603 CMR 28.02(5)"),
    ("signing", "Massachusetts", "If you don't answer, nothing new starts", "603 CMR 28.08(7)"),
    (
        "signing",
        "Massachusetts",
        "tell the state's appeals office (BSEA) within 5 days",
        "603 CMR 28.08(3)(b)",
    ),
    ("reevaluation", None, "doesn't always mean new tests", "34 CFR 300.305(a)"),
    ("reevaluation", None, "if you don't answer, it may go ahead", "34 CFR 300.300(c)"),
    ("reevaluation", "Massachusetts", "it can't just go ahead", "603 CMR 28.07(1)(a)"),
    (
        "progress_reports",
        "Massachusetts",
        "at least as often as other kids get report cards",
        "603 CMR 28.07(3)",
    ),
    ("eligibility", "Massachusetts", "its own list of disabilities", "603 CMR 28.02(7)"),
    (
        "eligibility",
        "Massachusetts",
        "need a service, like physical therapy",
        "603 CMR 28.05(2)(a)",
    ),
    ("meeting_prep", "Massachusetts", "not the draft IEP", "603 CMR 28.04(2)(c)"),
    ("iep_team", None, "if your child is or may be in regular classes", "34 CFR 300.321(a)"),
    ("due_process", None, "in the last year", "34 CFR 300.151-300.153"),
    ("due_process", None, "within 2 years", "34 CFR 300.507(a)"),
    ("due_process", None, "put in writing that both sides must keep", "34 CFR 300.506"),
    ("transition", None, "which rights will pass to your child", "34 CFR 300.320(c)"),
    ("transition", None, "which rights will pass to your child", "34 CFR 300.520"),
    # Citations that did not support their sentence.
    ("meeting_prep", "Massachusetts", "at least 2 days before", "603 CMR 28.04(2)(c)"),
    ("annual_review", None, "at least every 3 years", "34 CFR 300.303"),
    ("signing", None, "for the very first time", "34 CFR 300.300(b)"),
]


@pytest.mark.parametrize(
    "name,state,words,section", CAVEATS, ids=[f"{c[0]}-{c[2][:30]}" for c in CAVEATS]
)
def test_the_caveat_is_said_and_rests_on_its_section(name, state, words, section):
    answer = topic(name)
    bubbles = [answer.state_parts[state]] if state else list(answer.bubbles)
    assert words in spoken(answer, state)
    assert section in part_saying(bubbles, words).cite


def test_consent_and_iep_contents_sections_no_longer_back_signing():
    """300.300 (consent for first services) and 300.320 (what an IEP contains) say
    nothing about signing each IEP or accepting part of it."""
    for answer in answers_by_intent().values():
        for bubble in everything(answer):
            for part in bubble:
                if {"34 CFR 300.300(b)", "34 CFR 300.320(a)"} & set(part.cite):
                    assert not re.search(r"\bsign|\baccept|\bin part\b|\bsome parts\b", part.say), (
                        part.say
                    )
