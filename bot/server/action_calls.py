"""How the Rasa server and the action server trust each other's calls (no heavy
imports: the launcher reads these too)."""

from __future__ import annotations

import zlib

# The header that carries the shared secret (IEP_ACTION_SECRET) on every action call.
SECRET_HEADER = "X-IEP-Action-Secret"
# What a compressed action call may inflate to; today's calls are a few KB.
MAX_INFLATED_BYTES = 1024 * 1024


def inflate(body: bytes, limit: int = MAX_INFLATED_BYTES) -> bytes | None:
    """The inflated body, or None when it is not deflate data or grows past `limit`."""
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(body, limit)
    except zlib.error:
        return None
    return None if inflater.unconsumed_tail or not inflater.eof else data
