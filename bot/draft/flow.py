"""What one message does to an open draft: plain Python, no Rasa types.

actions/draft_form.py (validate_draft_form) reads the tracker into `Inputs`, runs
`handle` in one worker thread and turns the `Outcome` into bot messages and slot
events. For each message:
  1. interpret.py works out what it means (a `Meaning`): an answer, a command, or a
     knowledge question to answer before asking the same step again;
  2. the handler for that meaning runs (HANDLERS); an answer is saved in its own
     transaction (autosave) before anything is asked;
  3. the next step is asked (steps.py), from what the database says is missing.
The form never rejects a message. To end the form the turn says why (finished, with the
download links; paused, with the resume code; deleted; gone) and clears
`requested_slot` in the same turn, so ending costs the parent's turn no second action.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from bot import content
from bot.content import Message
from bot.draft import closing, steps
from bot.draft.compose import compose
from bot.draft.interpret import (
    Meaning,
    Reply,
    interpret,
    is_dont_know,
    parse_age,
    parse_name,
    word_count,
)
from bot.draft.language import concern_area
from bot.draft.model import ConcernView, DraftNotFound, DraftStore, DraftView, StepRef
from bot.draft.steps import Kind, next_step, step_of
from bot.draft.text import quote

MAX_NUDGES = 2
# Slots as the form leaves them when it ends, and when this chat lets go of its draft.
FORM_ENDED: dict[str, Any] = {"draft_step": None, "draft_nudges": 0, "requested_slot": None}
FORGET_DRAFT: dict[str, Any] = {"draft_id": None, "pending_concern": None}
# Set when a draft is deleted: the conversation store then forgets this conversation and
# the others listed (bot/server/tracker_store.py). Its value: those others, or True.
FORGET_SLOT = "forget_conversation"
DEFAULT_RETENTION_DAYS = 90
# Chit-chat answered by one of the domain's responses, when the domain has it.
ASIDE_RESPONSES = {"out_of_scope": "utter_out_of_scope", "speak_spanish": "utter_spanish"}
ASIDE_TEXTS = {"greet": "draft.aside.greet", "thank": "draft.aside.thank"}

# A knowledge answer for an intent: its messages, and the slots it sets.
AnswerQuestion = Callable[[str], tuple[list[Message], dict[str, Any]]]


@dataclass(frozen=True)
class Inputs:
    """What the form knows about one message (the adapter reads it from the tracker)."""

    text: str  # the message, cleaned (text.clean_text)
    intent: str | None  # NLU's best real guess, and how sure it is
    confidence: float
    just_started: bool  # the form started with this message (it asked for the draft)
    draft_id: str | None
    step: StepRef | None  # the step asked last (slot draft_step), for its nudge count
    nudges: int  # nudges given for that step
    pending_concern: str | None  # a concern typed before the draft started
    state: str | None  # the parent's US state, canonical
    responses: frozenset[str] = frozenset()  # the domain's responses (utter_...)
    knowledge_intents: Collection[str] = ()
    lang: str = content.DEFAULT_LANGUAGE
    retention_days: int = DEFAULT_RETENTION_DAYS  # how long an unchanged draft is kept


@dataclass(frozen=True)
class Outcome:
    messages: list[Message]  # keyword arguments of dispatcher.utter_message
    slots: dict[str, Any]  # slot -> value, in the order they were set


@dataclass
class Turn:
    """One message's work: what came in, the draft as it is now, the step being asked,
    and what the turn says and sets, gathered here (handlers return nothing)."""

    inputs: Inputs
    store: DraftStore
    answer_question: AnswerQuestion
    draft: DraftView | None = None
    step: StepRef = field(default_factory=lambda: next_step(None))
    nudges: int = 0  # nudges given for this step (the slot's, if it names this step)
    messages: list[Message] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return self.inputs.lang

    def say(self, key: str, **values: Any) -> None:
        self.messages.append(content.message(key, self.lang, **values))

    def set(self, **slots: Any) -> None:
        self.slots.update(slots)

    def need_draft(self) -> DraftView:
        if self.draft is None:
            raise DraftNotFound(self.inputs.draft_id or "")
        return self.draft

    def concern(self) -> tuple[DraftView, ConcernView]:
        """The draft and the concern the step is about (gone: the draft is treated so)."""
        draft = self.need_draft()
        concern = draft.concern(self.step.concern_id)
        if concern is None:
            raise DraftNotFound(f"{draft.id}/{self.step.concern_id}")
        return draft, concern

    # ---------------------------------------------------------------- asking
    def keep_asking(self, ref: StepRef, nudges: int = 0) -> None:
        self.set(draft_step=str(ref), draft_nudges=nudges, draft_answer=None)

    def ask(self, ref: StepRef, nudges: int = 0, again: bool = False) -> None:
        """Asks `ref`. Asked `again` after a detour, the review shows only its
        question (the draft is just above in the chat)."""
        review = step_of(ref).kind is Kind.REVIEW
        if again and review:
            self.messages.append(steps.review_question(self.lang))
        else:
            composed = compose(self.need_draft(), lang=self.lang) if review else None
            self.messages += steps.ask(ref, self.draft, composed, self.lang)
        self.keep_asking(ref, nudges)

    def ask_again(self) -> None:
        self.ask(self.step, self.nudges, again=True)

    def ask_next(self) -> None:
        self.ask(next_step(self.draft))

    # ---------------------------------------------------------------- saving
    def create(self, **fields: Any) -> DraftView:
        """The first answer creates the draft; its resume code is shown right away,
        so even a closed tab can come back."""
        draft, code = self.store.create(**fields)
        self.say("draft.code_notice", code=code)
        self.set(draft_id=draft.id)
        return draft

    def absorb_pending(self) -> None:
        """A concern typed before the draft started (see action_offer_draft) becomes
        the draft's concern as soon as there is a draft to hold it."""
        pending = self.inputs.pending_concern
        if not pending or self.draft is None:
            return
        self.draft, _ = self.store.add_concern(self.draft.id, pending, concern_area(pending))
        self.say("draft.pending_added", text=quote(pending))
        self.set(pending_concern=None)


