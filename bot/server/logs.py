"""The servers' log files: written by the launcher from each server's output, with
what a parent typed or was given kept out, rotated, and readable by this user only.

At the default level neither Rasa, rasa-sdk nor Sanic logs message text, and the
project's own code never does; but an error can carry it (an SQL error quotes its
parameters, a traceback its arguments). So every line passes through `redact` on
its way to the file: resume codes, download and action secrets, SQL parameters and
text fields are replaced by [redacted]. tests/system/test_logs_private.py drives a
draft with a failing action and a cancelled request and searches every log.
"""

from __future__ import annotations

import logging
import re
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import IO

MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 3
HIDDEN = "[redacted]"
_PATTERNS = [
    # resume codes, grouped as shown or typed as one word (always a digit and a letter)
    re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{4}([ -][0-9A-Za-z]{4}){3}(?![0-9A-Za-z])"),
    re.compile(
        r"(?<![0-9A-Za-z])(?=[0-9A-Z]*[0-9])(?=[0-9A-Z]*[A-Z])[0-9A-Z]{16}"
        r"(?![0-9A-Za-z])"
    ),
    # download links' and the action server's secrets (43 URL-safe characters)
    re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"),
]
# Values that may hold a parent's words: SQL parameters, text fields, slot values.
_TAILS = [
    re.compile(r"(\[parameters: ).*"),
    re.compile(r"""(["']?(?:text|message|value|data)["']?\s*[:=]\s*)(["']).*?(?<!\\)\2"""),
]


def redact(line: str) -> str:
    for pattern in _PATTERNS:
        line = pattern.sub(HIDDEN, line)
    for tail in _TAILS:
        line = tail.sub(lambda m: m.group(1) + HIDDEN, line)
    return line


def pump(stream: IO[bytes], path: Path) -> threading.Thread:
    """Copies a child's output into a rotating log file, line by line, redacted."""
    handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))

    def copy() -> None:
        try:
            for raw in iter(stream.readline, b""):
                line = redact(raw.decode("utf-8", "replace").rstrip("\n"))
                handler.handle(logging.makeLogRecord({"msg": line}))
        finally:
            stream.close()
            handler.close()

    thread = threading.Thread(target=copy, name=f"log:{path.name}", daemon=True)
    thread.start()
    return thread
