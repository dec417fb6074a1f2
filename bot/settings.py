"""Runtime settings: read from the environment once per process, into one frozen object.

    IEP_RASA_PORT, IEP_ACTION_PORT, IEP_WEB_PORT   ports (5005, 5055, 8080)
    IEP_VAR_DIR          conversations, drafts, run/ and log/ (default var/)
    IEP_MODELS_DIR       trained models (default models/)
    IEP_DATABASE_URL     one setting switches every database to PostgreSQL:
                         postgresql://user:password@host:5432/iep_guide
                         Unset, conversations and drafts live in SQLite files under var/.
    IEP_ALLOWED_ORIGINS  comma-separated web origins allowed to talk to the bot (CORS and
                         socket.io). Unset: the page's own origins on this machine. Set
                         but empty: no web page may talk to the bot.
    IEP_PUBLIC_URL       base URL of the web page parents use (download links)
    IEP_RATE_PER_CONVERSATION, IEP_RATE_PER_ADDRESS
                         messages a minute one conversation / one address may send
                         (30 / 120); 0 turns the limit off (the load benchmark does)
    IEP_RETENTION_DAYS   days a draft is kept after its last change (default 90)
    IEP_CONVERSATION_DAYS  days a conversation is kept after its last message (default 30)

The launcher (`python -m bot run`) lays its command-line flags over the environment and
hands the result to its servers as these same variables (Settings.to_env), so every
process of one bot sees the same settings. The Makefile repeats a few of these paths
because make needs file names for its dependency graph; tests/test_settings.py checks
that it agrees with the defaults here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot import ROOT

DEFAULT_RASA_PORT = 5005
DEFAULT_ACTION_PORT = 5055
DEFAULT_WEB_PORT = 8080
# Built from the repository's own files (spaCy pipeline, sentence model graph). Not
# moved by IEP_VAR_DIR: config.yml names the spaCy pipeline by this path, and every
# instance of the bot on a machine shares one build.
BUILD_DIR = ROOT / "var"


def page_origins(web_port: int) -> tuple[str, ...]:
    """The web page's own origins on this machine."""
    return (f"http://localhost:{web_port}", f"http://127.0.0.1:{web_port}")


