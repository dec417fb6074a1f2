"""The draft builder's actions outside the form: resuming with a code, deleting,
pausing, and offering help when a parent shares a concern unprompted."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.draft_closing import DELETED, PAUSED
from bot.draft.codes import EXAMPLE_CODE, find_code
from actions.draft_form import db, forget_draft, repository
from bot.draft.language import sounds_like_worry
from bot.draft.text import clean_text
from bot.draft.model import DraftView

NOTHING_TO_DELETE = ("I don't have a draft from this chat. To delete one you saved before, "
                     "type “delete my draft” followed by its code, like "
                     f"“delete my draft {EXAMPLE_CODE}”.")
ASK_CODE = ("Sure! Please type your resume code. It looks like this: {example}")
WRONG_CODE = ("I couldn't find a draft with that code. Please check it and try again; it "
              "looks like {example}. If you can't find it, I can help you start a new "
              "draft: say “help me write my vision statement”.")
OFFER_WORRY = "That sounds hard, and it's good that you're putting it into words."
OFFER_OTHER = "Thank you for telling me about your child."
OFFER = ("Things like this belong in the parent concerns and vision parts of the IEP, where "
         "the team has to consider them. Would you like help writing them? I'll ask one "
         "question at a time.")
OFFER_EXISTING = ("Would you like to add it to your draft? I'll keep it as one of your "
                  "concerns.")
OFFER_CONTINUE = "Would you like to keep working on your draft?"
NOT_OPEN = ("Your draft is saved. Say “continue my draft” to pick up where you left off.")
NOT_STARTED = ("I can answer questions about IEPs, your rights and ESY, or help you write "
               "the parent concerns and vision parts of your child's IEP. Just say “help me "
               "write my vision statement” to start.")


class ActionResumeDraft(Action):
    """"continue my draft 7KQ2-M9XD-4RTB-HW3P": finds the draft by its code (or the
    one from this chat) and lets the rule start the form at the right step."""

    def name(self) -> Text:
        return "action_resume_draft"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        repo = await repository()
        code = find_code(tracker.latest_message.get("text") or "")
        if code:
            draft = await db(repo.find_by_code, code)
            if draft is None:
                # Says nothing about whether the code was close or what it holds.
                dispatcher.utter_message(text=WRONG_CODE.format(example=EXAMPLE_CODE))
                return [SlotSet("draft_found", False)]
            grouped = "-".join(code[i:i + 4] for i in range(0, len(code), 4))
            return [SlotSet("draft_id", draft.id), SlotSet("draft_code", grouped),
                    SlotSet("draft_found", True)]
        current = await db(repo.get, tracker.get_slot("draft_id"))
        if current is not None:
            return [SlotSet("draft_found", True)]
        dispatcher.utter_message(text=ASK_CODE.format(example=EXAMPLE_CODE))
        return [SlotSet("draft_found", False)] + (
            forget_draft() if tracker.get_slot("draft_id") else [])


class ActionDeleteDraft(Action):
    def name(self) -> Text:
        return "action_delete_draft"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        repo = await repository()
        code = find_code(tracker.latest_message.get("text") or "")
        draft: Optional[DraftView] = None
        if code:
            draft = await db(repo.find_by_code, code)
            if draft is None:
                dispatcher.utter_message(text=WRONG_CODE.format(example=EXAMPLE_CODE))
                return []
        else:
            draft = await db(repo.get, tracker.get_slot("draft_id"))
        if draft is None:
            dispatcher.utter_message(text=NOTHING_TO_DELETE)
            return forget_draft() if tracker.get_slot("draft_id") else []
        await db(repo.delete, draft.id)
        dispatcher.utter_message(text=DELETED)
        if draft.id == tracker.get_slot("draft_id"):
            return forget_draft()
        return []


class ActionPauseDraft(Action):
    """"Save my draft for later" when no draft is open: reminds of the code."""

    def name(self) -> Text:
        return "action_pause_draft"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        repo = await repository()
        draft = await db(repo.get, tracker.get_slot("draft_id"))
        code = tracker.get_slot("draft_code")
        if draft is not None and code:
            dispatcher.utter_message(text=PAUSED.format(code=code))
        else:
            dispatcher.utter_message(text=NOT_STARTED)
        return []


class ActionOfferDraft(Action):
    """A concern or hope typed outside the draft: kind words and an offer to start
    (or add to) the draft. The text is kept in this chat's pending_concern slot
    and becomes a concern if the parent says yes."""

    def name(self) -> Text:
        return "action_offer_draft"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        text = clean_text(tracker.latest_message.get("text"))
        worry = sounds_like_worry(text)
        dispatcher.utter_message(text=OFFER_WORRY if worry else OFFER_OTHER)
        repo = await repository()
        draft = await db(repo.get, tracker.get_slot("draft_id"))
        if draft is None:
            dispatcher.utter_message(text=OFFER, buttons=[
                {"title": "Yes, help me write it", "payload": "/start_draft"}])
        elif worry:
            dispatcher.utter_message(text=OFFER_EXISTING, buttons=[
                {"title": "Yes, add it to my draft", "payload": "/start_draft"}])
        else:
            dispatcher.utter_message(text=OFFER_CONTINUE, buttons=[
                {"title": "Continue my draft", "payload": "/start_draft"}])
        return [SlotSet("pending_concern", text if worry else None)]


class ActionDraftNotOpen(Action):
    """"skip", "that's all", "Maya" and the like when no draft is open."""

    def name(self) -> Text:
        return "action_draft_not_open"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        repo = await repository()
        draft = await db(repo.get, tracker.get_slot("draft_id"))
        if draft is not None and not draft.finished:
            dispatcher.utter_message(text=NOT_OPEN)
        else:
            dispatcher.utter_message(text=NOT_STARTED)
        return []
