"""The website's state (embed snippet customData -> message metadata) reaches answers.
Each test would fail if the state were ignored: it is checked against a topic whose
rule differs in Massachusetts."""

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from bot.knowledge.answers import answers_by_intent

# A topic with its own Massachusetts rule, whose rule other states may set themselves.
TOPIC = next(
    a for a in answers_by_intent().values() if "Massachusetts" in a.by_state and a.varies_by_state
)
MA_RULE = TOPIC.by_state["Massachusetts"]


def tracker(intent, metadata=None, **slots):
    return Tracker(
        sender_id="parent-1",
        slots=slots,
        latest_message={
            "intent": {"name": intent, "confidence": 0.99},
            "text": "",
            "entities": [],
            "metadata": metadata or {},
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def run(t):
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(dispatcher, t, {})
    return "\n".join(m.get("text") or "" for m in dispatcher.messages), events


async def test_the_sites_state_fills_us_state_and_gives_its_rule():
    text, events = await run(tracker(TOPIC.intent, {"state": "MA", "language": "en"}))
    assert SlotSet("us_state", "Massachusetts") in events
    assert MA_RULE in text


async def test_a_state_the_parent_named_wins_over_the_sites():
    text, events = await run(tracker(TOPIC.intent, {"state": "Massachusetts"}, us_state="Texas"))
    assert TOPIC.state_note("Texas") in text
    assert MA_RULE not in text
    assert not any(e.get("name") == "us_state" for e in events)


async def test_odd_page_data_is_ignored_not_a_crash():
    plain, _ = await run(tracker(TOPIC.intent))
    assert MA_RULE not in plain
    for metadata in [{"state": "Narnia"}, {"state": 42}, {"state": None}, "MA"]:
        text, events = await run(tracker(TOPIC.intent, metadata))
        assert text == plain, metadata
        assert not any(e.get("name") == "us_state" for e in events)
    # ... while well-formed page data on the same topic does change the answer.
    text, _ = await run(tracker(TOPIC.intent, {"state": "Massachusetts"}))
    assert text != plain and MA_RULE in text


async def test_every_answer_with_a_massachusetts_rule_gives_it_for_the_sites_state():
    for answer in answers_by_intent().values():
        if "Massachusetts" in answer.by_state:
            text, _ = await run(tracker(answer.intent, {"state": "Massachusetts"}))
            assert answer.by_state["Massachusetts"] in text, answer.topic
