"""What the conversation store keeps (issue 14), on SQLite and on PostgreSQL: no resume
code or download secret in any stored event, a deleted draft's conversations forgotten
whole, and expired conversations removed by the retention pass."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from sqlalchemy import text

import bot.server.tracker_store
from bot.draft.codes import new_download_secret, new_resume_code
from bot.storage.retention import purge_conversations, tracker_engine

pytestmark = pytest.mark.usefixtures("patched")


@pytest.fixture(scope="module")
def patched():
    from bot.server import patches

    patches.apply()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(database_url, environment):
    environment(IEP_DATABASE_URL=database_url)
    made = bot.server.tracker_store.ProjectSQLTrackerStore(domain=Domain.empty())
    yield made
    made.engine.dispose()


def stored_text(store, sender: str) -> str:
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        )
        return "\n".join(data for (data,) in rows)


async def turn(store, sender: str, said: str, *replies, events=()):
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(UserUttered(said, {"name": "greet"}))
    for reply in replies:
        tracker.update(BotUttered(reply))
    for event in events:
        tracker.update(event)
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    return tracker


async def test_codes_and_secrets_are_shown_but_never_stored(store):
    sender = f"codes-{time.time_ns()}"
    code, secret = new_resume_code(), new_download_secret()
    loose = code.replace("-", " ").lower()
    tracker = await turn(
        store,
        sender,
        f"continue my draft {loose} please",
        f"This code brings your draft back: **{code}**",
        f"[Word document](http://localhost:8080/drafts/{secret}/vision.docx)",
    )
    # What the parent saw this turn is untouched in memory...
    assert any(code in (e.text or "") for e in tracker.events if isinstance(e, BotUttered))
    stored = stored_text(store, sender)
    # ...the database has the conversation, without the code or the secret.
    assert "continue my draft" in stored and "brings your draft back" in stored
    raw = code.replace("-", "")
    for secret_part in (code, raw, loose, secret):
        assert secret_part.lower() not in stored.lower(), secret_part
    assert "[code]" in stored and "[secret]" in stored


async def test_forgetting_deletes_every_row_of_the_conversations_that_held_the_draft(
    database_url, store, environment
):
    sender, other, bystander = (f"{n}-{time.time_ns()}" for n in ("mine", "tab", "else"))
    await turn(store, sender, "Maya loves horses QUILLMARK")
    await turn(store, other, "continue my draft, she reads QUILLMARK")
    await turn(store, bystander, "what is an IEP")
    # Another server process has the other tab's conversation in its cache.
    worker = bot.server.tracker_store.ProjectSQLTrackerStore(domain=Domain.empty())
    await worker.retrieve(other)

    await turn(
        store,
        sender,
        "delete my draft QUILLMARK",
        "Done. Your draft is deleted.",
        events=[SlotSet("forget_conversation", [other])],
    )
    assert "QUILLMARK" not in stored_text(store, sender) + stored_text(store, other)
    assert "what is an IEP" in stored_text(store, bystander)
    # Both stores start these conversations afresh: nothing from before comes back.
    for each, conversation in ((store, sender), (worker, other)):
        tracker = await each.retrieve(conversation)
        kept = [e for e in (tracker.events if tracker else []) if isinstance(e, UserUttered)]
        assert kept == [], conversation
    # The conversation goes on, stored as usual.
    await turn(store, sender, "thank you")
    tracker = await store.retrieve(sender)
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["thank you"]
    worker.engine.dispose()


async def test_retention_removes_whole_conversations_silent_for_too_long(database_url, store):
    old, fresh = f"old-{time.time_ns()}", f"fresh-{time.time_ns()}"
    await turn(store, old, "first, a month ago")
    await turn(store, old, "second, a month ago")
    await turn(store, fresh, "asked today")
    with store.engine.begin() as connection:  # a month passes for `old`
        connection.execute(
            text("UPDATE events SET timestamp = :t WHERE sender_id = :s"),
            {"t": time.time() - 31 * 86400, "s": old},
        )

    engine = tracker_engine(database_url)
    cutoff = datetime.now(timezone.utc) - timedelta(days=30)
    assert purge_conversations(engine, cutoff) >= 1
    engine.dispose()
    assert stored_text(store, old) == ""
    assert "asked today" in stored_text(store, fresh)
    assert await store.retrieve(old) is None  # the cache does not bring it back


async def test_a_new_session_carries_the_slots_over_but_not_the_open_draft(
    database_url, environment
):
    from rasa.core.actions.action import ActionSessionStart

    environment(IEP_DATABASE_URL=database_url)
    domain = Domain.from_dict(
        {
            "session_config": {
                "session_expiration_time": 60,
                "carry_over_slots_to_new_session": True,
            },
            "slots": {
                name: {"type": "any", "mappings": [{"type": "custom"}]}
                for name in ("us_state", "draft_id", "draft_step", "pending_concern")
            },
        }
    )
    store = bot.server.tracker_store.ProjectSQLTrackerStore(domain=domain)
    draft_id = "d" * 32

    async def conversation(minutes_ago: float) -> str:
        sender = f"session-{minutes_ago}-{time.time_ns()}"
        then = time.time() - minutes_ago * 60
        tracker = await store.get_or_create_tracker(sender)
        tracker.update(UserUttered("Maya", {"name": "child_details"}, timestamp=then))
        for name, value in (("us_state", "Ohio"), ("draft_id", draft_id), ("draft_step", "age")):
            tracker.update(SlotSet(name, value, timestamp=then))
        await store.save(tracker)
        return sender

    recent, expired = await conversation(minutes_ago=5), await conversation(minutes_ago=120)
    assert (await store.retrieve(recent)).get_slot("draft_id") == draft_id
    tracker = await store.retrieve(expired)
    # What Rasa's processor does next for an expired session: action_session_start.
    for event in await ActionSessionStart().run(None, None, tracker, domain):
        tracker.update(event)
    assert tracker.get_slot("us_state") == "Ohio", "the parent's own slots are carried over"
    assert tracker.get_slot("draft_id") is None and tracker.get_slot("draft_step") is None
    await store.save(tracker)
    reloaded = await store.retrieve(expired)
    assert reloaded.get_slot("draft_id") is None and reloaded.get_slot("us_state") == "Ohio"
    store.engine.dispose()
