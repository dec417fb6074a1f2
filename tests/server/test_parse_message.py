"""Our copy of Rasa's MessageProcessor.parse_message (bot/server/patches.py): on the
trained model, it understands every message exactly as Rasa's own method does, runs the
NLU graph on the helper thread instead of the event loop, and keeps the rest of what
Rasa's method does after understanding (the warning for an intent the domain lacks)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.server import patches
from tests.conftest import MODEL

RASAS = next(p for p in patches.PATCHES if p.name == "nlu-on-helper-thread").original
MESSAGES = [
    "what is an IEP?",
    "my son has an IEP in Massachusetts, who decides on summer services",
    "how much tylenol can I give my son",
    "/ask_what_is_iep",
    "¿qué es un IEP?",
    "??",
    "I want him to read chapter books on his own and make one good friend",
]


@pytest.fixture(scope="module")
def processor() -> Any:
    if not MODEL.exists():
        pytest.fail("No trained model: run `make unit` or `make test` (they train first).")
    from rasa.core.agent import Agent

    patches.apply()
    return Agent.load(str(MODEL)).processor


def message(text: str) -> UserMessage:
    return UserMessage(text, sender_id="parse-test")


async def test_every_message_is_understood_as_rasa_understands_it(processor):
    for text in MESSAGES:
        ours = await processor.parse_message(message(text))
        assert ours == await RASAS(processor, message(text)), text
    assert ours["intent"]["name"]  # a real model answered, not an empty parse


async def test_with_a_conversation_every_property_is_rasas(processor):
    tracker = DialogueStateTracker.from_events(
        "parse-test",
        [
            ActionExecuted("action_listen"),
            UserUttered("hi", {"name": "greet"}),
            SlotSet("us_state", "Ohio"),
        ],
    )
    said = message("what about the summer")
    ours = await processor.parse_message(said, tracker, only_output_properties=False)
    rasas = await RASAS(processor, said, tracker, False)
    # Every property, not only the output ones. spaCy's Doc has no equality: its text.
    assert "text_spacy_doc" in ours
    assert sorted(ours) == sorted(rasas)
    assert {k: str(v) if k.endswith("spacy_doc") else v for k, v in ours.items()} == {
        k: str(v) if k.endswith("spacy_doc") else v for k, v in rasas.items()
    }


async def test_the_model_runs_on_the_helper_thread(
    processor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    run_graph = processor._parse_message_with_graph

    def recording(*args: Any) -> dict[str, Any]:
        threads.append(threading.current_thread().name)
        return run_graph(*args)

    monkeypatch.setattr(processor, "_parse_message_with_graph", recording)
    await processor.parse_message(message("what is an IEP?"))
    await RASAS(processor, message("what is an IEP?"))
    loop_thread = threading.current_thread().name
    assert threads[0].startswith("nlu") and threads[1] == loop_thread


async def test_an_intent_the_domain_lacks_is_still_warned_about(processor, monkeypatch):
    monkeypatch.setattr(
        processor, "domain", Domain.from_yaml("version: '3.1'\nintents: [greet]\nentities: []")
    )
    for parse in (processor.parse_message, RASAS.__get__(processor)):
        with pytest.warns(UserWarning, match="not defined in the domain"):
            await parse(message("what is an IEP?"))
