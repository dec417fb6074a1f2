"""Every Rasa function our code replaces, overrides or copies, pinned by a hash of its
source. A Rasa (or rasa-sdk, or engineio) upgrade that changes one fails here, naming the
patch to recheck; once rechecked, record the new sources with

    .venv/bin/python -m tests.server.test_rasa_sources > tests/server/rasa_sources.json
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
from pathlib import Path
from typing import Any

from bot.server import patches

TABLE = Path(__file__).with_name("rasa_sources.json")

# What each of our changes relies on, beyond the attribute a patch replaces (added below).
RELIES_ON: dict[str, list[str]] = {
    "action-reply-validators": [
        # The validators are built from this schema's shape (one branch per event type).
        "rasa.core.actions.action.RemoteAction.action_response_format_spec",
    ],
    "nlu-on-helper-thread": [
        # Called from our copy of parse_message, on the helper thread.
        "rasa.core.processor.MessageProcessor._parse_message_with_graph",
        "rasa.core.processor.MessageProcessor._update_full_retrieval_intent",
        "rasa.core.processor.MessageProcessor._check_for_unseen_features",
    ],
    "kept-alive-action-connections": [
        # Our session copies this one's settings; this caller must still use `session()`.
        "rasa.utils.endpoints.EndpointConfig.request",
    ],
    # The callers of the error callbacks: they must still call them, from their except.
    "tracker-save-errors-fail-the-turn": [
        "rasa.core.tracker_store.FailSafeTrackerStore.save",
    ],
    "tracker-load-errors-fail-the-turn": [
        "rasa.core.tracker_store.FailSafeTrackerStore.retrieve",
        "rasa.core.tracker_store.FailSafeTrackerStore.retrieve_full_tracker",
    ],
    # bot/server/tracker_store.py: overrides, the code it copies, and the callers whose
    # order it relies on (retrieve, then init_tracker for a new conversation).
    "tracker-store": [
        "rasa.core.tracker_store.SQLTrackerStore.__init__",
        "rasa.core.tracker_store.create_engine_kwargs",
        "rasa.core.tracker_store.SQLTrackerStore._retrieve",
        "rasa.core.tracker_store.SQLTrackerStore.retrieve",
        "rasa.core.tracker_store.SQLTrackerStore.retrieve_full_tracker",
        "rasa.core.tracker_store.SQLTrackerStore._event_query",
        "rasa.core.tracker_store.SQLTrackerStore.save",
        "rasa.core.tracker_store.SQLTrackerStore._additional_events",
        "rasa.core.tracker_store.TrackerStore.init_tracker",
        "rasa.core.tracker_store.TrackerStore.get_or_create_tracker",
        "rasa.core.tracker_store.TrackerStore.create_tracker",
        # Lets go of the open draft before a new session (the same expiry check as the
        # processor's, just before action_session_start carries the slots over).
        "rasa.core.processor.MessageProcessor._has_session_expired",
        "rasa.core.processor.MessageProcessor._update_tracker_session",
        "rasa.core.actions.action.ActionSessionStart._slot_set_events_from_tracker",
    ],
    # bot/server/channels.py: the blueprints it writes in full (from Rasa's), the output
    # methods it counts and redirects, and the engineio origin check it reconfigures.
    "channels": [
        "rasa.core.channels.rest.RestInput.blueprint",
        "rasa.core.channels.socketio.SocketIOInput.blueprint",
        "rasa.core.channels.socketio.SocketIOOutput._send_message",
        "rasa.core.channels.channel.OutputChannel.send_response",
        "engineio.server.Server._cors_allowed_origins",
        "engineio.server.Server._cors_headers",
        "engineio.asyncio_server.AsyncServer.handle_request",
    ],
    # bot/server/action_server.py replaces rasa-sdk's CORS set-up.
    "action-server": [
        "rasa_sdk.endpoint.configure_cors",
        "rasa_sdk.endpoint.create_app",
    ],
}


def watched() -> dict[str, list[str]]:
    table = {patch.name: [patch.target] for patch in patches.PATCHES}
    for name, targets in RELIES_ON.items():
        table.setdefault(name, []).extend(targets)
    return table


def resolve(dotted: str) -> Any:
    """Rasa's own object for a dotted name (the original where a patch replaced it)."""
    for patch in patches.PATCHES:
        if patch.target == dotted:
            return patch.original
    parts = dotted.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for name in parts[split:]:
            found = inspect.getattr_static(found, name)
        return found
    raise LookupError(dotted)


def source_hash(dotted: str) -> str:
    found = resolve(dotted)
    found = getattr(found, "__func__", found)  # staticmethod, classmethod
    return hashlib.sha256(inspect.getsource(found).encode()).hexdigest()[:16]


def current() -> dict[str, dict[str, str]]:
    return {
        name: {target: source_hash(target) for target in targets}
        for name, targets in watched().items()
    }


def test_every_patch_and_what_it_relies_on_is_recorded():
    recorded = json.loads(TABLE.read_text())
    assert sorted(recorded) == sorted(watched()), "run this file as a module to record"
    for name, targets in watched().items():
        assert sorted(recorded[name]) == sorted(targets), name


def test_rasas_code_is_what_each_patch_was_checked_against():
    recorded = json.loads(TABLE.read_text())
    changed = [
        f"patch {name!r}: {target} changed"
        for name, hashes in current().items()
        for target, digest in hashes.items()
        if recorded.get(name, {}).get(target) != digest
    ]
    assert changed == [], "recheck these patches against the new code, then record it"


if __name__ == "__main__":
    print(json.dumps(current(), indent=2, sort_keys=True))