def handle(inputs: Inputs, store: DraftStore, answer_question: AnswerQuestion) -> Outcome:
    """Everything validate_draft_form does for one message (blocking: database, spaCy)."""
    turn = Turn(inputs, store, answer_question)
    try:
        _run(turn)
    except DraftNotFound:
        turn.slots = {**FORM_ENDED, **FORGET_DRAFT}  # what this turn set is moot now
        turn.say("draft.gone")
    return Outcome(turn.messages, turn.slots)


def _run(turn: Turn) -> None:
    inputs = turn.inputs
    turn.draft = turn.store.get(inputs.draft_id) if inputs.draft_id else None
    if inputs.just_started:
        if inputs.draft_id and turn.draft is None:
            # A draft deleted elsewhere since: this chat simply starts a new one.
            turn.set(draft_id=None)
        _start(turn)
        return
    if inputs.draft_id and turn.draft is None:
        raise DraftNotFound(inputs.draft_id)
    # The step comes from what the drafts database holds, never from the draft_step slot:
    # if the tracker lost last turn (a database restart, a failed save), the slot still
    # names the step before, and this answer would overwrite that step's answer.
    turn.step = next_step(turn.draft)
    turn.nudges = inputs.nudges if inputs.step == turn.step else 0
    reply = interpret(
        turn.step,
        inputs.text,
        inputs.intent,
        inputs.confidence,
        inputs.knowledge_intents,
        turn.draft,
        turn.lang,
    )
    HANDLERS[reply.meaning](turn, reply)


def _start(turn: Turn) -> None:
    if turn.draft is None:
        turn.say("draft.intro")
        turn.say("draft.kept_for", days=turn.inputs.retention_days)
    elif turn.draft.finished:
        turn.say("draft.welcome_back_finished")
    else:
        turn.say("draft.welcome_back")
    turn.absorb_pending()
    turn.ask_next()


