"""make bench: our bot and a vanilla `rasa init` bot, side by side, on this machine.

    python -m bot.tools.bench [--seconds 30] [--levels 1,5,20,50] [--smoke]

Trains both (timed), starts each with one worker (cold start timed), drives each over
the REST webhook with Locust at each concurrency level (closed loop), drives ours over
socket.io too, samples memory, and writes results/bench/report.md and latency.png.
The one-line summary is printed last. --smoke: ours only, a few seconds, no training.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot import ROOT
from bot.launcher import READY_LINE, free_port, run_command
from bot.settings import settings
from bot.tools.bench import conversations
from bot.tools.bench.measure import Level, run_locust, run_socketio, tree_rss_mb, wait_for_answer
from bot.tools.bench.report import write_report

RESULTS = settings().results_dir / "bench"
LOCUST = ROOT / ".venv-bench" / "bin" / "locust"
ENV = dict(
    os.environ,
    RASA_TELEMETRY_ENABLED="false",
    TF_CPP_MIN_LOG_LEVEL="2",
    SQLALCHEMY_SILENCE_UBER_WARNING="1",
    # Locust plays many parents from one address at machine speed, far past what the
    # per-conversation and per-address limits let one parent send (bot/server/rate_limits.py).
    IEP_RATE_PER_CONVERSATION="0",
    IEP_RATE_PER_ADDRESS="0",
)


def say(text: str) -> None:
    print(f"[bench] {text}", flush=True)


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.monotonic()
    subprocess.run(
        cmd, cwd=cwd, env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.monotonic() - start


class Server:
    def __init__(
        self,
        name: str,
        proc: subprocess.Popen,
        rasa_url: str,
        cold_start: float,
        pids: dict[str, int],
        origin: str = "",
    ):
        self.name, self.proc, self.rasa_url, self.cold_start = name, proc, rasa_url, cold_start
        self.pids, self.origin = pids, origin

    def rss(self, peak: bool = True) -> dict[str, float]:
        return {name: tree_rss_mb(pid, peak) for name, pid in self.pids.items()}

    def stop(self) -> None:
        self.proc.send_signal(2)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_ours(models_dir: Path, var_dir: Path) -> Server:
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    origin = f"http://localhost:{web_port}"
    env = dict(ENV, IEP_VAR_DIR=str(var_dir), IEP_ALLOWED_ORIGINS=origin)
    var_dir.mkdir(parents=True, exist_ok=True)
    log = var_dir / "launcher.log"
    start = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            run_command(rasa_port, action_port, web_port, models_dir),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    while READY_LINE not in log.read_text():
        if proc.poll() is not None or time.monotonic() - start > 300:
            raise RuntimeError("our bot did not start:\n" + log.read_text())
        time.sleep(0.1)
    cold = time.monotonic() - start
    pids = json.loads((var_dir / "run" / "pids.json").read_text())
    return Server("ours", proc, f"http://localhost:{rasa_port}", cold, pids, origin)


def start_vanilla(project: Path) -> Server:
    port = free_port()
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rasa", "run", "--port", str(port)],
        cwd=project,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_answer(f"http://localhost:{port}", "hello", 300, proc)
    return Server(
        "vanilla", proc, f"http://localhost:{port}", time.monotonic() - start, {"rasa": proc.pid}
    )


def load_levels(
    server: Server, target: str, levels: list[int], seconds: int, out: Path
) -> list[Level]:
    results = []
    for i, users in enumerate(levels, 1):
        say(f"{server.name}: REST load {i}/{len(levels)} with {users} parent(s) for {seconds}s")
        level = run_locust(LOCUST, server.rasa_url, target, users, seconds, out)
        say(
            f"  {level.rps:.1f} msg/s, p50 {level.p50:.0f} ms, p95 {level.p95:.0f} ms, "
            f"errors {level.errors}"
        )
        results.append(level)
    return results


def nlu_quality() -> dict | None:
    """Held-out numbers at config.yml's fallback threshold, from `make eval`'s report."""
    path = settings().results_dir / "nlu_eval" / "report.json"
    if not path.exists():
        return None
    report = json.loads(path.read_text())
    at_config = report["at_config"]
    return {
        "folds": report["folds"],
        "fallback threshold": report["fallback_threshold"],
        **{
            name: at_config[key]
            for name, key in (
                ("intent accuracy", "accuracy"),
                ("macro-F1", "macro_f1"),
                ("out-of-scope recall", "oos_recall"),
                ("out-of-scope precision", "oos_precision"),
            )
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.tools.bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--levels", default="1,5,20,50")
    parser.add_argument("--socket-levels", default="1,20")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="ours only, tiny load, no training: keeps the harness from rotting",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    socket_levels = [int(x) for x in args.socket_levels.split(",")]
    if args.smoke:
        levels, socket_levels, args.seconds = [1], [1], min(args.seconds, 4)
    if not LOCUST.exists():
        raise SystemExit("Locust is not installed: run `make bench` (it sets up .venv-bench).")
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="iep-bench-"))
    results: dict = {"levels": levels, "seconds": args.seconds, "smoke": args.smoke}
    servers: list[Server] = []
    try:
        if args.smoke:
            models = settings().models_dir
        else:
            say("1/7 training our bot from scratch (timed)")
            models = work / "ours-models"
            results["ours_train_s"] = timed(
                [
                    sys.executable,
                    "-m",
                    "rasa",
                    "train",
                    "--force",
                    "--fixed-model-name",
                    "iep-guide",
                    "--out",
                    str(models),
                ],
                ROOT,
            )
            say(f"  {results['ours_train_s']:.0f}s")
            say("2/7 generating and training a vanilla `rasa init` bot (timed)")
            vanilla_dir = work / "vanilla"
            vanilla_dir.mkdir()  # rasa init refuses a folder that does not exist
            results["vanilla_train_s"] = timed(
                [
                    sys.executable,
                    "-m",
                    "rasa",
                    "init",
                    "--no-prompt",
                    "--init-dir",
                    str(vanilla_dir),
                ],
                ROOT,
            )
            say(f"  {results['vanilla_train_s']:.0f}s")

        say("3/7 starting our bot (action server + Rasa + web page, SQL tracker store)")
        ours = start_ours(models, work / "ours-var")
        servers.append(ours)
        say(f"  ready after {ours.cold_start:.1f}s")
        results["ours_cold_start_s"] = ours.cold_start
        say("4/7 loading our bot")
        results["ours_rest"] = load_levels(ours, "ours", levels, args.seconds, args.out)
        results["ours_socket"] = []
        for users in socket_levels:
            say(f"ours: socket.io load with {users} parent(s) for {args.seconds}s")
            level = run_socketio(
                ours.rasa_url, ours.origin, users, args.seconds, conversations.QUESTIONS
            )
            say(f"  p50 {level.p50:.0f} ms, p95 {level.p95:.0f} ms, errors {level.errors}")
            results["ours_socket"].append(level)
        results["ours_rss_mb"] = ours.rss(peak=True)
        ours.stop()
        servers.remove(ours)

        if not args.smoke:
            say("5/7 starting the vanilla bot")
            vanilla = start_vanilla(vanilla_dir)
            servers.append(vanilla)
            say(f"  ready after {vanilla.cold_start:.1f}s")
            results["vanilla_cold_start_s"] = vanilla.cold_start
            results["vanilla_rest"] = load_levels(
                vanilla, "vanilla", levels, args.seconds, args.out
            )
            results["vanilla_rss_mb"] = vanilla.rss(peak=True)
            vanilla.stop()
            servers.remove(vanilla)
            say("6/7 NLU cross-validation (`make eval`, 3 folds)")
            # Exits 1 while its targets are missed; the numbers go in the report either way.
            subprocess.run(
                [sys.executable, "-m", "bot.tools.nlu_eval"],
                cwd=ROOT,
                env=ENV,
                stdout=subprocess.DEVNULL,
                check=False,
            )
        results["nlu"] = nlu_quality()
        say("7/7 writing the report")
        summary = write_report(results, args.out)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(summary, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
