"""Rasa's responses (domain.yml) as the parent gets them: through the project's NLG,
which fills the contact details written once in data/texts/contact.yml."""

from __future__ import annotations

import re

import pytest
from rasa.shared.core.domain import Domain

from bot import ROOT, content
from bot.server.nlg import ContentNaturalLanguageGenerator

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
NLG = ContentNaturalLanguageGenerator(domain=DOMAIN)


def say(response: str) -> str:
    generated = NLG.generate_from_slots(response, {"us_state": None}, "rest")
    assert generated is not None, response
    return str(generated["text"])


@pytest.mark.parametrize("response", sorted(DOMAIN.responses))
def test_every_response_is_filled_completely(response):
    assert not re.search(r"[{}]", say(response)), say(response)


def test_spanish_reply_says_what_the_bot_does_and_gives_the_phone_number():
    text = say("utter_spanish")
    assert text.startswith("¡Hola!")
    assert content.contact()["phone"] in text and content.contact()["org"] in text
    assert all(word in text for word in ("IEP", "IDEA", "ESY", "inglés"))


def test_out_of_scope_reply_gives_the_phone_number():
    assert content.contact()["phone"] in say("utter_out_of_scope")
