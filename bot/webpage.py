"""The demo 'parent center' page and the rasa-webchat widget, served by the project
(no CDN at run time)."""
from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot import ROOT

STATIC_DIR = Path(__file__).resolve().parent / "static"
WEBCHAT_JS = ROOT / "node_modules" / "rasa-webchat" / "lib" / "index.js"


def create_app(rasa_port: int) -> web.Application:
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8").replace(
        "__RASA_PORT__", str(rasa_port)
    )

    async def index(_: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    async def webchat(_: web.Request) -> web.StreamResponse:
        if not WEBCHAT_JS.exists():
            raise web.HTTPServiceUnavailable(text="Widget not installed: run `make run`.")
        return web.FileResponse(WEBCHAT_JS, headers={"Content-Type": "application/javascript"})

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_get("/", index)
    app.router.add_get("/static/webchat.js", webchat)
    app.router.add_get("/healthz", healthz)
    return app
