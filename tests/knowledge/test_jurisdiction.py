"""Whose rule is it? Every part of every answer says: federal (IDEA, Section 504: the
same in every state), state (one state's own rule) or advice. These tests make the
issue-18 error class fail loudly: a Massachusetts rule (signing each IEP, accepting part
of it, 30 days) presented as federal law, so that a parent in another state is told
"the same in your state"."""

import re

import pytest

from bot import content
from bot.knowledge.answers import (
    ADVICE,
    FEDERAL,
    STATE,
    Answer,
    Part,
    _load_file,
    answers_by_intent,
    render,
    said,
    state_reply,
    who_decides_reply,
)
from bot.knowledge.citations import CitationError, citation

ANSWERS = list(answers_by_intent().values())
OTHER_STATE = "Ohio"

# Words that only a state's rule can say: IDEA has no signature on each IEP, no
# accepting part of it, no 30-day answer window, no "reject".
STATE_ONLY_WORDS = re.compile(
    r"\bsign(s|ed|ing|ature)?\b|\baccept|\bpartial|\bin part\b|\breject|\b30 (calendar )?days\b"
    r"|school working days|Massachusetts|BSEA|DESE|CMR|M\.G\.L\.",
    re.IGNORECASE,
)


def slots(answer: Answer):
    """Every bubble the bot can say for this topic, with where it comes from."""
    found = [(f"text[{i}]", b) for i, b in enumerate(answer.bubbles)]
    found += [(f"by_state {s}", b) for s, b in answer.state_parts.items()]
    found += [
        (name, b)
        for name, b in [
            ("plain", answer.plain_parts),
            ("who_decides", answer.who_decides_parts),
            ("varies_note", answer.varies_parts),
            ("other_states", answer.other_states_parts),
        ]
        if b
    ]
    return found


def every_part():
    for answer in ANSWERS:
        for where, bubble in slots(answer):
            for part in bubble:
                yield f"{answer.topic} {where}: {part.say[:50]}", part
    # The fixed sentences that carry a rule (data/texts/common.yml).
    team = who_decides_reply(None, first_answer=False)[0]["text"]
    yield (
        "answer.team_decides",
        Part(
            team.split("\nSource: ")[0],
            FEDERAL,
            tuple(c.strip() for c in content.text("answer.team_decides.cite").split(";")),
        ),
    )
    pointer = next(a for a in ANSWERS if a.varies_by_state and not a.other_states_parts)
    yield "answer.other_state", pointer.state_note_parts(OTHER_STATE)[0]


PARTS = list(every_part())
IDS = [name for name, _ in PARTS]


@pytest.mark.parametrize("name,part", PARTS, ids=IDS)
def test_every_part_names_its_jurisdiction(name, part):
    assert part.rule in (FEDERAL, STATE, ADVICE), name


@pytest.mark.parametrize(
    "name,part",
    [(n, p) for n, p in PARTS if p.rule != ADVICE],
    ids=[n for n, p in PARTS if p.rule != ADVICE],
)
def test_every_rule_has_a_citation(name, part):
    assert part.cite, f"{name}: a {part.rule} rule with no citation"


@pytest.mark.parametrize(
    "name,part",
    [(n, p) for n, p in PARTS if p.rule == FEDERAL],
    ids=[n for n, p in PARTS if p.rule == FEDERAL],
)
def test_a_federal_part_cites_federal_law_and_says_nothing_only_a_state_says(name, part):
    laws = {citation(key).law for key in part.cite}
    assert laws & {"IDEA", "Section 504", "ADA"}, f"{name}: federal, but cites {part.cite}"
    assert "Massachusetts" not in laws, f"{name}: federal, but cites {part.cite}"
    found = STATE_ONLY_WORDS.search(part.say)
    assert not found, f"{name}: says {found.group(0)!r}, a state rule, but is marked federal"


