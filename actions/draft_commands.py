"""The draft builder's actions outside the form: resuming with a code, deleting,
pausing, and offering help when a parent shares a concern unprompted."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.draft_closing import say_deleted, say_paused
from actions.draft_form import forget_draft, in_worker_thread, repository
from bot.content import DEFAULT_LANGUAGE
from bot.content import message as bot_message
from bot.draft.codes import EXAMPLE_CODE, find_code
from bot.draft.language import sounds_like_worry
from bot.draft.model import DraftView
from bot.draft.text import clean_text


def say(dispatcher: CollectingDispatcher, key: str, **values: Any) -> None:
    dispatcher.utter_message(**bot_message(key, DEFAULT_LANGUAGE, **values))


class ActionResumeDraft(Action):
    """ "continue my draft 7KQ2-M9XD-4RTB-HW3P": finds the draft by its code (or the
    one from this chat) and lets the rule start the form at the right step."""

    def name(self) -> str:
        return "action_resume_draft"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        repo = await repository()
        code = find_code(tracker.latest_message.get("text") or "")
        if code:
            draft = await in_worker_thread(repo.find_by_code, code)
            if draft is None:
                # Says nothing about whether the code was close or what it holds.
                say(dispatcher, "draft.wrong_code", example=EXAMPLE_CODE)
                return [SlotSet("draft_found", False)]
            grouped = "-".join(code[i : i + 4] for i in range(0, len(code), 4))
            return [
                SlotSet("draft_id", draft.id),
                SlotSet("draft_code", grouped),
                SlotSet("draft_found", True),
            ]
        current = await in_worker_thread(repo.get, tracker.get_slot("draft_id"))
        if current is not None:
            return [SlotSet("draft_found", True)]
        say(dispatcher, "draft.ask_code", example=EXAMPLE_CODE)
        return [SlotSet("draft_found", False)] + (
            forget_draft() if tracker.get_slot("draft_id") else []
        )


class ActionDeleteDraft(Action):
    def name(self) -> str:
        return "action_delete_draft"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        repo = await repository()
        code = find_code(tracker.latest_message.get("text") or "")
        draft: DraftView | None = None
        if code:
            draft = await in_worker_thread(repo.find_by_code, code)
            if draft is None:
                say(dispatcher, "draft.wrong_code", example=EXAMPLE_CODE)
                return []
        else:
            draft = await in_worker_thread(repo.get, tracker.get_slot("draft_id"))
        if draft is None:
            say(dispatcher, "draft.nothing_to_delete", example=EXAMPLE_CODE)
            return forget_draft() if tracker.get_slot("draft_id") else []
        await in_worker_thread(repo.delete, draft.id)
        say_deleted(dispatcher)
        if draft.id == tracker.get_slot("draft_id"):
            return forget_draft()
        return []


class ActionPauseDraft(Action):
    """ "Save my draft for later" when no draft is open: reminds of the code."""

    def name(self) -> str:
        return "action_pause_draft"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        repo = await repository()
        draft = await in_worker_thread(repo.get, tracker.get_slot("draft_id"))
        code = tracker.get_slot("draft_code")
        if draft is not None and code:
            say_paused(dispatcher, code)
        else:
            say(dispatcher, "draft.not_started")
        return []


class ActionOfferDraft(Action):
    """A concern or hope typed outside the draft: kind words and an offer to start
    (or add to) the draft. The text is kept in this chat's pending_concern slot
    and becomes a concern if the parent says yes."""

    def name(self) -> str:
        return "action_offer_draft"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = clean_text(tracker.latest_message.get("text"))
        worry = sounds_like_worry(text)
        say(dispatcher, "draft.offer.worry" if worry else "draft.offer.other")
        repo = await repository()
        draft = await in_worker_thread(repo.get, tracker.get_slot("draft_id"))
        if draft is None:
            say(dispatcher, "draft.offer.start")
        elif worry:
            say(dispatcher, "draft.offer.add")
        else:
            say(dispatcher, "draft.offer.continue")
        return [SlotSet("pending_concern", text if worry else None)]


class ActionDraftNotOpen(Action):
    """ "skip", "that's all", "Maya" and the like when no draft is open."""

    def name(self) -> str:
        return "action_draft_not_open"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        repo = await repository()
        draft = await in_worker_thread(repo.get, tracker.get_slot("draft_id"))
        if draft is not None and not draft.finished:
            say(dispatcher, "draft.not_open")
        else:
            say(dispatcher, "draft.not_started")
        return []
