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

from bot import ROOT

KNOWLEDGE_DIR = ROOT / "data" / "knowledge"

# Said for a state we have no notes for, on a topic whose rule differs by state.
# Every state has a federally funded Parent Training and Information Center.
OTHER_STATE_NOTE = (
    "{state} can set its own rule on this, as long as it gives at least what federal law "
    "gives. {state}'s parent center can tell you the local rule. You can find it at "
    "parentcenterhub.org."
)
SAME_EVERYWHERE_NOTE = (
    "Good news: this comes from federal law (IDEA). So the main rule is the same in {state}."
)
# "Who decides that?" after a topic that has no more specific answer.
TEAM_DECIDES = (
    "Most IEP decisions are made by the IEP team together, and you are a full member of "
    "that team. If you don't agree, you don't have to sign. You can ask for another meeting."
)
TEAM_SOURCE = "IDEA, 34 CFR 300.321 and 300.324 (the IEP team)"


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
    # Said for a state missing from by_state ("{state}" is filled in).
    other_states: str = OTHER_STATE_NOTE
    # Answer to "who decides that?" when it is not simply "the team".
    who_decides: Optional[str] = None

    @property
    def varies_by_state(self) -> bool:
        return self.varies_note is not None

    def state_note(self, state: str) -> str:
        """What differs for this state, or that the rule is the same there."""
        if state in self.by_state:
            return self.by_state[state]
        if self.varies_by_state:
            return self.other_states.format(state=state)
        return SAME_EVERYWHERE_NOTE.format(state=state)


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
        other_states=answer.get("other_states", OTHER_STATE_NOTE),
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


DISCLAIMER = "I'm a guide, not a lawyer: this is general information, not legal advice."


def as_messages(
    bubbles: List[str], source: str, first_answer: bool,
    buttons: Optional[List[Dict[str, str]]] = None,
) -> List[Dict]:
    """Bubbles as bot messages: the last one closes with the source line (and the
    disclaimer on the first answer of a conversation) and carries the buttons."""
    closing = f"Source: {source}"
    if first_answer:
        closing += f"\n{DISCLAIMER}"
    messages: List[Dict] = [{"text": b} for b in bubbles[:-1]]
    messages.append({"text": f"{bubbles[-1]}\n{closing}"})
    if buttons:
        messages[-1]["buttons"] = list(buttons)
    return messages


def render(answer: Answer, state: Optional[str], first_answer: bool) -> List[Dict]:
    """The bubbles for one answer: its text, the parent's state's rule when it
    differs (or a note that rules vary), then a source line; buttons go last."""
    bubbles = list(answer.text)
    if state and (state in answer.by_state or answer.varies_by_state):
        bubbles.append(answer.state_note(state))
    elif answer.varies_note:
        bubbles.append(answer.varies_note)
    return as_messages(bubbles, answer.source, first_answer, answer.buttons)
