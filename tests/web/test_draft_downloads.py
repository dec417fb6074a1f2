"""The web page serves a finished draft only to the holder of its secret."""

from __future__ import annotations

from io import BytesIO

import docx
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.draft.codes import new_download_secret
from bot.draft.compose import compose
from bot.storage.database import make_engine
from bot.storage.repository import DraftRepository, use_repository
from bot.web.app import create_app


@pytest.fixture
def repo(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'drafts.db'}")
    repository = DraftRepository(engine)
    use_repository(repository)
    yield repository
    use_repository(None)
    engine.dispose()


@pytest.fixture
async def client():
    async with TestClient(TestServer(create_app(rasa_port=5005))) as http:
        yield http


def finished_draft(repo):
    draft, _ = repo.create(
        child_name="Maya",
        child_age=9,
        child_age_text="9",
        strengths="she loves horses",
        supports="a calm routine",
        concerns_done=True,
        this_year="a friend at lunch",
        vision="middle school with friends",
    )
    draft, _ = repo.add_concern(draft.id, "she eats lunch alone", "social_emotional")
    return repo.finish(draft.id, compose(draft).to_json())


async def test_the_word_document_downloads_with_the_secret(repo, client):
    _, secret = finished_draft(repo)
    response = await client.get(f"/drafts/{secret}/iep-parent-input.docx")
    assert response.status == 200
    assert response.headers["Cache-Control"].startswith("no-store")
    assert "attachment" in response.headers["Content-Disposition"]
    document = docx.Document(BytesIO(await response.read()))
    body = "\n".join(p.text for p in document.paragraphs)
    for part in (
        "Parent and/or Student Concerns",
        "Vision Statement",
        "Maya loves horses.",
        "Maya eats lunch alone.",
        "word for word",
    ):
        assert part in body


async def test_the_plain_text_opens_in_the_browser(repo, client):
    _, secret = finished_draft(repo)
    response = await client.get(f"/drafts/{secret}/iep-parent-input.txt")
    assert response.status == 200 and response.content_type == "text/plain"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Vision Statement" in await response.text()


async def test_anything_but_the_current_secret_is_a_plain_404(repo, client):
    draft, secret = finished_draft(repo)
    for path in (
        f"/drafts/{new_download_secret()}/iep-parent-input.docx",
        "/drafts/short/iep-parent-input.docx",
        "/drafts/../../etc/passwd/iep-parent-input.txt",
    ):
        response = await client.get(path)
        assert response.status == 404 and "Maya" not in await response.text()
    _, newer = repo.finish(draft.id, compose(draft).to_json())  # finished again
    assert (await client.get(f"/drafts/{secret}/iep-parent-input.txt")).status == 404
    assert (await client.get(f"/drafts/{newer}/iep-parent-input.txt")).status == 200
    repo.delete(draft.id)
    assert (await client.get(f"/drafts/{newer}/iep-parent-input.txt")).status == 404


async def test_an_unfinished_draft_has_nothing_to_download(repo, client):
    draft, _ = repo.create(child_name="Leo")
    _, secret = repo.finish(draft.id, "{}")
    repo.update(draft.id, status="in_progress", composed=None)  # a secret, nothing to serve
    assert (await client.get(f"/drafts/{secret}/iep-parent-input.docx")).status == 404
