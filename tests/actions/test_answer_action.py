"""action_answer, run with rasa-sdk trackers built in the test."""

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from bot import content

DISCLAIMER = content.text("answer.disclaimer")


def tracker(intent, text="", **slots):
    return Tracker(
        sender_id="parent-1",
        slots=slots,
        latest_message={
            "intent": {"name": intent, "confidence": 0.99},
            "text": text,
            "entities": [],
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
    return dispatcher.messages, events


async def test_what_is_an_iep_gets_a_sourced_plain_answer():
    messages, events = await run(tracker("ask_what_is_iep", "what is an iep"))
    text = "\n".join(m["text"] for m in messages)
    assert "Individualized Education Program" in text
    assert "Source: " in messages[-1]["text"]
    assert DISCLAIMER in text
    assert SlotSet("last_topic", "what_is_iep") in events
    assert SlotSet("disclaimer_shown", True) in events


async def test_disclaimer_is_not_repeated():
    messages, _ = await run(tracker("ask_what_is_iep", disclaimer_shown=True))
    assert DISCLAIMER not in "\n".join(m["text"] for m in messages)


async def test_state_written_as_an_abbreviation_is_remembered_by_its_name():
    _, events = await run(tracker("ask_what_is_iep", us_state="MA"))
    assert SlotSet("us_state", "Massachusetts") in events


async def test_unknown_intent_gets_a_kind_fallback_not_silence():
    messages, events = await run(tracker("something_else"))
    assert messages and messages[0]["response"] == "utter_default"
    assert events == []


async def test_massachusetts_parent_gets_the_federal_and_the_state_rule():
    messages, _ = await run(tracker("ask_esy", "what is esy", us_state="Massachusetts"))
    text = "\n".join(m["text"] for m in messages)
    assert "not the same as summer school" in text  # the federal answer
    assert "In Massachusetts, the team must think about ESY at least once a year" in text
    assert "34 CFR 300.106" in messages[-1]["text"]


async def test_a_state_named_earlier_shapes_later_answers():
    messages, events = await run(tracker("ask_transition", us_state="ohio"))
    text = "\n".join(m["text"] for m in messages)
    assert "Ohio can set its own rule" in text and "parentcenterhub.org" in text
    assert SlotSet("us_state", "Ohio") in events


async def test_without_a_state_the_answer_says_the_rule_varies():
    messages, _ = await run(tracker("ask_transition"))
    text = "\n".join(m["text"] for m in messages)
    assert "turns 16" in text and "In Massachusetts, transition planning starts at 14" in text


async def test_a_rule_that_does_not_vary_gets_no_state_note():
    plain, _ = await run(tracker("ask_accommodations"))
    ohio, _ = await run(tracker("ask_accommodations", us_state="Ohio"))
    assert [m["text"] for m in plain] == [m["text"] for m in ohio]


async def test_answer_ends_with_next_question_buttons():
    messages, _ = await run(tracker("ask_esy"))
    assert {b["payload"] for b in messages[-1]["buttons"]} >= {"/ask_disagree"}
