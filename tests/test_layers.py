"""The packages import one way (README, "Layers"): each may import only packages of a
lower layer, or of its own package. A change that imports upward, or makes two packages
import each other, fails here with the offending line."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from bot import ROOT

# Lowest first. Packages on one layer are siblings and never import each other.
LAYERS = [
    ["bot", "bot.settings", "bot.content"],
    ["bot.nlp"],
    ["bot.knowledge", "bot.draft"],
    ["bot.storage"],
    ["bot.server", "bot.web", "actions"],
    ["bot.launcher"],
    ["bot.tools"],
    ["bot.__main__"],
]
RANK: dict[str, int] = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}


def unit_of(module: str) -> str | None:
    """The layer unit a dotted module belongs to (its longest listed prefix)."""
    parts = module.split(".")
    for size in range(len(parts), 0, -1):
        name = ".".join(parts[:size])
        if name in RANK:
            return name
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_imports(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:  # "from bot import settings" imports bot.settings
                yield node.lineno, f"{node.module}.{alias.name}"


def sources():
    for top in ("bot", "actions"):
        yield from sorted((ROOT / top).rglob("*.py"))


def test_every_module_has_a_layer():
    assert [str(p) for p in sources() if unit_of(module_name(p)) is None] == []


def test_imports_run_one_way():
    wrong = []
    for path in sources():
        here = unit_of(module_name(path))
        for line, imported in project_imports(path):
            if imported.split(".")[0] not in ("bot", "actions"):
                continue
            there = unit_of(imported)
            if there is None or there == here or there == "bot":
                continue
            if RANK[there] >= RANK[here]:
                wrong.append(
                    f"{path.relative_to(ROOT)}:{line} ({here}) imports {imported} "
                    f"({there}, layer {RANK[there]} >= {RANK[here]})"
                )
    assert wrong == []


def test_the_check_sees_an_upward_import(tmp_path):
    """The walker above really reports imports (a check that finds nothing proves nothing)."""
    path = ROOT / "bot" / "draft" / "steps.py"
    assert "bot.draft.text" in {name for _, name in project_imports(path)}
    assert unit_of("bot.storage.repository") == "bot.storage"
    assert RANK[unit_of("bot.storage.repository")] > RANK[unit_of("bot.draft.steps")]