def _whole_number(
    environ: Mapping[str, str],
    name: str,
    default: int,
    what: str,
    lowest: int,
    highest: int | None = None,
) -> int:
    """The variable as a whole number from `lowest` to `highest`, or `default` if unset;
    a clear error naming the variable otherwise. `what` says what it counts."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        number = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be {what}, not {raw!r}") from None
    if number < lowest or (highest is not None and number > highest):
        upper = f"-{highest}" if highest is not None else " or more"
        raise ValueError(f"{name} must be {what} ({lowest}{upper}), not {number}")
    return number


def _port(environ: Mapping[str, str], name: str, default: int) -> int:
    return _whole_number(environ, name, default, "a port number", 1, 65535)


def _days(environ: Mapping[str, str], name: str, default: int) -> int:
    return _whole_number(environ, name, default, "a whole number of days", 1)


def _count(environ: Mapping[str, str], name: str, default: int) -> int:
    return _whole_number(environ, name, default, "a whole number (0 = off)", 0)


@dataclass(frozen=True)
class Settings:
    rasa_port: int = DEFAULT_RASA_PORT
    action_port: int = DEFAULT_ACTION_PORT
    web_port: int = DEFAULT_WEB_PORT
    var_dir: Path = ROOT / "var"
    models_dir: Path = ROOT / "models"
    # IEP_DATABASE_URL: one database for conversations and drafts. None: SQLite files.
    shared_database_url: str | None = None
    allowed_origins: tuple[str, ...] = page_origins(DEFAULT_WEB_PORT)
    public_url: str = f"http://localhost:{DEFAULT_WEB_PORT}"
    # Messages a minute (0: no limit). A parent types far slower than either.
    rate_per_conversation: int = 30
    rate_per_address: int = 120
    # Retention (issue 14): drafts by their last change, conversations by their last event.
    retention_days: int = 90
    conversation_days: int = 30

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        web_port = _port(env, "IEP_WEB_PORT", DEFAULT_WEB_PORT)
        raw_origins = env.get("IEP_ALLOWED_ORIGINS")
        # Unset: the page's own address, on whichever port it runs. Set to "": none at
        # all (a deployment that wants the widget off), never "no check".
        origins = (
            page_origins(web_port)
            if raw_origins is None
            else tuple(o.strip() for o in raw_origins.split(",") if o.strip())
        )
        return cls(
            rasa_port=_port(env, "IEP_RASA_PORT", DEFAULT_RASA_PORT),
            action_port=_port(env, "IEP_ACTION_PORT", DEFAULT_ACTION_PORT),
            web_port=web_port,
            var_dir=Path(env.get("IEP_VAR_DIR") or ROOT / "var"),
            models_dir=Path(env.get("IEP_MODELS_DIR") or ROOT / "models"),
            shared_database_url=env.get("IEP_DATABASE_URL") or None,
            allowed_origins=origins,
            public_url=(env.get("IEP_PUBLIC_URL") or f"http://localhost:{web_port}").rstrip("/"),
            rate_per_conversation=_count(env, "IEP_RATE_PER_CONVERSATION", 30),
            rate_per_address=_count(env, "IEP_RATE_PER_ADDRESS", 120),
            retention_days=_days(env, "IEP_RETENTION_DAYS", 90),
            conversation_days=_days(env, "IEP_CONVERSATION_DAYS", 30),
        )

    def to_env(self) -> dict[str, str]:
        """The variables that give a child process these same settings."""
        env = {
            "IEP_RASA_PORT": str(self.rasa_port),
            "IEP_ACTION_PORT": str(self.action_port),
            "IEP_WEB_PORT": str(self.web_port),
            "IEP_VAR_DIR": str(self.var_dir),
            "IEP_MODELS_DIR": str(self.models_dir),
            "IEP_ALLOWED_ORIGINS": ",".join(self.allowed_origins),
            "IEP_PUBLIC_URL": self.public_url,
            "IEP_RATE_PER_CONVERSATION": str(self.rate_per_conversation),
            "IEP_RATE_PER_ADDRESS": str(self.rate_per_address),
            "IEP_RETENTION_DAYS": str(self.retention_days),
            "IEP_CONVERSATION_DAYS": str(self.conversation_days),
        }
        if self.shared_database_url:
            env["IEP_DATABASE_URL"] = self.shared_database_url
        return env

    @property
    def run_dir(self) -> Path:
        """The running bot's process ids and its endpoints.yml."""
        return self.var_dir / "run"

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"

    @property
    def spacy_dir(self) -> Path:
        return BUILD_DIR / "spacy" / "iep_en"

    @property
    def minilm_dir(self) -> Path:
        return BUILD_DIR / "minilm"

    @property
    def results_dir(self) -> Path:
        """Reports of the developer tools (bench, eval)."""
        return ROOT / "results"

    def database_url(self, kind: str) -> str:
        """URL for `kind` ("tracker" or "drafts"). With SQLite each gets its own file so
        the Rasa server and the action server never wait on one file lock."""
        if self.shared_database_url:
            return self.shared_database_url
        self.var_dir.mkdir(parents=True, exist_ok=True)  # SQLite makes the file, not its folder
        return f"sqlite:///{self.var_dir / (kind + '.db')}"


_current: Settings | None = None


def settings() -> Settings:
    """This process's settings (read from the environment on first use)."""
    global _current
    if _current is None:
        _current = Settings.from_env(os.environ)
    return _current


def use_settings(new: Settings | None) -> None:
    """Makes `new` this process's settings; None reads the environment again on next use
    (tests, and the launcher once it has laid its flags over the environment)."""
    global _current
    _current = new
