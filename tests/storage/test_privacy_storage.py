"""Retention, code renewal and the wrong-code limit in the drafts database (issue 14),
on SQLite and on PostgreSQL (conftest.py's draft_db)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from bot.storage import attempts
from bot.storage.attempts import CodeAttempts


def test_a_new_code_opens_the_draft_and_the_old_one_no_longer_does(draft_db):
    draft, first = draft_db.create(child_name="Maya")
    second = draft_db.new_code(draft.id)
    assert second != first
    assert draft_db.find_by_code(first) is None
    assert draft_db.find_by_code(second).id == draft.id


def test_retention_deletes_drafts_unchanged_for_too_long_and_keeps_the_rest(draft_db):
    old, old_code = draft_db.create(child_name="Old")
    draft_db.add_concern(old.id, "she reads two grades behind", "learning")
    draft_db.link_conversation(old.id, "someone")
    fresh, fresh_code = draft_db.create(child_name="Fresh")
    with draft_db.engine.begin() as connection:  # three months pass for `old`
        connection.execute(
            text("UPDATE iep_drafts SET updated_at = :t WHERE id = :id"),
            {"t": datetime.now(timezone.utc) - timedelta(days=91), "id": old.id},
        )
    cutoff = datetime.now(timezone.utc) - timedelta(days=90)
    assert draft_db.delete_unchanged_since(cutoff) >= 1  # PostgreSQL is shared by the tests
    assert draft_db.get(old.id) is None and draft_db.find_by_code(old_code) is None
    assert draft_db.get(fresh.id) is not None and draft_db.find_by_code(fresh_code) is not None
    with draft_db.engine.connect() as connection:
        for table in ("iep_draft_concerns", "iep_draft_conversations"):
            left = connection.execute(
                text(f"SELECT count(*) FROM {table} WHERE draft_id = :id"), {"id": old.id}
            ).scalar()
            assert left == 0, table


def test_deleting_a_draft_names_the_conversations_to_forget_first(draft_db):
    draft, _ = draft_db.create(child_name="Maya")
    draft_db.link_conversation(draft.id, "tab-1")
    draft_db.link_conversation(draft.id, "tab-2")
    draft_db.link_conversation(draft.id, "tab-1")  # once is enough
    assert draft_db.conversations(draft.id) == ["tab-1", "tab-2"]
    assert draft_db.delete(draft.id)
    assert draft_db.conversations(draft.id) == []


def test_wrong_codes_are_limited_per_conversation_and_per_address(draft_db):
    counter = CodeAttempts(draft_db.engine)
    address = uuid.uuid4().hex
    first = attempts.keys(f"chat-{uuid.uuid4().hex}", address)
    for _ in range(attempts.PER_CONVERSATION):
        assert not counter.blocked(first)
        counter.record(first)
    assert counter.blocked(first)
    # Another chat from another address is not held back by this one...
    assert not counter.blocked(attempts.keys(f"chat-{uuid.uuid4().hex}", uuid.uuid4().hex))
    # ...but new chats from the same address share its count.
    for _ in range(attempts.PER_ADDRESS - attempts.PER_CONVERSATION):
        chat = attempts.keys(f"chat-{uuid.uuid4().hex}", address)
        assert not counter.blocked(chat)
        counter.record(chat)
    assert counter.blocked(attempts.keys(f"chat-{uuid.uuid4().hex}", address))


def test_old_attempts_no_longer_count(draft_db):
    counter = CodeAttempts(draft_db.engine)
    limits = attempts.keys(f"chat-{uuid.uuid4().hex}", None)
    for _ in range(attempts.PER_CONVERSATION):
        counter.record(limits)
    with draft_db.engine.begin() as connection:  # the window passes
        for key in limits:
            connection.execute(
                text("UPDATE iep_code_attempts SET at = :t WHERE key = :key"),
                {
                    "t": datetime.now(timezone.utc) - attempts.WINDOW - timedelta(minutes=1),
                    "key": key,
                },
            )
    assert not counter.blocked(limits)


def test_sqlite_overwrites_deleted_rows(tmp_path):
    from bot.storage.database import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'drafts.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    engine.dispose()


def test_a_code_expires_with_its_drafts_retention(draft_db):
    draft, code = draft_db.create(child_name="Maya")
    with draft_db.engine.begin() as connection:
        connection.execute(
            text("UPDATE iep_drafts SET updated_at = :t WHERE id = :id"),
            {"t": datetime.now(timezone.utc) - timedelta(days=91), "id": draft.id},
        )
    ninety_days_ago = datetime.now(timezone.utc) - timedelta(days=90)
    assert draft_db.find_by_code(code, changed_since=ninety_days_ago) is None
    assert draft_db.find_by_code(code).id == draft.id  # the draft itself waits for the job
