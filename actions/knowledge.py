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

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "data" / "knowledge"


@dataclass(frozen=True)
class Answer:
    topic: str
    intent: str
    text: List[str]
    source: str
    buttons: List[Dict[str, str]] = field(default_factory=list)
    # Extra bubble per state where its rule differs from the federal one.
    by_state: Dict[str, str] = field(default_factory=dict)
    # Said when the rule differs by state and we don't know the parent's state.
    varies_note: Optional[str] = None


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
        buttons=list(answer.get("buttons", [])),
        by_state=dict(answer.get("by_state", {})),
        varies_note=answer.get("varies_note"),
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


def render(answer: Answer, state: Optional[str], first_answer: bool) -> List[Dict]:
    """The bubbles for one answer: its text, the parent's state's rule when it
    differs (or a note that rules vary), then a source line; buttons go last."""
    bubbles = list(answer.text)
    if state and state in answer.by_state:
        bubbles.append(answer.by_state[state])
    elif answer.varies_note:
        bubbles.append(answer.varies_note)
    closing = f"Source: {answer.source}"
    if first_answer:
        closing += f"\n{DISCLAIMER}"
    messages: List[Dict] = [{"text": b} for b in bubbles[:-1]]
    messages.append({"text": f"{bubbles[-1]}\n{closing}"})
    if answer.buttons:
        messages[-1]["buttons"] = list(answer.buttons)
    return messages
