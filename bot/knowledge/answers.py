"""The knowledge base: one YAML file per topic under data/knowledge/.

Each file holds the topic's answer (text bubbles, optional state notes and buttons) next
to the NLU examples and rule that trigger it, so a fact, its citation and its training
examples are edited in one place. Rasa ignores the `answer:` key; this module reads it.

Every sentence says whose rule it is, because "the same in your state" is only true of
federal law:

    text:
      - say: "Under federal law, the school needs your written OK ..."
        rule: federal            # IDEA / Section 504 / ADA: the same in every state
        cite: 34 CFR 300.300(b)  # keys of data/citations.yml (a string or a list)
      - - say: "First sentence of a bubble ..."   # a bubble may mix rules:
          rule: advice                            # a list of parts, said as one bubble
        - say: "... second sentence."
          rule: federal
          cite: [34 CFR 300.321(a)]
    by_state:
      Massachusetts: {say: "In Massachusetts, ...", cite: 603 CMR 28.05(7)}

`rule` is federal, state (one state's own rule, or a pointer to the parent's state) or
advice (good practice, not law). A topic may set a default `rule:` for its text, plain
and who_decides parts; state notes (by_state, varies_note, other_states) default to state.
The source line under an answer lists the citations of the parts it showed, so a
citation always belongs to a sentence the parent just read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot import ROOT, content
from bot.knowledge.citations import FEDERAL_LAWS, SECTION, citation

KNOWLEDGE_DIR = ROOT / "data" / "knowledge"

FEDERAL, STATE, ADVICE = "federal", "state", "advice"
RULES = (FEDERAL, STATE, ADVICE)


@dataclass(frozen=True)
class Part:
    """One or more sentences with one jurisdiction and their citations."""

    say: str
    rule: str
    cite: tuple[str, ...] = ()


# One message bubble: its parts, said one after the other.
Bubble = tuple[Part, ...]


def said(bubble: Bubble | None, values: dict[str, Any] | None = None) -> str:
    return content.fill(" ".join(part.say for part in bubble or ()), values)


@dataclass(frozen=True)
class Answer:
    topic: str
    intent: str
    bubbles: tuple[Bubble, ...]
    buttons: list[dict[str, str]] = field(default_factory=list)
    # The same answer in a single, simpler bubble ("what does that mean?").
    plain_parts: Bubble = ()
    # Answer to "who decides that?" when it is not simply "the team".
    who_decides_parts: Bubble | None = None
    # Extra bubble per state where its rule differs from the federal one.
    state_parts: dict[str, Bubble] = field(default_factory=dict)
    # Said when the rule differs by state and we don't know the parent's state.
    varies_parts: Bubble | None = None
    # Said for a state missing from state_parts ("{state}" is filled in); None: the
    # general pointer to the state's parent center (content key answer.other_state).
    other_states_parts: Bubble | None = None

    # What the parent reads, as plain strings.
    @property
    def text(self) -> list[str]:
        return [said(b) for b in self.bubbles]

    @property
    def plain(self) -> str:
        return said(self.plain_parts)

    @property
    def who_decides(self) -> str | None:
        return said(self.who_decides_parts) if self.who_decides_parts else None

    @property
    def by_state(self) -> dict[str, str]:
        return {state: said(b) for state, b in self.state_parts.items()}

    @property
    def varies_note(self) -> str | None:
        return said(self.varies_parts) if self.varies_parts else None

    @property
    def varies_by_state(self) -> bool:
        """Some part of this answer is one state's rule, so other states may differ."""
        return bool(self.state_parts) or self.varies_parts is not None

    def all_bubbles(self) -> list[Bubble]:
        optional = [self.who_decides_parts, self.varies_parts, self.other_states_parts]
        return [
            *self.bubbles,
            self.plain_parts,
            *self.state_parts.values(),
            *[b for b in optional if b],
        ]

    @property
    def source(self) -> str:
        """The source line for everything this topic can say."""
        return source_line(self.all_bubbles())

    def state_note_parts(self, state: str, lang: str = content.DEFAULT_LANGUAGE) -> Bubble:
        """What differs for this state: its own note, a pointer to its parent center
        when the topic has state rules, or (only when every rule in the answer is
        federal law) that the rule is the same there."""
        if state in self.state_parts:
            return self.state_parts[state]
        if self.varies_by_state:
            if self.other_states_parts:
                return self.other_states_parts
            return (
                Part(
                    content.text("answer.other_state", lang, state="{state}"),
                    STATE,
                    _cites(content.text("answer.other_state.cite", lang)),
                ),
            )
        return same_everywhere(self.bubbles, lang)

    def state_note(self, state: str, lang: str = content.DEFAULT_LANGUAGE) -> str:
        return said(self.state_note_parts(state, lang), {"state": state})


