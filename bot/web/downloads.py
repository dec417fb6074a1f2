"""A parent's finished draft, served by the web page (routes in bot/web/app.py):

    GET /drafts/{secret}/iep-parent-input.docx   Word document (download)
    GET /drafts/{secret}/iep-parent-input.txt    plain text (opens in the browser)

Only the draft's secret (256 random bits, from the bot's link) finds it; the database
holds just a hash of it. Anything else is a plain 404 that says nothing about
whether a draft exists. Nothing is cached on the way.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aiohttp import web

from bot import content

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PRIVATE = {
    "Cache-Control": "no-store, private, max-age=0",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}

if TYPE_CHECKING:
    from bot.draft.compose import ComposedDraft


def _not_found() -> web.HTTPNotFound:
    return web.HTTPNotFound(text=content.text("draft.download.not_found"), headers=PRIVATE)


def _find_composed(secret: str) -> ComposedDraft | None:
    from bot.draft.compose import ComposedDraft
    from bot.storage.repository import default_repository

    draft = default_repository().find_by_download_secret(secret)
    if draft is None or not draft.composed:
        return None
    return ComposedDraft.from_json(draft.composed)


async def _composed(request: web.Request) -> ComposedDraft:
    from bot.draft.codes import looks_like_secret

    secret = request.match_info["secret"]
    if not looks_like_secret(secret):
        raise _not_found()
    # The database call runs in a thread: the page keeps serving everyone else.
    composed = await asyncio.to_thread(_find_composed, secret)
    if composed is None:
        raise _not_found()
    return composed


async def draft_docx(request: web.Request) -> web.Response:
    from bot.draft.export import to_docx

    body = await asyncio.to_thread(to_docx, await _composed(request))
    return web.Response(
        body=body,
        headers={
            **PRIVATE,
            "Content-Type": DOCX_TYPE,
            "Content-Disposition": 'attachment; filename="iep-parent-input.docx"',
        },
    )


async def draft_text(request: web.Request) -> web.Response:
    from bot.draft.export import to_text

    body = to_text(await _composed(request)).encode("utf-8")
    return web.Response(
        body=body,
        headers={
            **PRIVATE,
            "Content-Type": "text/plain; charset=utf-8",
            "Content-Disposition": 'inline; filename="iep-parent-input.txt"',
        },
    )
