"""The launcher restarts a crashed server for as long as the bot runs, waiting longer
each time it crashes again (issue 14: it used to stop the whole bot after 5)."""

from __future__ import annotations

import sys
import time

from bot.launcher import RESTART_MAX_WAIT, Stack
from bot.settings import Settings

CRASH = [sys.executable, "-c", "import sys; sys.exit(3)"]


def crashed_stack(tmp_path) -> Stack:
    stack = Stack(Settings(var_dir=tmp_path, models_dir=tmp_path))
    stack.run_dir.mkdir()
    stack.log_dir.mkdir()
    stack._spawn("actions", CRASH)
    return stack


def wait_dead(stack: Stack) -> None:
    stack.processes["actions"].wait(timeout=30)


def test_a_crashing_server_is_restarted_again_and_again_with_growing_waits(tmp_path):
    stack = crashed_stack(tmp_path)
    waits = []
    for _ in range(8):  # past the old limit of 5
        wait_dead(stack)
        before = stack.restarts.get("actions", 0)
        stack.restart_dead()  # notices the crash: restarts now, or schedules it
        if stack.restarts.get("actions", 0) == before:
            waits.append(stack.restart_after["actions"] - time.monotonic())
            stack.restart_after["actions"] = 0.0  # the wait is over
            stack.restart_dead()
        assert stack.restarts["actions"] == before + 1
    assert waits == sorted(waits) and len(waits) == 7  # every restart but the first waits
    assert waits[-1] <= RESTART_MAX_WAIT


def test_a_stopped_server_is_not_restarted_before_its_wait(tmp_path):
    stack = crashed_stack(tmp_path)
    wait_dead(stack)
    stack.restart_dead()  # first crash: restarted at once
    wait_dead(stack)
    stack.restart_dead()  # second crash: scheduled, not yet
    stack.restart_dead()
    assert stack.restarts["actions"] == 1
    assert stack.processes["actions"].poll() is not None
