"""action_followup: short follow-ups to the last answer.

    "and in Massachusetts?" / "we're in Ohio"  (inform_state)
    "who decides that?"                        (followup_who_decides)
    "what does that mean?"                     (followup_what_means)

The slot last_topic says what "that" is; the slot us_state keeps the parent's state
so later answers give that state's rule too.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge.answers import (
    TEAM_DECIDES, TEAM_SOURCE, Answer, answer_for_topic, as_messages,
)
from actions.page_data import site_state  # the website's own state (issue 5)
from bot.knowledge.states import canonical_state

ASK_STATE = (
    "Which state do you live in? Rules can differ a little from state to state, "
    "so tell me, for example: \"We're in Massachusetts.\""
)
STATE_REMEMBERED = (
    "Thanks! I'll remember that you're in {state}. When a rule is different there, "
    "I'll say so. What would you like to know?"
)
WHAT_TO_EXPLAIN = (
    "I'm happy to explain. What should I explain? You can ask about a word, "
    "like \"What is ESY?\" or \"What is an IEP?\""
)
START_BUTTONS = [
    {"title": "What is an IEP?", "payload": "/ask_what_is_iep"},
    {"title": "What is ESY?", "payload": "/ask_esy"},
]


def mentioned_state(tracker: Tracker) -> Optional[str]:
    """The state named in the latest message, if any."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "us_state":
            state = canonical_state(entity.get("value"))
            if state:
                return state
    return None


class ActionFollowUp(Action):
    def name(self) -> Text:
        return "action_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        topic = answer_for_topic(tracker.get_slot("last_topic"))
        first = not tracker.get_slot("disclaimer_shown")
        if intent == "inform_state":
            return self.state_followup(dispatcher, tracker, topic, first)
        if intent == "followup_who_decides":
            text = (topic and topic.who_decides) or TEAM_DECIDES
            source = topic.source if topic and topic.who_decides else TEAM_SOURCE
            return self.say(dispatcher, [text], source, first, topic)
        if topic and topic.plain:
            return self.say(dispatcher, [topic.plain], topic.source, first, topic)
        dispatcher.utter_message(text=WHAT_TO_EXPLAIN, buttons=START_BUTTONS)
        return []

    def state_followup(
        self, dispatcher: CollectingDispatcher, tracker: Tracker,
        topic: Optional[Answer], first: bool,
    ) -> List[Dict[Text, Any]]:
        state = mentioned_state(tracker) or canonical_state(
            tracker.get_slot("us_state") or site_state(tracker))
        if not state:
            dispatcher.utter_message(text=ASK_STATE)
            return []
        remember = [SlotSet("us_state", state)]
        if topic is None:
            dispatcher.utter_message(text=STATE_REMEMBERED.format(state=state),
                                     buttons=START_BUTTONS)
            return remember
        return remember + self.say(dispatcher, [topic.state_note(state)], topic.source,
                                   first, topic)

    @staticmethod
    def say(
        dispatcher: CollectingDispatcher, bubbles: List[str], source: str, first: bool,
        topic: Optional[Answer],
    ) -> List[Dict[Text, Any]]:
        buttons = topic.buttons if topic else None
        for message in as_messages(bubbles, source, first, buttons):
            dispatcher.utter_message(**message)
        return [SlotSet("disclaimer_shown", True)] if first else []
