"""Ctrl-C on the run command stops everything it started."""

import os

import pytest

from tests.conftest import start_bot, stop_bot
from tests.helpers import rest, texts

pytestmark = pytest.mark.server


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited but not been reaped by its parent yet.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


def test_ctrl_c_stops_every_server(tmp_path):
    bot = start_bot(tmp_path)
    pids = bot.pids()
    assert "Individualized Education Program" in texts(rest(bot.rasa_url, "what is an iep"))
    stop_bot(bot)  # sends SIGINT, as Ctrl-C in the terminal does
    assert bot.process.returncode == 0
    assert not [name for name, pid in pids.items() if alive(pid)]
    assert "Stopped." in "".join(bot.output)


def test_a_second_instance_on_busy_ports_says_so_and_starts_nothing(running_bot, tmp_path):
    import subprocess
    from urllib.parse import urlparse

    from bot import ROOT
    from bot.launcher import run_command

    rasa_port = urlparse(running_bot.rasa_url).port
    run = subprocess.run(
        run_command(rasa_port, running_bot.action_port, urlparse(running_bot.web_url).port),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "IEP_VAR_DIR": str(tmp_path)},
    )
    assert run.returncode == 1
    assert "already in use" in run.stderr
    assert "Traceback" not in run.stderr
    # The running bot is untouched.
    assert "Individualized Education Program" in texts(rest(running_bot.rasa_url, "what is an iep"))
