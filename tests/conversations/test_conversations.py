"""Every conversation script under tests/conversations/ (see script.py), one test each,
against the real running bot: real NLU, the action server, the drafts database and the
web page's download links."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conversations.script import ScriptFailure, load, run

pytestmark = pytest.mark.server

CONVERSATIONS = load(Path(__file__).parent)


def marks(conversation):
    """A known gap must fail the way a script fails (not by a crash), and its test
    fails once the gap is closed (strict), so the note cannot outlive the bug."""
    if not conversation.known_gap:
        return []
    return [pytest.mark.xfail(strict=True, raises=ScriptFailure, reason=conversation.known_gap)]


@pytest.mark.parametrize(
    "conversation",
    [pytest.param(c, id=f"{c.path.stem}: {c.name}", marks=marks(c)) for c in CONVERSATIONS],
)
def test_conversation(conversation, running_bot):
    run(conversation, running_bot.rasa_url)
