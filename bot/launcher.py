"""Starts IEP Guide: action server, Rasa server (REST + socket.io) and the web page,
waits until a real question gets a real answer, then prints the one URL to open.
Ctrl-C stops everything it started.

    python -m bot run [--rasa-port 5005] [--action-port 5055] [--web-port 8080]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

import aiohttp
import yaml
from aiohttp import web
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from bot import ROOT, content
from bot.server.action_calls import SECRET_HEADER
from bot.server.logs import pump
from bot.settings import Settings, use_settings
from bot.storage.retention import RetentionJob
from bot.web.app import create_app

READY_LINE = "IEP Guide is ready"
PROBE_MESSAGE = "/ask_what_is_iep"


class StartupError(RuntimeError):
    pass


def free_port() -> int:
    """A TCP port nobody listens on right now (for tests and benchmarks)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_command(
    rasa_port: int, action_port: int, web_port: int, models_dir: Path | None = None
) -> list[str]:
    """`python -m bot run` (what `make run` runs) on these ports, for tests and the bench."""
    command = [
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
    ]
    return command + (["--models", str(models_dir)] if models_dir else [])


def child_env(run_settings: Settings) -> dict[str, str]:
    # The servers read the same settings as this process (ports, folders, databases,
    # origins, and where parents reach the web page for download links).
    env = {**os.environ, **run_settings.to_env()}
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    # One BLAS thread per server. OpenBLAS's extra threads spin while they wait: under load
    # they doubled the Rasa server's CPU per message (79 vs 41 ms, `make bench` profile)
    # for no gain on tiny per-message products, and took the core the action server needs.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    # Sanic (Rasa and the action server) accepts 100 MB request bodies by default; no
    # request of ours comes near 256 KB (a message is at most 2,000 characters).
    env.setdefault("SANIC_REQUEST_MAX_SIZE", str(256 * 1024))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def write_endpoints(action_port: int, run_dir: Path, action_secret: str) -> Path:
    """endpoints.yml with the action server's actual port and the secret the Rasa
    server sends it (bot/server/action_server.py); readable by this user only."""
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    endpoints["action_endpoint"]["url"] = f"http://localhost:{action_port}/webhook"
    endpoints["action_endpoint"]["headers"] = {SECRET_HEADER: action_secret}
    path = run_dir / "endpoints.yml"
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(yaml.safe_dump(endpoints))
    return path


def latest_model(models_dir: Path) -> Path:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise StartupError(f"No trained model in {models_dir}. Run `make run` (it trains).")
    return models[-1]


# A crashed server is restarted after 0, 1, 2, 4 ... RESTART_MAX_WAIT seconds; the count
# starts over once it has run RESTART_CALM seconds.
RESTART_MAX_WAIT = 60.0
RESTART_CALM = 300.0


