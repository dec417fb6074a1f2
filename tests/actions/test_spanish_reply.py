"""A message in Spanish gets a kind Spanish reply: what the bot can do + a phone number."""

import yaml

from bot import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())


def test_spanish_reply_says_what_the_bot_does_and_gives_the_phone_number():
    [reply] = DOMAIN["responses"]["utter_spanish"]
    text = reply["text"]
    assert text.startswith("¡Hola!")
    assert "844-354-1212" in text
    assert all(word in text for word in ("IEP", "IDEA", "ESY", "inglés"))
