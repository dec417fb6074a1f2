"""PostgreSQL going away in the middle of a draft (issue 14, a known trap): Rasa used to
go on from an empty conversation kept in memory, forget the draft and treat the parent
as new. Now a restart between two messages costs nothing (dead pooled connections are
noticed before use), a message sent while the database is down gets the apology, and
no answer is lost: the finished draft holds every one."""

from __future__ import annotations

import uuid

import pytest

from bot import content
from tests.conftest import PostgresServer, start_bot, stop_bot
from tests.helpers import rest, texts
from tests.system.test_draft_server import (
    FREE_TEXT,
    TEXT_LINK,
    download,
    with_marker,
)

pytestmark = [pytest.mark.server, pytest.mark.postgres]

SORRY = content.text("sorry")
RESTART_AFTER = 4  # messages: start, name, age, strengths; then a restart
DOWN_AFTER = 6  # ... supports, a concern; then the database is down for one message


@pytest.fixture
def postgres():
    server = PostgresServer()
    yield server
    server.remove()


def test_postgres_going_away_mid_draft_costs_one_apology_and_no_answer(postgres, tmp_path):
    bot = start_bot(tmp_path, {"IEP_DATABASE_URL": postgres.url})
    try:
        sender = uuid.uuid4().hex
        flow = with_marker("RESTARTMARK")
        for message in flow[:RESTART_AFTER]:
            texts(rest(bot.rasa_url, message, sender=sender))
        postgres.restart()
        replies = [
            texts(rest(bot.rasa_url, m, sender=sender)) for m in flow[RESTART_AFTER:DOWN_AFTER]
        ]
        assert SORRY not in replies, replies
        postgres.stop()
        try:
            during = texts(rest(bot.rasa_url, flow[DOWN_AFTER], sender=sender))
        finally:
            postgres.start()
        assert during == SORRY, during  # not an answer made up from an empty conversation
        apologies = 0
        for message in flow[DOWN_AFTER:]:  # the parent says it again, and goes on
            said = texts(rest(bot.rasa_url, message, sender=sender))
            if said == SORRY:
                apologies += 1
                said = texts(rest(bot.rasa_url, message, sender=sender))
            replies.append(said)
        assert apologies == 0, "one apology, while the database was down"
        chat = "\n".join(replies)
        assert "Hi! I'm IEP Guide" not in chat and "Step 1 of 6" not in chat, chat
        finished = download(TEXT_LINK.search(replies[-1]).group(1)).decode()
        for index in FREE_TEXT:  # every answer, before and after the restart
            assert f"RESTARTMARK{index}" in finished, (index, finished)
    finally:
        stop_bot(bot)
