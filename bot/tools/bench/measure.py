"""Measurements the benchmark takes: process memory, load levels via Locust (REST) and
a socket.io client (the widget's channel)."""

from __future__ import annotations

import asyncio
import csv
import os
import statistics
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

# Conversations, each a list of (kind, message) turns (bot/tools/bench/conversations.py).
Script = list[list[tuple[str, str]]]

BENCH_DIR = Path(__file__).resolve().parent


@dataclass
class Level:
    channel: str
    users: int
    requests: int
    errors: int
    rps: float
    p50: float  # milliseconds
    p95: float
    p99: float
    p95_by_kind: dict[str, float] = field(default_factory=dict)


def tree_rss_mb(pid: int, peak: bool = False) -> float:
    """Resident memory of a process and its children, in MB (peak = VmHWM)."""
    key = "VmHWM:" if peak else "VmRSS:"
    total = 0
    pids = [pid]
    while pids:
        p = pids.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(key):
                    total += int(line.split()[1])
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
            pids.extend(int(c) for c in children)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1024


def run_locust(
    locust_bin: Path, host: str, target: str, users: int, seconds: int, out_dir: Path
) -> Level:
    prefix = out_dir / f"{target}-rest-{users}"
    subprocess.run(
        [
            str(locust_bin),
            "-f",
            str(BENCH_DIR / "locustfile.py"),
            "--headless",
            "--host",
            host,
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{seconds}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "ERROR",
            "--exit-code-on-error",
            "0",
        ],
        cwd=BENCH_DIR,
        env=dict(os.environ, BENCH_TARGET=target),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    by_kind = {
        r["Name"]: float(r["95%"])
        for r in rows
        if r["Name"] != "Aggregated" and int(r["Request Count"])
    }
    return Level(
        "rest",
        users,
        int(total["Request Count"]),
        int(total["Failure Count"]),
        float(total["Requests/s"]),
        float(total["50%"]),
        float(total["95%"]),
        float(total["99%"]),
        by_kind,
    )


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def _socket_parent(
    rasa_url: str,
    origin: str,
    scripts: Script,
    stop_at: float,
    latencies: list[float],
    errors: list[int],
) -> None:
    import socketio  # the Rasa venv's python-socketio, pinned with the server

    while time.monotonic() < stop_at:
        for script in scripts:
            sio = socketio.AsyncClient(reconnection=False)
            replies: asyncio.Queue[dict[str, object]] = asyncio.Queue()
            sio.on("bot_uttered", replies.put)
            session = uuid.uuid4().hex
            try:
                await sio.connect(rasa_url, socketio_path="/socket.io", headers={"Origin": origin})
                await sio.emit("session_request", {"session_id": session})
                for _, message in script:
                    if time.monotonic() >= stop_at:
                        break
                    start = time.monotonic()
                    await sio.emit("user_uttered", {"message": message, "session_id": session})
                    await asyncio.wait_for(replies.get(), 30)
                    latencies.append((time.monotonic() - start) * 1000)
                    await asyncio.sleep(0.3)  # let the rest of the turn's bubbles arrive
                    while not replies.empty():
                        replies.get_nowait()
            except Exception:
                errors.append(1)
            finally:
                await sio.disconnect()
            if time.monotonic() >= stop_at:
                return


def run_socketio(rasa_url: str, origin: str, users: int, seconds: int, scripts: Script) -> Level:
    """Time from sending a message to the first reply bubble, as the widget sees it.
    Each parent pauses 0.3 s after a reply to collect the turn's other bubbles, so
    messages/s here is not comparable with the REST numbers."""
    latencies: list[float] = []
    errors: list[int] = []

    async def main() -> None:
        stop_at = time.monotonic() + seconds
        await asyncio.gather(
            *[
                _socket_parent(rasa_url, origin, scripts, stop_at, latencies, errors)
                for _ in range(users)
            ]
        )

    start = time.monotonic()
    asyncio.run(main())
    elapsed = time.monotonic() - start
    return Level(
        "socket.io",
        users,
        len(latencies),
        len(errors),
        len(latencies) / elapsed,
        _percentile(latencies, 50),
        _percentile(latencies, 95),
        _percentile(latencies, 99),
    )


def wait_for_answer(
    url: str, message: str, timeout: float, proc: subprocess.Popen | None = None
) -> None:
    """Polls the REST webhook until it returns a non-empty reply."""
    import json
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("server exited during start-up")
        try:
            req = urllib.request.Request(
                f"{url}/webhooks/rest/webhook",
                data=json.dumps({"sender": "bench-probe", "message": message}).encode(),
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(req, timeout=10) as r:
                if json.loads(r.read()):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s")
