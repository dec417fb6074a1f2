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
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional

import aiohttp
import yaml
from aiohttp import web
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from bot import ROOT
from bot.messages import SORRY_MESSAGE
from bot.settings import VAR_DIR, allowed_origins, database_url, page_origins
from bot.webpage import create_app

READY_LINE = "IEP Guide is ready"
PROBE_MESSAGE = "/ask_what_is_iep"


class StartupError(RuntimeError):
    pass


def free_port() -> int:
    """A TCP port nobody listens on right now (for tests and benchmarks)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(public_url: str) -> Dict[str, str]:
    env = dict(os.environ)
    # Where parents reach the web page (download links in the bot's replies point here).
    env.setdefault("IEP_PUBLIC_URL", public_url.rstrip("/"))
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    # One BLAS thread per server. OpenBLAS's extra threads spin while they wait: under load
    # they doubled the Rasa server's CPU per message (79 vs 41 ms, `make bench` profile)
    # for no gain on tiny per-message products, and took the core the action server needs.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def write_endpoints(action_port: int, run_dir: Path) -> Path:
    """endpoints.yml with the action server's actual port."""
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    endpoints["action_endpoint"]["url"] = f"http://localhost:{action_port}/webhook"
    path = run_dir / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints))
    return path


def latest_model(models_dir: Path) -> Path:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise StartupError(f"No trained model in {models_dir}. Run `make run` (it trains).")
    return models[-1]


class Stack:
    """The running processes of one IEP Guide instance."""

    def __init__(self, rasa_port: int, action_port: int, web_port: int, models_dir: Path):
        self.rasa_port, self.action_port, self.web_port = rasa_port, action_port, web_port
        self.models_dir = models_dir
        self.run_dir = VAR_DIR / "run"
        self.log_dir = VAR_DIR / "log"
        self.processes: Dict[str, subprocess.Popen] = {}
        self.commands: Dict[str, List[str]] = {}
        self.restarts: Dict[str, int] = {}
        self.web_runner: Optional[web.AppRunner] = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.web_port}/"

    def _spawn(self, name: str, cmd: List[str]) -> None:
        self.commands[name] = cmd
        with open(self.log_dir / f"{name}.log", "ab") as log:
            self.processes[name] = subprocess.Popen(
                cmd, cwd=ROOT, env=child_env(self.url), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches only us; we stop the children.
            )
        self._write_pids()

    def _write_pids(self) -> None:
        (self.run_dir / "pids.json").write_text(
            json.dumps({n: p.pid for n, p in self.processes.items()})
        )

    def restart_dead(self, max_restarts: int = 5) -> None:
        """A server that crashes after start-up is started again, so parents are not
        left without answers; one that keeps crashing stops the whole bot."""
        for name, proc in list(self.processes.items()):
            if proc.poll() is None:
                continue
            self.restarts[name] = self.restarts.get(name, 0) + 1
            if self.restarts[name] > max_restarts:
                self.check_alive()
            print(f"==> The {name} server stopped (exit {proc.returncode}); restarting it.",
                  flush=True)
            self._spawn(name, self.commands[name])

    async def start(self) -> None:
        # Otherwise the readiness check could be answered by an old instance.
        busy = [f"{name} port {port}" for name, port in [
            ("Rasa", self.rasa_port), ("action server", self.action_port),
            ("web page", self.web_port)] if port_in_use(port)]
        if busy:
            raise StartupError(
                f"{', '.join(busy)} already in use. Is IEP Guide already running? Stop it, "
                "or choose other ports (IEP_RASA_PORT, IEP_ACTION_PORT, IEP_WEB_PORT).")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        model = latest_model(self.models_dir)
        endpoints = write_endpoints(self.action_port, self.run_dir)
        py = sys.executable
        self._spawn("actions", [py, "-m", "bot.action_server", "--actions", "actions",
                                "--port", str(self.action_port)])
        self._spawn("rasa", [py, "-m", "rasa", "run", "--model", str(model),
                             "--port", str(self.rasa_port),
                             "--credentials", "credentials.yml",
                             "--endpoints", str(endpoints),
                             "--cors", *allowed_origins()])
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
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    async def wait_ready(self, timeout: float = 180.0) -> float:
        """Waits until both servers answer and a probe question gets a real answer
        that was stored in the SQL tracker store. Returns seconds waited."""
        start = time.monotonic()
        async with aiohttp.ClientSession() as http:
            for name, url in [("actions", f"http://localhost:{self.action_port}/health"),
                              ("rasa", f"http://localhost:{self.rasa_port}/")]:
                while True:
                    self.check_alive()
                    if time.monotonic() - start > timeout:
                        raise StartupError(f"The {name} server was not up after {timeout:.0f}s.\n{self.tail(name)}")
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
        async with http.post(f"http://localhost:{self.rasa_port}/webhooks/rest/webhook",
                             json={"sender": sender, "message": PROBE_MESSAGE}) as resp:
            replies = await resp.json()
        texts = [r.get("text", "") for r in replies]
        if not texts or SORRY_MESSAGE in texts:
            raise StartupError(
                "Rasa is up but could not answer a test question (is the action server "
                f"working?). Replies: {texts}\n{self.tail('actions')}"
            )
        # Rasa silently keeps conversations in memory if the tracker database fails;
        # make sure the probe really reached the database, then remove it. Checked
        # before deleting: a database Rasa cannot write to may refuse the delete too.
        engine = create_engine(database_url("tracker"), future=True)
        try:
            with engine.connect() as conn:
                stored = conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"),
                                      {"s": sender}).scalar_one()
            if stored:
                with engine.begin() as conn:
                    conn.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": sender})
        except SQLAlchemyError as error:
            raise StartupError(
                f"Could not check the tracker database ({getattr(error, 'orig', error)}). "
                f"Check IEP_DATABASE_URL.\n{self.tail('rasa')}") from error
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
        if self.web_runner:
            await self.web_runner.cleanup()


async def run(args: argparse.Namespace) -> int:
    # The page's own address is always allowed to reach the bot: moved to another port,
    # it must not get a widget whose replies the browser blocks.
    os.environ.setdefault("IEP_ALLOWED_ORIGINS", page_origins(args.web_port))
    stack = Stack(args.rasa_port, args.action_port, args.web_port, args.models)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print("==> Starting the action server, the Rasa server and the web page...", flush=True)
    try:
        await stack.start()
        waited = await stack.wait_ready()
        print(f"==> {READY_LINE} after {waited:.1f}s.", flush=True)
        print(f"\n    Open {stack.url}\n", flush=True)
        print(f"    (REST: http://localhost:{args.rasa_port}/webhooks/rest/webhook, "
              f"logs: {stack.log_dir}; press Ctrl-C to stop)", flush=True)
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
        await stack.stop()
        print("==> Stopped.", flush=True)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="start the bot and print the URL to open")
    run_p.add_argument("--rasa-port", type=int, default=int(os.environ.get("IEP_RASA_PORT", 5005)))
    run_p.add_argument("--action-port", type=int, default=int(os.environ.get("IEP_ACTION_PORT", 5055)))
    run_p.add_argument("--web-port", type=int, default=int(os.environ.get("IEP_WEB_PORT", 8080)))
    run_p.add_argument("--models", type=Path,
                       default=Path(os.environ.get("IEP_MODELS_DIR", ROOT / "models")))
    args = parser.parse_args(argv)
    return asyncio.run(run(args))
