"""What a parent's message means while the draft is open.

Free-text steps must not swallow questions or commands, so every message is checked
in this order: the step's own words ("skip", "that's all", "looks good", "change the
second concern"), then stopping, deleting, a knowledge question, a request for help;
only what is left is an answer. Checks use the exact words first and the NLU intent
second, so they work whatever the classifier thinks of a short reply.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from actions.draft.steps import kind
from actions.storage.repository import DraftView

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

_SKIP = {"skip", "skip it", "skip this", "skip this one", "skip that", "pass", "next",
         "next question", "no name", "rather not say", "i'd rather not say",
         "id rather not say", "prefer not to say", "i prefer not to say",
         "leave it out", "leave it blank", "can we skip this", "can i skip this",
         "skip please", "please skip", "n/a", "na"}
_DONE = {"that's all", "thats all", "that is all", "that's it", "thats it", "no more",
         "nothing else", "no more concerns", "that's everything", "thats everything",
         "i'm done", "im done", "done", "all done", "move on", "let's move on",
         "lets move on", "no", "nope", "none", "no that's all", "no thats all",
         "that's all for now", "that's all i have", "nothing more", "no others",
         "no other concerns", "that's all my concerns", "those are all", "that's enough"}
_CONFIRM = {"looks good", "look good", "looks great", "it looks good", "that looks good",
            "this looks good", "looks good to me", "looks perfect", "perfect", "good",
            "great", "yes", "yep", "yeah", "yes please", "confirm", "it's good",
            "its good", "all good", "that's good", "thats good", "that's right",
            "thats right", "correct", "ok", "okay", "finish", "finished", "done",
            "all done", "i'm done", "im done", "save it", "no changes", "nothing",
            "nothing to change", "it's perfect", "love it", "i love it", "yes looks good",
            "yes it looks good", "looks fine", "fine", "that works", "good to go"}
_PAUSE = {"stop", "pause", "later", "stop for now", "pause for now", "stop please",
          "please stop", "finish later", "let's finish later", "lets finish later",
          "i'll finish later", "ill finish later", "save for later", "save it for later",
          "continue later", "come back later", "i'll come back later",
          "can we stop", "can we stop here", "stop here", "let's stop here",
          "i need to go", "i have to go", "gotta go", "take a break", "not now",
          "i need a break", "let's stop", "lets stop", "quit", "exit", "cancel"}
_DONT_KNOW = {"idk", "i don't know", "i dont know", "not sure", "i'm not sure",
              "im not sure", "no idea", "dunno", "i have no idea", "unsure", "?",
              "nothing", "none", "n/a", "na", "no"}
_HELP = {"help", "what do you mean", "i don't understand", "i dont understand",
         "what does that mean", "example", "give me an example", "an example",
         "like what", "such as", "can you give an example", "can you give me an example",
         "what should i write", "what should i say", "i don't know what to write",
         "i dont know what to write", "what do i write", "help me", "explain",
         "huh", "confused", "i'm confused"}
_QUESTION_START = re.compile(
    r"^(wait|hold on|um+|so|ok|okay|also|and|but|sorry|quick question)?[,.!\s]*"
    r"(what|whats|what's|how|why|when|where|who|which|can|could|do|does|did|is|are|"
    r"should|would|will|may|explain|define|tell me)\b")
# A request to change something, said mid-flow: "wait, can I change the first concern".
_EDIT_COMMAND = re.compile(
    r"^(?:(?:wait|oh|actually|sorry|hold on|um+|ok|okay)\s+)*(?:(?:can|could) (?:i|you|we) |"
    r"i want to |i'd like to |i need to |let me |let's |please )?(?:change|redo|fix|edit|"
    r"rewrite|reword|remove|delete|add|update|go back to)\b")
ORDINALS = {"first": 1, "1st": 1, "one": 1, "1": 1, "second": 2, "2nd": 2, "two": 2,
            "2": 2, "third": 3, "3rd": 3, "three": 3, "3": 3, "fourth": 4, "4th": 4,
            "four": 4, "4": 4, "fifth": 5, "5th": 5, "five": 5, "5": 5, "sixth": 6,
            "6th": 6, "six": 6, "6": 6, "seventh": 7, "7th": 7, "seven": 7, "7": 7,
            "eighth": 8, "8th": 8, "eight": 8, "8": 8, "ninth": 9, "9th": 9, "nine": 9,
            "9": 9, "tenth": 10, "10th": 10, "ten": 10, "10": 10}


@dataclass(frozen=True)
class Reply:
    """kind: answer | skip | done | confirm | edit | remove | pause | delete |
    knowledge | help | aside (chit-chat) | busy (already drafting) | repeat (ask
    again) | unclear_edit"""
    kind: str
    value: Optional[str] = None  # answer text, edit target, or knowledge intent


def normalize(text: str) -> str:
    lowered = text.lower().replace("’", "'").strip()
    lowered = re.sub(r"[^\w\s'/?-]", " ", lowered)
    lowered = re.sub(r"\b(thanks|thank you|please|pls|plz)\b", " ", lowered)
    lowered = re.sub(r"\s+", " ", lowered).strip(" ?-")
    return lowered


def looks_like_question(text: str) -> bool:
    stripped = text.strip()
    return stripped.endswith("?") or bool(_QUESTION_START.match(normalize(stripped)))


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def is_dont_know(text: str) -> bool:
    return normalize(text) in _DONT_KNOW or not re.search(r"\w", text)


def interpret(step: str, text: str, intent: Optional[str], confidence: float,
              knowledge_intents, draft: Optional[DraftView]) -> Reply:
    k = kind(step)
    said = normalize(text)
    confident = confidence >= CONFIDENT

    if k == "review":
        if said in _CONFIRM or (intent == "draft_done" and confident and word_count(text) <= 6):
            return Reply("confirm")
        edit = parse_edit(text, draft)
        if edit is not None:
            return edit
    if k == "concern" and (said in _DONE or (intent == "draft_done" and confident
                                             and word_count(text) <= 6)):
        return Reply("done")
    if k != "review" and (said in _SKIP or (intent == "draft_skip" and confident
                                            and word_count(text) <= 6)):
        return Reply("skip")
    if said in _PAUSE or (intent in ("pause_draft", "goodbye") and confident
                          and word_count(text) <= 8):
        return Reply("pause")
    if intent == "delete_draft" and confident and not re.search(
            r"\b(concern|strength|vision|sentence|word|part|answer)s?\b", said):
        return Reply("delete")
    if intent in knowledge_intents and (
            (confidence >= KNOWLEDGE_CONFIDENT and looks_like_question(text))
            or (confidence >= 0.95 and word_count(text) <= TOPIC_WORDS_ONLY)):
        return Reply("knowledge", intent)
    if (k != "review" and intent in ("edit_draft", "delete_draft") and confident
            and draft is not None and _EDIT_COMMAND.match(said)):
        edit = parse_edit(text, draft)  # "wait, change the first concern"
        if edit is not None and edit.kind != "unclear_edit":
            return edit
    if said in _HELP:
        return Reply("help")
    if intent in ASIDES and confidence >= 0.85 and word_count(text) <= 6 and (
            intent != "out_of_scope" or looks_like_question(text)):
        return Reply("aside", intent)
    payload = text.startswith("/")  # a button from an earlier message, e.g. /start_draft
    if intent == "start_draft" and confident and (payload or looks_like_help_request(said)):
        return Reply("busy")
    if payload:
        return Reply("repeat")
    if k == "review":
        if (intent == "edit_draft" and confident) or re.search(
                r"\b(change|redo|fix|edit|rewrite|update|correct|replace|remove|delete|"
                r"add)\b", said):
            return Reply("unclear_edit")
        return Reply("help")
    return Reply("answer", text)


def looks_like_help_request(said: str) -> bool:
    return bool(re.search(r"\b(help|start|write|begin|do)\b", said))


def _ordinal(said: str, draft: Optional[DraftView]) -> Optional[int]:
    """The concern a parent points at ("the second concern", "concern 2", "the last
    one") as an index into the draft's concerns, or None."""
    count = len(draft.concerns) if draft else 0
    if re.search(r"\blast\b", said) and count:
        return count - 1
    for word in re.findall(r"[\w]+", said):
        if word in ORDINALS:
            return ORDINALS[word] - 1
    if count == 1:
        return 0
    return None


def parse_edit(text: str, draft: Optional[DraftView]) -> Optional[Reply]:
    """Review-step commands: change/redo/remove a part, or add a concern."""
    said = normalize(text)
    if re.search(r"\bconcerns?\b|\bworr(y|ies)\b", said):
        if re.search(r"\b(add|another|new|one more|forgot)\b", said):
            return Reply("edit", "concern")
        index = _ordinal(said, draft)
        if index is None or not draft or index >= len(draft.concerns):
            return Reply("unclear_edit", "concern")
        target = draft.concerns[index].id
        if re.search(r"\b(remove|delete|drop|take out|take .+ out|get rid of|cut)\b", said):
            return Reply("remove", str(target))
        if re.search(r"\b(consider|ask|want the team|request)\b", said):
            return Reply("edit", f"consider:{target}")
        return Reply("edit", f"concern:{target}")
    targets = [
        (r"\b(strengths?|good at|proud|loves?)\b", "strengths"),
        (r"\b(what helps|helps|supports?|strateg(y|ies))\b", "supports"),
        (r"\b(this year|good year)\b", "this_year"),
        (r"\b(after high school|job|work|college|career|training)\b", "student_after"),
        (r"\b(live|living|apartment)\b", "student_living"),
        (r"\b(vision|future|1 to 5|five years|5 years)\b", "vision"),
        (r"\bname\b", "child_name"),
        (r"\b(age|grade|how old)\b", "child_age"),
    ]
    for pattern, target in targets:
        if re.search(pattern, said):
            if target.startswith("student_") and not (draft and draft.child_age
                                                      and draft.child_age >= 14):
                target = "vision"
            return Reply("edit", target)
    return None


# ---------------------------------------------------------------------- step 1
_NAME_PREFIX = re.compile(
    r"^(?:(?:her|his|their|my (?:son|daughter|child|kid)'?s?|the) name is|it'?s|its|"
    r"(?:she|he|they) is called|(?:she|he|they)'?s called|we call (?:her|him|them)|"
    r"call (?:her|him|them)|my (?:son|daughter|child|kid|boy|girl)(?: is)?|"
    r"this is|i'?m writing (?:for|about)|name'?s?)\s+", re.IGNORECASE)
_NAME_CHARS = re.compile(r"[^\w\s'’.-]|\d|_")


def parse_name(text: str) -> Optional[str]:
    """"her name is maya!" -> "Maya". None when it does not look like a name
    (a long sentence), so the bot can ask again."""
    value = _NAME_PREFIX.sub("", text.strip())
    value = re.split(r"[,;!?()]| and | but | who | she | he ", value, maxsplit=1)[0]
    value = _NAME_CHARS.sub("", value).strip(" .'-")
    words = value.split()
    if not words or len(words) > 3 or len(value) > 40:
        return None
    if value.islower():
        value = " ".join(w[:1].upper() + w[1:] for w in words)
    return value


_NUMBER_WORDS = {"three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
                 "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
                 "eighteen": 18, "nineteen": 19, "twenty": 20, "twenty one": 21,
                 "twenty-one": 21, "twenty two": 22, "twenty-two": 22}
_GRADE_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
                "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
                "eleventh": 11, "twelfth": 12}
