"""Every answer in the knowledge base is phone-sized, sourced and wired to an intent."""
import re

import pytest
import yaml

from actions.knowledge import DISCLAIMER, KNOWLEDGE_DIR, answers_by_intent, render
from bot import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
ANSWERS = list(answers_by_intent().values())


def test_every_knowledge_file_is_loaded():
    assert len(ANSWERS) == len(list(KNOWLEDGE_DIR.glob("*.yml"))) >= 1


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.topic)
def test_answer_fits_a_phone_and_names_its_source(answer):
    for state in [None, "Massachusetts", "Ohio"]:
        bubbles = render(answer, state, first_answer=True)
        assert 1 <= len(bubbles) <= 3, f"{answer.topic}: {len(bubbles)} bubbles"
        assert "Source: " in bubbles[-1]["text"]
    assert answer.source.strip()
    assert answer.intent in DOMAIN["intents"], f"{answer.intent} missing from domain.yml"


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.topic)
def test_buttons_lead_to_questions_the_bot_knows(answer):
    for button in answer.buttons:
        intent = re.fullmatch(r"/(\w+)", button["payload"]).group(1)
        assert intent in DOMAIN["intents"], f"button '{button['title']}' -> unknown {intent}"


def test_disclaimer_only_on_the_first_answer():
    answer = ANSWERS[0]
    first = "\n".join(b["text"] for b in render(answer, None, first_answer=True))
    later = "\n".join(b["text"] for b in render(answer, None, first_answer=False))
    assert DISCLAIMER in first
    assert DISCLAIMER not in later
