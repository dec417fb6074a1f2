"""Every conversation script under tests/conversations/ (see script.py), one test each,
against the real running bot: real NLU, the action server, the drafts database and the
web page's download links."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conversations.script import load, run

pytestmark = pytest.mark.server

CONVERSATIONS = load(Path(__file__).parent)


@pytest.mark.parametrize("conversation", [
    pytest.param(c, id=f"{c.path.stem}: {c.name}") for c in CONVERSATIONS])
def test_conversation(conversation, running_bot):
    run(conversation, running_bot.rasa_url)
