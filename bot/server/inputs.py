"""What the channels accept from a client, checked before Rasa sees it.

A conversation id is chosen by the client (REST `sender`, socket.io `session_id`), so
it is checked like any input: letters, digits and `-_.:`, at most 64 characters (a
NUL or a 300-character id used to reach PostgreSQL and fail there). A message is a
string of at most MAX_MESSAGE_CHARS characters; a longer one gets a kind reply and is
never run through NLU or stored. Button payloads ("/ask_esy") may name an intent, but
not carry entities: "/inform_state{"us_state": 5}" used to put an integer in a slot
and break every later answer in that chat, and no button of ours sends entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_MESSAGE_CHARS = 2000
SENDER_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
# "/intent{...}" or "/intent@0.9{...}": Rasa's syntax for a payload with entities.
PAYLOAD_ENTITIES = re.compile(r"^(/[A-Za-z0-9_]+)(@[0-9.]+)?\s*[{\[].*$", re.DOTALL)


class BadInput(ValueError):
    """A request no client of ours sends; the reason is safe to return (no echo)."""


@dataclass(frozen=True)
class Incoming:
    sender_id: str
    text: str
    metadata: dict[str, Any]

    @property
    def too_long(self) -> bool:
        return len(self.text) > MAX_MESSAGE_CHARS


def valid_sender(value: Any) -> str | None:
    return value if isinstance(value, str) and SENDER_ID.fullmatch(value) else None


def plain_payload(text: str) -> str:
    """ "/inform_state{"us_state": 5}" -> "/inform_state"; other text unchanged."""
    match = PAYLOAD_ENTITIES.match(text)
    return match.group(1) if match else text


def incoming(sender: Any, message: Any, metadata: Any) -> Incoming:
    """A checked message, or BadInput saying what is wrong."""
    sender_id = valid_sender(sender)
    if sender_id is None:
        raise BadInput("`sender` must be a string of 1-64 letters, digits or -_.:")
    if not isinstance(message, str):
        raise BadInput("`message` must be a string")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise BadInput("`metadata` must be an object")
    return Incoming(sender_id, plain_payload(message), metadata)
