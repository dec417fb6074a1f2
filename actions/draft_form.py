"""validate_draft_form: the brain of the draft builder.

draft_form (domain.yml) has one required slot, `draft_answer`, which this action keeps
empty until the parent confirms the draft, so Rasa keeps the form running and every
message in the draft comes here. This action then:
  1. works out what the message is (bot/draft/interpret.py): an answer, a
     command, or a knowledge question to answer before asking the same step again;
  2. saves an answer in its own transaction (autosave) before anything is asked;
  3. asks the next step itself (steps.py), from what the database says is missing.
The form never rejects a message, so no per-intent unhappy-path rules are needed.
To end the form it says why (finished, with the download links; paused, with the
resume code; deleted; gone) and sets `requested_slot` to None, all in the same call,
so ending costs the parent's turn no second action.
"""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.draft import steps
from actions.draft_closing import DELETED, say_finished, say_paused
from bot.draft.compose import compose
from bot.draft.interpret import interpret, is_dont_know, parse_age, parse_name, word_count
from bot.draft.language import concern_area
from bot.draft.text import clean_text, quote
from bot.knowledge.answers import answer_for_intent, answers_by_intent, render
from bot.knowledge.states import canonical_state
from bot.storage.repository import (DraftNotFound, DraftView, default_repository,
                                        repository_if_made)

FORM = "draft_form"
MAX_NUDGES = 2

INTRO = ("Great, let's write it together! I'll ask short questions in 6 steps, one at a "
         "time, and use your words. I save each answer as we go. You can ask me a "
         "question or say “stop” at any time.")
WELCOME_BACK = "Welcome back! Your draft is saved. Let's pick up where you left off."
WELCOME_BACK_FINISHED = ("Welcome back! Here is your finished draft again. You can "
                         "change any part of it.")
CODE_NOTICE = ("I'm saving your answers as we go. If you need to stop, this code brings "
               "your draft back: **{code}**\nKeep it somewhere safe and private.")
BACK_TO_DRAFT = "Now, back to your draft."
HELP = ("No problem. There's no right or wrong answer here. Write it the way you'd "
        "say it to a friend who knows your child; a sentence or two is plenty.")
BUSY = "We're already working on your draft. Here's where we are:"
NAME_AGAIN = ("Just a first name or nickname is plenty, like “Maya” or “JJ”. "
              "Or say “skip” and I'll write “my child”.")
UNCLEAR_EDIT = ("Which part would you like to change? You can say things like "
                "“change the second concern”, “remove the last concern”, “redo the "
                "strengths”, “add a concern” or “redo the vision”.")
DRAFT_GONE = ("I can't find your draft any more. It may have been deleted. If you'd like, "
              "say “help me write my vision statement” to start a new one.")
PENDING_ADDED = "I've added what you told me earlier as a concern: “{text}”"


async def db(function, *args, **kwargs):
    """Database and spaCy work runs in a worker thread: the action server's event
    loop keeps serving other parents meanwhile. Everything validate_draft_form does
    for a message runs in one such call (ValidateDraftForm._turn)."""
    return await asyncio.to_thread(function, *args, **kwargs)


async def repository():
    """The drafts repository; made (engine, tables) in a thread on first use only."""
    return repository_if_made() or await db(default_repository)


