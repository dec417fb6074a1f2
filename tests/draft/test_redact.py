"""What the conversation store keeps of a message (bot/draft/codes.py `redact`): every
resume code and download secret goes, however it was typed; everything else stays."""

from __future__ import annotations

import uuid

import pytest

from bot.draft.codes import new_download_secret, new_resume_code, redact


def test_codes_and_secrets_are_redacted_however_they_were_typed():
    code, secret = new_resume_code(), new_download_secret()
    for typed in (code, code.lower(), code.replace("-", " "), code.replace("-", "")):
        kept = redact(f"continue my draft {typed} please")
        assert kept == "continue my draft [code] please", typed
    kept = redact(f"[Word document](http://localhost:8080/drafts/{secret}/iep.docx)")
    assert secret not in kept and "/drafts/[secret]/iep.docx" in kept


@pytest.mark.parametrize(
    "text",
    [
        "She has trouble with responsibilities and organization at school",
        "He is in 4th grade, born 2015-03-04, age 9",
        "1733128361.4356496",
        uuid.uuid4().hex,  # Rasa's message ids
        "ABCD EFGH JKMN PQRS are four words, not a code",
    ],
)
def test_ordinary_text_is_kept_as_it_is(text):
    assert redact(text) == text
