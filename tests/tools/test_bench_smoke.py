"""A few seconds of the real benchmark against the real bot, so `make bench` cannot
rot between runs. No timing is asserted: numbers belong to the benchmark."""

import subprocess
import sys

import pytest

from bot import ROOT

pytestmark = pytest.mark.server


def test_bench_smoke_writes_a_report_with_numbers(tmp_path):
    if not (ROOT / ".venv-bench" / "bin" / "locust").exists():
        pytest.fail("Locust missing: run the tests with `make test` (it installs .venv-bench)")
    run = subprocess.run(
        [sys.executable, "-m", "bot.tools.bench", "--smoke", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip().splitlines()[-1].startswith("bench summary: ours ")
    report = (tmp_path / "report.md").read_text()
    # Each load row: | bot | channel | users | msg/s | p50 | p95 | p99 | errors/requests | ...
    rows = {
        (cells[1], cells[2]): cells[7]
        for cells in (
            line.split(" | ") for line in report.splitlines() if line.startswith("| ours | ")
        )
    }
    assert set(rows) == {("rest", "1"), ("socket.io", "1")}, report
    for row, errors_of_requests in rows.items():
        errors, requests = map(int, errors_of_requests.split("/"))
        assert requests > 0, f"{row}: no request was made\n{report}"
        assert errors == 0, f"{row}: {errors} of {requests} requests failed\n{report}"
    assert (tmp_path / "latency.png").stat().st_size > 1000