def just_activated(tracker: Tracker) -> bool:
    """True when the form started in this turn (the message is the request to start,
    not an answer)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "active_loop" and event.get("name") == FORM:
            return True
    return False


def best_guess(message: Dict[Text, Any]):
    """The intent and its confidence. When the FallbackClassifier said "nlu_fallback"
    (unsure, or two intents too close), its best real guess is still useful here:
    every check below has its own bar."""
    intent = message.get("intent") or {}
    if intent.get("name") == "nlu_fallback":
        ranking = [r for r in message.get("intent_ranking") or []
                   if r.get("name") != "nlu_fallback"]
        if ranking:
            intent = ranking[0]
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def keep_asking(step: str, nudges: int = 0) -> List[EventType]:
    return [SlotSet("draft_step", step), SlotSet("draft_nudges", nudges),
            SlotSet("draft_answer", None)]


def close_form() -> List[EventType]:
    return [SlotSet("draft_step", None), SlotSet("draft_nudges", 0),
            SlotSet("requested_slot", None)]


def forget_draft() -> List[EventType]:
    return [SlotSet("draft_id", None), SlotSet("draft_code", None),
            SlotSet("pending_concern", None)]


class ValidateDraftForm(Action):
    def name(self) -> Text:
        return "validate_draft_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        # One worker thread per message: the event loop keeps serving other parents,
        # and a turn's database and spaCy work costs one hand-off, not one per step.
        return await db(self._turn, dispatcher, tracker, domain)

    def _turn(self, dispatcher, tracker, domain) -> List[EventType]:
        repo = default_repository()
        draft_id = tracker.get_slot("draft_id")
        try:
            draft = repo.get(draft_id) if draft_id else None
            if just_activated(tracker):
                # A draft deleted elsewhere since: this chat simply starts a new one.
                forget = forget_draft()[:2] if draft_id and draft is None else []
                return forget + self._start(dispatcher, tracker, draft)
            if draft_id and draft is None:
                raise DraftNotFound(draft_id)
            return self._handle(dispatcher, tracker, domain, draft)
        except DraftNotFound:
            dispatcher.utter_message(text=DRAFT_GONE)
            return close_form() + forget_draft()

    # ------------------------------------------------------------------ start
    def _start(self, dispatcher, tracker, draft) -> List[EventType]:
        if draft is None:
            dispatcher.utter_message(text=INTRO)
        elif draft.finished:
            dispatcher.utter_message(text=WELCOME_BACK_FINISHED)
        else:
            dispatcher.utter_message(text=WELCOME_BACK)
        events: List[EventType] = []
        draft = self._absorb_pending(dispatcher, tracker, draft, events)
        return events + self._ask(dispatcher, steps.next_step(draft), draft)

    def _absorb_pending(self, dispatcher, tracker, draft, events):
        """A concern typed before the draft started (see action_offer_draft) becomes
        the draft's concern as soon as there is a draft to hold it."""
        pending = tracker.get_slot("pending_concern")
        if not pending or draft is None:
            return draft
        area = concern_area(pending)
        draft, _ = default_repository().add_concern(draft.id, pending, area)
        dispatcher.utter_message(text=PENDING_ADDED.format(text=quote(pending)))
        events.append(SlotSet("pending_concern", None))
        return draft

    def _ask(self, dispatcher, step: str, draft: Optional[DraftView],
             nudges: int = 0, again: bool = False) -> List[EventType]:
        """Asks `step`. Asked `again` after a detour, the review shows only its
        question (the draft is just above in the chat)."""
        if again and steps.kind(step) == "review":
            dispatcher.utter_message(**steps.REVIEW_QUESTION)
            return keep_asking(step, nudges)
        review = compose(draft) if steps.kind(step) == "review" else None
        for message in steps.ask(step, draft, review):
            dispatcher.utter_message(**message)
        return keep_asking(step, nudges)

    # ------------------------------------------------------------------ a message
    def _handle(self, dispatcher, tracker, domain, draft) -> List[EventType]:
        repo = default_repository()
        step = tracker.get_slot("draft_step") or steps.next_step(draft)
        cid = steps.concern_id(step)
        if cid is not None and (draft is None or draft.concern(cid) is None):
            step = steps.next_step(draft)  # that concern was removed meanwhile
        nudges = int(tracker.get_slot("draft_nudges") or 0)
        message = tracker.latest_message or {}
        text = clean_text(message.get("text"))
        intent, confidence = best_guess(message)
        reply = interpret(step, text, intent, confidence, answers_by_intent(), draft)
        kind = reply.kind

        if kind == "knowledge":
            events = self._answer_question(dispatcher, tracker, reply.value)
            dispatcher.utter_message(text=BACK_TO_DRAFT)
            return events + self._ask(dispatcher, step, draft, nudges, again=True)
        if kind == "aside":
            self._aside(dispatcher, tracker, domain, reply.value)
            return self._ask(dispatcher, step, draft, nudges, again=True)
        if kind in ("help", "busy", "repeat"):
            dispatcher.utter_message(text={"help": HELP, "busy": BUSY}.get(kind, BACK_TO_DRAFT))
            return self._ask(dispatcher, step, draft, nudges, again=True)
        if kind == "unclear_edit":
            dispatcher.utter_message(text=UNCLEAR_EDIT, buttons=steps.REVIEW_QUESTION["buttons"])
            return keep_asking(step)
        if kind == "pause":
            say_paused(dispatcher, draft is not None, tracker.get_slot("draft_code"))
            return close_form()
        if kind == "delete":
            repo.delete(draft.id if draft else None)
            dispatcher.utter_message(text=DELETED)
            return close_form() + forget_draft()
        if kind == "confirm":
            composed = compose(draft)
            _, secret = repo.finish(draft.id, composed.to_json())
            say_finished(dispatcher, secret, tracker.get_slot("draft_code"))
            return close_form()
        if kind == "edit":
            draft = repo.update(draft.id, editing=reply.value)
            return self._ask(dispatcher, steps.next_step(draft), draft)
        if kind == "remove":
            draft = repo.remove_concern(draft.id, int(reply.value))
            dispatcher.utter_message(text="Done, that concern is removed.")
            return self._ask(dispatcher, steps.next_step(draft), draft)

        events: List[EventType] = []
        if kind in ("skip", "done"):
            draft = self._skip(dispatcher, step, draft, events)
        else:  # an answer
            short = self._too_short(step, text)
            if short and nudges < MAX_NUDGES:
                dispatcher.utter_message(text=short if isinstance(short, str)
                                         else steps.nudge(step, nudges + 1))
                return keep_asking(step, nudges + 1)
            draft = self._save(dispatcher, tracker, step, text, draft, events)
        draft = self._absorb_pending(dispatcher, tracker, draft, events)
        return events + self._ask(dispatcher, steps.next_step(draft), draft)

    def _answer_question(self, dispatcher, tracker, intent) -> List[EventType]:
        answer = answer_for_intent(intent)
        state = canonical_state(tracker.get_slot("us_state"))
        first = not tracker.get_slot("disclaimer_shown")
        for message in render(answer, state, first_answer=first):
            message.pop("buttons", None)  # keep the parent on the draft
            dispatcher.utter_message(**message)
        return [SlotSet("last_topic", answer.topic), SlotSet("disclaimer_shown", True)]

    @staticmethod
    def _aside(dispatcher, tracker, domain, intent) -> None:
        """A word in passing ("thanks", "I'm in Massachusetts", a question about
        something else): a short reply, then the same step again."""
        if intent in ("out_of_scope", "speak_spanish"):
            response = {"out_of_scope": "utter_out_of_scope",
                        "speak_spanish": "utter_spanish"}[intent]
            if response in (domain or {}).get("responses", {}):
                dispatcher.utter_message(response=response)
                dispatcher.utter_message(text=BACK_TO_DRAFT)
                return
        state = canonical_state(tracker.get_slot("us_state"))
        dispatcher.utter_message(text={
            "greet": "Hi again!",
            "thank": "You're welcome!",
            "inform_state": f"Thanks, I'll remember you're in {state}." if state
            else "Thanks!",
        }.get(intent, BACK_TO_DRAFT))

    @staticmethod
    def _too_short(step: str, text: str):
        """False, True (nudge) or a specific message."""
        kind = steps.kind(step)
        if kind == "child_name":
            return NAME_AGAIN if parse_name(text) is None else False
        if kind == "child_age":
            return parse_age(text) is None
        minimum = steps.MIN_WORDS.get(kind, 1)
        return is_dont_know(text) or word_count(text) < minimum

    # ------------------------------------------------------------------ saving
    def _create(self, dispatcher, events, **fields) -> DraftView:
        """The first answer creates the draft; its resume code is shown right away,
        so even a closed tab can come back."""
        draft, code = default_repository().create(**fields)
        dispatcher.utter_message(text=CODE_NOTICE.format(code=code))
        events += [SlotSet("draft_id", draft.id), SlotSet("draft_code", code)]
        return draft

    def _save(self, dispatcher, tracker, step, text, draft, events) -> DraftView:
        """One answer, one transaction: committed before the next question."""
        repo = default_repository()
        kind = steps.kind(step)
        cid = steps.concern_id(step)
        done_editing = {"editing": None} if draft and draft.editing == step else {}
        if is_dont_know(text):  # after the nudges: leave the part out
            return self._skip(dispatcher, step, draft, events)
        if kind == "child_name":
            # Still no name after the nudges: go on without one.
            fields = {"child_name": parse_name(text) or ""}
            age = parse_age(text) if any(c.isdigit() for c in text) else None
            if age is not None and draft is None:  # "Maya, 9": step 1 in one go
                fields.update(child_age=age, child_age_text=str(age))
            if draft is None:
                return self._create(dispatcher, events, **fields)
            return repo.update(draft.id, child_name=fields["child_name"], **done_editing)
        if kind == "child_age":
            return repo.update(draft.id, child_age_text=text, child_age=parse_age(text),
                               **done_editing)
        if kind == "concern" and cid is None:
            area = concern_area(text)
            fields = {"editing": None} if draft.editing == "concern" else {}
            draft, _ = repo.add_concern(draft.id, text, area, **fields)
            return draft
        if kind == "concern":
            area = concern_area(text + " " + (draft.concern(cid).consider or ""))
            return repo.update_concern(draft.id, cid, happens=text, area=area,
                                       **done_editing)
        if kind == "consider":
            area = concern_area(draft.concern(cid).happens + " " + text)
            return repo.update_concern(draft.id, cid, consider=text, area=area,
                                       **done_editing)
        return repo.update(draft.id, **{steps.FIELDS[kind]: text}, **done_editing)

    def _skip(self, dispatcher, step, draft, events) -> DraftView:
        """Skipping leaves a part out (""); while changing a part, it keeps the old
        text. "That's all" ends the concerns."""
        repo = default_repository()
        kind = steps.kind(step)
        cid = steps.concern_id(step)
        if draft is None:  # skipping the name: the draft starts without one
            return self._create(dispatcher, events, child_name="")
        if draft.editing == step:
            return repo.update(draft.id, editing=None)
        if kind == "concern" and cid is None:
            return repo.update(draft.id, concerns_done=True)
        if kind == "consider":
            return repo.update_concern(draft.id, cid, consider="")
        if kind == "child_age":
            return repo.update(draft.id, child_age_text="", child_age=None)
        return repo.update(draft.id, **{steps.FIELDS[kind]: ""})