def same_everywhere(bubbles: Sequence[Bubble], lang: str = content.DEFAULT_LANGUAGE) -> Bubble:
    """The note for a state we have no notes for, on a topic with no state rules: the
    federal laws its federal parts cite are the same everywhere; tips are just tips."""
    parts = [part for bubble in bubbles for part in bubble]
    federal = [p for p in parts if p.rule == FEDERAL]
    if not federal:
        return (Part(content.text("answer.advice_everywhere", lang, state="{state}"), ADVICE),)
    cites = tuple(dict.fromkeys(c for p in federal for c in p.cite))
    laws = [law for law in FEDERAL_LAWS if any(citation(c).law == law for c in cites)]
    note = content.text("answer.same_everywhere", lang, law=" and ".join(laws), state="{state}")
    if any(p.rule == ADVICE for p in parts):
        note += " " + content.text("answer.tips_everywhere", lang)
    return (Part(note, FEDERAL, cites),)


def source_line(bubbles: Iterable[Bubble]) -> str:
    """The citations of these bubbles, grouped by law: "IDEA (34 CFR 300.106);
    Massachusetts (603 CMR 28.05(4)(d)1); Exceptional Lives IEP guide"."""
    groups: dict[str, list[str]] = {}
    for bubble in bubbles:
        for part in bubble:
            for key in part.cite:
                law = citation(key).law
                cites = groups.setdefault(law or key, [])
                if law and key not in cites:
                    cites.append(key)
    return "; ".join(
        f"{name} ({_shortened(cites)})" if cites else name for name, cites in groups.items()
    )


def _shortened(cites: list[str]) -> str:
    """ "34 CFR 300.300(b), 300.503": a code's name is said once while it repeats, as
    lawyers write it."""
    out, last_code = [], None
    for key in cites:
        code = key.rsplit(" ", 1)[0] + " " if SECTION.fullmatch(key) else None
        out.append(key[len(code) :] if code and code == last_code else key)
        last_code = code
    return ", ".join(out)