# -------------------------------------------------------------------- one per Meaning
def _knowledge(turn: Turn, reply: Reply) -> None:
    assert reply.intent is not None
    messages, slots = turn.answer_question(reply.intent)
    turn.messages += messages
    turn.set(**slots)
    turn.say("draft.back_to_draft")
    turn.ask_again()


def _aside(turn: Turn, reply: Reply) -> None:
    """A word in passing ("thanks", "I'm in Massachusetts", a question about
    something else): a short reply, then the same step again."""
    intent = reply.intent or ""
    response = ASIDE_RESPONSES.get(intent)
    if response and response in turn.inputs.responses:
        turn.messages.append({"response": response})
        turn.say("draft.back_to_draft")
    elif intent == "inform_state":
        state = turn.inputs.state
        if state:
            turn.say("draft.aside.state", state=state)
        else:
            turn.say("draft.aside.state_unknown")
    else:
        turn.say(ASIDE_TEXTS.get(intent, "draft.back_to_draft"))
    turn.ask_again()


def _detour(key: str) -> Callable[[Turn, Reply], None]:
    """A short reply (help, "already drafting", an old button), then the same step."""

    def reply_then_ask_again(turn: Turn, _reply: Reply) -> None:
        turn.say(key)
        turn.ask_again()

    return reply_then_ask_again


def _unclear_edit(turn: Turn, _reply: Reply) -> None:
    turn.messages.append(
        {
            "text": content.text("draft.unclear_edit", turn.lang),
            "buttons": content.buttons("draft.review.question", turn.lang),
        }
    )
    turn.keep_asking(turn.step)


def _pause(turn: Turn, _reply: Reply) -> None:
    # Codes are never kept readable, so a code shown earlier cannot be repeated (nor
    # read by whoever else writes with this chat's id): a new one replaces it.
    code = turn.store.new_code(turn.draft.id) if turn.draft is not None else None
    turn.messages.append(closing.paused(turn.draft is not None, code, turn.lang))
    turn.set(**FORM_ENDED)


def _delete(turn: Turn, _reply: Reply) -> None:
    turn.set(**FORM_ENDED, **FORGET_DRAFT, **forget(turn.store, turn.draft))
    turn.store.delete(turn.draft.id if turn.draft else None)
    turn.messages.append(closing.deleted(turn.lang))


def forget(store: DraftStore, draft: DraftView | None) -> dict[str, Any]:
    """The slot that has the conversations holding `draft` forgotten with it."""
    return {FORGET_SLOT: (store.conversations(draft.id) if draft else []) or True}


def _confirm(turn: Turn, _reply: Reply) -> None:
    draft = turn.need_draft()
    composed = compose(draft, lang=turn.lang)
    _, secret = turn.store.finish(draft.id, composed.to_json())
    code = turn.store.new_code(draft.id)  # to change it later; the earlier code is revoked
    turn.messages += closing.finished(secret, code, turn.lang)
    turn.set(**FORM_ENDED)


def _edit(turn: Turn, reply: Reply) -> None:
    turn.draft = turn.store.update(turn.need_draft().id, editing=reply.target)
    turn.ask_next()


def _remove(turn: Turn, reply: Reply) -> None:
    assert reply.target is not None and reply.target.concern_id is not None
    turn.draft = turn.store.remove_concern(turn.need_draft().id, reply.target.concern_id)
    turn.say("draft.concern_removed")
    turn.ask_next()


def _skip_or_done(turn: Turn, _reply: Reply) -> None:
    turn.draft = _skip(turn)
    turn.absorb_pending()
    turn.ask_next()


def _answer(turn: Turn, _reply: Reply) -> None:
    nudges = turn.nudges
    if _too_short(turn.step, turn.inputs.text, turn.lang) and nudges < MAX_NUDGES:
        turn.messages.append({"text": steps.nudge(turn.step, nudges + 1, turn.lang)})
        turn.keep_asking(turn.step, nudges + 1)
        return
    turn.draft = _save(turn)
    turn.absorb_pending()
    turn.ask_next()


