"""The drafts database for action tests: every test that asks for `draft_db` runs
twice, on a fresh SQLite file and on the real PostgreSQL server from `postgres_url`."""
from __future__ import annotations

import pytest

from actions.storage.database import make_engine
from actions.storage.repository import DraftRepository, use_repository


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def draft_db(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'drafts.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    repository = DraftRepository(engine)
    use_repository(repository)
    yield repository
    use_repository(None)
    engine.dispose()
