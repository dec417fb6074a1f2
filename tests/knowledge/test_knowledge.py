"""Every answer in the knowledge base is phone-sized, plain, sourced, state-aware and
wired to an intent."""

import re

import pytest
import textstat
import yaml

from bot import ROOT, content
from bot.knowledge.answers import KNOWLEDGE_DIR, answers_by_intent, render

DISCLAIMER = content.text("answer.disclaimer")

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
ANSWERS = list(answers_by_intent().values())
STATES = [None, "Massachusetts", "Ohio"]
# Grade 6-8 is the target; Flesch-Kincaid above 8 means "too hard for most parents".
MAX_GRADE = 8.0
MAX_WORDS_PER_BUBBLE = 60
# A source must name a regulation, a statute or a published guide.
SOURCE = re.compile(
    r"CFR|U\.S\.C\.|IDEA|CMR|M\.G\.L\.|Section 504|Exceptional Lives|"
    r"parentcenterhub|Federation for Children"
)

# Every topic the issue asks for (file name = topic).
REQUIRED_TOPICS = {
    "what_is_iep",
    "parent_role",
    "signing",
    "special_education",
    "iep_sections",
    "esy",
    "idea",
    "iep_process",
    "services_start",
    "iep_team",
    "meeting_prep",
    "human_help",
    "evaluation",
    "reevaluation",
    "iee",
    "accommodations",
    "placement",
    "transportation",
    "iep_vs_504",
    "disagree",
    "due_process",
    "stay_put",
    "annual_review",
    "progress_reports",
    "transition",
}


def spoken(messages):
    """What the parent reads, without the source line and disclaimer."""
    return " ".join(m["text"].split("\nSource: ")[0] for m in messages)


def test_every_knowledge_file_is_loaded():
    assert len(ANSWERS) == len(list(KNOWLEDGE_DIR.glob("*.yml"))) >= 1


def test_every_topic_of_the_issue_is_answered():
    assert REQUIRED_TOPICS <= {a.topic for a in ANSWERS}
    assert answers_by_intent()["ask_esy"].topic == "esy"
    assert answers_by_intent()["ask_iep_team"].topic == "iep_team"


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.topic)
def test_answer_fits_a_phone_and_names_its_source(answer):
    for state in STATES:
        bubbles = render(answer, state, first_answer=True)
        assert 1 <= len(bubbles) <= 3, f"{answer.topic}: {len(bubbles)} bubbles"
        assert "Source: " in bubbles[-1]["text"]
        for bubble in bubbles:
            words = len(bubble["text"].split("\nSource: ")[0].split())
            assert words <= MAX_WORDS_PER_BUBBLE, f"{answer.topic}: {words} words"
    assert SOURCE.search(answer.source), f"{answer.topic}: source names no rule or guide"
    assert answer.intent in DOMAIN["intents"], f"{answer.intent} missing from domain.yml"


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.topic)
def test_every_answer_reads_at_grade_8_or_below(answer):
    replies = {
        f"answer ({state})": spoken(render(answer, state, first_answer=False)) for state in STATES
    }
    replies.update({f"follow-up for {s}": answer.state_note(s) for s in STATES[1:]})
    replies["what does that mean"] = answer.plain
    if answer.who_decides:
        replies["who decides"] = answer.who_decides
    if answer.varies_note:
        replies["rules vary"] = answer.varies_note
    too_hard = {
        name: textstat.flesch_kincaid_grade(text)
        for name, text in replies.items()
        if textstat.flesch_kincaid_grade(text) > MAX_GRADE
    }
    assert not too_hard, f"{answer.topic}: above grade {MAX_GRADE}: {too_hard}"


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.topic)
def test_buttons_lead_to_two_or_three_questions_the_bot_knows(answer):
    assert 2 <= len(answer.buttons) <= 3, f"{answer.topic}: {len(answer.buttons)} buttons"
    for button in answer.buttons:
        intent = re.fullmatch(r"/(\w+)", button["payload"]).group(1)
        assert intent in DOMAIN["intents"], f"button '{button['title']}' -> unknown {intent}"


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.topic)
def test_topic_has_dozens_of_parent_phrasings(answer):
    data = yaml.safe_load((KNOWLEDGE_DIR / f"{answer.topic}.yml").read_text())
    examples = [line for line in data["nlu"][0]["examples"].splitlines() if line.strip()]
    assert len(examples) >= 24, f"{answer.topic}: only {len(examples)} examples"


@pytest.mark.parametrize("answer", [a for a in ANSWERS if a.varies_note], ids=lambda a: a.topic)
def test_rules_that_vary_give_the_massachusetts_rule(answer):
    """Where a rule differs by state, Massachusetts (home) has its own note."""
    assert "Massachusetts" in answer.by_state
    massachusetts = spoken(render(answer, "Massachusetts", first_answer=False))
    assert answer.by_state["Massachusetts"] in massachusetts
    ohio = spoken(render(answer, "Ohio", first_answer=False))
    assert "Ohio" in ohio and answer.by_state["Massachusetts"] not in ohio


def test_services_start_is_as_soon_as_possible_federally_and_10_days_is_guidance():
    """The 10-school-day figure is Exceptional Lives' Massachusetts guidance, not IDEA."""
    for topic in ("services_start", "iep_process"):
        answer = next(a for a in ANSWERS if a.topic == topic)
        federal = " ".join(answer.text)
        assert "as soon as possible" in federal and "10 school days" not in federal
        for note in [answer.by_state["Massachusetts"], answer.varies_note]:
            assert "10 school days" in note and "Exceptional Lives" in note


def test_human_help_gives_both_phone_numbers():
    answer = next(a for a in ANSWERS if a.topic == "human_help")
    assert "844-354-1212" in spoken(render(answer, None, first_answer=False))
    massachusetts = spoken(render(answer, "Massachusetts", first_answer=False))
    assert "844-354-1212" in massachusetts and "800-331-0688" in massachusetts


def test_disclaimer_only_on_the_first_answer():
    answer = ANSWERS[0]
    first = "\n".join(b["text"] for b in render(answer, None, first_answer=True))
    later = "\n".join(b["text"] for b in render(answer, None, first_answer=False))
    assert DISCLAIMER in first
    assert DISCLAIMER not in later
