"""What the bot says when a draft stops: finished (with its download links), paused
(with its resume code) or deleted. The form says it in the same turn it ends
(flow.py); action_pause_draft and action_delete_draft reuse the words outside it."""

from __future__ import annotations

from bot import content
from bot.content import Message
from bot.draft.export import download_links


def finished(secret: str, code: str | None, lang: str = content.DEFAULT_LANGUAGE) -> list[Message]:
    return [
        content.message("draft.finished", lang, **download_links(secret)),
        content.message("draft.next_steps", lang, code=code),
    ]


def paused(saved: bool, code: str | None, lang: str = content.DEFAULT_LANGUAGE) -> Message:
    if saved and code:
        return content.message("draft.paused", lang, code=code)
    return content.message("draft.paused_empty", lang)


def deleted(lang: str = content.DEFAULT_LANGUAGE) -> Message:
    return content.message("draft.deleted", lang)
