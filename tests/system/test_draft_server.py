"""The draft builder through the real stack: launcher, Rasa with the trained model (real
NLU), the action server, the drafts database and the web page's download links."""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.request
import uuid
from io import BytesIO

import docx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import start_bot, stop_bot
from tests.helpers import rest, texts

pytestmark = pytest.mark.server

# The messages that take a parent from start to download (the browser test uses them).
FLOW = [
    "help me write my vision statement",
    "Maya",
    "9",
    "She loves horses and drawing, and she is proud of reading her first chapter book",
    "A calm routine, a visual schedule and a teacher who checks in",
    "She eats lunch alone most days and comes home upset",
    "Social skills help at lunch and recess",
    "that's all",
    "She has a friend to sit with at lunch and reads on her own",
    "In middle school with friends, in a club she likes",
    "looks good",
]
STEP_SEEN_AFTER = {
    0: "Step 1 of 6",
    2: "Step 2 of 6",
    4: "Step 3 of 6",
    7: "Step 4 of 6",
    8: "Step 5 of 6",
    9: "Step 6 of 6",
}
DOCX_LINK = re.compile(r"\[Word document \(\.docx\)\]\((http://[^)\s]+\.docx)\)")
TEXT_LINK = re.compile(r"\[Plain text \(\.txt\)\]\((http://[^)\s]+\.txt)\)")
CODE = re.compile(r"\*\*([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\*\*")


def talk(rasa_url: str, sender: str, messages: list[str]) -> list[str]:
    return [texts(rest(rasa_url, message, sender=sender)) for message in messages]


FREE_TEXT = (3, 4, 5, 6, 8, 9)  # indexes of FLOW's free-text answers


def with_marker(marker: str) -> list[str]:
    """FLOW with a numbered marker (e.g. ALPHA3) at the end of every free-text answer."""
    return [f"{m} {marker}{i}" if i in FREE_TEXT else m for i, m in enumerate(FLOW)]


def download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.headers["Cache-Control"].startswith("no-store")
        return response.read()


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(BytesIO(data)).paragraphs)


def test_a_parent_completes_the_draft_and_downloads_it(running_bot):
    replies = talk(running_bot.rasa_url, uuid.uuid4().hex, FLOW)
    for index, step in STEP_SEEN_AFTER.items():
        assert step in replies[index], (index, replies[index])
    assert CODE.search(replies[1]), "the resume code comes with the first saved answer"
    closing = replies[-1]
    docx_url = DOCX_LINK.search(closing).group(1)
    assert docx_url.startswith(running_bot.origin + "/drafts/")
    body = docx_text(download(docx_url))
    for part in (
        "Parent and/or Student Concerns",
        "Vision Statement",
        "Maya loves horses",
        "Maya eats lunch alone",
        "In the next 1 to 5 years",
        "word for word",
    ):
        assert part in body
    assert "Vision Statement" in download(TEXT_LINK.search(closing).group(1)).decode()
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(docx_url.replace("/drafts/", "/drafts/x"), timeout=30)
    assert missing.value.code == 404


def test_questions_and_commands_mid_draft_with_real_nlu(running_bot):
    sender = uuid.uuid4().hex
    talk(running_bot.rasa_url, sender, FLOW[:3])
    said = texts(rest(running_bot.rasa_url, "wait, what is an IEP?", sender=sender))
    assert "Individualized Education Program" in said, said
    assert "Step 2 of 6" in said and "good at" in said
    said = texts(rest(running_bot.rasa_url, "stop", sender=sender))
    code = CODE.search(said).group(1)
    # A new conversation (another device) continues from the code alone.
    other = uuid.uuid4().hex
    said = texts(rest(running_bot.rasa_url, f"continue my draft {code}", sender=other))
    assert "Welcome back" in said and "Step 2 of 6" in said and "Maya" in said
    said = texts(rest(running_bot.rasa_url, "delete my draft", sender=other))
    assert "deleted" in said
    said = texts(rest(running_bot.rasa_url, f"continue my draft {code}", sender=other))
    assert "couldn't find a draft" in said


def test_two_parents_at_the_same_time_never_see_each_others_text(running_bot):
    results = {}

    def parent(marker: str) -> None:
        results[marker] = talk(running_bot.rasa_url, uuid.uuid4().hex, with_marker(marker))

    threads = [threading.Thread(target=parent, args=(m,)) for m in ("PARENTONE", "PARENTTWO")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for mine, theirs in (("PARENTONE", "PARENTTWO"), ("PARENTTWO", "PARENTONE")):
        chat = "\n".join(results[mine])
        assert mine in chat and theirs not in chat
        body = docx_text(download(DOCX_LINK.search(results[mine][-1]).group(1)))
        assert mine in body and theirs not in body


def test_the_drafts_text_never_reaches_the_logs(running_bot):
    marker = "LOGCHECK" + uuid.uuid4().hex[:8].upper()
    talk(running_bot.rasa_url, uuid.uuid4().hex, with_marker(marker))
    logs = list((running_bot.var_dir / "log").glob("*.log"))
    assert logs
    for log in logs:
        assert marker not in log.read_text(errors="replace"), log.name


@pytest.mark.postgres
def test_one_setting_puts_drafts_in_postgresql(postgres_url, tmp_path):
    bot = start_bot(tmp_path, {"IEP_DATABASE_URL": postgres_url})
    try:
        replies = talk(bot.rasa_url, "pg-draft-parent", with_marker("PGMARKER"))
        body = docx_text(download(DOCX_LINK.search(replies[-1]).group(1)))
        assert "PGMARKER" in body
    finally:
        stop_bot(bot)
    engine = create_engine(postgres_url, future=True)
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT count(*) FROM iep_drafts WHERE strengths LIKE '%PGMARKER%'")
        ).scalar_one()
    engine.dispose()
    assert stored == 1
    assert not (tmp_path / "drafts.db").exists()