_SCHOOL_LEVELS = [(r"\bpre-?k|preschool|pre-school\b", 4), (r"\bkindergarten|\bk\b", 5),
                  (r"\bfreshman\b", 14), (r"\bsophomore\b", 15), (r"\bjunior\b", 16),
                  (r"\bsenior\b", 17), (r"\bhigh school\b", 15),
                  (r"\bmiddle school\b", 12), (r"\belementary\b", 8),
                  (r"\btransition program|post-?grad|18-?22\b", 19)]
AGE_RANGE = (2, 22)


def parse_age(text: str) -> Optional[int]:
    """Years from "9", "she's 14", "4th grade", "grade 10", "freshman", "nine".
    Grades become ages (grade + 5) because only the 14+ switch needs a number."""
    said = text.lower()
    grade_pattern = r"\b(\d{1,2})(?:st|nd|rd|th)?\s*grade\b|\bgrade\s*(\d{1,2})\b"
    # A stated age wins over a grade ("15, in 9th grade" -> 15).
    without_grades = re.sub(grade_pattern, " ", said)
    number = re.search(r"\b(\d{1,2})\b(?!\s*(?:st|nd|rd|th)\b)", without_grades)
    if number and AGE_RANGE[0] <= int(number.group(1)) <= AGE_RANGE[1]:
        return int(number.group(1))
    grade = re.search(grade_pattern, said)
    if grade:
        return int(grade.group(1) or grade.group(2)) + 5
    for word, number_ in _GRADE_WORDS.items():
        if re.search(rf"\b{word}\s+grade\b", said):
            return number_ + 5
    for word in sorted(_NUMBER_WORDS, key=len, reverse=True):
        if re.search(rf"\b{word}\b", said):
            return _NUMBER_WORDS[word]
    for pattern, age in _SCHOOL_LEVELS:
        if re.search(pattern, said):
            return age
    return None
