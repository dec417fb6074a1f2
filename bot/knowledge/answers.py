"""The knowledge base: one YAML file per topic under data/knowledge/.

Each file holds the topic's answer (text bubbles, source, optional state notes and
buttons) next to the NLU examples and rule that trigger it, so a fact, its source and
its training examples are edited in one place. Rasa ignores the `answer:` key; this
module reads it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from bot import ROOT, content

KNOWLEDGE_DIR = ROOT / "data" / "knowledge"

@dataclass(frozen=True)
class Answer:
    topic: str
    intent: str
    text: List[str]
    source: str
    # The same answer in a single, simpler bubble ("what does that mean?").
    plain: str = ""
    buttons: List[Dict[str, str]] = field(default_factory=list)
    # Extra bubble per state where its rule differs from the federal one.
    by_state: Dict[str, str] = field(default_factory=dict)
    # Said when the rule differs by state and we don't know the parent's state.
    varies_note: Optional[str] = None
    # Said for a state missing from by_state ("{state}" is filled in); None: the
    # general note (content key answer.other_state).
    other_states: Optional[str] = None
    # Answer to "who decides that?" when it is not simply "the team".
    who_decides: Optional[str] = None

    @property
    def varies_by_state(self) -> bool:
        return self.varies_note is not None

    def state_note(self, state: str, lang: str = content.DEFAULT_LANGUAGE) -> str:
        """What differs for this state, or that the rule is the same there."""
        if state in self.by_state:
            return content.fill(self.by_state[state])
        if self.varies_by_state:
            if self.other_states:
                return content.fill(self.other_states, {"state": state})
            return content.text("answer.other_state", lang, state=state)
        return content.text("answer.same_everywhere", lang, state=state)


def _load_file(path: Path) -> Answer:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    answer = data["answer"]
    intents = [item["intent"] for item in data.get("nlu", []) if "intent" in item]
    if len(intents) != 1:
        raise ValueError(f"{path}: expected exactly one intent, found {intents}")
    return Answer(
        topic=answer["topic"],
        intent=intents[0],
        text=list(answer["text"]),
        source=answer["source"],
        plain=answer.get("plain", ""),
        buttons=list(answer.get("buttons", [])),
        by_state=dict(answer.get("by_state", {})),
        varies_note=answer.get("varies_note"),
        other_states=answer.get("other_states"),
        who_decides=answer.get("who_decides"),
    )


@lru_cache(maxsize=1)
def answers_by_intent() -> Dict[str, Answer]:
    answers = {}
    for path in sorted(KNOWLEDGE_DIR.glob("*.yml")):
        answer = _load_file(path)
        answers[answer.intent] = answer
    return answers


def answer_for_intent(intent: Optional[str]) -> Optional[Answer]:
    return answers_by_intent().get(intent or "")


def answer_for_topic(topic: Optional[str]) -> Optional[Answer]:
    return next((a for a in answers_by_intent().values() if a.topic == topic), None)


def as_messages(
    bubbles: List[str], source: str, first_answer: bool,
    buttons: Optional[List[Dict[str, str]]] = None, lang: str = content.DEFAULT_LANGUAGE,
) -> List[Dict]:
    """Bubbles as bot messages: the last one closes with the source line (and the
    disclaimer on the first answer of a conversation) and carries the buttons.
    Bubbles may use the contact placeholders ({phone}, ...)."""
    closing = content.text("answer.source", lang, source=source)
    if first_answer:
        closing += "\n" + content.text("answer.disclaimer", lang)
    bubbles = [content.fill(b) for b in bubbles]
    messages: List[Dict] = [{"text": b} for b in bubbles[:-1]]
    messages.append({"text": f"{bubbles[-1]}\n{closing}"})
    if buttons:
        messages[-1]["buttons"] = list(buttons)
    return messages


def render(answer: Answer, state: Optional[str], first_answer: bool,
           lang: str = content.DEFAULT_LANGUAGE) -> List[Dict]:
    """The bubbles for one answer: its text, the parent's state's rule when it
    differs (or a note that rules vary), then a source line; buttons go last."""
    bubbles = list(answer.text)
    if state and (state in answer.by_state or answer.varies_by_state):
        bubbles.append(answer.state_note(state, lang))
    elif answer.varies_note:
        bubbles.append(answer.varies_note)
    return as_messages(bubbles, answer.source, first_answer, answer.buttons, lang)
