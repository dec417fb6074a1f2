"""action_answer: replies to a knowledge question from data/knowledge/."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.page_data import site_state  # website widget (issue 5)
from bot.knowledge.answers import answer_for_intent, render
from bot.knowledge.states import canonical_state


class ActionAnswer(Action):
    def name(self) -> str:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        answer = answer_for_intent(intent)
        if answer is None:
            dispatcher.utter_message(response="utter_default")
            return []
        # A state the parent named wins; otherwise the website's own state (sent by the
        # embed snippet as customData) fills us_state. Added for the website widget.
        state = canonical_state(tracker.get_slot("us_state") or site_state(tracker))
        first = not tracker.get_slot("disclaimer_shown")
        for message in render(answer, state, first_answer=first):
            dispatcher.utter_message(**message)
        events = [SlotSet("last_topic", answer.topic), SlotSet("disclaimer_shown", True)]
        if state and state != tracker.get_slot("us_state"):
            events.append(SlotSet("us_state", state))
        return events
