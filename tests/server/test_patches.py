"""Our speed-ups inside the Rasa server keep Rasa's behaviour, and switch on only when
asked, only on the pinned Rasa."""

import logging
import subprocess
import sys

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text

import bot.server.tracker_store
from bot import ROOT
from bot.server import patches


@pytest.fixture(autouse=True, scope="module")
def patched():
    patches.apply()


def test_apply_is_idempotent(caplog):
    caplog.set_level(logging.INFO, logger="bot.server.patches")
    names = patches.apply()  # the fixture applied them already: nothing changes
    assert names == tuple(patch.name for patch in patches.PATCHES)
    assert len(set(names)) == len(names)
    for patch in patches.PATCHES:
        assert vars(patch.owner)[patch.attribute] is patch.replacement, patch.name
        assert patch.original is not patch.replacement
    assert caplog.records == []  # and the INFO line is not repeated


def test_patches_switch_on_only_when_applied_and_only_on_the_pinned_rasa():
    # A fresh interpreter: in this one the patches are already on.
    script = """
import logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(levelname)s %(message)s")
import rasa
from rasa.core.processor import MessageProcessor
original = MessageProcessor.parse_message
from bot.server import patches

def replaced():
    return [p.name for p in patches.PATCHES if vars(p.owner)[p.attribute] is not p.original]

assert MessageProcessor.parse_message is original and replaced() == [], "patched on import"
pinned, rasa.__version__ = rasa.__version__, "3.7.0"
assert patches.apply() == () and replaced() == [], "patched another Rasa"
print("-- pinned")
rasa.__version__, patches._applied = pinned, None  # as a new process would start
assert patches.apply() == tuple(replaced()) == tuple(p.name for p in patches.PATCHES)
"""
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-2000:]
    other, pinned = run.stdout.split("-- pinned")
    assert [line for line in other.splitlines() if line.startswith(("ERROR", "INFO"))] == [
        "ERROR Rasa 3.7.0 is not the pinned 3.6.21: IEP Guide's speed-ups to Rasa are OFF. "
        "Each replaces Rasa code written for 3.6.21; recheck them (bot/server/patches.py, "
        "tests/server/test_rasa_sources.py) before pinning another Rasa."
    ]
    assert [line for line in pinned.splitlines() if line.startswith(("ERROR", "INFO"))] == [
        "INFO Rasa patches active: " + ", ".join(p.name for p in patches.PATCHES)
    ]


def action():
    return RemoteAction("action_answer", None)


def test_valid_action_server_reply_is_accepted():
    reply = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "hi"}]}
    assert action()._validate_action_result(reply) is True


def test_malformed_action_server_reply_is_still_rejected_with_rasas_message():
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action()._validate_action_result({"events": "not a list"})


@pytest.mark.parametrize(
    "reply",
    [
        {
            "events": [
                {"event": "slot", "name": "x", "value": 1},
                {"event": "bot", "text": "hi"},
                {"event": "active_loop", "name": None},
            ],
            "responses": [],
        },
        {"events": [{"event": "slot", "value": 1}]},  # a slot without a name
        {"events": [{"event": "slot", "name": 5, "value": 1}]},
        {"events": [{"event": "no_such_event"}]},
        {"events": [{"text": "no event type"}]},
        {"events": [{"event": "user", "parse_data": {"intent": "not an object"}}]},
        {"events": [{"event": "bot", "timestamp": "yesterday"}]},
        {"responses": ["not an object"]},
    ],
)
def test_action_replies_are_judged_exactly_as_rasas_own_schema_check(reply):
    from jsonschema import validate

    try:
        validate(reply, RemoteAction.action_response_format_spec())
        rasa_accepts = True
    except ValidationError:
        rasa_accepts = False
    if rasa_accepts:
        assert action()._validate_action_result(reply) is True
    else:
        with pytest.raises(ValidationError):
            action()._validate_action_result(reply)


def test_events_round_trip_to_the_same_classes():
    for event in [
        UserUttered("hi", {"name": "greet"}),
        ActionExecuted("action_listen"),
        SlotSet("us_state", "Ohio"),
    ]:
        assert Event.from_parameters(event.as_dict()) == event
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")


def test_sqlite_tracker_store_uses_write_ahead_logging(tmp_path, environment):
    environment(IEP_DATABASE_URL=f"sqlite:///{tmp_path / 'tracker.db'}")
    store = bot.server.tracker_store.ProjectSQLTrackerStore(domain=Domain.empty())
    assert isinstance(store, SQLTrackerStore)
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL


