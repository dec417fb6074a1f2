"""The draft builder's actions outside the form: resuming with a code, deleting,
pausing, and offering help when a parent shares a concern unprompted."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.draft_closing import say_deleted, say_paused
from actions.draft_form import forget_draft, in_worker_thread, repository
from bot.content import DEFAULT_LANGUAGE
from bot.content import message as bot_message
from bot.draft import flow
from bot.draft.codes import EXAMPLE_CODE, find_code
from bot.draft.language import sounds_like_worry
from bot.draft.model import DraftView
from bot.draft.text import clean_text
from bot.settings import settings
from bot.storage import attempts
from bot.storage.attempts import ADDRESS_KEY, CodeAttempts


def say(dispatcher: CollectingDispatcher, key: str, **values: Any) -> None:
    dispatcher.utter_message(**bot_message(key, DEFAULT_LANGUAGE, **values))


def _address(tracker: Tracker) -> str | None:
    """The salted hash of the client's address the channel put in this message's
    metadata (bot/server/peers.py)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            value = (event.get("metadata") or {}).get(ADDRESS_KEY)
            return value if isinstance(value, str) else None
    return None


async def find_by_code(
    dispatcher: CollectingDispatcher, tracker: Tracker, code: str
) -> DraftView | None:
    """The draft a code opens, with wrong codes limited per conversation and per address
    (bot/storage/attempts.py). Says why when it finds none; None then."""
    repo = await repository()
    counter = CodeAttempts(repo.engine)
    limits = attempts.keys(tracker.sender_id, _address(tracker))
    if await in_worker_thread(counter.blocked, limits):
        say(dispatcher, "draft.too_many_codes")
        return None
    # A code expires with its draft's retention (bot/storage/retention.py).
    expired_before = datetime.now(timezone.utc) - timedelta(days=settings().retention_days)
    draft = await in_worker_thread(repo.find_by_code, code, expired_before)
    if draft is None:
        await in_worker_thread(counter.record, limits)
        # Says nothing about whether the code was close or what it holds.
        say(dispatcher, "draft.wrong_code", example=EXAMPLE_CODE)
    return draft


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
            draft = await find_by_code(dispatcher, tracker, code)
            if draft is None:
                return [SlotSet("draft_found", False)]
            await in_worker_thread(repo.link_conversation, draft.id, tracker.sender_id)
            return [SlotSet("draft_id", draft.id), SlotSet("draft_found", True)]
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
            draft = await find_by_code(dispatcher, tracker, code)
            if draft is None:
                return []
        else:
            draft = await in_worker_thread(repo.get, tracker.get_slot("draft_id"))
        if draft is None:
            say(dispatcher, "draft.nothing_to_delete", example=EXAMPLE_CODE)
            return forget_draft() if tracker.get_slot("draft_id") else []
        forget = await in_worker_thread(flow.forget, repo, draft)
        await in_worker_thread(repo.delete, draft.id)
        say_deleted(dispatcher)
        # Last: the conversation store forgets everything before this event.
        forgotten = [SlotSet(name, value) for name, value in forget.items()]
        if draft.id == tracker.get_slot("draft_id"):
            return forget_draft() + forgotten
        return forgotten


class ActionPauseDraft(Action):
    """ "Save my draft for later" when no draft is open: gives a new code (the one shown
    before is never kept readable, and stops working)."""

    def name(self) -> str:
        return "action_pause_draft"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        repo = await repository()
        draft = await in_worker_thread(repo.get, tracker.get_slot("draft_id"))
        if draft is not None:
            say_paused(dispatcher, await in_worker_thread(repo.new_code, draft.id))
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
