"""Rasa's REST and socket.io channels, with what a parent-facing bot needs on top.

1. Never silent. When the action server is unreachable or a turn fails, Rasa answers
   the REST call with 200 and `[]` and the widget shows nothing. Here, a turn that
   produced no bot message gets a short apology with a phone number instead.
2. Checked input (bot/server/inputs.py): a malformed REST body gets a 400 with a JSON
   error (Rasa answered 500, or 200 `[]`); a malformed socket.io event is logged and
   ignored; a message that is too long gets a kind reply and never reaches NLU.
3. A socket only hears its own conversation. Rasa's channel sends replies to a room
   named after the conversation id, which the client chooses: a second client that
   sent the same id received the first parent's replies. Here replies go to the
   socket that sent the message, and a socket may only write to the conversation it
   asked for in its session_request.
4. socket.io origins come from IEP_ALLOWED_ORIGINS (Rasa's own channel accepts any
   origin).
5. No message text in the logs, even when a request is cancelled (Rasa logs it).
The URLs stay Rasa's: POST /webhooks/rest/webhook and /socket.io. Both blueprints are
written here in full (not wrapped) because each of Rasa's reads the request itself.
"""

from __future__ import annotations

import json
import logging
import uuid
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

import rasa.core.channels.channel as rasa_channel
from rasa.core.channels import rest, socketio
from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot import content
from bot.server.inputs import MAX_MESSAGE_CHARS, BadInput, Incoming, incoming, valid_sender
from bot.server.peers import with_address
from bot.server.rate_limits import RateLimiter
from bot.settings import settings

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]


def never_silent(on_new_message: Handler) -> Handler:
    """Wraps Rasa's message handler so every user turn gets at least one reply."""

    async def handle(message: UserMessage) -> None:
        output = message.output_channel
        sent = 0
        original_send = output.send_response

        async def counting_send(recipient_id: str, msg: dict[str, Any]) -> None:
            nonlocal sent
            sent += 1
            await original_send(recipient_id, msg)

        output.send_response = counting_send
        try:
            await on_new_message(message)
        except Exception:  # the turn failed; the parent must still hear back
            logger.exception("Turn failed for a conversation; sending apology.")
        if sent == 0:
            logger.error("Turn produced no reply (action server down?); sending apology.")
            await original_send(message.sender_id, {"text": content.text("sorry")})

    return handle


# engineio's own limit for one socket.io packet (default 1 MB): far above any message
# we accept, far below what would tie up the server.
MAX_SOCKET_BYTES = 64 * 1024


@lru_cache(maxsize=1)
def limits() -> tuple[RateLimiter, RateLimiter]:
    """(per conversation, per address), shared by both channels of this process."""
    return (RateLimiter(settings().rate_per_conversation), RateLimiter(settings().rate_per_address))


def within_limits(message: Incoming, address: str) -> bool:
    per_conversation, per_address = limits()
    return per_address.allow(address) and per_conversation.allow(message.sender_id)


async def say_too_fast(output: OutputChannel, message: Incoming) -> None:
    await output.send_text_message(message.sender_id, content.text("input.too_fast"))


async def say_too_long(output: OutputChannel, message: Incoming) -> None:
    await output.send_text_message(
        message.sender_id, content.text("input.too_long", limit=MAX_MESSAGE_CHARS)
    )


class RestInput(rest.RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        handle = never_silent(on_new_message)
        hook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # Sanic's parse error would answer in HTML
                body = None
            if not isinstance(body, dict):
                return response.json(
                    {"error": "the body must be a JSON object with `sender` and `message`"},
                    status=400,
                )
            try:
                message = incoming(body.get("sender"), body.get("message"), body.get("metadata"))
            except BadInput as error:
                return response.json({"error": str(error)}, status=400)
            collector = CollectingOutputChannel()
            if not within_limits(message, request.remote_addr or request.ip or "unknown"):
                logger.warning("A conversation or address sent too fast; asked to wait.")
                await say_too_fast(collector, message)
                return response.json(collector.messages, status=429)
            if message.too_long:
                await say_too_long(collector, message)
                return response.json(collector.messages)
            try:
                await handle(
                    UserMessage(
                        message.text,
                        collector,
                        message.sender_id,
                        input_channel=self.name(),
                        metadata=with_address(message.metadata, request.remote_addr or request.ip),
                    )
                )
            except CancelledError:  # the client left or timed out: nothing to send
                logger.warning("A REST request was cancelled before its reply.")
            return response.json(collector.messages)

        return hook


class SocketOutput(socketio.SocketIOOutput):
    """Replies go to the one socket that sent the message, not to a room anyone can
    join by naming the conversation id."""

    def __init__(self, sio: AsyncServer, bot_message_evt: str, sid: str) -> None:
        super().__init__(sio, bot_message_evt)
        self.sid = sid

    async def _send_message(self, socket_id: str, response: Any) -> None:
        await self.sio.emit(self.bot_message_evt, response, room=self.sid)


class SocketIOInput(socketio.SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        handle = never_silent(on_new_message)
        # A test of the origin, not a list: engineio reads an empty list as "check
        # nothing", and an empty IEP_ALLOWED_ORIGINS means "no web page at all".
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=frozenset(settings().allowed_origins).__contains__,
            max_http_buffer_size=MAX_SOCKET_BYTES,
        )
        # engineio refuses other origins. The CORS headers themselves already come from
        # Sanic-CORS (`rasa run --cors`, set by the launcher); if engineio added its own
        # too, browsers would see Access-Control-Allow-Origin twice, reject it, and the
        # widget would never connect (tests/browser catches this).
        sio.eio._cors_headers = lambda environ: []
        hook = socketio.SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        conversations: dict[str, str] = {}  # socket id -> the conversation it opened
        addresses: dict[str, str | None] = {}  # socket id -> its peer address (hashed on use)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            # engineio's Sanic driver writes 127.0.0.1 as REMOTE_ADDR; Sanic knows better.
            request = environ.get("sanic.request")
            addresses[sid] = getattr(request, "ip", None) or environ.get("REMOTE_ADDR")
            if not self.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            return bool(
                token and rasa_channel.decode_bearer_token(token, self.jwt_key, self.jwt_algorithm)
            )

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            conversations.pop(sid, None)
            addresses.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            asked = data.get("session_id") if isinstance(data, dict) else None
            conversation = valid_sender(asked) or uuid.uuid4().hex
            conversations[sid] = conversation
            await sio.emit("session_confirm", conversation, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            conversation = conversations.get(sid) if self.session_persistence else sid
            if not isinstance(data, dict) or conversation is None:
                logger.warning("Ignored a socket.io message without a session.")
                return
            if self.session_persistence and data.get("session_id") != conversation:
                logger.warning(
                    "Ignored a socket.io message for a conversation its socket did not open."
                )
                return
            metadata = data.get(self.metadata_key)
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = "not json"  # refused just below
            try:
                message = incoming(conversation, data.get("message"), metadata)
            except BadInput as error:
                logger.warning("Ignored a malformed socket.io message: %s", error)
                return
            output = SocketOutput(sio, self.bot_message_evt, sid)
            if not within_limits(message, addresses.get(sid) or "unknown"):
                logger.warning("A conversation or address sent too fast; asked to wait.")
                await say_too_fast(output, message)
                return
            if message.too_long:
                await say_too_long(output, message)
                return
            await handle(
                UserMessage(
                    message.text,
                    output,
                    message.sender_id,
                    input_channel=self.name(),
                    metadata=with_address(message.metadata, addresses.get(sid)),
                )
            )

        return hook
