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

from functools import lru_cache
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Handler

from bot import ROOT
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


@lru_cache(maxsize=1)
def webchat_js() -> bytes:
    return WEBCHAT_JS.read_bytes().replace(GOOGLE_FONT_IMPORT, b"")


def create_app(rasa_port: int) -> web.Application:
    page = (
        (STATIC_DIR / "index.html")
        .read_text(encoding="utf-8")
        .replace("__RASA_PORT__", str(rasa_port))
    )

    async def index(_: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html", headers=NO_CACHE)

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

    app = web.Application()
    app.router.add_get("/", index)
    app.router.add_get("/static/webchat.js", webchat)
    app.router.add_get("/static/embed.js", static_file("embed.js", "application/javascript"))
    app.router.add_get("/static/embed.css", static_file("embed.css", "text/css"))
    app.router.add_get("/static/favicon.svg", static_file("favicon.svg", "image/svg+xml"))
    app.router.add_get("/favicon.ico", static_file("favicon.svg", "image/svg+xml"))
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/drafts/{secret}/iep-parent-input.docx", draft_docx)
    app.router.add_get("/drafts/{secret}/iep-parent-input.txt", draft_text)
    return app
