"""Fixtures that start real things: the whole bot via the run command's launcher.

A missing PostgreSQL or Chromium fails the run and says how to install it. A developer
without them can leave those tests out on purpose, and only on purpose:
    IEP_TEST_SKIP=postgres,browser .venv/bin/python -m pytest   (or -m "not browser")
CI (CI=true) and `make test` refuse IEP_TEST_SKIP.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import ROOT
from bot.launcher import READY_LINE, run_command
from bot.settings import Settings, page_origins, settings, use_settings
from tests.helpers import free_port

MODELS_DIR = settings().models_dir

SKIPPABLE = {"postgres", "browser"}  # markers IEP_TEST_SKIP may name


def opted_out() -> set:
    return {name.strip() for name in os.environ.get("IEP_TEST_SKIP", "").split(",") if name.strip()}


def pytest_configure(config) -> None:
    if config.pluginmanager.hasplugin("randomly"):
        # pytest-randomly shuffles the tests (what we want it for) and also reseeds
        # random generators before each test, handing spaCy's thinc seeds above 2**32
        # that its numpy call refuses (pytest-randomly issue 736, thinc issue 960).
        config.option.randomly_reset_seed = False
    unknown = opted_out() - SKIPPABLE
    if unknown:
        raise pytest.UsageError(
            f"IEP_TEST_SKIP: unknown {sorted(unknown)}; it can name {sorted(SKIPPABLE)}"
        )
    if opted_out() and os.environ.get("CI", "").lower() in ("true", "1"):
        raise pytest.UsageError(
            "IEP_TEST_SKIP is for a developer's own machine; CI runs every test."
        )


def pytest_collection_modifyitems(config, items) -> None:
    for name in opted_out():
        skip = pytest.mark.skip(reason=f"left out on purpose (IEP_TEST_SKIP={name})")
        for item in items:
            if name in item.keywords:
                item.add_marker(skip)


MODEL = MODELS_DIR / "iep-guide.tar.gz"


@dataclass
class RunningBot:
    rasa_url: str
    web_url: str
    action_port: int
    var_dir: Path
    process: subprocess.Popen
    output: list[str]
    database_url: str | None = None  # IEP_DATABASE_URL, when not the SQLite files

    @property
    def origin(self) -> str:
        return self.web_url.rstrip("/")

    def pids(self) -> dict[str, int]:
        return json.loads((self.var_dir / "run" / "pids.json").read_text())


def bot_command(rasa_port: int, action_port: int, web_port: int) -> list[str]:
    """`python -m bot run` (what `make run` runs) on the given ports."""
    return run_command(rasa_port, action_port, web_port, MODELS_DIR)


def bot_env(var_dir: Path, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    # Rasa's own logging set-up writes the level it was given into LOG_LEVEL: after a test
    # that trains or parses in this process (the NLU gate), a bot started here would log
    # at WARNING, not at the default level a real run logs at (and the tests read).
    env = {name: value for name, value in os.environ.items() if name != "LOG_LEVEL"}
    return dict(env, IEP_VAR_DIR=str(var_dir), **(extra_env or {}))


def start_bot(
    var_dir: Path,
    extra_env: dict[str, str] | None = None,
    timeout: float = 240.0,
    extra_origins: Sequence[str] = (),
) -> RunningBot:
    """Runs the bot on free ports and waits for its ready line. `extra_origins`: other
    websites allowed in, next to the page's own origins."""
    if not MODEL.exists():
        pytest.fail("No trained model: run the tests with `make test` (it trains first).")
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    env = bot_env(var_dir, extra_env)
    if extra_origins:
        env["IEP_ALLOWED_ORIGINS"] = ",".join([*page_origins(web_port), *extra_origins])
    proc = subprocess.Popen(
        bot_command(rasa_port, action_port, web_port),
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


def run_bot_until_it_exits(
    var_dir: Path, extra_env: dict[str, str] | None = None, timeout: float = 300.0
) -> subprocess.CompletedProcess:
    """Runs the bot on free ports for a start-up expected to fail; its output, once it
    has stopped. (A bot that starts after all is stopped with Ctrl-C.)"""
    if not MODEL.exists():
        pytest.fail("No trained model: run the tests with `make test` (it trains first).")
    proc = subprocess.Popen(
        bot_command(free_port(), free_port(), free_port()),
        cwd=ROOT,
        env=bot_env(var_dir, extra_env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []

    def pump() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            output.append(line)
            if READY_LINE in line:
                proc.send_signal(2)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(2)  # Ctrl-C: the launcher stops the servers it started
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    reader.join(timeout=10)
    return subprocess.CompletedProcess(proc.args, proc.returncode, "".join(output))


def stop_bot(bot: RunningBot) -> None:
    bot.process.send_signal(2)  # Ctrl-C, as a person would
    try:
        bot.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        bot.process.kill()


# A parent center's website that embeds the widget (IEP_ALLOWED_ORIGINS lets it in).
OUTSIDE_SITE = "https://www.parent-center.example"


@pytest.fixture(scope="session")
def running_bot(tmp_path_factory) -> Iterator[RunningBot]:
    """The bot most tests share. Tests that stop or break one of its servers start
    their own (start_bot), so no test depends on what another did to it. Every test
    talks to it from 127.0.0.1, far faster than one address of parents would, so its
    per-address limit is off (tests/system/test_rate_limits.py tests the limits)."""
    bot = start_bot(
        tmp_path_factory.mktemp("bot-var"),
        {"IEP_RATE_PER_ADDRESS": "0"},
        extra_origins=[OUTSIDE_SITE],
    )
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
POSTGRES_PROGRAMS = ("postgres", "initdb", "pg_ctl", "createdb")


def _postgres_bindir() -> Path:
    """Debian's newest PostgreSQL, or the folder IEP_POSTGRES_BINDIR names (a server
    installed elsewhere). Fails, saying how to install it, when a program is missing."""
    configured = os.environ.get("IEP_POSTGRES_BINDIR")
    if configured:
        bindir = Path(configured)
    else:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
        bindir = found[-1].parent if found else Path("/usr/lib/postgresql/<version>/bin")
    missing = [p for p in POSTGRES_PROGRAMS if not os.access(bindir / p, os.X_OK)]
    if missing:
        pytest.fail(
            f"PostgreSQL is not installed ({', '.join(missing)} not in {bindir}). Install "
            "Debian's postgresql package: `make test` does (scripts/setup-system.sh, needs "
            "root or sudo), or `sudo apt-get install postgresql`. To leave the PostgreSQL "
            "tests out on purpose: IEP_TEST_SKIP=postgres.",
            pytrace=False,
        )
    return bindir


class PostgresServer:
    """A real, throwaway PostgreSQL server (Debian's postgresql package) on a free port,
    with one database; `restart()` stops and starts it as a crash or an upgrade would."""

    def __init__(self) -> None:
        import tempfile

        self.bindir = _postgres_bindir()
        self.data = Path(tempfile.mkdtemp(prefix="iep-pg-"))
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:  # the server refuses to run as root
            shutil.chown(self.data, "postgres", "postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self.url = f"postgresql://iep@127.0.0.1:{self.port}/iep_test"
        try:
            self._pg(
                "initdb", "-D", str(self.data / "db"), "-U", "iep", "--auth=trust", "-E", "UTF8"
            )
            self.start()
            self._pg("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "iep", "iep_test")
        except subprocess.CalledProcessError as error:
            self.remove()
            pytest.fail(f"Could not start PostgreSQL: {error.stderr}")

    def _pg(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(self.bindir / program), *args],
            check=True,
            capture_output=True,
            text=True,
        )

    def start(self) -> None:
        self._pg(
            "pg_ctl",
            "-D",
            str(self.data / "db"),
            "-w",
            "-l",
            str(self.data / "log"),
            "-o",
            f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )

    def stop(self) -> None:
        self._pg("pg_ctl", "-D", str(self.data / "db"), "-w", "-m", "fast", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def remove(self) -> None:
        subprocess.run(
            [
                *self.as_postgres,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data / "db"),
                "-m",
                "fast",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(self.data, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The test run's PostgreSQL server (tests that restart one make their own)."""
    server = PostgresServer()
    yield server.url
    server.remove()


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
