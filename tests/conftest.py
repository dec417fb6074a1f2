"""Fixtures that start real things: the whole bot via the run command's launcher."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import ROOT
from bot.launcher import READY_LINE
from bot.settings import Settings, settings, use_settings
from tests.helpers import free_port

MODELS_DIR = settings().models_dir
MODEL = MODELS_DIR / "iep-guide.tar.gz"


@dataclass
class RunningBot:
    rasa_url: str
    web_url: str
    action_port: int
    var_dir: Path
    process: subprocess.Popen
    output: list[str]

    @property
    def origin(self) -> str:
        return self.web_url.rstrip("/")

    def pids(self) -> dict[str, int]:
        return json.loads((self.var_dir / "run" / "pids.json").read_text())


def start_bot(
    var_dir: Path, extra_env: dict[str, str] | None = None, timeout: float = 240.0
) -> RunningBot:
    """Runs `python -m bot run` (what `make run` runs) on free ports and waits for
    its ready line."""
    if not MODEL.exists():
        pytest.fail("No trained model: run the tests with `make test` (it trains first).")
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    env = dict(os.environ, IEP_VAR_DIR=str(var_dir), **(extra_env or {}))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "run",
            "--rasa-port",
            str(rasa_port),
            "--action-port",
            str(action_port),
            "--web-port",
            str(web_port),
            "--models",
            str(MODELS_DIR),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            output.append(line)
            if READY_LINE in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not ready.is_set():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("The bot did not start:\n" + "".join(output))
        time.sleep(0.2)
    return RunningBot(
        f"http://localhost:{rasa_port}",
        f"http://localhost:{web_port}/",
        action_port,
        var_dir,
        proc,
        output,
    )


def stop_bot(bot: RunningBot) -> None:
    bot.process.send_signal(2)  # Ctrl-C, as a person would
    try:
        bot.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        bot.process.kill()


@pytest.fixture(scope="session")
def running_bot(tmp_path_factory) -> Iterator[RunningBot]:
    bot = start_bot(tmp_path_factory.mktemp("bot-var"))
    yield bot
    stop_bot(bot)


@pytest.fixture
def environment(monkeypatch) -> Iterator[Callable[..., Settings]]:
    """Sets IEP_* variables for one test and has bot/settings.py read them again."""

    def set_variables(**variables: str) -> Settings:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        use_settings(None)
        return settings()

    yield set_variables
    use_settings(None)  # before monkeypatch restores the variables: read again on next use


# ---------------------------------------------------------------- PostgreSQL
def _postgres_bindir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    return found[-1].parent if found else None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real, throwaway PostgreSQL server (Debian's postgresql package), started
    for this test run on a free port and removed afterwards."""
    import shutil
    import tempfile

    bindir = _postgres_bindir()
    if bindir is None:
        pytest.skip(
            "PostgreSQL server not installed: `make test` installs Debian's "
            "postgresql package (needs root or sudo)."
        )
    data = Path(tempfile.mkdtemp(prefix="iep-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(data, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()

    def pg(*cmd: str) -> None:
        subprocess.run([*as_postgres, *cmd], check=True, capture_output=True, text=True)

    try:
        pg(
            str(bindir / "initdb"),
            "-D",
            str(data / "db"),
            "-U",
            "iep",
            "--auth=trust",
            "-E",
            "UTF8",
        )
        pg(
            str(bindir / "pg_ctl"),
            "-D",
            str(data / "db"),
            "-w",
            "-l",
            str(data / "log"),
            "-o",
            f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )
        pg(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "iep", "iep_test")
    except subprocess.CalledProcessError as error:
        shutil.rmtree(data, ignore_errors=True)
        pytest.fail(f"Could not start PostgreSQL: {error.stderr}")
    yield f"postgresql://iep@127.0.0.1:{port}/iep_test"
    subprocess.run(
        [*as_postgres, str(bindir / "pg_ctl"), "-D", str(data / "db"), "-m", "fast", "stop"],
        capture_output=True,
    )
    shutil.rmtree(data, ignore_errors=True)


# ---------------------------------------------------------------- drafts database
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def draft_db(request, tmp_path):
    """The drafts database: every test that asks for it runs twice, on a fresh SQLite
    file and on the real PostgreSQL server from `postgres_url`."""
    from bot.storage.database import make_engine
    from bot.storage.repository import DraftRepository, use_repository

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'drafts.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    repository = DraftRepository(engine)
    use_repository(repository)
    yield repository
    use_repository(None)
    engine.dispose()
