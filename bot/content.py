"""Every sentence a parent reads, from the content files under data/texts/.

Python holds keys, never prose: `text("draft.paused", code=code)` finds the entry
`draft.paused` in data/texts/*.yml and fills its placeholders. Each entry carries one
variant per language (`en`, and `es` once translated); a missing variant falls back to
English so a half-translated bot still answers. The organisation's contact details and
the download-link shape are defined once, in data/texts/contact.yml, and every text can
use them as {org}, {phone}, {web}.

File format (one YAML mapping per file, keys unique across files):

    draft.paused:                  # a plain text
      en: "Okay, let's stop here ... {code}"
    draft.review.question:         # a text with quick-reply buttons
      en: "Does it look right? ..."
      buttons:
        - payload: "looks good"
          en: "Looks good"

Rasa's own responses (utter_* in domain.yml) stay in domain.yml, Rasa's place for them;
bot/server/nlg.py fills the same contact placeholders there.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import yaml

from bot import ROOT

TEXTS_DIR = ROOT / "data" / "texts"
CONTACT_FILE = "contact.yml"
DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en",)

Message = dict[str, Any]


class ContentError(LookupError):
    """A key, variant or placeholder the content files do not have."""


@lru_cache(maxsize=1)
def _load() -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted(TEXTS_DIR.glob("*.yml")):
        if path.name == CONTACT_FILE:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, entry in data.items():
            if key in entries:
                raise ContentError(f"{path.name}: text {key!r} is defined twice")
            if not isinstance(entry, dict) or DEFAULT_LANGUAGE not in entry:
                raise ContentError(f"{path.name}: text {key!r} has no {DEFAULT_LANGUAGE!r}")
            entries[key] = entry
    return entries


@lru_cache(maxsize=1)
def contact() -> dict[str, str]:
    """{org}, {phone}, {web}: written once, used by every text."""
    data = yaml.safe_load((TEXTS_DIR / CONTACT_FILE).read_text(encoding="utf-8"))
    return {key: str(value) for key, value in data.items()}


def keys() -> list[str]:
    return sorted(_load())


def raw(key: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The template itself, placeholders unfilled."""
    try:
        entry = _load()[key]
    except KeyError:
        raise ContentError(f"no text {key!r} in data/texts/") from None
    return str(entry.get(lang) or entry[DEFAULT_LANGUAGE])


def placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def fill(template: str, values: Mapping[str, Any] | None = None) -> str:
    """The template with contact details and `values`; a missing value is an error
    (a parent must never see "{code}")."""
    known = {**contact(), **(values or {})}
    missing = [name for name in placeholders(template) if name not in known]
    if missing:
        raise ContentError(f"no value for {missing} in {template[:60]!r}")
    return template.format_map(known)


def text(key: str, lang: str = DEFAULT_LANGUAGE, **values: Any) -> str:
    return fill(raw(key, lang), values)


def buttons(key: str, lang: str = DEFAULT_LANGUAGE, **values: Any) -> list[dict[str, str]]:
    entry = _load()[key]
    return [
        {
            "title": fill(str(b.get(lang) or b[DEFAULT_LANGUAGE]), values),
            "payload": str(b["payload"]),
        }
        for b in entry.get("buttons", [])
    ]


def message(key: str, lang: str = DEFAULT_LANGUAGE, **values: Any) -> Message:
    """A bot message: the text, and its buttons if the entry has any."""
    out: Message = {"text": text(key, lang, **values)}
    found = buttons(key, lang, **values)
    if found:
        out["buttons"] = found
    return out
