"""The client's address, as the actions may see it: a salted hash, added by the channels
to each message's metadata under ADDRESS_KEY (overwriting whatever a client sent there).
It lets the wrong-code limit count per address (bot/storage/attempts.py) without any
address being stored. The salt is made per process start: a hash cannot be traced back
to an address, nor matched with one from an earlier run.

Behind a reverse proxy every parent has the proxy's address unless Sanic is told to
trust its forwarding headers (Sanic's REAL_IP_HEADER / PROXIES_COUNT, then REST uses
request.remote_addr); otherwise the per-address limit counts all parents together.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from bot.storage.attempts import ADDRESS_KEY

_SALT = secrets.token_bytes(32)


def address_hash(address: str | None) -> str | None:
    if not address:
        return None
    return hmac.new(_SALT, address.encode(), hashlib.sha256).hexdigest()[:32]


def with_address(metadata: dict[str, Any], address: str | None) -> dict[str, Any]:
    """`metadata` with the salted hash of `address` (the client cannot set its own)."""
    cleaned = {key: value for key, value in metadata.items() if key != ADDRESS_KEY}
    hashed = address_hash(address)
    if hashed:
        cleaned[ADDRESS_KEY] = hashed
    return cleaned
