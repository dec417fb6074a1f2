"""action_session_start: a new Rasa session (after an hour away, or whoever else writes
with this conversation id later) keeps the parent's slots (state, topic, ...) but not
the open draft. Coming back to a draft in a new session takes its resume code, so a
conversation id alone never opens a draft (issue 14). Rasa's own action would carry
draft_id over, and an action cannot tell a carried-over draft_id from one opened in
this session (it sees only this turn's events, bot/server/patches.py).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.draft import flow

# The draft this chat has open and where the form stood: left behind by a new session.
NOT_CARRIED = {
    *flow.FORGET_DRAFT,
    *flow.FORM_ENDED,
    flow.FORGET_SLOT,
    "draft_answer",
    "draft_found",
}


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        if (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True):
            events += [
                SlotSet(name, value)
                for name, value in tracker.current_slot_values().items()
                if value is not None and name not in NOT_CARRIED
            ]
        events.append(ActionExecuted("action_listen"))
        return events