HANDLERS: dict[Meaning, Callable[[Turn, Reply], None]] = {
    Meaning.KNOWLEDGE: _knowledge,
    Meaning.ASIDE: _aside,
    Meaning.HELP: _detour("draft.help"),
    Meaning.BUSY: _detour("draft.busy"),
    Meaning.REPEAT: _detour("draft.back_to_draft"),
    Meaning.UNCLEAR_EDIT: _unclear_edit,
    Meaning.PAUSE: _pause,
    Meaning.DELETE: _delete,
    Meaning.CONFIRM: _confirm,
    Meaning.EDIT: _edit,
    Meaning.REMOVE: _remove,
    Meaning.SKIP: _skip_or_done,
    Meaning.DONE: _skip_or_done,
    Meaning.ANSWER: _answer,
}


# -------------------------------------------------------------------- answers
def _too_short(ref: StepRef, text: str, lang: str) -> bool:
    """Not yet a usable answer: no name, no age, or too few words (a nudge follows)."""
    step = step_of(ref)
    if step.kind is Kind.NAME:
        return parse_name(text, lang) is None
    if step.kind is Kind.AGE:
        return parse_age(text, lang) is None
    return is_dont_know(text, lang) or word_count(text) < step.min_words


def _save(turn: Turn) -> DraftView:
    """One answer, one transaction: committed before the next question."""
    text, lang, store = turn.inputs.text, turn.lang, turn.store
    step = step_of(turn.step)
    done_editing = {"editing": None} if turn.draft and turn.draft.editing == turn.step else {}
    if is_dont_know(text, lang):  # after the nudges: leave the part out
        return _skip(turn)
    if step.kind is Kind.NAME:
        assert step.field
        # Still no name after the nudges: go on without one.
        fields: dict[str, Any] = {step.field: parse_name(text, lang) or ""}
        if turn.draft is not None:
            return store.update(turn.draft.id, **fields, **done_editing)
        age = parse_age(text, lang) if any(c.isdigit() for c in text) else None
        if age is not None:  # "Maya, 9": step 1 in one go
            fields.update({_age_field(): str(age), "child_age": age})
        return turn.create(**fields)
    draft = turn.need_draft()
    if step.kind is Kind.AGE:
        return store.update(
            draft.id, **{_age_field(): text}, child_age=parse_age(text, lang), **done_editing
        )
    if step.kind is Kind.CONCERN and turn.step.concern_id is None:
        draft, _ = store.add_concern(draft.id, text, concern_area(text), **done_editing)
        return draft
    if step.kind is Kind.CONCERN:
        draft, concern = turn.concern()
        area = concern_area(text + " " + (concern.consider or ""))
        return store.update_concern(draft.id, concern.id, happens=text, area=area, **done_editing)
    if step.kind is Kind.CONSIDER:
        draft, concern = turn.concern()
        area = concern_area(concern.happens + " " + text)
        return store.update_concern(draft.id, concern.id, consider=text, area=area, **done_editing)
    if step.field is None:
        raise ValueError(f"step {step.key} takes no answer")
    return store.update(draft.id, **{step.field: text}, **done_editing)


def _skip(turn: Turn) -> DraftView:
    """Skipping leaves a part out (""); while changing a part, it keeps the old
    text. "That's all" ends the concerns."""
    store, step = turn.store, step_of(turn.step)
    if turn.draft is None:  # skipping the name: the draft starts without one
        return turn.create(**{_name_field(): ""})
    draft = turn.draft
    if draft.editing == turn.step:
        return store.update(draft.id, editing=None)
    if step.kind is Kind.CONCERN and turn.step.concern_id is None:
        return store.update(draft.id, concerns_done=True)
    if step.kind is Kind.CONSIDER:
        draft, concern = turn.concern()
        return store.update_concern(draft.id, concern.id, consider="")
    if step.kind is Kind.AGE:
        return store.update(draft.id, **{_age_field(): ""}, child_age=None)
    if step.field is None:  # rewriting a concern, not by way of review: nothing to drop
        return store.update(draft.id, editing=None)
    return store.update(draft.id, **{step.field: ""})


def _name_field() -> str:
    return steps.of_kind(Kind.NAME).field or ""


def _age_field() -> str:
    return steps.of_kind(Kind.AGE).field or ""
