"""Drives the draft builder's actions the way Rasa does, with rasa-sdk Trackers built
here: a rule starts draft_form, every message in the form goes to
validate_draft_form (which also says the closing words when the form ends). The real
actions and a real database run; only NLU is given (intent + confidence per message),
so each test says exactly what the classifier is assumed to have said. The whole
stack with real NLU runs in tests/system/test_draft_server.py.
"""

from __future__ import annotations

import uuid
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.draft_commands import ActionDeleteDraft, ActionOfferDraft, ActionResumeDraft
from actions.draft_form import FORM, ValidateDraftForm

DOMAIN = {"responses": {"utter_out_of_scope": [{"text": "outside what I know"}]}}


class Parent:
    """One conversation (one sender id) with its own slots."""

    def __init__(self, sender: str | None = None):
        self.sender = sender or uuid.uuid4().hex
        self.slots: dict[str, Any] = {"disclaimer_shown": False}
        self.form_active = False
        self.transcript: list[str] = []

    # --------------------------------------------------------------- plumbing
    def _tracker(
        self,
        text: str,
        intent: str,
        confidence: float,
        activating: bool = False,
        ranking: list | None = None,
    ) -> Tracker:
        events: list[dict[str, Any]] = [{"event": "user", "text": text}]
        if activating:
            events.append({"event": "active_loop", "name": FORM})
        return Tracker(
            sender_id=self.sender,
            slots=dict(self.slots),
            latest_message={
                "text": text,
                "intent": {"name": intent, "confidence": confidence},
                "intent_ranking": ranking or [],
                "entities": [],
            },
            events=events,
            paused=False,
            followup_action=None,
            active_loop={"name": FORM} if self.form_active or activating else {},
            latest_action_name="action_listen",
        )

    async def _run(self, action, tracker: Tracker) -> list[dict[str, Any]]:
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, tracker, DOMAIN)
        for event in events:
            if isinstance(event, dict) and event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        messages = dispatcher.messages
        self.transcript += [m.get("text") or m.get("response") or "" for m in messages]
        self._last_events = events
        return messages

    async def _form_turn(self, tracker: Tracker) -> list[dict[str, Any]]:
        messages = await self._run(ValidateDraftForm(), tracker)
        self.form_active = SlotSet("requested_slot", None) not in self._last_events
        return messages

    # --------------------------------------------------------------- a parent
    async def say(
        self,
        text: str,
        intent: str = "share_about_child",
        confidence: float = 0.9,
        ranking: list | None = None,
    ) -> str:
        """One message; returns everything the bot said, joined. `ranking` is
        NLU's intent_ranking (e.g. the real guesses behind an nlu_fallback)."""
        tracker = self._tracker(text, intent, confidence, ranking=ranking)
        if self.form_active:
            messages = await self._form_turn(tracker)
        elif intent == "start_draft":
            messages = await self._form_turn(self._tracker(text, intent, confidence, True))
        elif intent == "resume_draft":
            messages = await self._run(ActionResumeDraft(), tracker)
            if self.slots.get("draft_found"):
                messages += await self._form_turn(self._tracker(text, intent, confidence, True))
        elif intent == "delete_draft":
            messages = await self._run(ActionDeleteDraft(), tracker)
        elif intent == "share_about_child":
            messages = await self._run(ActionOfferDraft(), tracker)
        else:
            raise AssertionError(f"no rule for {intent} outside the form")
        self.last_messages = messages
        return "\n".join(m.get("text") or m.get("response") or "" for m in messages)

    async def start(self) -> str:
        return await self.say("help me write my vision statement", "start_draft", 0.98)

    async def complete(self, name: str = "Maya", age: str = "9", marker: str = "") -> str:
        """The whole flow with sensible answers; returns the closing messages."""
        await self.start()
        await self.say(name, "child_details")
        await self.say(age, "child_details")
        await self.say(f"She loves horses and drawing {marker}".strip())
        await self.say(f"A calm routine and a visual schedule {marker}".strip())
        await self.say(f"She eats lunch alone most days {marker}".strip())
        await self.say(f"Social skills help at lunch {marker}".strip())
        await self.say("that's all", "draft_done", 0.95)
        await self.say(f"She has a friend to sit with at lunch {marker}".strip())
        await self.say(f"In middle school with friends and a club she likes {marker}".strip())
        while self.step in ("student_after", "student_living"):  # 14 and older
            await self.say(f"I want to work with animals {marker}".strip())
        assert self.step == "review", self.step
        return await self.say("looks good", "draft_done", 0.95)

    @property
    def step(self) -> str | None:
        return self.slots.get("draft_step")