def _cites(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(c.strip() for c in value.split(";") if c.strip())
    return tuple(str(c) for c in value)


def _bubble(value: Any, default_rule: str | None, where: str) -> Bubble:
    """A bubble from YAML: one part (a mapping) or a list of parts."""
    items = value if isinstance(value, list) else [value]
    parts = []
    for item in items:
        if not isinstance(item, dict) or "say" not in item:
            raise ValueError(f"{where}: a part needs `say:` (got {item!r})")
        rule = item.get("rule", default_rule)
        if rule not in RULES:
            raise ValueError(f"{where}: rule must be one of {RULES}, not {rule!r}")
        cites = _cites(item.get("cite"))
        for key in cites:
            citation(key)  # unknown citations fail at load, not in front of a parent
        parts.append(Part(str(item["say"]), rule, cites))
    return tuple(parts)


def _load_file(path: Path) -> Answer:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    answer = data["answer"]
    intents = [item["intent"] for item in data.get("nlu", []) if "intent" in item]
    if len(intents) != 1:
        raise ValueError(f"{path}: expected exactly one intent, found {intents}")
    rule = answer.get("rule")
    name = path.name

    def optional(key: str, default: str | None) -> Bubble | None:
        value = answer.get(key)
        return _bubble(value, default, f"{name} {key}") if value is not None else None

    return Answer(
        topic=answer["topic"],
        intent=intents[0],
        bubbles=tuple(_bubble(b, rule, f"{name} text[{i}]") for i, b in enumerate(answer["text"])),
        buttons=list(answer.get("buttons", [])),
        plain_parts=optional("plain", rule) or (),
        who_decides_parts=optional("who_decides", rule),
        state_parts={
            state: _bubble(b, STATE, f"{name} by_state {state}")
            for state, b in (answer.get("by_state") or {}).items()
        },
        varies_parts=optional("varies_note", STATE),
        other_states_parts=optional("other_states", STATE),
    )


@lru_cache(maxsize=1)
def answers_by_intent() -> dict[str, Answer]:
    answers = {}
    for path in sorted(KNOWLEDGE_DIR.glob("*.yml")):
        answer = _load_file(path)
        answers[answer.intent] = answer
    return answers


def answer_for_intent(intent: str | None) -> Answer | None:
    return answers_by_intent().get(intent or "")


def answer_for_topic(topic: str | None) -> Answer | None:
    return next((a for a in answers_by_intent().values() if a.topic == topic), None)


def as_messages(
    bubbles: list[str],
    source: str,
    first_answer: bool,
    buttons: list[dict[str, str]] | None = None,
    lang: str = content.DEFAULT_LANGUAGE,
) -> list[dict]:
    """Bubbles as bot messages: the last one closes with the source line (and the
    disclaimer on the first answer of a conversation) and carries the buttons.
    Bubbles may use the contact placeholders ({phone}, ...)."""
    closing = content.text("answer.source", lang, source=source)
    if first_answer:
        closing += "\n" + content.text("answer.disclaimer", lang)
    bubbles = [content.fill(b) for b in bubbles]
    messages: list[dict] = [{"text": b} for b in bubbles[:-1]]
    messages.append({"text": f"{bubbles[-1]}\n{closing}"})
    if buttons:
        messages[-1]["buttons"] = list(buttons)
    return messages


def messages_for(
    bubbles: Sequence[Bubble],
    first_answer: bool,
    buttons: list[dict[str, str]] | None = None,
    state: str | None = None,
    lang: str = content.DEFAULT_LANGUAGE,
) -> list[dict]:
    """Bubbles of parts as bot messages, with the source line of exactly those parts."""
    values = {"state": state} if state else None
    return as_messages(
        [said(b, values) for b in bubbles], source_line(bubbles), first_answer, buttons, lang
    )


def render(
    answer: Answer, state: str | None, first_answer: bool, lang: str = content.DEFAULT_LANGUAGE
) -> list[dict]:
    """The bubbles for one answer: its text, the parent's state's rule when it
    differs (or a note that rules vary), then a source line; buttons go last."""
    bubbles = list(answer.bubbles)
    if state and answer.varies_by_state:
        bubbles.append(answer.state_note_parts(state, lang))
    elif answer.varies_parts:
        bubbles.append(answer.varies_parts)
    return messages_for(bubbles, first_answer, answer.buttons, state, lang)


def state_reply(
    answer: Answer, state: str, first_answer: bool, lang: str = content.DEFAULT_LANGUAGE
) -> list[dict]:
    """ "And in Ohio?" after an answer."""
    return messages_for(
        [answer.state_note_parts(state, lang)], first_answer, answer.buttons, state, lang
    )


def who_decides_reply(
    answer: Answer | None, first_answer: bool, lang: str = content.DEFAULT_LANGUAGE
) -> list[dict]:
    """ "Who decides that?": the topic's own answer, or that the team (with the parent)
    decides."""
    if answer and answer.who_decides_parts:
        bubble = answer.who_decides_parts
    else:
        bubble = (
            Part(
                content.text("answer.team_decides", lang),
                FEDERAL,
                _cites(content.text("answer.team_decides.cite", lang)),
            ),
        )
    return messages_for([bubble], first_answer, answer.buttons if answer else None, lang=lang)


def plain_reply(
    answer: Answer, first_answer: bool, lang: str = content.DEFAULT_LANGUAGE
) -> list[dict]:
    """ "What does that mean?": the same answer in one simpler bubble."""
    return messages_for([answer.plain_parts], first_answer, answer.buttons, lang=lang)
