"""Runtime settings, read from the environment with safe local defaults.

One setting switches every database to PostgreSQL:
    IEP_DATABASE_URL=postgresql://user:password@host:5432/iep_guide
Unset, conversations and drafts live in SQLite files under var/ (git-ignored).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import List

from bot import ROOT

VAR_DIR = Path(os.environ.get("IEP_VAR_DIR", ROOT / "var"))


def database_url(kind: str) -> str:
    """URL for `kind` ("tracker" or "drafts"). With SQLite each gets its own file so
    the Rasa server and the action server never wait on one file lock."""
    url = os.environ.get("IEP_DATABASE_URL")
    if url:
        return url
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{VAR_DIR / (kind + '.db')}"


def page_origins(web_port: int) -> str:
    """The web page's own origins on this machine, as IEP_ALLOWED_ORIGINS lists them."""
    return f"http://localhost:{web_port},http://127.0.0.1:{web_port}"


def allowed_origins() -> List[str]:
    """Web origins allowed to talk to the bot (CORS and socket.io)."""
    raw = os.environ.get("IEP_ALLOWED_ORIGINS", page_origins(8080))
    return [o.strip() for o in raw.split(",") if o.strip()]


def public_url() -> str:
    """Base URL of the web page parents use (set by the launcher for its children)."""
    return os.environ.get("IEP_PUBLIC_URL", "http://localhost:8080").rstrip("/")
