"""validate_draft_form: the rasa-sdk side of the draft builder (the logic is
bot/draft/flow.py, free of Rasa types).

draft_form (domain.yml) has one required slot, `draft_answer`, which this action keeps
empty until the parent confirms the draft, so Rasa keeps the form running and every
message in the draft comes here. This action reads the tracker into flow.Inputs, runs
flow.handle in a worker thread, and turns its outcome into messages and SlotSet events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.content import DEFAULT_LANGUAGE, Message
from bot.draft import flow
from bot.draft.model import StepRef
from bot.draft.text import clean_text
from bot.knowledge.answers import answer_for_intent, answers_by_intent, render
from bot.knowledge.states import canonical_state
from bot.settings import settings
from bot.storage.repository import DraftRepository, default_repository, repository_if_made

FORM = "draft_form"
T = TypeVar("T")


async def in_worker_thread(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Database and spaCy work runs in a worker thread: the action server's event
    loop keeps serving other parents meanwhile. Everything validate_draft_form does
    for a message runs in one such call (ValidateDraftForm._turn)."""
    return await asyncio.to_thread(function, *args, **kwargs)


async def repository() -> DraftRepository:
    """The drafts repository; made (engine, tables) in a thread on first use only."""
    made = repository_if_made()
    return made if made is not None else await in_worker_thread(default_repository)


def just_activated(tracker: Tracker) -> bool:
    """True when the form started in this turn (the message is the request to start,
    not an answer)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "active_loop" and event.get("name") == FORM:
            return True
    return False


def best_guess(message: dict[str, Any]) -> tuple[Any, float]:
    """The intent and its confidence. When the FallbackClassifier said "nlu_fallback"
    (unsure, or two intents too close), its best real guess is still useful here:
    every check in bot/draft/interpret.py has its own bar."""
    intent = message.get("intent") or {}
    if intent.get("name") == "nlu_fallback":
        ranking = [
            r for r in message.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"
        ]
        if ranking:
            intent = ranking[0]
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def slot_events(slots: dict[str, Any]) -> list[EventType]:
    return [SlotSet(name, value) for name, value in slots.items()]


def forget_draft() -> list[EventType]:
    return slot_events(flow.FORGET_DRAFT)


def read_inputs(tracker: Tracker, domain: dict[str, Any]) -> flow.Inputs:
    message = tracker.latest_message or {}
    intent, confidence = best_guess(message)
    step = tracker.get_slot("draft_step")
    return flow.Inputs(
        text=clean_text(message.get("text")),
        intent=intent,
        confidence=confidence,
        just_started=just_activated(tracker),
        draft_id=tracker.get_slot("draft_id"),
        step=StepRef.parse(step) if step else None,
        nudges=int(tracker.get_slot("draft_nudges") or 0),
        pending_concern=tracker.get_slot("pending_concern"),
        state=canonical_state(tracker.get_slot("us_state")),
        responses=frozenset((domain or {}).get("responses", {})),
        knowledge_intents=answers_by_intent().keys(),
        lang=DEFAULT_LANGUAGE,
        retention_days=settings().retention_days,
    )


def answer_question(tracker: Tracker, intent: str) -> tuple[list[Message], dict[str, Any]]:
    """A knowledge answer inside the draft, without its buttons (they would lead the
    parent away from the draft)."""
    answer = answer_for_intent(intent)
    assert answer is not None, intent  # interpret only passes intents that have answers
    state = canonical_state(tracker.get_slot("us_state"))
    first = not tracker.get_slot("disclaimer_shown")
    messages = render(answer, state, first_answer=first)
    for message in messages:
        message.pop("buttons", None)
    return messages, {"last_topic": answer.topic, "disclaimer_shown": True}


class ValidateDraftForm(Action):
    def name(self) -> str:
        return "validate_draft_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # One worker thread per message: the event loop keeps serving other parents,
        # and a turn's database and spaCy work costs one hand-off, not one per step.
        outcome = await in_worker_thread(self._turn, tracker, domain)
        for message in outcome.messages:
            dispatcher.utter_message(**message)
        return slot_events(outcome.slots)

    @staticmethod
    def _turn(tracker: Tracker, domain: dict[str, Any]) -> flow.Outcome:
        repo = default_repository()
        outcome = flow.handle(read_inputs(tracker, domain), repo, partial(answer_question, tracker))
        created = outcome.slots.get("draft_id")
        if created:  # this conversation now holds the draft's words: forgotten with it
            repo.link_conversation(created, tracker.sender_id)
        return outcome
