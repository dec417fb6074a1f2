"""The demo 'parent center' page, the embed snippet and the rasa-webchat widget, all
served by the project (no CDN at run time).

    /                     demo page (bot/web/static/index.html), uses the embed snippet
    /static/embed.js      the snippet site owners include (README: "Put the chat on
                          your website"); it loads the two files below
    /static/embed.css     our style and contrast fixes for the widget
    /static/webchat.js    rasa-webchat 1.0.1 from node_modules (installed by setup)
    /healthz
    /drafts/{secret}/iep-parent-input.docx|.txt
                          a parent's finished draft (bot/web/downloads.py, issue 4)
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from functools import lru_cache
from pathlib import Path

from aiohttp import web

from bot import ROOT, content
from bot.draft.export import DOCX_NAME, DOWNLOAD_PATH, TEXT_NAME
from bot.settings import settings
from bot.web.downloads import draft_docx, draft_text

STATIC_DIR = Path(__file__).resolve().parent / "static"
WEBCHAT_JS = ROOT / "node_modules" / "rasa-webchat" / "lib" / "index.js"
# rasa-webchat's CSS imports its font from Google; parents' browsers must not fetch
# anything from third parties (privacy, and it fails offline). embed.css picks the
# system font instead.
GOOGLE_FONT_IMPORT = (
    b"@import url(https://fonts.googleapis.com/css?family=Inter:400,500,700&display=swap);"
)
# Page and snippet may change between releases; let browsers check each time.
NO_CACHE = {"Cache-Control": "no-cache"}
# On every response: no MIME sniffing (a draft's text is never run as a script), and no
# page address (which may hold a download secret) sent to other sites.
ALWAYS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def content_security_policy(request: web.Request, rasa_port: int) -> str:
    """The demo page may run scripts from its own origin only (no inline script, no
    eval), talk only to itself and the bot, and be framed only by allowed sites.
    rasa-webchat injects its own <style> elements and a data: icon font."""
    # The demo page reaches the bot on its own host name; a forged Host header must not
    # write into the policy, so only a plain host name is used.
    name = request.host.rsplit(":", 1)[0] if request.host.count(":") == 1 else request.host
    bot = f"{name if re.fullmatch(r'[A-Za-z0-9.-]+', name) else 'localhost'}:{rasa_port}"
    framers = " ".join(["'self'", *settings().allowed_origins])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"connect-src 'self' http://{bot} ws://{bot} https://{bot} wss://{bot}",
            f"frame-ancestors {framers}",
        ]
    )


@lru_cache(maxsize=1)
def webchat_js() -> bytes:
    return WEBCHAT_JS.read_bytes().replace(GOOGLE_FONT_IMPORT, b"")


def create_app(rasa_port: int) -> web.Application:
    contact = content.contact()
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    for marker, value in (
        ("__RASA_PORT__", str(rasa_port)),
        ("__ORG__", contact["org"]),
        ("__PHONE__", contact["phone"]),
        ("__TEL__", "+1" + "".join(c for c in contact["phone"] if c.isdigit())),
    ):
        page = page.replace(marker, html.escape(value))

    async def index(request: web.Request) -> web.Response:
        csp = content_security_policy(request, rasa_port)
        return web.Response(
            text=page,
            content_type="text/html",
            headers={**NO_CACHE, "Content-Security-Policy": csp},
        )

    async def webchat(_: web.Request) -> web.Response:
        if not WEBCHAT_JS.exists():
            raise web.HTTPServiceUnavailable(text="Widget not installed: run `make run`.")
        return web.Response(body=webchat_js(), content_type="application/javascript")

    def static_file(name: str, content_type: str) -> Handler:
        async def handler(_: web.Request) -> web.FileResponse:
            return web.FileResponse(
                STATIC_DIR / name, headers={"Content-Type": content_type, **NO_CACHE}
            )

        return handler

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    @web.middleware
    async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as error:  # 404s and 503s get the headers too
            error.headers.update(ALWAYS)
            raise
        response.headers.update(ALWAYS)
        return response

    app = web.Application(middlewares=[security_headers])
    app.router.add_get("/", index)
    app.router.add_get("/static/webchat.js", webchat)
    app.router.add_get("/static/embed.js", static_file("embed.js", "application/javascript"))
    app.router.add_get("/static/demo.js", static_file("demo.js", "application/javascript"))
    app.router.add_get("/static/embed.css", static_file("embed.css", "text/css"))
    app.router.add_get("/static/favicon.svg", static_file("favicon.svg", "image/svg+xml"))
    app.router.add_get("/favicon.ico", static_file("favicon.svg", "image/svg+xml"))
    app.router.add_get("/healthz", healthz)
    for name, handler in ((DOCX_NAME, draft_docx), (TEXT_NAME, draft_text)):
        app.router.add_get(DOWNLOAD_PATH.format(secret="{secret}", filename=name), handler)
    return app