async def test_pooled_sqlite_tracker_store_keeps_every_turn_across_restarts(tmp_path, environment):
    from rasa.shared.core.events import ActionExecuted as Executed

    environment(IEP_DATABASE_URL=f"sqlite:///{tmp_path / 'tracker.db'}")
    store = bot.server.tracker_store.ProjectSQLTrackerStore(domain=Domain.empty())
    for turn in range(3):
        tracker = await store.get_or_create_tracker("parent-1")
        tracker.update(UserUttered(f"message {turn}", {"name": "greet"}))
        tracker.update(Executed("action_listen"))
        await store.save(tracker)
    store.engine.dispose()  # the server stops

    restarted = bot.server.tracker_store.ProjectSQLTrackerStore(domain=Domain.empty())
    tracker = await restarted.retrieve("parent-1")
    said = [e.text for e in tracker.events if isinstance(e, UserUttered)]
    assert said == ["message 0", "message 1", "message 2"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    return request.getfixturevalue("postgres_url")


async def test_each_turn_is_stored_once_across_sessions(database_url, environment):
    # The store remembers how many events are already rows instead of counting them
    # again; a wrong count would drop or repeat what a parent said.
    from rasa.shared.core.events import ActionExecuted as Executed
    from rasa.shared.core.events import SessionStarted

    environment(IEP_DATABASE_URL=database_url)
    store = bot.server.tracker_store.ProjectSQLTrackerStore(domain=Domain.empty())
    sender = f"parent-{database_url[:6]}-{id(store)}"

    async def turn(text, new_session=False):
        tracker = await store.get_or_create_tracker(sender)
        if new_session:
            tracker.update(SessionStarted())
            tracker.update(Executed("action_listen"))
        tracker.update(UserUttered(text, {"name": "greet"}))
        await store.save(tracker)
        tracker.update(Executed("action_listen"))  # saved twice in one turn
        await store.save(tracker)

    await turn("first")
    await turn("second")
    await turn("after a break", new_session=True)
    await turn("last")

    def said(tracker):
        return [e.text for e in tracker.events if isinstance(e, UserUttered)]

    assert said(await store.retrieve_full_tracker(sender)) == [
        "first",
        "second",
        "after a break",
        "last",
    ]
    assert said(await store.retrieve(sender)) == ["after a break", "last"]
    store.engine.dispose()


async def test_a_kept_conversation_is_never_staler_than_the_database(database_url, environment):
    # The store keeps last turn's tracker in memory. A turn written by another server
    # process must still be seen, and a turn that failed before saving must not be.
    environment(IEP_DATABASE_URL=database_url)
    ours = bot.server.tracker_store.ProjectSQLTrackerStore(domain=Domain.empty())
    other_worker = bot.server.tracker_store.ProjectSQLTrackerStore(domain=Domain.empty())
    sender = f"kept-{database_url[:6]}-{id(ours)}"

    async def say(store, text, save=True):
        tracker = await store.get_or_create_tracker(sender)
        tracker.update(UserUttered(text, {"name": "greet"}))
        tracker.update(ActionExecuted("action_listen"))
        if save:
            await store.save(tracker)

    def said(tracker):
        return [e.text for e in tracker.events if isinstance(e, UserUttered)]

    await say(ours, "one")
    await say(ours, "two")
    await say(other_worker, "three, via another worker")
    await say(ours, "lost: the server failed before saving", save=False)
    assert said(await ours.retrieve(sender)) == ["one", "two", "three, via another worker"]
    await say(ours, "four")
    assert said(await other_worker.retrieve(sender)) == [
        "one",
        "two",
        "three, via another worker",
        "four",
    ]
    ours.engine.dispose()
    other_worker.engine.dispose()


async def test_a_new_conversation_is_stored_event_for_event(database_url, environment):
    # The first save of a new conversation skips Rasa's row count; every event must
    # still reach the database, the very first one included.
    environment(IEP_DATABASE_URL=database_url)
    store = bot.server.tracker_store.ProjectSQLTrackerStore(domain=Domain.empty())
    sender = f"new-{database_url[:6]}-{id(store)}"
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(UserUttered("hello", {"name": "greet"}))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)

    fresh = bot.server.tracker_store.ProjectSQLTrackerStore(domain=Domain.empty())
    stored = await fresh.retrieve_full_tracker(sender)
    assert list(stored.events) == list(tracker.events)
    assert [e.type_name for e in stored.events] == ["action", "user", "action"]
    store.engine.dispose()
    fresh.engine.dispose()


def test_the_action_server_gets_every_slot_and_this_turns_events():
    from rasa.shared.core.events import ActiveLoop, BotUttered, SessionStarted

    domain = Domain.from_yaml(
        "version: '3.1'\nintents: [greet, ask_esy]\n"
        "slots:\n  us_state:\n    type: text\n    mappings: []\n"
        "actions: [action_answer]"
    )
    tracker = DialogueStateTracker.from_events(
        "parent",
        [
            SessionStarted(),
            ActionExecuted("action_listen"),
            UserUttered("hi", {"name": "greet", "confidence": 1.0}),
            SlotSet("us_state", "Massachusetts"),
            BotUttered("Hi!"),
            ActionExecuted("action_listen"),
            UserUttered("what is esy", {"name": "ask_esy", "confidence": 1.0}),
            ActiveLoop("draft_form"),
        ],
        slots=domain.slots,
    )
    call = action()._action_call_format(tracker, domain)
    state = call["tracker"]
    assert [e["event"] for e in state["events"]] == ["user", "active_loop"]
    assert state["events"][0]["text"] == "what is esy"
    assert state["slots"]["us_state"] == "Massachusetts"  # set two turns ago
    assert state["latest_message"]["intent"]["name"] == "ask_esy"
    assert call["next_action"] == "action_answer" and "intents" in call["domain"]
