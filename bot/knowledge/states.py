"""Turns what parents write for a state ("MA", "mass", "massachusetts") into its
canonical name, using the same vocabulary file the spaCy EntityRuler is built from."""

from __future__ import annotations

from functools import lru_cache

import yaml

from bot import ROOT

STATES_FILE = ROOT / "bot" / "vocabulary" / "us_states.yml"


@lru_cache(maxsize=1)
def _variants() -> dict[str, str]:
    data = yaml.safe_load(STATES_FILE.read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for term in data["terms"]:
        for variant in [term["id"], *term.get("phrases", []), *term.get("exact", [])]:
            table[str(variant).lower().strip(".")] = term["id"]
    return table


def canonical_state(text: str | None) -> str | None:
    if not text:
        return None
    return _variants().get(text.lower().strip().strip("."))
