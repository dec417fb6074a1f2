"""Every sentence a parent reads comes from data/texts/ (bot/content.py): no Python
source outside tests/ holds one, every key the code names exists, and every
placeholder of the draft builder's texts gets a value."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import ROOT, content

# Calls whose words go to developers (logs, the console, command-line help) or into
# an error, never to a parent.
NOT_FOR_PARENTS = {
    "debug",
    "info",
    "warning",
    "error",
    "exception",
    "critical",
    "log",
    "print",
    "warn",
    "filterwarnings",
    "add_argument",
    "ArgumentParser",
    "add_parser",
    "exit",
}
# Developer tools (bench, eval): their reports are read by maintainers.
DEVELOPERS_ONLY = ("bot/tools/",)
# (file, text) of the few remaining strings that read like prose but are not for parents.
ALLOWED = {
    # the spaCy pipeline's own metadata (meta.json), read by spaCy and maintainers
    ("bot/nlp/spacy_pipeline.py", "IEP Guide: blank English + IEP vocabulary EntityRuler"),
    # the launcher's console line that tells developers, tests and the bench it is up
    ("bot/launcher.py", "IEP Guide is ready"),
}
SENTENCE_END = ".!?"
SQL = re.compile(r"^(PRAGMA|SELECT|UPDATE|INSERT|DELETE|CREATE|ALTER|DROP) [A-Za-z_]")


def looks_like_prose(text: str) -> bool:
    """Words a person reads: a capitalised sentence ("Sorry, try again."), or four or
    more words that start with a capital or end like a sentence. Cue words ("i don't
    know what to write"), regexes, SQL, keys, names and paths are not."""
    stripped = text.strip().strip("*“”\"'() ")
    words = re.findall(r"[A-Za-z][A-Za-z'’-]*", stripped)
    if " " not in stripped or re.search(r"\\[bdws]|\(\?|[|^$]", text) or SQL.match(stripped):
        return False  # a regex or SQL
    capital = stripped[0].isupper()
    ends = stripped[-1] in SENTENCE_END + ":"
    return (len(words) >= 2 and capital and stripped[-1] in SENTENCE_END) or (
        len(words) >= 4 and (capital or ends)
    )


def _silenced(tree: ast.AST) -> set[int]:
    """Nodes whose strings are not for parents: docstrings, dict keys, logging and
    console calls, command-line help, raised errors and assertion messages."""
    quiet: list[ast.AST] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and ast.get_docstring(node) is not None
        ):
            quiet.append(node.body[0])
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in NOT_FOR_PARENTS:
                quiet.append(node)
            quiet += [k.value for k in node.keywords if k.arg in ("help", "description")]
        elif isinstance(node, ast.Raise) and node.exc is not None:
            quiet.append(node.exc)
        elif isinstance(node, ast.Assert) and node.msg is not None:
            quiet.append(node.msg)
        elif isinstance(node, ast.Dict):
            quiet += [key for key in node.keys if key is not None]
        elif isinstance(node, ast.AnnAssign):
            quiet.append(node.annotation)  # a type, maybe quoted
        elif isinstance(node, ast.arg) and node.annotation is not None:
            quiet.append(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns:
            quiet.append(node.returns)
    return {id(sub) for node in quiet for sub in ast.walk(node)}


def prose_in(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string in `source` that reads like a sentence for a parent.
    An f-string counts as a whole ("Thanks, I'll remember you're in {state}.")."""
    tree = ast.parse(source)
    quiet = _silenced(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in quiet:
            continue
        if isinstance(node, ast.JoinedStr):
            quiet |= {id(part) for part in node.values}
            text = "".join(
                str(p.value) if isinstance(p, ast.Constant) else "{}" for p in node.values
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if looks_like_prose(text):
            found.append((node.lineno, text))
    return found


def sources() -> Iterator[Path]:
    for top in ("bot", "actions"):
        yield from sorted((ROOT / top).rglob("*.py"))


def scanned() -> Iterator[tuple[str, Path]]:
    for path in sources():
        name = path.relative_to(ROOT).as_posix()
        if not name.startswith(DEVELOPERS_ONLY):
            yield name, path


def test_no_python_source_holds_a_sentence_for_parents():
    found = [
        f"{name}:{line}: {text[:70]!r}"
        for name, path in scanned()
        for line, text in prose_in(path.read_text(encoding="utf-8"))
        if (name, text) not in ALLOWED
    ]
    assert found == [], "move these to data/texts/ (bot/content.py):\n" + "\n".join(found)


@pytest.mark.parametrize(
    "snippet",
    [
        'dispatcher.utter_message(text="Sorry, try again.")',
        'REPLY = "Hi again!"',
        "def reply(state):\n    return f\"Thanks, I'll remember you're in {state}.\"",
        'TEXT = ("Could you tell me a little more? A sentence or two helps the team "\n'
        '        "see what you see.")',
    ],
)
def test_the_scan_finds_a_sentence_added_in_code(snippet):
    assert prose_in(snippet), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        '"""A docstring is for developers. It can say anything."""',
        'logger.warning("The action server did not answer in time.")',
        'raise ValueError("No value for this placeholder.")',
        'parser.add_argument("--port", help="Port of the web page.")',
        '_SKIP = {"i don\'t know what to write", "skip this one"}',
        'PATTERN = r"^(wait|hold on|so)?[,.!\\s]*(what|how)\\b"',
        'content.text("draft.step.strengths.prompt", lang, who=who)',
    ],
)
def test_the_scan_leaves_alone_what_parents_never_read(snippet):
    assert prose_in(snippet) == []


# ---------------------------------------------------------------- keys and placeholders
KEY = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")


def referenced_keys() -> Iterator[tuple[str, str]]:
    """(where, key) of every string literal in the code that names a text: the first
    argument of content.text/message/buttons/raw, of a `say`, and any literal that
    has the shape of a key of data/texts/ ("draft.step.strengths.prompt")."""
    areas = {key.split(".", 1)[0] for key in content.keys()}
    for path in sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and KEY.match(node.value)
                and node.value.split(".", 1)[0] in areas
            ):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node.value


def test_every_text_the_code_names_exists():
    known = set(content.keys())
    named = list(referenced_keys())
    assert len(named) > 50, "the scan sees the keys"  # a scan that finds nothing proves nothing
    assert [f"{where}: {key}" for where, key in named if key not in known] == []


def test_keys_built_from_the_step_table_and_the_areas_exist():
    from bot.draft.language import AREA_ORDER
    from bot.draft.steps import STEPS, Kind

    known = set(content.keys())
    for step in STEPS:
        for key in (step.title, step.prompt, step.example, step.teen_example, step.label):
            assert key is None or key in known, (step.key, key)
        if step.kind in (Kind.AGE, Kind.TEXT, Kind.CONCERN, Kind.CONSIDER):
            assert step.example, f"step {step.key}: a nudge shows its example"
    assert [a for a in AREA_ORDER if f"draft.area.{a}" not in known] == []


# The values each draft text is filled with (bot/draft/, actions/draft_*.py); the
# contact details ({org}, {phone}, {web}) fill every text.
STEP_VALUES = {"who", "owner", "example", "number", "happens", "so_far"}
DRAFT_VALUES = {
    "draft.step.header": {"number", "total", "title"},
    "draft.step.concern.so_far": {"count"},
    "draft.step.concern.so_far_many": {"count"},
    "draft.code_notice": {"code"},
    "draft.pending_added": {"text"},
    "draft.aside.state": {"state"},
    "draft.nudge.more": {"example"},
    "draft.nudge.age": {"example"},
    "draft.chat.owner": {"who"},
    "draft.doc.title": {"child"},
    "draft.doc.owner": {"child"},
    "draft.doc.consider": {"happens", "consider"},
    "draft.doc.date": {"date"},
    "draft.doc.student": {"child"},
    "draft.paused": {"code"},
    "draft.finished": {"docx", "txt"},
    "draft.next_steps": {"code"},
    "draft.kept_for": {"days"},
    "draft.nothing_to_delete": {"example"},
    "draft.ask_code": {"example"},
    "draft.wrong_code": {"example"},
}


def test_every_placeholder_of_the_draft_texts_gets_a_value():
    from bot.draft.steps import STEPS

    step_texts = {k for s in STEPS for k in (s.title, s.prompt) if k} | {
        "draft.step.concern.another",
        "draft.step.concern.redo",
        "draft.step.consider.prompt_unknown",
    }
    labels = {s.label for s in STEPS if s.label}
    missing = []
    for key in content.keys():
        if not key.startswith("draft."):
            continue
        given = set(content.contact()) | DRAFT_VALUES.get(key, set())
        if key in step_texts:
            given |= STEP_VALUES
        if key in labels:
            given |= {"child", "owner"}
        for lang in content.LANGUAGES:
            names = set(content.placeholders(content.raw(key, lang)))
            missing += [f"{key} ({lang}): {{{name}}}" for name in sorted(names - given)]
    assert missing == []


def test_a_missing_value_is_an_error_not_a_placeholder_shown_to_a_parent():
    with pytest.raises(content.ContentError):
        content.text("draft.code_notice")
    assert "{" not in content.text("draft.code_notice", code="ABCD-EFGH-JKMN-PQRS")
    assert [n for _, n, _, _ in string.Formatter().parse("{a} and {b}") if n] == ["a", "b"]
