"""Conversation scripts: what a parent types and what they must then see, run against
the real bot over REST (Rasa's story test never runs the action server, so it cannot see
answers, draft steps or a resumed draft).

A file under tests/conversations/ holds a list of conversations:

    - name: stop, then resume with the code on another device
      turns:
        - user: help me write my vision statement
          step: 1                      # the reply shows "Step 1 of 6" and no other step
          says: [first name]           # each fragment appears in the reply (exact case)
        - user: Leo
          capture: code                # keep the resume code the bot printed
        - user: can we pick this up tomorrow
          step: none                   # no step header at all
          says: ["{code}"]             # {name} is a captured value
        - user: continue my draft {code}
          new_chat: true               # a new sender id from here on (another device)
          not_says: [Step 1 of 6]
        - user: looks good
          download:                    # fetch the .txt link in this reply; .docx too
            has: [Leo loves trains]
            lacks: [older kids]

A conversation may carry `known_gap: why` (a bug found and not fixed yet): it is then
expected to fail, and its test turns red once it passes, so the note gets removed.
"""

from __future__ import annotations

import re
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.helpers import rest, texts

STEP_HEADER = re.compile(r"\*\*Step (\d) of 6")
CAPTURES = {
    # Shown in bold when saved or paused; after "continue my draft" once finished.
    "code": re.compile(
        r"(?:\*\*|continue my draft )([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})"
    ),
}
DOCX_LINK = re.compile(r"\[Word document \(\.docx\)\]\((http://[^)\s]+\.docx)\)")
TEXT_LINK = re.compile(r"\[Plain text \(\.txt\)\]\((http://[^)\s]+\.txt)\)")
TURN_KEYS = {"user", "says", "not_says", "step", "capture", "new_chat", "download"}


class ScriptFailure(AssertionError):
    pass


@dataclass
class Turn:
    user: str
    says: list[str] = field(default_factory=list)
    not_says: list[str] = field(default_factory=list)
    step: str | None = None  # "1".."6", "none", or None (not checked)
    capture: str | None = None
    new_chat: bool = False
    download: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Conversation:
    name: str
    path: Path
    turns: list[Turn]
    known_gap: str | None = None


def _as_list(value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _turn(raw: dict, where: str) -> Turn:
    unknown = set(raw) - TURN_KEYS
    if unknown or "user" not in raw:
        raise ValueError(f"{where}: needs `user:`; unknown keys {sorted(unknown)}")
    if raw.get("capture") not in (None, *CAPTURES):
        raise ValueError(f"{where}: can capture only {sorted(CAPTURES)}")
    return Turn(
        user=str(raw["user"]),
        says=_as_list(raw.get("says", [])),
        not_says=_as_list(raw.get("not_says", [])),
        step=None if "step" not in raw else str(raw["step"]).lower(),
        capture=raw.get("capture"),
        new_chat=bool(raw.get("new_chat")),
        download={k: _as_list(v) for k, v in (raw.get("download") or {}).items()},
    )


def load(folder: Path) -> list[Conversation]:
    conversations = []
    for path in sorted(folder.glob("*.yml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
            where = f"{path.name}: {raw.get('name')}"
            conversations.append(
                Conversation(
                    raw["name"], path, [_turn(t, where) for t in raw["turns"]], raw.get("known_gap")
                )
            )
    names = [f"{c.path.stem}: {c.name}" for c in conversations]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"conversation names must be unique: {sorted(duplicates)}")
    return conversations


def _fill(text: str, captured: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        if match.group(1) not in captured:
            raise ScriptFailure(f"{{{match.group(1)}}} used before it was captured")
        return captured[match.group(1)]

    return re.sub(r"\{(\w+)\}", value, text)


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def check_turn(turn: Turn, said: str, captured: dict[str, str]) -> list[str]:
    """What is wrong with the bot's reply `said` to this turn (empty: all right)."""
    problems = []
    if not said.strip():
        problems.append("the bot said nothing")
    for fragment in (_fill(f, captured) for f in turn.says):
        if fragment not in said:
            problems.append(f"should say {fragment!r}")
    for fragment in (_fill(f, captured) for f in turn.not_says):
        if fragment in said:
            problems.append(f"should not say {fragment!r}")
    if turn.step is not None:
        shown = sorted(set(STEP_HEADER.findall(said)))
        wanted = [] if turn.step == "none" else [turn.step]
        if shown != wanted:
            problems.append(f"should show step {turn.step}, shows {shown or 'none'}")
    if turn.capture:
        found = CAPTURES[turn.capture].search(said)
        if found:
            captured[turn.capture] = found.group(1)
        else:
            problems.append(f"should show a {turn.capture} to capture")
    if turn.download:
        problems += _check_download(turn.download, said, captured)
    return problems


def _check_download(expect: dict[str, list[str]], said: str, captured: dict[str, str]) -> list[str]:
    docx, txt = DOCX_LINK.search(said), TEXT_LINK.search(said)
    if not (docx and txt):
        return ["should show both download links (.docx and .txt)"]
    if not _fetch(docx.group(1)).startswith(b"PK"):  # a .docx is a zip file
        return ["the .docx link does not give a Word document"]
    body = _fetch(txt.group(1)).decode("utf-8")
    return [
        f"the download should contain {_fill(f, captured)!r}"
        for f in expect.get("has", [])
        if _fill(f, captured) not in body
    ] + [
        f"the download should not contain {_fill(f, captured)!r}"
        for f in expect.get("lacks", [])
        if _fill(f, captured) in body
    ]


def run(conversation: Conversation, rasa_url: str) -> None:
    """Plays the conversation turn by turn; fails at the first turn whose reply is
    wrong, naming the turn and showing everything the bot said to it."""
    sender = uuid.uuid4().hex
    captured: dict[str, str] = {}
    for number, turn in enumerate(conversation.turns, 1):
        if turn.new_chat:
            sender = uuid.uuid4().hex
        message = _fill(turn.user, captured)
        said = texts(rest(rasa_url, message, sender=sender))
        problems = check_turn(turn, said, captured)
        if problems:
            raise ScriptFailure(
                f"{conversation.path.name}: {conversation.name!r}, turn {number} "
                f"(parent: {message!r}):\n  - "
                + "\n  - ".join(problems)
                + "\n--- the bot said ---\n"
                + said
            )
