"""The drafts repository on SQLite and on a real PostgreSQL server (conftest.py)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from bot.draft.codes import code_hash, new_resume_code
from bot.storage.models import Concern, Draft


def test_a_draft_is_found_by_its_code_however_the_parent_types_it(draft_db):
    draft, code = draft_db.create(child_name="Maya")
    assert draft_db.find_by_code(code).id == draft.id
    sloppy = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert draft_db.find_by_code(sloppy).id == draft.id
    assert draft_db.find_by_code(new_resume_code()) is None
    assert draft_db.find_by_code("not a code") is None


def test_only_hashes_of_codes_and_secrets_are_stored(draft_db):
    draft, code = draft_db.create(child_name="Maya")
    _, secret = draft_db.finish(draft.id, "{}")
    with draft_db.engine.connect() as conn:
        row = (
            conn.execute(text("SELECT * FROM iep_drafts WHERE id = :id"), {"id": draft.id})
            .mappings()
            .one()
        )
    stored = " ".join(str(v) for v in row.values())
    assert code not in stored and code.replace("-", "") not in stored
    assert secret not in stored
    assert row["resume_code_hash"] == code_hash(code)


def test_finishing_again_after_a_change_retires_the_old_link(draft_db):
    draft, _ = draft_db.create(child_name="")
    _, old = draft_db.finish(draft.id, "{}")
    _, new = draft_db.finish(draft.id, "{}")
    assert draft_db.find_by_download_secret(old) is None
    assert draft_db.find_by_download_secret(new).id == draft.id


def test_concerns_keep_their_order_and_go_when_the_draft_is_deleted(draft_db):
    draft, code = draft_db.create(child_name="Leo")
    draft, first = draft_db.add_concern(draft.id, "Reading is behind", "learning")
    draft, second = draft_db.add_concern(draft.id, "No friends at lunch", "social_emotional")
    draft = draft_db.update_concern(draft.id, first, consider="More reading help")
    assert [(c.happens, c.consider) for c in draft.concerns] == [
        ("Reading is behind", "More reading help"),
        ("No friends at lunch", None),
    ]
    draft = draft_db.remove_concern(draft.id, first)
    assert [c.id for c in draft.concerns] == [second]
    assert draft_db.delete(draft.id) is True
    assert draft_db.get(draft.id) is None and draft_db.find_by_code(code) is None
    with draft_db._sessions() as session:
        assert session.execute(select(Concern).where(Concern.draft_id == draft.id)).all() == []
    assert draft_db.delete(draft.id) is False


def test_unknown_fields_are_refused(draft_db):
    draft, _ = draft_db.create(child_name="Leo")
    with pytest.raises(ValueError):
        draft_db.update(draft.id, resume_code_hash="x" * 64)


def test_hostile_text_is_stored_as_typed_minus_what_no_database_can_hold(draft_db):
    hostile = "Robert'); DROP TABLE iep_drafts;-- <b>hi</b> 🙂 \x00NUL " + "x" * 10_000
    draft, _ = draft_db.create(child_name="Kai")
    draft = draft_db.update(draft.id, strengths=hostile)
    assert draft.strengths == hostile.replace("\x00", "")
    assert draft_db.get(draft.id).strengths == hostile.replace("\x00", "")
    with draft_db._sessions() as session:  # the table is still there
        assert session.execute(select(Draft).where(Draft.id == draft.id)).scalar_one()


def test_parents_writing_at_the_same_time_keep_their_own_answers(draft_db):
    """Eight parents, each in its own thread, each answering twenty times."""
    results, errors = {}, []

    def parent(n: int) -> None:
        try:
            draft, _ = draft_db.create(child_name=f"Child{n}")
            for i in range(20):
                draft = draft_db.update(draft.id, strengths=f"parent {n} answer {i}")
                draft, _ = draft_db.add_concern(draft.id, f"parent {n} concern {i}", None)
            results[n] = draft.id
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=parent, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for n, draft_id in results.items():
        draft = draft_db.get(draft_id)
        assert draft.child_name == f"Child{n}"
        assert draft.strengths == f"parent {n} answer 19"
        assert [c.happens for c in draft.concerns] == [f"parent {n} concern {i}" for i in range(20)]
