"""The citation table (data/citations.yml): every regulation, statute and guide the
knowledge answers cite, which law it belongs to, and what it covers.

Answers cite by key ("34 CFR 300.300(b)"), so a citation that is not in the table is an
error, and the table tells whose rule a citation is: federal (IDEA, Section 504, ADA),
a state's (Massachusetts), or a guide's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from bot import ROOT

CITATIONS_FILE = ROOT / "data" / "citations.yml"

FEDERAL_LAWS = ("IDEA", "Section 504", "ADA")
STATE_LAWS = ("Massachusetts",)

# What a regulation or statute citation looks like; anything else must be a named guide.
SECTION = re.compile(
    r"(34 CFR (300|104)\.\d+|603 CMR 28\.\d+)(\([a-z0-9]+\))*\d?(-(300|104)\.\d+)?"
    r"|M\.G\.L\. c\.\d+[A-Z]?( §\d+)?"
    r"|(20|29) U\.S\.C\. \d+"
)


class CitationError(LookupError):
    """A citation the table does not have."""


@dataclass(frozen=True)
class Citation:
    key: str
    # IDEA, Section 504, ADA, Massachusetts, or None for a guide.
    law: str | None
    covers: str

    @property
    def federal(self) -> bool:
        return self.law in FEDERAL_LAWS

    @property
    def state(self) -> bool:
        return self.law in STATE_LAWS


@lru_cache(maxsize=1)
def table() -> dict[str, Citation]:
    data = yaml.safe_load(CITATIONS_FILE.read_text(encoding="utf-8"))
    found: dict[str, Citation] = {}
    for key, entry in (data.get("sections") or {}).items():
        found[str(key)] = Citation(str(key), entry["law"], entry["covers"])
    for key, entry in (data.get("guides") or {}).items():
        found[str(key)] = Citation(str(key), entry.get("law"), entry["covers"])
    return found


def citation(key: str) -> Citation:
    try:
        return table()[key]
    except KeyError:
        raise CitationError(f"{key!r} is not in data/citations.yml") from None
