"""Rasa's REST and socket.io channels, with two additions a parent-facing bot needs.

1. Never silent. When the action server is unreachable or a turn fails, Rasa answers
   the REST call with 200 and `[]` and the widget shows nothing. Here, a turn that
   produced no bot message gets a short apology with a phone number instead.
2. socket.io origins come from IEP_ALLOWED_ORIGINS (Rasa's own channel accepts any
   origin).
The URLs stay Rasa's: POST /webhooks/rest/webhook and /socket.io.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Text

from rasa.core.channels import rest, socketio
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint

from bot.messages import SORRY_MESSAGE
from bot.settings import settings

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]


def never_silent(on_new_message: Handler) -> Handler:
    """Wraps Rasa's message handler so every user turn gets at least one reply."""

    async def handle(message: UserMessage) -> None:
        output = message.output_channel
        sent = 0
        original_send = output.send_response

        async def counting_send(recipient_id: Text, msg: Dict[Text, Any]) -> None:
            nonlocal sent
            sent += 1
            await original_send(recipient_id, msg)

        output.send_response = counting_send  # type: ignore[method-assign]
        try:
            await on_new_message(message)
        except Exception:  # the turn failed; the parent must still hear back
            logger.exception("Turn failed for a conversation; sending apology.")
        if sent == 0:
            logger.error("Turn produced no reply (action server down?); sending apology.")
            await original_send(message.sender_id, {"text": SORRY_MESSAGE})

    return handle


class RestInput(rest.RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return super().blueprint(never_silent(on_new_message))


class SocketIOInput(socketio.SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        blueprint = super().blueprint(never_silent(on_new_message))
        # Rasa creates the server with cors_allowed_origins=[] (no origin check). A test
        # of the origin, not a list: engineio reads an empty list as "check nothing",
        # and an empty IEP_ALLOWED_ORIGINS means "no web page at all".
        self.sio.eio.cors_allowed_origins = frozenset(settings().allowed_origins).__contains__
        # engineio now refuses other origins. The CORS headers themselves already come
        # from Sanic-CORS (`rasa run --cors`, set by the launcher); if engineio added its
        # own too, browsers would see Access-Control-Allow-Origin twice, reject it, and
        # the widget would never connect (tests/browser catches this).
        self.sio.eio._cors_headers = lambda environ: []
        return blueprint
