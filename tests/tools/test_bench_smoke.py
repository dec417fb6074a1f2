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
    assert "| ours | rest | 1 |" in report
    assert "| ours | socket.io | 1 |" in report
    assert "| 0/" in report, "the smoke run had errors:\n" + report
    assert (tmp_path / "latency.png").stat().st_size > 1000
