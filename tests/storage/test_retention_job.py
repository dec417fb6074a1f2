"""The retention job the launcher runs (bot/storage/retention.py): a pass at start, then
one every interval, and a failed pass never stops the job."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from bot.settings import Settings
from bot.storage.database import make_engine
from bot.storage.repository import DraftRepository
from bot.storage.retention import RetentionJob


def two_passes(run_settings: Settings) -> list[str]:
    """What the job reports in its first two passes (run every 50 ms)."""
    lines: list[str] = []
    done = threading.Event()

    def report(line: str) -> None:
        lines.append(line)
        if len(lines) >= 2:
            done.set()

    job = RetentionJob(run_settings, report, every=0.05)
    job.start()
    try:
        assert done.wait(timeout=60), lines
    finally:
        job.stop()
    return lines


def test_the_job_deletes_at_start_and_reports_each_pass(tmp_path):
    run_settings = Settings(var_dir=tmp_path)
    engine = make_engine(run_settings.database_url("drafts"))
    repo = DraftRepository(engine)
    old, _ = repo.create(child_name="Old")
    fresh, _ = repo.create(child_name="Fresh")
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE iep_drafts SET updated_at = :t WHERE id = :id"),
            {"t": datetime.now(timezone.utc) - timedelta(days=91), "id": old.id},
        )
    lines = two_passes(run_settings)
    assert "1 expired draft(s)" in lines[0] and "0 expired draft(s)" in lines[1]
    assert repo.get(old.id) is None and repo.get(fresh.id) is not None
    engine.dispose()


def test_a_failed_pass_is_reported_and_the_next_one_still_runs(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the data folder should be")
    lines = two_passes(Settings(var_dir=blocked))
    assert all("failed" in line for line in lines[:2])
