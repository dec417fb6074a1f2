"""Rasa's responses (utter_* in domain.yml) with the contact details filled in.

The organisation's name, phone and web address are written once, in
data/texts/contact.yml (bot/content.py); domain.yml's responses use them as {org},
{phone} and {web}, like every other text. Rasa fills placeholders from slots only, so
this generator adds the contact details to the values. Everything else is Rasa's own
TemplatedNaturalLanguageGenerator (conditional variations, channels, buttons).
Loaded from endpoints.yml (`nlg: type: bot.server.nlg.ContentNaturalLanguageGenerator`).
"""

from __future__ import annotations

from typing import Any

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from bot import content


class ContentNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(
        self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None
    ) -> None:
        super().__init__((domain or Domain.empty()).responses)

    def generate_from_slots(
        self, utter_action: str, filled_slots: dict[str, Any], output_channel: str, **kwargs: Any
    ) -> dict[str, Any] | None:
        # Slots win over contact details only if a slot were ever named like one.
        values = {**content.contact(), **filled_slots}
        return super().generate_from_slots(utter_action, values, output_channel, **kwargs)