class Stack:
    """The running processes of one IEP Guide instance."""

    def __init__(self, run_settings: Settings):
        self.settings = run_settings
        self.rasa_port = run_settings.rasa_port
        self.action_port = run_settings.action_port
        self.web_port = run_settings.web_port
        self.models_dir = run_settings.models_dir
        self.run_dir = run_settings.run_dir
        self.log_dir = run_settings.log_dir
        self.processes: dict[str, subprocess.Popen] = {}
        self.commands: dict[str, list[str]] = {}
        self.restarts: dict[str, int] = {}  # restarts since the server last ran calmly
        self.restart_after: dict[str, float] = {}  # when a stopped server may start again
        self.started_at: dict[str, float] = {}
        self.action_secret = ""
        self.pumps: dict[str, threading.Thread] = {}
        self.web_runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.web_port}/"

    def _spawn(self, name: str, cmd: list[str]) -> None:
        self.commands[name] = cmd
        self.started_at[name] = time.monotonic()
        self.processes[name] = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env={**child_env(self.settings), "IEP_ACTION_SECRET": self.action_secret},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches only us; we stop the children.
        )
        # Each server's output goes to var/log/<name>.log, redacted and rotated.
        output = self.processes[name].stdout
        assert output is not None  # stdout=PIPE
        self.pumps[name] = pump(output, self.log_dir / f"{name}.log")
        self._write_pids()

    def _write_pids(self) -> None:
        (self.run_dir / "pids.json").write_text(
            json.dumps({n: p.pid for n, p in self.processes.items()})
        )

    def restart_dead(self) -> None:
        """A server that crashes is started again for as long as the bot runs, so
        parents are not left without answers (meanwhile they get the apology). One
        that keeps crashing waits longer each time (1, 2, 4 ... 60 s), so a broken
        server does not spin; after RESTART_CALM seconds up, the wait starts over."""
        now = time.monotonic()
        for name, proc in list(self.processes.items()):
            if proc.poll() is None:
                if now - self.started_at.get(name, now) > RESTART_CALM:
                    self.restarts[name] = 0
                continue
            if now < self.restart_after.get(name, 0.0):
                continue
            if name not in self.restart_after:  # first look since it stopped
                tries = self.restarts.get(name, 0)
                delay = 0.0 if tries == 0 else min(RESTART_MAX_WAIT, 2.0 ** (tries - 1))
                self.restart_after[name] = now + delay
                print(
                    f"==> The {name} server stopped (exit {proc.returncode}); restarting "
                    f"it in {delay:.0f}s (restart {tries + 1}).",
                    flush=True,
                )
                if delay:
                    continue
            del self.restart_after[name]
            self.restarts[name] = self.restarts.get(name, 0) + 1
            self._spawn(name, self.commands[name])

    async def start(self) -> None:
        # Otherwise the readiness check could be answered by an old instance.
        busy = [
            f"{name} port {port}"
            for name, port in [
                ("Rasa", self.rasa_port),
                ("action server", self.action_port),
                ("web page", self.web_port),
            ]
            if port_in_use(port)
        ]
        if busy:
            raise StartupError(
                f"{', '.join(busy)} already in use. Is IEP Guide already running? Stop it, "
                "or choose other ports (IEP_RASA_PORT, IEP_ACTION_PORT, IEP_WEB_PORT)."
            )
        # What parents typed lives under var/ (databases, logs): this user's only. The
        # umask covers every file the servers create; chmod covers folders made before.
        os.umask(0o077)
        for folder in (self.run_dir.parent, self.run_dir, self.log_dir):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            folder.chmod(0o700)
        model = latest_model(self.models_dir)
        # Only this Rasa server may call this action server: a new secret each start,
        # unless one is set for an action server on another host.
        self.action_secret = os.environ.get("IEP_ACTION_SECRET") or secrets.token_urlsafe(32)
        endpoints = write_endpoints(self.action_port, self.run_dir, self.action_secret)
        py = sys.executable
        self._spawn(
            "actions",
            [
                py,
                "-m",
                "bot.server.action_server",
                "--actions",
                "actions",
                "--port",
                str(self.action_port),
            ],
        )
        self._spawn(
            "rasa",
            [
                py,
                "-m",
                "rasa",
                "run",
                "--model",
                str(model),
                "--port",
                str(self.rasa_port),
                "--credentials",
                "credentials.yml",
                "--endpoints",
                str(endpoints),
                "--cors",
                *self.settings.allowed_origins,
            ],
        )
        self.web_runner = web.AppRunner(create_app(self.rasa_port), access_log=None)
        await self.web_runner.setup()
        await web.TCPSite(self.web_runner, port=self.web_port).start()

    def check_alive(self) -> None:
        for name, proc in self.processes.items():
            if proc.poll() is not None:
                raise StartupError(
                    f"The {name} server stopped (exit {proc.returncode}). "
                    f"Last lines of {self.log_dir / (name + '.log')}:\n{self.tail(name)}"
                )

    def tail(self, name: str, lines: int = 25) -> str:
        path = self.log_dir / f"{name}.log"
        return (
            "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
            if path.exists()
            else ""
        )

    async def wait_ready(self, timeout: float = 180.0) -> float:
        """Waits until both servers answer and a probe question gets a real answer
        that was stored in the SQL tracker store. Returns seconds waited."""
        start = time.monotonic()
        async with aiohttp.ClientSession() as http:
            for name, url in [
                ("actions", f"http://localhost:{self.action_port}/health"),
                ("rasa", f"http://localhost:{self.rasa_port}/"),
            ]:
                while True:
                    self.check_alive()
                    if time.monotonic() - start > timeout:
                        raise StartupError(
                            f"The {name} server was not up after {timeout:.0f}s.\n{self.tail(name)}"
                        )
                    try:
                        async with http.get(url) as resp:
                            if resp.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.25)
            await self._probe(http)
        return time.monotonic() - start

    async def _probe(self, http: aiohttp.ClientSession) -> None:
        sender = f"readiness-probe-{uuid.uuid4().hex}"
        async with http.post(
            f"http://localhost:{self.rasa_port}/webhooks/rest/webhook",
            json={"sender": sender, "message": PROBE_MESSAGE},
        ) as resp:
            replies = await resp.json()
        texts = [r.get("text", "") for r in replies]
        if not texts or content.text("sorry") in texts:
            raise StartupError(
                "Rasa is up but could not answer a test question (is the action server "
                f"working?). Replies: {texts}\n{self.tail('actions')}"
            )
        # Rasa silently keeps conversations in memory if the tracker database fails;
        # make sure the probe really reached the database, then remove it. Checked
        # before deleting: a database Rasa cannot write to may refuse the delete too.
        engine = create_engine(self.settings.database_url("tracker"), future=True)
        try:
            with engine.connect() as conn:
                stored = conn.execute(
                    text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}
                ).scalar_one()
            if stored:
                with engine.begin() as conn:
                    conn.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": sender})
        except SQLAlchemyError as error:
            raise StartupError(
                f"Could not check the tracker database ({getattr(error, 'orig', error)}). "
                f"Check IEP_DATABASE_URL.\n{self.tail('rasa')}"
            ) from error
        finally:
            engine.dispose()
        if not stored:
            raise StartupError(
                "Rasa is not saving conversations to the tracker database (it fell back to "
                "memory: is the database reachable and writable?). Check IEP_DATABASE_URL."
                f"\n{self.tail('rasa')}"
            )

    async def stop(self) -> None:
        for proc in self.processes.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 15
        for proc in self.processes.values():
            while proc.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for thread in self.pumps.values():  # the last lines reach the files
            thread.join(timeout=5)
        if self.web_runner:
            await self.web_runner.cleanup()


