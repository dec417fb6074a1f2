"""Shared helpers for tests that talk to a running bot."""

from __future__ import annotations

import asyncio
import json
import urllib.request
import uuid
from typing import Any

import socketio

from bot.launcher import free_port  # noqa: F401  (re-exported for tests)


def rest(
    rasa_url: str, message: str, sender: str | None = None, metadata: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Sends one message over Rasa's REST channel and returns the bot's replies."""
    body: dict[str, Any] = {"sender": sender or uuid.uuid4().hex, "message": message}
    if metadata:
        body["metadata"] = metadata
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def open_connections(port: int) -> int:
    """TCP connections to or from `port` on this machine that are still open at both
    ends (ESTABLISHED in /proc/net/tcp and tcp6)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            next(lines)
            for line in lines:
                local, remote, state = line.split()[1:4]
                ports = {int(local.rsplit(":", 1)[1], 16), int(remote.rsplit(":", 1)[1], 16)}
                count += state == "01" and port in ports
    return count


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


class WidgetClient:
    """Talks to Rasa's socket.io channel exactly as rasa-webchat does:
    session_request, then user_uttered, and listens for bot_uttered."""

    def __init__(self, rasa_url: str, origin: str, session_id: str | None = None):
        self.rasa_url, self.origin = rasa_url, origin
        self.session_id = session_id or uuid.uuid4().hex
        self.sio = socketio.AsyncClient(reconnection=False)
        self.bot_messages: asyncio.Queue = asyncio.Queue()
        self.confirmed: asyncio.Queue = asyncio.Queue()
        self.sio.on("bot_uttered", self.bot_messages.put)
        self.sio.on("session_confirm", self.confirmed.put)

    async def connect(self) -> str:
        await self.sio.connect(
            self.rasa_url, socketio_path="/socket.io", headers={"Origin": self.origin}
        )
        await self.sio.emit("session_request", {"session_id": self.session_id})
        return await asyncio.wait_for(self.confirmed.get(), 20)

    async def say(
        self,
        message: str,
        metadata: dict[str, Any] | None = None,
        timeout: float = 30.0,
        settle: float = 1.5,
    ) -> list[dict[str, Any]]:
        """Sends a message and collects bot_uttered events until none arrives for
        `settle` seconds. Returns [] if no reply came within `timeout`."""
        payload: dict[str, Any] = {"message": message, "session_id": self.session_id}
        if metadata:
            payload["customData"] = metadata
        await self.sio.emit("user_uttered", payload)
        replies = []
        try:
            replies.append(await asyncio.wait_for(self.bot_messages.get(), timeout))
            while True:
                replies.append(await asyncio.wait_for(self.bot_messages.get(), settle))
        except asyncio.TimeoutError:
            pass
        return replies

    async def close(self) -> None:
        await self.sio.disconnect()
