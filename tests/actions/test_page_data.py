"""The website's state (embed snippet customData -> message metadata) reaches answers."""

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from bot.knowledge.answers import answers_by_intent


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


async def test_the_sites_state_fills_us_state():
    _, events = await run(tracker("ask_what_is_iep", {"state": "MA", "language": "en"}))
    assert SlotSet("us_state", "Massachusetts") in events


async def test_a_state_the_parent_named_wins_over_the_sites():
    _, events = await run(tracker("ask_what_is_iep", {"state": "Massachusetts"}, us_state="Texas"))
    assert not any(e.get("name") == "us_state" for e in events)


async def test_odd_page_data_is_ignored_not_a_crash():
    for metadata in [{"state": "Narnia"}, {"state": 42}, {"state": None}]:
        text, events = await run(tracker("ask_what_is_iep", metadata))
        assert "Individualized Education Program" in text
        assert not any(e.get("name") == "us_state" for e in events)


async def test_the_sites_state_changes_the_answer_where_the_rule_differs():
    answer = next(a for a in answers_by_intent().values() if "Massachusetts" in a.by_state)
    text, _ = await run(tracker(answer.intent, {"state": "Massachusetts"}))
    assert answer.by_state["Massachusetts"] in text
