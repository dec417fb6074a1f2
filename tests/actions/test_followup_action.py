"""action_followup: "and in Massachusetts?", "we're in Ohio", "who decides that?",
"what does that mean?" after an answer (rasa-sdk trackers built in the test)."""

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.followup import ActionFollowUp
from bot import content
from bot.knowledge.answers import answer_for_topic

ASK_STATE = content.text("followup.ask_state")
WHAT_TO_EXPLAIN = content.text("followup.what_to_explain")
DISCLAIMER = content.text("answer.disclaimer")
TEAM_DECIDES = content.text("answer.team_decides")

ESY = answer_for_topic("esy")


def tracker(intent, text="", state_said=None, **slots):
    entities = [{"entity": "us_state", "value": state_said}] if state_said else []
    slots.setdefault("disclaimer_shown", True)
    return Tracker(
        sender_id="parent-2",
        slots=slots,
        latest_message={
            "intent": {"name": intent, "confidence": 0.95},
            "text": text,
            "entities": entities,
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def run(t):
    dispatcher = CollectingDispatcher()
    events = await ActionFollowUp().run(dispatcher, t, {})
    return "\n".join(m["text"] or "" for m in dispatcher.messages), dispatcher.messages, events


async def test_and_in_massachusetts_gives_the_massachusetts_rule_for_the_last_topic():
    text, messages, events = await run(
        tracker(
            "inform_state",
            "and in Massachusetts?",
            state_said="Massachusetts",
            last_topic="esy",
            us_state="Massachusetts",
        )
    )
    assert ESY.by_state["Massachusetts"] in text
    assert "Source: " in messages[-1]["text"]
    assert SlotSet("us_state", "Massachusetts") in events


async def test_what_about_ohio_switches_state_and_is_remembered():
    text, _, events = await run(
        tracker(
            "inform_state",
            "what about in ohio",
            state_said="ohio",
            last_topic="transition",
            us_state="Massachusetts",
        )
    )
    assert "Ohio can set its own rule" in text and "parentcenterhub.org" in text
    assert "Massachusetts" not in text.split("Source:")[0]
    assert SlotSet("us_state", "Ohio") in events


async def test_state_said_before_any_question_is_remembered_kindly():
    text, _, events = await run(tracker("inform_state", "we're in Ohio", state_said="Ohio"))
    assert "I'll remember that you're in Ohio" in text
    assert SlotSet("us_state", "Ohio") in events


async def test_a_federal_rule_is_said_to_be_the_same_in_the_parents_state():
    text, _, _ = await run(
        tracker("inform_state", "what about MA", state_said="MA", last_topic="accommodations")
    )
    assert "the same in Massachusetts" in text


async def test_and_in_my_state_uses_the_state_already_known():
    text, _, _ = await run(
        tracker("inform_state", "what about my state", last_topic="esy", us_state="MA")
    )
    assert ESY.by_state["Massachusetts"] in text


async def test_unknown_state_gets_a_question_not_a_guess():
    text, _, events = await run(tracker("inform_state", "what about my state", last_topic="esy"))
    assert text == ASK_STATE
    assert events == []


async def test_who_decides_answers_for_the_last_topic():
    text, _, _ = await run(tracker("followup_who_decides", "who decides that?", last_topic="esy"))
    assert ESY.who_decides in text


async def test_who_decides_without_a_specific_answer_says_the_team_and_you():
    text, _, _ = await run(tracker("followup_who_decides", "who decides?"))
    assert TEAM_DECIDES in text and "Source: " in text


async def test_what_does_that_mean_gives_the_simpler_answer():
    text, messages, _ = await run(
        tracker("followup_what_means", "what does that mean", last_topic="stay_put")
    )
    assert answer_for_topic("stay_put").plain in text
    assert messages[-1]["buttons"]


async def test_what_does_that_mean_with_nothing_said_yet_asks_what_to_explain():
    text, _, events = await run(tracker("followup_what_means", "huh?"))
    assert text == WHAT_TO_EXPLAIN and events == []


async def test_follow_up_as_first_answer_carries_the_disclaimer_once():
    text, _, events = await run(
        tracker(
            "followup_what_means", "what does that mean", last_topic="esy", disclaimer_shown=False
        )
    )
    assert DISCLAIMER in text
    assert SlotSet("disclaimer_shown", True) in events


def test_follow_up_sentences_read_at_grade_8_or_below():
    import textstat

    STATE_REMEMBERED = content.raw("followup.state_remembered")
    OTHER_STATE_NOTE = content.raw("answer.other_state")
    SAME_EVERYWHERE_NOTE = content.raw("answer.same_everywhere")

    for text in [
        ASK_STATE,
        WHAT_TO_EXPLAIN,
        TEAM_DECIDES,
        STATE_REMEMBERED.format(state="North Carolina"),
        OTHER_STATE_NOTE.format(state="North Carolina"),
        SAME_EVERYWHERE_NOTE.format(law="IDEA and Section 504", state="Massachusetts"),
        content.text("answer.tips_everywhere"),
        content.text("answer.advice_everywhere", state="North Carolina"),
    ]:
        assert textstat.flesch_kincaid_grade(text) <= 8.0, text