async def run(run_settings: Settings) -> int:
    use_settings(run_settings)  # the web page, served from this process, reads them too
    stack = Stack(run_settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    retention: RetentionJob | None = None
    print("==> Starting the action server, the Rasa server and the web page...", flush=True)
    try:
        await stack.start()
        waited = await stack.wait_ready()
        # Expired drafts and conversations go now and every hour (bot/storage/retention.py).
        retention = RetentionJob(run_settings, lambda line: print(line, flush=True))
        retention.start()
        print(f"==> {READY_LINE} after {waited:.1f}s.", flush=True)
        print(f"\n    Open {stack.url}\n", flush=True)
        print(
            f"    (REST: http://localhost:{run_settings.rasa_port}/webhooks/rest/webhook, "
            f"logs: {stack.log_dir}; press Ctrl-C to stop)",
            flush=True,
        )
        while not stop.is_set():
            stack.restart_dead()
            try:
                await asyncio.wait_for(stop.wait(), timeout=1.0)
            except asyncio.TimeoutError:
                pass
        print("\n==> Stopping...", flush=True)
        return 0
    except StartupError as error:
        print(f"ERROR: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        if retention is not None:
            await asyncio.to_thread(retention.stop)
        await stack.stop()
        print("==> Stopped.", flush=True)


def parse_args(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of one `run`: the environment's, with the command line's flags laid
    over them. Derived defaults follow the flags: moved to another port, the page's own
    address is still allowed to reach the bot (else the browser blocks the widget's
    replies), and download links still point at it."""
    env = os.environ if environ is None else environ
    defaults = Settings.from_env(env)
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="start the bot and print the URL to open")
    run_p.add_argument("--rasa-port", type=int, default=defaults.rasa_port)
    run_p.add_argument("--action-port", type=int, default=defaults.action_port)
    run_p.add_argument("--web-port", type=int, default=defaults.web_port)
    run_p.add_argument("--models", type=Path, default=defaults.models_dir)
    args = parser.parse_args(argv)
    return Settings.from_env(
        {
            **env,
            "IEP_RASA_PORT": str(args.rasa_port),
            "IEP_ACTION_PORT": str(args.action_port),
            "IEP_WEB_PORT": str(args.web_port),
            "IEP_MODELS_DIR": str(args.models),
        }
    )


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(run(parse_args(argv)))
