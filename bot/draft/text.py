"""Making any text a parent types safe to store, export and show back."""

from __future__ import annotations

import re
import unicodedata

MAX_ANSWER_CHARS = 20_000
# Control characters (NUL included) and the two non-characters XML forbids. PostgreSQL
# cannot store NUL and a Word document cannot hold any of these.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~])")


def strip_unsafe(text: object) -> str:
    """Drops characters no database or document can hold (NUL, controls, lone
    surrogates); keeps everything else, including emoji and line breaks."""
    value = "" if text is None else str(text)
    value = value.encode("utf-8", "ignore").decode("utf-8")  # lone surrogates
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    return _UNSAFE.sub("", value)


def clean_text(text: object) -> str:
    """A parent's answer as stored: safe characters, tidy spaces, at most
    MAX_ANSWER_CHARS long."""
    value = strip_unsafe(text)
    value = re.sub(r"[ \t]+", " ", value)
    value = re.sub(r"\n{3,}", "\n\n", value)
    return value.strip()[:MAX_ANSWER_CHARS]


def show(text: str) -> str:
    """A parent's text inside a bot message: the widget renders Markdown, so their
    words are escaped to appear exactly as typed (no links, no formatting)."""
    return _MARKDOWN.sub(r"\\\1", text)


def quote(text: str, limit: int = 90) -> str:
    """A short reminder of a longer answer, for prompts such as 'about: ...'."""
    one_line = " ".join(text.split())
    if len(one_line) > limit:
        one_line = one_line[: limit - 1].rsplit(" ", 1)[0] + "…"
    return show(one_line)
