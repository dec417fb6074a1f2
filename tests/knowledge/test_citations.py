"""The citation check (runs in CI with the rest of pytest): every source line names a
section (34 CFR 300.x, 34 CFR 104.x, 603 CMR 28.x, M.G.L. c.N §N, 29 U.S.C. 794) or a
named guide, every citation is in the hand-reviewed table data/citations.yml (which says
what each section covers), and every line of that table is still used."""

import re

import pytest
import yaml

from bot import content
from bot.knowledge.answers import answers_by_intent, render, state_reply
from bot.knowledge.citations import (
    CITATIONS_FILE,
    FEDERAL_LAWS,
    SECTION,
    STATE_LAWS,
    table,
)

DATA = yaml.safe_load(CITATIONS_FILE.read_text(encoding="utf-8"))
ANSWERS = list(answers_by_intent().values())
# Citations the fixed sentences of data/texts/common.yml carry.
TEXT_CITES = [
    c.strip()
    for key in ("answer.team_decides.cite", "answer.other_state.cite")
    for c in content.text(key).split(";")
]


def cited():
    """Every citation key an answer or a fixed sentence uses."""
    keys = list(TEXT_CITES)
    for answer in ANSWERS:
        for bubble in answer.all_bubbles():
            keys += [key for part in bubble for key in part.cite]
    return keys


def test_the_table_says_it_was_reviewed_by_hand():
    assert DATA["reviewed"]


@pytest.mark.parametrize("key", sorted(DATA["sections"]))
def test_each_section_is_a_real_citation_with_its_law_and_what_it_covers(key):
    entry = DATA["sections"][key]
    assert SECTION.fullmatch(key), f"{key!r} is not written as a section"
    assert entry["law"] in FEDERAL_LAWS + STATE_LAWS
    assert entry["covers"].strip() and "\n" not in entry["covers"]
    assert entry["read_at"].startswith("http")
    law_of = {
        "34 CFR 300": "IDEA",
        "20 U.S.C.": "IDEA",
        "34 CFR 104": "Section 504",
        "29 U.S.C.": "Section 504",
        "603 CMR": "Massachusetts",
        "M.G.L.": "Massachusetts",
    }
    expected = next(law for prefix, law in law_of.items() if key.startswith(prefix))
    assert entry["law"] == expected, f"{key} belongs to {expected}"


@pytest.mark.parametrize("key", sorted(DATA["guides"]))
def test_each_guide_is_named_and_says_what_it_covers(key):
    entry = DATA["guides"][key]
    assert not SECTION.fullmatch(key), f"{key!r} looks like a section: list it there"
    assert entry["covers"].strip() and entry["read_at"].startswith("http")
    assert entry.get("law") in (None, *FEDERAL_LAWS, *STATE_LAWS)


def test_every_citation_is_in_the_table():
    missing = sorted(set(cited()) - set(table()))
    assert not missing, f"cited but not in data/citations.yml: {missing}"


def test_every_line_of_the_table_is_used():
    unused = sorted(set(table()) - set(cited()))
    assert not unused, f"in data/citations.yml but cited nowhere: {unused}"


NAMED = re.compile("|".join([SECTION.pattern] + [re.escape(g) for g in DATA["guides"]]))


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.topic)
def test_every_source_line_names_a_section_or_a_guide(answer):
    replies = []
    for state in (None, "Massachusetts", "Ohio"):
        replies += render(answer, state, first_answer=False)
    replies += state_reply(answer, "Ohio", first_answer=False)
    lines = [m["text"].split("\nSource: ")[1] for m in replies if "\nSource: " in m["text"]]
    assert lines
    for line in lines:
        assert NAMED.search(line), f"{answer.topic}: {line!r} names no section or guide"


def test_the_source_line_lists_the_citations_of_what_was_shown_grouped_by_law():
    signing = answers_by_intent()["ask_signing"]
    massachusetts = render(signing, "Massachusetts", first_answer=False)[-1]["text"]
    assert (
        "IDEA (34 CFR 300.300(b), 300.503, 300.506, 300.507(a)); "
        "Massachusetts (603 CMR 28.05(7), 28.02(5), 28.08(7), 28.08(3)(b))"
    ) in massachusetts
    ohio = render(signing, "Ohio", first_answer=False)[-1]["text"]
    assert "603 CMR" not in ohio and "Center for Parent Information and Resources" in ohio
