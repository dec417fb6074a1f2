"""Which web pages may open the widget's socket.io connection (IEP_ALLOWED_ORIGINS):
the channel served by a real Sanic server on a free port, asked as a browser asks."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.server.channels import SocketIOInput
from tests.helpers import free_port

PAGE = "http://localhost:8080"


async def ignore(_: UserMessage) -> None:
    return None


@pytest.fixture(autouse=True)
def sanic_apps_may_start_again(monkeypatch):
    # Sanic rewrites some of its own methods when an app starts; outside test mode a
    # second app in the same process finds them already rewritten and fails.
    monkeypatch.setattr(Sanic, "test_mode", True)


async def accepted(environment: Callable[..., Any], origins: str, *asking: str) -> list[str]:
    """Which of the `asking` origins may open a socket.io session."""
    environment(IEP_ALLOWED_ORIGINS=origins)
    app = Sanic(f"origins_{uuid.uuid4().hex}")
    app.blueprint(SocketIOInput().blueprint(ignore))
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    try:
        ok = []
        async with aiohttp.ClientSession() as http:
            for origin in asking:
                async with http.get(
                    f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling",
                    headers={"Origin": origin},
                ) as response:
                    if response.status == 200:
                        ok.append(origin)
        return ok
    finally:
        server.close()
        await server.wait_closed()


async def test_listed_pages_may_connect_and_others_may_not(environment):
    other = "https://parents.example.org"
    assert await accepted(environment, f"{PAGE},{other}", PAGE, other, "http://evil.example") == [
        PAGE,
        other,
    ]


async def test_an_empty_list_refuses_every_page(environment):
    # engineio reads an empty list as "check nothing"; the setting means "no page".
    assert await accepted(environment, "", PAGE, "http://evil.example") == []
