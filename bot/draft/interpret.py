"""What a parent's message means while the draft is open.

Free-text steps must not swallow questions or commands, so every message is checked
in this order: the step's own words ("skip", "that's all", "looks good", "change the
second concern"), then stopping, deleting, a knowledge question, a request for help;
only what is left is an answer. Checks use the exact words first and the NLU intent
second, so they work whatever the classifier thinks of a short reply.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from re import Pattern

from bot.content import DEFAULT_LANGUAGE
from bot.draft.model import DraftView, StepRef
from bot.draft.steps import STEPS, Kind, Step, is_asked, step_of

CONFIDENT = 0.75
# Short chit-chat that is clearly not an answer: replied to, then the step is asked again.
ASIDES = ("greet", "thank", "inform_state", "speak_spanish", "out_of_scope")
# A question about a known topic is answered even when NLU is only fairly sure; a
# statement only when it is very sure (an answer may mention ESY or the IEP).
KNOWLEDGE_CONFIDENT = 0.6
# A statement is a question only when it is just a topic's name ("stay put", "esy").
# Longer statements are answers even when the classifier is sure of a topic: "extra time
# on tests and a quiet room" is a support the parent wants saved, not a question about
# accommodations.
TOPIC_WORDS_ONLY = 4


@dataclass(frozen=True)
class Phrases:
    """What parents type in one language: exact replies (compared after normalize()),
    and patterns. Data, not text the bot says; a language adds its own instance to
    PHRASES (the steps' own "change this" words are in the step table)."""

    courtesy: Pattern[str]  # dropped before comparing ("thanks", "please")
    skip: frozenset[str]
    done: frozenset[str]  # no more concerns
    confirm: frozenset[str]  # the draft looks good
    pause: frozenset[str]
    dont_know: frozenset[str]
    help: frozenset[str]
    question_start: Pattern[str]
    # A request to change something, said mid-flow: "wait, can I change the first concern".
    edit_command: Pattern[str]
    change_words: Pattern[str]  # at review: a change the parent did not say clearly
    part_of_draft: Pattern[str]  # "delete the concern" is an edit, not deleting the draft
    help_request: Pattern[str]  # "help me start": a start_draft that is not a button
    concern: Pattern[str]
    add: Pattern[str]
    remove: Pattern[str]
    consider: Pattern[str]
    last: Pattern[str]
    ordinals: Mapping[str, int]
    # Step 1: a name and an age or grade.
    name_prefix: Pattern[str]
    name_end: Pattern[str]  # what follows a name ("Leo, he is 9")
    number_words: Mapping[str, int]
    grade_words: Mapping[str, int]
    school_levels: Sequence[tuple[str, int]]  # (pattern, age)
    grade: str  # pattern: "4th grade", "grade 10"


ENGLISH = Phrases(
    courtesy=re.compile(r"\b(thanks|thank you|please|pls|plz)\b"),
    skip=frozenset(
        {
            "skip",
            "skip it",
            "skip this",
            "skip this one",
            "skip that",
            "pass",
            "next",
            "next question",
            "no name",
            "rather not say",
            "i'd rather not say",
            "id rather not say",
            "prefer not to say",
            "i prefer not to say",
            "leave it out",
            "leave it blank",
            "can we skip this",
            "can i skip this",
            "skip please",
            "please skip",
            "n/a",
            "na",
        }
    ),
    done=frozenset(
        {
            "that's all",
            "thats all",
            "that is all",
            "that's it",
            "thats it",
            "no more",
            "nothing else",
            "no more concerns",
            "that's everything",
            "thats everything",
            "i'm done",
            "im done",
            "done",
            "all done",
            "move on",
            "let's move on",
            "lets move on",
            "no",
            "nope",
            "none",
            "no that's all",
            "no thats all",
            "that's all for now",
            "that's all i have",
            "nothing more",
            "no others",
            "no other concerns",
            "that's all my concerns",
            "those are all",
            "that's enough",
        }
    ),
    confirm=frozenset(
        {
            "looks good",
            "look good",
            "looks great",
            "it looks good",
            "that looks good",
            "this looks good",
            "looks good to me",
            "looks perfect",
            "perfect",
            "good",
            "great",
            "yes",
            "yep",
            "yeah",
            "yes please",
            "confirm",
            "it's good",
            "its good",
            "all good",
            "that's good",
            "thats good",
            "that's right",
            "thats right",
            "correct",
            "ok",
            "okay",
            "finish",
            "finished",
            "done",
            "all done",
            "i'm done",
            "im done",
            "save it",
            "no changes",
            "nothing",
            "nothing to change",
            "it's perfect",
            "love it",
            "i love it",
            "yes looks good",
            "yes it looks good",
            "looks fine",
            "fine",
            "that works",
            "good to go",
        }
    ),
    pause=frozenset(
        {
            "stop",
            "pause",
            "later",
            "stop for now",
            "pause for now",
            "stop please",
            "please stop",
            "finish later",
            "let's finish later",
            "lets finish later",
            "i'll finish later",
            "ill finish later",
            "save for later",
            "save it for later",
            "continue later",
            "come back later",
            "i'll come back later",
            "can we stop",
            "can we stop here",
            "stop here",
            "let's stop here",
            "i need to go",
            "i have to go",
            "gotta go",
            "take a break",
            "not now",
            "i need a break",
            "let's stop",
            "lets stop",
            "quit",
            "exit",
            "cancel",
        }
    ),
    dont_know=frozenset(
        {
            "idk",
            "i don't know",
            "i dont know",
            "not sure",
            "i'm not sure",
            "im not sure",
            "no idea",
            "dunno",
            "i have no idea",
            "unsure",
            "?",
            "nothing",
            "none",
            "n/a",
            "na",
            "no",
        }
    ),
    help=frozenset(
        {
            "help",
            "what do you mean",
            "i don't understand",
            "i dont understand",
            "what does that mean",
            "example",
            "give me an example",
            "an example",
            "like what",
            "such as",
            "can you give an example",
            "can you give me an example",
            "what should i write",
            "what should i say",
            "i don't know what to write",
            "i dont know what to write",
            "what do i write",
            "help me",
            "explain",
            "huh",
            "confused",
            "i'm confused",
        }
    ),
    question_start=re.compile(
        r"^(wait|hold on|um+|so|ok|okay|also|and|but|sorry|quick question)?[,.!\s]*"
        r"(what|whats|what's|how|why|when|where|who|which|can|could|do|does|did|is|are|"
        r"should|would|will|may|explain|define|tell me)\b"
    ),
    edit_command=re.compile(
        r"^(?:(?:wait|oh|actually|sorry|hold on|um+|ok|okay)\s+)*(?:(?:can|could) "
        r"(?:i|you|we) |i want to |i'd like to |i need to |let me |let's |please )?"
        r"(?:change|redo|fix|edit|rewrite|reword|remove|delete|add|update|go back to)\b"
    ),
    change_words=re.compile(
        r"\b(change|redo|fix|edit|rewrite|update|correct|replace|"
        r"remove|delete|add)\b"
    ),
    part_of_draft=re.compile(r"\b(concern|strength|vision|sentence|word|part|answer)s?\b"),
    help_request=re.compile(r"\b(help|start|write|begin|do)\b"),
    concern=re.compile(r"\bconcerns?\b|\bworr(y|ies)\b"),
    add=re.compile(r"\b(add|another|new|one more|forgot)\b"),
    remove=re.compile(r"\b(remove|delete|drop|take out|take .+ out|get rid of|cut)\b"),
    consider=re.compile(r"\b(consider|ask|want the team|request)\b"),
    last=re.compile(r"\blast\b"),
    ordinals={
        "first": 1,
        "1st": 1,
        "one": 1,
        "1": 1,
        "second": 2,
        "2nd": 2,
        "two": 2,
        "2": 2,
        "third": 3,
        "3rd": 3,
        "three": 3,
        "3": 3,
        "fourth": 4,
        "4th": 4,
        "four": 4,
        "4": 4,
        "fifth": 5,
        "5th": 5,
        "five": 5,
        "5": 5,
        "sixth": 6,
        "6th": 6,
        "six": 6,
        "6": 6,
        "seventh": 7,
        "7th": 7,
        "seven": 7,
        "7": 7,
        "eighth": 8,
        "8th": 8,
        "eight": 8,
        "8": 8,
        "ninth": 9,
        "9th": 9,
        "nine": 9,
        "9": 9,
        "tenth": 10,
        "10th": 10,
        "ten": 10,
        "10": 10,
    },
    name_prefix=re.compile(
        r"^(?:(?:her|his|their|my (?:son|daughter|child|kid)'?s?|the) name is|it'?s|its|"
        r"(?:she|he|they) is called|(?:she|he|they)'?s called|we call (?:her|him|them)|"
        r"call (?:her|him|them)|my (?:son|daughter|child|kid|boy|girl)(?: is)?|"
        r"this is|i'?m writing (?:for|about)|name'?s?)\s+",
        re.IGNORECASE,
    ),
    name_end=re.compile(r"[,;!?()]| and | but | who | she | he "),
    number_words={
        "three": 3,
        "four": 4,
        "five": 5,
        "six": 6,
        "seven": 7,
        "eight": 8,
        "nine": 9,
        "ten": 10,
        "eleven": 11,
        "twelve": 12,
        "thirteen": 13,
        "fourteen": 14,
        "fifteen": 15,
        "sixteen": 16,
        "seventeen": 17,
        "eighteen": 18,
        "nineteen": 19,
        "twenty": 20,
        "twenty one": 21,
        "twenty-one": 21,
        "twenty two": 22,
        "twenty-two": 22,
    },
    grade_words={
        "first": 1,
        "second": 2,
        "third": 3,
        "fourth": 4,
        "fifth": 5,
        "sixth": 6,
        "seventh": 7,
        "eighth": 8,
        "ninth": 9,
        "tenth": 10,
        "eleventh": 11,
        "twelfth": 12,
    },
    school_levels=[
        (r"\bpre-?k|preschool|pre-school\b", 4),
        (r"\bkindergarten|\bk\b", 5),
        (r"\bfreshman\b", 14),
        (r"\bsophomore\b", 15),
        (r"\bjunior\b", 16),
        (r"\bsenior\b", 17),
        (r"\bhigh school\b", 15),
        (r"\bmiddle school\b", 12),
        (r"\belementary\b", 8),
        (r"\btransition program|post-?grad|18-?22\b", 19),
    ],
    grade=r"\b(\d{1,2})(?:st|nd|rd|th)?\s*grade\b|\bgrade\s*(\d{1,2})\b",
)
PHRASES = {"en": ENGLISH}


def phrases(lang: str = DEFAULT_LANGUAGE) -> Phrases:
    return PHRASES.get(lang, ENGLISH)


class Meaning(Enum):
    """What a parent's message means while the draft is open."""

    ANSWER = "answer"
    SKIP = "skip"
    DONE = "done"  # no more concerns
    CONFIRM = "confirm"  # the draft looks good
    EDIT = "edit"  # change a part (Reply.target)
    REMOVE = "remove"  # remove a concern (Reply.target)
    PAUSE = "pause"
    DELETE = "delete"
    KNOWLEDGE = "knowledge"  # a question about a topic (Reply.intent)
    HELP = "help"
    ASIDE = "aside"  # chit-chat (Reply.intent)
    BUSY = "busy"  # asked to start a draft: already drafting
    REPEAT = "repeat"  # an old button: ask again
    UNCLEAR_EDIT = "unclear_edit"  # a change, but of which part?


@dataclass(frozen=True)
class Reply:
    meaning: Meaning
    target: StepRef | None = None  # EDIT: the part to change; REMOVE: the concern
    intent: str | None = None  # KNOWLEDGE: the topic's intent; ASIDE: the chit-chat


def normalize(text: str, lang: str = DEFAULT_LANGUAGE) -> str:
    lowered = text.lower().replace("’", "'").strip()
    lowered = re.sub(r"[^\w\s'/?-]", " ", lowered)
    lowered = phrases(lang).courtesy.sub(" ", lowered)
    lowered = re.sub(r"\s+", " ", lowered).strip(" ?-")
    return lowered


def looks_like_question(text: str, lang: str = DEFAULT_LANGUAGE) -> bool:
    stripped = text.strip()
    return stripped.endswith("?") or bool(
        phrases(lang).question_start.match(normalize(stripped, lang))
    )


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def is_dont_know(text: str, lang: str = DEFAULT_LANGUAGE) -> bool:
    return normalize(text, lang) in phrases(lang).dont_know or not re.search(r"\w", text)


def interpret(
    step: StepRef,
    text: str,
    intent: str | None,
    confidence: float,
    knowledge_intents: Collection[str],
    draft: DraftView | None,
    lang: str = DEFAULT_LANGUAGE,
) -> Reply:
    words = phrases(lang)
    kind = step_of(step).kind
    review = kind is Kind.REVIEW
    said = normalize(text, lang)
    confident = confidence >= CONFIDENT

    if review:
        if said in words.confirm or (
            intent == "draft_done" and confident and word_count(text) <= 6
        ):
            return Reply(Meaning.CONFIRM)
        edit = parse_edit(text, draft, lang)
        if edit is not None:
            return edit
    if kind is Kind.CONCERN and (
        said in words.done or (intent == "draft_done" and confident and word_count(text) <= 6)
    ):
        return Reply(Meaning.DONE)
    if not review and (
        said in words.skip or (intent == "draft_skip" and confident and word_count(text) <= 6)
    ):
        return Reply(Meaning.SKIP)
    if said in words.pause or (
        intent in ("pause_draft", "goodbye") and confident and word_count(text) <= 8
    ):
        return Reply(Meaning.PAUSE)
    if intent == "delete_draft" and confident and not words.part_of_draft.search(said):
        return Reply(Meaning.DELETE)
    if intent in knowledge_intents and (
        (confidence >= KNOWLEDGE_CONFIDENT and looks_like_question(text, lang))
        or (confidence >= 0.95 and word_count(text) <= TOPIC_WORDS_ONLY)
    ):
        return Reply(Meaning.KNOWLEDGE, intent=intent)
    if (
        not review
        and intent in ("edit_draft", "delete_draft")
        and confident
        and draft is not None
        and words.edit_command.match(said)
    ):
        edit = parse_edit(text, draft, lang)  # "wait, change the first concern"
        if edit is not None and edit.meaning is not Meaning.UNCLEAR_EDIT:
            return edit
    if said in words.help:
        return Reply(Meaning.HELP)
    if (
        intent in ASIDES
        and confidence >= 0.85
        and word_count(text) <= 6
        and (intent != "out_of_scope" or looks_like_question(text, lang))
    ):
        return Reply(Meaning.ASIDE, intent=intent)
    payload = text.startswith("/")  # a button from an earlier message, e.g. /start_draft
    if intent == "start_draft" and confident and (payload or looks_like_help_request(said, lang)):
        return Reply(Meaning.BUSY)
    if payload:
        return Reply(Meaning.REPEAT)
    if review:
        if (intent == "edit_draft" and confident) or words.change_words.search(said):
            return Reply(Meaning.UNCLEAR_EDIT)
        return Reply(Meaning.HELP)
    return Reply(Meaning.ANSWER)


def looks_like_help_request(said: str, lang: str = DEFAULT_LANGUAGE) -> bool:
    return bool(phrases(lang).help_request.search(said))


def _ordinal(said: str, draft: DraftView | None, words: Phrases) -> int | None:
    """The concern a parent points at ("the second concern", "concern 2", "the last
    one") as an index into the draft's concerns, or None."""
    count = len(draft.concerns) if draft else 0
    if words.last.search(said) and count:
        return count - 1
    for word in re.findall(r"[\w]+", said):
        if word in words.ordinals:
            return words.ordinals[word] - 1
    if count == 1:
        return 0
    return None


def parse_edit(text: str, draft: DraftView | None, lang: str = DEFAULT_LANGUAGE) -> Reply | None:
    """Review-step commands: change/redo/remove a part, or add a concern."""
    words = phrases(lang)
    said = normalize(text, lang)
    if words.concern.search(said):
        if words.add.search(said):
            return Reply(Meaning.EDIT, StepRef("concern"))
        index = _ordinal(said, draft, words)
        if index is None or not draft or index >= len(draft.concerns):
            return Reply(Meaning.UNCLEAR_EDIT, StepRef("concern"))
        target = draft.concerns[index].id
        if words.remove.search(said):
            return Reply(Meaning.REMOVE, StepRef("concern", target))
        if words.consider.search(said):
            return Reply(Meaning.EDIT, StepRef("consider", target))
        return Reply(Meaning.EDIT, StepRef("concern", target))
    for step in sorted((s for s in STEPS if s.edit_words), key=lambda s: s.edit_rank):
        pattern = step.edit_words.get(lang) or step.edit_words.get(DEFAULT_LANGUAGE)
        if pattern and re.search(pattern, said):
            return Reply(Meaning.EDIT, StepRef(_asked_instead(step, draft).key))
    return None


def _asked_instead(step: Step, draft: DraftView | None) -> Step:
    """A part this child is not asked about (the student's own vision, under 14) points
    at the nearest earlier part that is: "change what he wants to do for work" -> vision."""
    if is_asked(step, draft):
        return step
    earlier = STEPS[: STEPS.index(step)]
    return next(s for s in reversed(earlier) if s.edit_words and is_asked(s, draft))


# ---------------------------------------------------------------------- step 1
_NAME_CHARS = re.compile(r"[^\w\s'’.-]|\d|_")


def parse_name(text: str, lang: str = DEFAULT_LANGUAGE) -> str | None:
    """ "her name is maya!" -> "Maya". None when it does not look like a name
    (a long sentence), so the bot can ask again."""
    words = phrases(lang)
    value = words.name_prefix.sub("", text.strip())
    value = words.name_end.split(value, maxsplit=1)[0]
    value = _NAME_CHARS.sub("", value).strip(" .'-")
    parts = value.split()
    if not parts or len(parts) > 3 or len(value) > 40:
        return None
    if value.islower():
        value = " ".join(w[:1].upper() + w[1:] for w in parts)
    return value


AGE_RANGE = (2, 22)


def parse_age(text: str, lang: str = DEFAULT_LANGUAGE) -> int | None:
    """Years from "9", "she's 14", "4th grade", "grade 10", "freshman", "nine".
    Grades become ages (grade + 5) because only the 14+ switch needs a number."""
    words = phrases(lang)
    said = text.lower()
    # A stated age wins over a grade ("15, in 9th grade" -> 15).
    without_grades = re.sub(words.grade, " ", said)
    number = re.search(r"\b(\d{1,2})\b(?!\s*(?:st|nd|rd|th)\b)", without_grades)
    if number and AGE_RANGE[0] <= int(number.group(1)) <= AGE_RANGE[1]:
        return int(number.group(1))
    grade = re.search(words.grade, said)
    if grade:
        return int(grade.group(1) or grade.group(2)) + 5
    for word, number_ in words.grade_words.items():
        if re.search(rf"\b{word}\s+grade\b", said):
            return number_ + 5
    for word in sorted(words.number_words, key=len, reverse=True):
        if re.search(rf"\b{word}\b", said):
            return words.number_words[word]
    for pattern, age in words.school_levels:
        if re.search(pattern, said):
            return age
    return None
