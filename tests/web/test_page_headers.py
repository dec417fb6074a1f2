"""The web page's defence in depth (issue 14): a Content-Security-Policy on the page,
and nosniff + no referrer on everything it serves, errors included."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.web.app import create_app


@pytest.fixture
async def client(environment):
    environment(IEP_ALLOWED_ORIGINS="https://www.parent-center.example")
    async with TestClient(TestServer(create_app(rasa_port=5005))) as http:
        yield http


def directives(header: str) -> dict:
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


async def test_page_allows_scripts_from_itself_only_and_framing_by_allowed_sites(client):
    response = await client.get("/")
    csp = directives(response.headers["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'self'", "https://www.parent-center.example"]
    # The widget talks to the bot (another port) and nothing else.
    assert set(csp["connect-src"]) >= {"'self'", f"ws://{client.host}:5005"}
    assert all(source.endswith(":5005") or source == "'self'" for source in csp["connect-src"])


async def test_page_has_no_inline_script(client):
    page = await (await client.get("/")).text()
    # every <script> loads a file from the page's own origin
    scripts = page.split("<script")[1:]
    assert scripts and all(s.lstrip().startswith('src="/static/') for s in scripts), scripts
    assert all(s.split(">", 1)[1].lstrip().startswith("</script>") for s in scripts)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/static/embed.js",
        "/static/demo.js",
        "/static/embed.css",
        "/healthz",
        "/no-such-page",
        "/drafts/not-a-secret/iep-parent-input.txt",
    ],
)
async def test_everything_served_is_nosniff_and_sends_no_referrer(client, path):
    response = await client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


async def test_a_forged_host_header_cannot_write_into_the_policy(client):
    response = await client.get("/", headers={"Host": "evil.example; script-src *"})
    csp = response.headers["Content-Security-Policy"]
    assert "evil" not in csp and directives(csp)["script-src"] == ["'self'"]