@pytest.mark.parametrize("name,part", PARTS, ids=IDS)
def test_a_part_that_cites_a_state_rule_is_that_states_rule_and_says_so(name, part):
    if any(citation(key).state for key in part.cite):
        assert part.rule == STATE, f"{name}: cites {part.cite} but is marked {part.rule}"
        assert "Massachusetts" in part.say, f"{name}: a Massachusetts rule must say so"


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.topic)
def test_what_every_parent_reads_is_federal_law_or_advice(answer):
    """The main text is shown in every state, so it holds no state's rule."""
    for i, bubble in enumerate(answer.bubbles):
        for part in bubble:
            assert part.rule in (FEDERAL, ADVICE), f"{answer.topic} text[{i}] is a state rule"


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.topic)
def test_a_parent_in_another_state_never_reads_the_massachusetts_rule(answer):
    replies = render(answer, OTHER_STATE, first_answer=False)
    replies += state_reply(answer, OTHER_STATE, first_answer=False)
    text = " ".join(m["text"] for m in replies)
    for rule_word in ("Massachusetts", "603 CMR", "BSEA", "30 calendar days"):
        assert rule_word not in text, f"{answer.topic}: {rule_word!r} shown to {OTHER_STATE}"


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.topic)
def test_same_in_your_state_only_when_every_rule_is_federal_and_names_the_law(answer):
    note = answer.state_note(OTHER_STATE)
    if answer.varies_by_state:
        assert "same in" not in note
        assert OTHER_STATE in note and "parentcenterhub.org" in note
        return
    federal = [p for b in answer.bubbles for p in b if p.rule == FEDERAL]
    assert federal, f"{answer.topic}: no rule and no state note"
    laws = [
        law
        for law in ("IDEA", "Section 504")
        if any(citation(c).law == law for p in federal for c in p.cite)
    ]
    assert f"same in {OTHER_STATE}" in note
    assert f"({' and '.join(laws)})" in note


def test_the_504_note_names_section_504_and_the_iep_note_names_idea():
    assert "(IDEA and Section 504)" in answers_by_intent()["ask_iep_vs_504"].state_note("Ohio")
    assert "(IDEA)" in answers_by_intent()["ask_accommodations"].state_note("Ohio")


def test_tips_are_never_called_law():
    tips = Answer("tips", "ask_tips", bubbles=((Part("Bring a snack.", ADVICE),),))
    note = tips.state_note(OTHER_STATE)
    assert "federal law" not in note and "same in" not in note and OTHER_STATE in note
    mixed = answers_by_intent()["ask_special_education"].state_note(OTHER_STATE)
    assert content.text("answer.tips_everywhere") in mixed


@pytest.mark.parametrize("answer", [a for a in ANSWERS if a.state_parts], ids=lambda a: a.topic)
def test_the_massachusetts_rule_is_given_as_massachusettss(answer):
    shown = " ".join(m["text"] for m in render(answer, "Massachusetts", first_answer=False))
    assert answer.by_state["Massachusetts"] in shown
    assert "Massachusetts" in answer.by_state["Massachusetts"]


def test_a_part_without_a_jurisdiction_or_with_an_unknown_citation_does_not_load(tmp_path):
    def topic(text_yaml):
        path = tmp_path / "topic.yml"
        path.write_text(
            "answer:\n  topic: t\n  text:\n"
            + text_yaml
            + "nlu:\n- intent: ask_t\n  examples: |\n    - hi\n"
        )
        return path

    with pytest.raises(ValueError, match="rule"):
        _load_file(topic('    - say: "No rule and no topic default."\n'))
    with pytest.raises(CitationError):
        _load_file(
            topic(
                '    - say: "A made-up section."\n      rule: federal\n'
                '      cite: "34 CFR 300.9999"\n'
            )
        )
    loaded = _load_file(
        topic('    - say: "Fine."\n      rule: federal\n      cite: "34 CFR 300.300(b)"\n')
    )
    assert said(loaded.bubbles[0]) == "Fine."
