"""Knowledge answers through the real stack (NLU, rules, action server): a parent asks,
follows up, names a state, writes in Spanish."""

import uuid

import pytest

from bot import content
from tests.helpers import open_connections, rest, texts

DISCLAIMER = content.text("answer.disclaimer")

pytestmark = pytest.mark.server


def test_follow_up_for_massachusetts_and_who_decides(running_bot):
    parent = uuid.uuid4().hex
    first = texts(rest(running_bot.rasa_url, "what is esy", sender=parent))
    assert "Extended School Year" in first and "34 CFR 300.106" in first
    assert DISCLAIMER in first
    massachusetts = texts(rest(running_bot.rasa_url, "and in massachusetts?", sender=parent))
    assert "In Massachusetts, the team must think about ESY" in massachusetts
    assert DISCLAIMER not in massachusetts  # said once per conversation
    decides = texts(rest(running_bot.rasa_url, "who decides that?", sender=parent))
    assert "The IEP team decides" in decides


def test_a_state_mentioned_once_shapes_later_answers(running_bot):
    parent = uuid.uuid4().hex
    assert "Ohio" in texts(rest(running_bot.rasa_url, "we're in ohio", sender=parent))
    answer = texts(rest(running_bot.rasa_url, "when does transition planning start", sender=parent))
    assert "turns 16" in answer and "Ohio can set its own rule" in answer


def test_spanish_gets_a_kind_spanish_reply_with_the_phone_number(running_bot):
    answer = texts(rest(running_bot.rasa_url, "hola, necesito ayuda con el IEP de mi hijo"))
    assert "¡Hola!" in answer and "844-354-1212" in answer


def test_answers_still_come_after_the_action_servers_idle_connections_close(running_bot):
    # The Rasa server keeps its connection to the action server open between turns, and
    # idle ones get closed (by either end). A parent who pauses must not meet silence.
    import time

    parent = uuid.uuid4().hex
    assert "Extended School Year" in texts(rest(running_bot.rasa_url, "what is esy", sender=parent))
    assert open_connections(running_bot.action_port), "no connection was kept open"
    deadline = time.monotonic() + 60
    while open_connections(running_bot.action_port):
        assert time.monotonic() < deadline, "the idle connection was never closed"
        time.sleep(0.1)
    assert "You don't have to sign" in texts(
        rest(running_bot.rasa_url, "do i have to sign the iep", sender=parent)
    )
