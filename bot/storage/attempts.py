"""Wrong resume codes, counted per conversation and per client address (issue 14).

A code has 80 random bits, so guessing is hopeless; the limit is there so a script cannot
even try, and so a parent stuck on a mistyped code is sent to a person. The counts live
in the drafts database (table iep_code_attempts): every worker and process of the bot
sees the same ones. Only hashes of the conversation id and of the (already salted and
hashed, bot/server/peers.py) address are stored; rows older than the window go.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.storage.models import CodeAttempt, utcnow

# The metadata key under which the channels put the client's hashed address.
ADDRESS_KEY = "iep_address"
WINDOW = timedelta(hours=1)
PER_CONVERSATION = 5
PER_ADDRESS = 20


def keys(sender_id: str, address: str | None) -> dict[str, int]:
    """The counters a wrong code from this conversation and address adds to, with the
    limit of each."""
    found = {"sender:" + hashlib.sha256(sender_id.encode()).hexdigest()[:64]: PER_CONVERSATION}
    if address:
        found["address:" + address[:64]] = PER_ADDRESS
    return found


class CodeAttempts:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, future=True)

    def blocked(self, limits: dict[str, int]) -> bool:
        """True when any counter has reached its limit within the window."""
        since = utcnow() - WINDOW
        with self._sessions.begin() as session:
            for key, limit in limits.items():
                count = session.execute(
                    select(func.count())
                    .select_from(CodeAttempt)
                    .where(CodeAttempt.key == key, CodeAttempt.at >= since)
                ).scalar_one()
                if count >= limit:
                    return True
        return False

    def record(self, counted: Iterable[str]) -> None:
        """One wrong code, added to each counter; older rows are dropped on the way."""
        with self._sessions.begin() as session:
            session.execute(delete(CodeAttempt).where(CodeAttempt.at < utcnow() - WINDOW))
            session.add_all(CodeAttempt(key=key) for key in counted)
