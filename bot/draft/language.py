"""spaCy work on the parent's own words, with the project's pipeline (var/spacy/iep_en:
tokenizer, sentencizer, IEP-vocabulary EntityRuler).

- tidy():        sentence capitals, "i" -> "I", "iep" -> "IEP", a closing full stop
- use_name():    "my son" / a paragraph's opening "he" or "she" -> the child's name
- concern_area(): which part of school life a concern is about, so the draft can
                  group concerns (learning first, logistics last)

Nothing here rewrites what the parent said; it only changes case, punctuation and
who "he" is. spaCy is imported on first use so the action server starts quickly.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache, wraps
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.matcher import Matcher

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

# (key, title in the draft, cue words/phrases). Order = order in the draft.
AREAS: Sequence[tuple[str, str, tuple[str, ...]]] = (
    (
        "learning",
        "Learning and schoolwork",
        (
            "read",
            "reading",
            "reader",
            "writing",
            "written",
            "spell",
            "spelling",
            "math",
            "homework",
            "grades",
            "grade level",
            "schoolwork",
            "school work",
            "classwork",
            "test",
            "quiz",
            "learn",
            "dyslexia",
            "dyscalculia",
            "comprehension",
            "phonics",
            "letters",
            "behind",
            "focus",
            "attention",
            "adhd",
            "concentrate",
            "distracted",
            "organize",
            "organization",
            "planner",
            "assignment",
            "executive function",
            "memory",
            "forget",
            "forgets",
            "science",
            "subject",
            "tutoring",
            "curriculum",
            "progress",
            "goal",
            "chapter book",
            "books",
            "fluency",
            "academic",
            "academics",
        ),
    ),
    (
        "communication",
        "Communication",
        (
            "talk",
            "speak",
            "speaking",
            "speech",
            "word",
            "language",
            "nonverbal",
            "non-verbal",
            "verbal",
            "communicate",
            "communication",
            "express",
            "stutter",
            "articulation",
            "device",
            "tablet",
            "aac",
            "sign language",
            "conversation",
            "pronounce",
            "sentence",
            "ask for help",
            "asking for help",
            "understand directions",
            "follow directions",
        ),
    ),
    (
        "social_emotional",
        "Friendships and feelings",
        (
            "friend",
            "friendship",
            "lonely",
            "alone",
            "anxiety",
            "anxious",
            "sad",
            "depressed",
            "depression",
            "self-esteem",
            "confidence",
            "confident",
            "bully",
            "bullied",
            "bullying",
            "tease",
            "teased",
            "picked on",
            "left out",
            "lunch",
            "recess",
            "social",
            "feelings",
            "emotion",
            "emotional",
            "shuts down",
            "shut down",
            "overwhelmed",
            "cry",
            "crying",
            "upset",
            "scared",
            "afraid",
            "fear",
            "peers",
            "classmates",
            "invited",
            "no one",
            "nobody",
            "isolated",
            "stress",
            "stressed",
            "hates school",
            "self esteem",
        ),
    ),
    (
        "behavior",
        "Behavior",
        (
            "behavior",
            "behaviour",
            "behavioral",
            "meltdown",
            "tantrum",
            "hit",
            "hitting",
            "kick",
            "kicking",
            "bite",
            "biting",
            "aggressive",
            "aggression",
            "outburst",
            "suspended",
            "suspension",
            "detention",
            "elope",
            "eloping",
            "runs away",
            "ran away",
            "restraint",
            "restrained",
            "defiant",
            "throw",
            "throwing",
            "yell",
            "yelling",
            "scream",
            "screaming",
            "sent home",
            "office",
            "punished",
            "punishment",
            "fight",
            "fighting",
            "swearing",
            "disruptive",
            "refuses",
            "refusing",
            "time out",
            "bip",
        ),
    ),
    (
        "health_motor",
        "Health and motor skills",
        (
            "handwriting",
            "fine motor",
            "gross motor",
            "motor",
            "pencil",
            "scissors",
            "balance",
            "coordination",
            "seizure",
            "medication",
            "medicine",
            "nurse",
            "toilet",
            "toileting",
            "potty",
            "bathroom",
            "diaper",
            "feeding",
            "swallow",
            "allergy",
            "allergies",
            "asthma",
            "diabetes",
            "insulin",
            "tired",
            "sleep",
            "fatigue",
            "sensory",
            "noise",
            "loud",
            "physical",
            "wheelchair",
            "walk",
            "walking",
            "stairs",
            "hearing",
            "eyesight",
            "glasses",
            "pain",
            "health",
            "doctor",
            "medical",
        ),
    ),
    (
        "independence",
        "Independence",
        (
            "independent",
            "independently",
            "independence",
            "on his own",
            "on her own",
            "on their own",
            "by himself",
            "by herself",
            "by themselves",
            "dress",
            "dressing",
            "self-care",
            "hygiene",
            "life skills",
            "chores",
            "cook",
            "cooking",
            "money",
            "shopping",
            "self-advocacy",
            "advocate",
            "speak up",
            "speaks up",
            "prompt",
            "prompting",
            "relies on",
            "depends on",
            "job skills",
            "work skills",
            "tie his shoes",
            "tie her shoes",
            "make choices",
            "decisions",
        ),
    ),
    (
        "logistics",
        "The school day and services",
        (
            "bus",
            "transportation",
            "ride",
            "van",
            "schedule",
            "placement",
            "classroom",
            "class size",
            "aide",
            "para",
            "paraprofessional",
            "staff",
            "substitute",
            "out of district",
            "school day",
            "pick up",
            "pickup",
            "drop off",
            "start time",
            "attendance",
            "absent",
            "updates",
            "notes home",
            "email",
            "hear from",
            "services",
            "minutes",
            "sessions",
            "missed",
            "not getting",
        ),
    ),
)
OTHER_AREA = ("other", "Other concerns")
AREA_TITLES: dict[str, str] = {key: title for key, title, _ in AREAS}
AREA_TITLES[OTHER_AREA[0]] = OTHER_AREA[1]
AREA_ORDER = [key for key, _, _ in AREAS] + [OTHER_AREA[0]]

# The vocabulary's services already say which area they belong to.
SERVICE_AREAS = {
    "speech therapy": "communication",
    "assistive technology": "communication",
    "occupational therapy": "health_motor",
    "physical therapy": "health_motor",
    "counseling": "social_emotional",
    "social skills": "social_emotional",
    "ABA": "behavior",
    "reading support": "learning",
    "resource room": "learning",
    "transportation": "logistics",
    "paraprofessional": "logistics",
    "ESY": "learning",
}

KID_WORDS = {
    "son",
    "daughter",
    "child",
    "kid",
    "boy",
    "girl",
    "kiddo",
    "stepson",
    "stepdaughter",
    "grandson",
    "granddaughter",
}
WORRY_WORDS = (
    "worried",
    "worry",
    "worries",
    "concerned",
    "concern",
    "struggle",
    "struggles",
    "struggling",
    "can't",
    "cannot",
    "can not",
    "doesn't",
    "won't",
    "isn't",
    "hard time",
    "trouble",
    "problem",
    "upset",
    "scared",
    "afraid",
    "no friends",
    "behind",
    "hate",
    "hates",
    "not getting",
    "falling",
    "anxious",
    "bullied",
)


# The action server calls these from worker threads; one pipeline, one at a time
# (loading twice or growing the shared vocabulary concurrently breaks spaCy).
_spacy_lock = threading.RLock()


def _one_at_a_time(function: Callable[P, R]) -> Callable[P, R]:
    @wraps(function)
    def locked(*args: P.args, **kwargs: P.kwargs) -> R:
        with _spacy_lock:
            return function(*args, **kwargs)

    return locked


@_one_at_a_time
@lru_cache(maxsize=1)
def nlp() -> Language:
    import spacy

    from bot.nlp.spacy_pipeline import PIPELINE_DIR, build

    if not (PIPELINE_DIR / "meta.json").exists():
        build(PIPELINE_DIR)  # a fresh checkout: the pipeline builds in a second
    return spacy.load(PIPELINE_DIR)


def _forms(word: str) -> list[str]:
    """Simple English inflections, enough for cue matching without a lemmatizer."""
    forms = {word, word + "s", word + "es", word + "ed", word + "ing"}
    if word.endswith("e"):
        forms |= {word[:-1] + "ing", word + "d"}
    if word.endswith("y"):
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    return sorted(forms)


@_one_at_a_time
@lru_cache(maxsize=1)
def _area_matcher() -> Matcher:
    from spacy.matcher import Matcher

    model = nlp()
    matcher = Matcher(model.vocab)
    for key, _, cues in AREAS:
        patterns = []
        for cue in cues:
            words = [t.text.lower() for t in model.make_doc(cue)]
            patterns.append(
                [
                    {"LOWER": {"IN": _forms(w)}} if i == len(words) - 1 else {"LOWER": w}
                    for i, w in enumerate(words)
                ]
            )
        matcher.add(key, patterns)
    return matcher


@_one_at_a_time
def concern_area(text: str) -> str:
    """The area most of the concern's cue words point to; ties go to the area that
    comes first in the draft; no cue at all -> "other"."""
    doc = nlp()(text or "")
    scores: dict[str, float] = {}
    for match_id, _start, _end in _area_matcher()(doc):
        key = doc.vocab.strings[match_id]
        scores[key] = scores.get(key, 0) + 1
    for ent in doc.ents:
        area = SERVICE_AREAS.get(ent.ent_id_)
        if area:
            scores[area] = scores.get(area, 0) + 1.5
    if not scores:
        return OTHER_AREA[0]
    return max(AREA_ORDER[:-1], key=lambda k: (scores.get(k, 0), -AREA_ORDER.index(k)))


def group_by_area(
    items: Iterable[T], area_of: Callable[[T], str | None]
) -> list[tuple[str, list[T]]]:
    """[(area, items in typing order)] in draft order, only areas that occur."""
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(area_of(item) or OTHER_AREA[0], []).append(item)
    return [(key, groups[key]) for key in AREA_ORDER if key in groups]


def sounds_like_worry(text: str) -> bool:
    lowered = (text or "").lower()
    return any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in WORRY_WORDS)


# ---------------------------------------------------------------------- tidy
@_one_at_a_time
def tidy(text: str, name: str | None = None) -> str:
    """Each line becomes tidy sentences; list bullets are dropped; lines are joined."""
    lines = [line.strip().lstrip("-*•·").strip() for line in (text or "").split("\n")]
    return " ".join(_tidy_line(line, name) for line in lines if line)


def _tidy_line(line: str, name: str | None) -> str:
    doc = nlp()(line)
    words = [t.text_with_ws for t in doc]
    for ent in doc.ents:
        canonical = ent.ent_id_
        if canonical and ent.text != canonical and ent.text.lower() == canonical.lower():
            words[ent.start] = canonical + doc[ent.end - 1].whitespace_
            for i in range(ent.start + 1, ent.end):
                words[i] = ""
    for token in doc:
        if token.lower_ == "i":
            words[token.i] = "I" + token.whitespace_
    for sent in doc.sents:
        first = next((t for t in sent if t.is_alpha), None)
        if first is not None and words[first.i][:1].islower():
            words[first.i] = words[first.i][0].upper() + words[first.i][1:]
    out = "".join(words).strip()
    if name:
        out = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", name, out, flags=re.IGNORECASE)
    if out and out[-1] in ",;:":
        out = out[:-1]
    if out and (out[-1].isalnum() or out[-1] in ")'\"’”"):
        out += "."
    return out


# ---------------------------------------------------------------------- names
@_one_at_a_time
def use_name(text: str, name: str | None) -> str:
    """Puts the child's name where the parent wrote "my son"/"my daughter", and for a
    paragraph that opens with "he"/"she" (whom the reader cannot know yet). Without
    a name, an opening "he"/"she" becomes "my son"/"my daughter"."""
    doc = nlp()(text or "")
    if not len(doc):
        return text
    words = [t.text_with_ws for t in doc]
    name_first = name.split()[0].lower() if name else None
    if name:
        for token in doc[:-1]:
            nxt = doc[token.i + 1]
            if token.lower_ in ("my", "our") and nxt.lower_ in KID_WORDS:
                after = [t for t in doc[token.i + 2 : token.i + 4]]
                if after and after[0].lower_ == name_first:  # "my son Jake"
                    words[token.i] = words[nxt.i] = ""
                elif len(after) == 2 and after[0].text == "," and after[1].lower_ == name_first:
                    words[token.i] = words[nxt.i] = words[after[0].i] = ""
                else:
                    words[token.i] = name + nxt.whitespace_
                    words[nxt.i] = ""
    first = doc[0]
    opener = first.lower_
    second = doc[1] if len(doc) > 1 else None
    if opener in ("he", "she") or (
        opener in ("his", "her") and second is not None and second.is_alpha
    ):
        who = name or ("My son" if opener in ("he", "his") else "My daughter")
        if opener in ("his", "her"):
            who += "'s"
        words[0] = who + first.whitespace_
    out = "".join(words)
    return out[:1].upper() + out[1:] if out else out
