"""action_followup: short follow-ups to the last answer.

    "and in Massachusetts?" / "we're in Ohio"  (inform_state)
    "who decides that?"                        (followup_who_decides)
    "what does that mean?"                     (followup_what_means)

The slot last_topic says what "that" is; the slot us_state keeps the parent's state
so later answers give that state's rule too.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.page_data import site_state  # the website's own state (issue 5)
from bot import content
from bot.knowledge.answers import (
    Answer,
    answer_for_topic,
    plain_reply,
    state_reply,
    who_decides_reply,
)
from bot.knowledge.states import canonical_state


def mentioned_state(tracker: Tracker) -> str | None:
    """The state named in the latest message, if any."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "us_state":
            state = canonical_state(entity.get("value"))
            if state:
                return state
    return None


class ActionFollowUp(Action):
    def name(self) -> str:
        return "action_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        topic = answer_for_topic(tracker.get_slot("last_topic"))
        first = not tracker.get_slot("disclaimer_shown")
        if intent == "inform_state":
            return self.state_followup(dispatcher, tracker, topic, first)
        if intent == "followup_who_decides":
            return self.say(dispatcher, who_decides_reply(topic, first), first)
        if topic and topic.plain_parts:
            return self.say(dispatcher, plain_reply(topic, first), first)
        dispatcher.utter_message(**content.message("followup.what_to_explain"))
        return []

    def state_followup(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        topic: Answer | None,
        first: bool,
    ) -> list[dict[str, Any]]:
        state = mentioned_state(tracker) or canonical_state(
            tracker.get_slot("us_state") or site_state(tracker)
        )
        if not state:
            dispatcher.utter_message(text=content.text("followup.ask_state"))
            return []
        remember = [SlotSet("us_state", state)]
        if topic is None:
            dispatcher.utter_message(**content.message("followup.state_remembered", state=state))
            return remember
        return remember + self.say(dispatcher, state_reply(topic, state, first), first)

    @staticmethod
    def say(
        dispatcher: CollectingDispatcher, messages: list[dict[str, Any]], first: bool
    ) -> list[dict[str, Any]]:
        for message in messages:
            dispatcher.utter_message(**message)
        return [SlotSet("disclaimer_shown", True)] if first else []
