"""The action server holds parents' drafts: only the Rasa server may call it (issue 14).
Against the real running bot's action server."""

from __future__ import annotations

import json
import stat
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import pytest
import yaml

from bot.server.action_calls import MAX_INFLATED_BYTES, SECRET_HEADER

pytestmark = pytest.mark.server

SECRET_WORDS = "Maya cries before school every morning"


def call(bot, body: bytes, headers: dict) -> tuple:
    request = urllib.request.Request(
        f"http://127.0.0.1:{bot.action_port}/webhook", data=body, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def secret(bot) -> str:
    endpoints = yaml.safe_load((bot.var_dir / "run" / "endpoints.yml").read_text())
    return endpoints["action_endpoint"]["headers"][SECRET_HEADER]


def action_call(name: str, text: str) -> bytes:
    return json.dumps(
        {
            "next_action": name,
            "sender_id": "forged",
            "version": "3.6.21",
            "domain": {},
            "tracker": {
                "sender_id": "forged",
                "slots": {"draft_id": "0" * 32},
                "latest_message": {"text": text, "intent": {"name": "draft_done"}},
                "events": [],
                "active_loop": {"name": "draft_form"},
            },
        }
    ).encode()


@pytest.mark.parametrize("given", [None, "wrong", ""])
def test_a_call_without_the_secret_is_refused(running_bot, given):
    headers = {"Content-Type": "application/json"}
    if given is not None:
        headers[SECRET_HEADER] = given
    status, _ = call(running_bot, action_call("action_delete_draft", "delete"), headers)
    assert status == 403


def test_the_secret_is_readable_by_this_user_only(running_bot):
    mode = (running_bot.var_dir / "run" / "endpoints.yml").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_the_action_server_listens_on_loopback_only(running_bot):
    listening = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    local = {row[1] for row in listening if row[3] == "0A"}  # 0A: LISTEN
    port = f"{running_bot.action_port:04X}"
    assert f"0100007F:{port}" in local and f"00000000:{port}" not in local


def test_a_compressed_body_that_inflates_too_far_is_refused(running_bot):
    bomb = zlib.compress(b" " * (MAX_INFLATED_BYTES + 1), 9)
    assert len(bomb) < 10_000
    status, _ = call(
        running_bot,
        bomb,
        {
            "Content-Type": "application/json",
            "Content-Encoding": "deflate",
            SECRET_HEADER: secret(running_bot),
        },
    )
    assert status == 413


def test_a_compressed_call_from_rasa_still_works(running_bot):
    body = zlib.compress(
        json.dumps(
            {
                "next_action": "action_answer",
                "sender_id": "s",
                "version": "3.6.21",
                "domain": {},
                "tracker": {
                    "sender_id": "s",
                    "slots": {},
                    "latest_message": {"text": "what is esy", "intent": {"name": "ask_esy"}},
                    "events": [],
                },
            }
        ).encode()
    )
    status, raw = call(
        running_bot,
        body,
        {
            "Content-Type": "application/json",
            "Content-Encoding": "deflate",
            SECRET_HEADER: secret(running_bot),
        },
    )
    assert status == 200 and "Extended School Year" in raw.decode()


def test_a_failing_action_answers_without_the_conversation(running_bot):
    # A latest message that is not an object makes the action fail; rasa-sdk's own
    # handler would send the whole tracker, words included, back in the 500 body.
    body = json.loads(action_call("action_answer", SECRET_WORDS))
    body["tracker"]["latest_message"] = SECRET_WORDS
    status, raw = call(
        running_bot,
        json.dumps(body).encode(),
        {"Content-Type": "application/json", SECRET_HEADER: secret(running_bot)},
    )
    assert status == 500
    assert "Maya" not in raw.decode()
    log = (running_bot.var_dir / "log" / "actions.log").read_text()
    assert "Maya" not in log
