"""Adding a draft step is one entry in the step table plus its texts: a throwaway step
is asked, nudged, saved, shown at review, changed there and exported, through the same
actions and database as tests/actions/test_draft_flow.py.

It runs in a fresh interpreter: the table decides the drafts table's columns when
bot.storage.models is imported, so the step must be in the table before that."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from bot import ROOT

TEXTS = """
draft.step.pets.title:
  en: "Pets"
draft.step.pets.prompt:
  en: "Does {who} have a pet? Tell me about it. For example: {example}"
draft.step.pets.example:
  en: "“A dog called Biscuit who sleeps on her bed.”"
draft.step.pets.label:
  en: "{owner} pets"
"""

SCRIPT = textwrap.dedent("""
    import asyncio, io, json, shutil, sys
    from pathlib import Path

    from bot import content
    from bot.draft import steps
    from bot.draft.steps import IepSection, Step

    work = Path(sys.argv[1])
    # The texts: the project's files plus the new step's, where the loader reads them.
    texts = work / "texts"
    shutil.copytree(content.TEXTS_DIR, texts)
    (texts / "throwaway.yml").write_text(sys.argv[2], encoding="utf-8")
    content.TEXTS_DIR = texts
    # The one table entry: after "this year", stored in its own field.
    PETS = Step(
        key="pets",
        number=4,
        title="draft.step.pets.title",
        prompt="draft.step.pets.prompt",
        field="pets",
        example="draft.step.pets.example",
        min_words=3,
        section=IepSection.VISION,
        label="draft.step.pets.label",
        edit_words={"en": r"\\bpets?\\b"},
    )
    at = [s.key for s in steps.STEPS].index("this_year") + 1
    steps.STEPS = steps.STEPS[:at] + (PETS,) + steps.STEPS[at:]

    import docx
    from bot.draft.compose import ComposedDraft
    from bot.draft.export import to_docx, to_text
    from bot.storage.database import make_engine
    from bot.storage.repository import DraftRepository, use_repository
    from tests.actions.draft_sim import Parent

    repo = DraftRepository(make_engine(f"sqlite:///{work / 'drafts.db'}"))
    use_repository(repo)

    async def walk():
        parent, said = Parent(), {}
        await parent.start()
        for text in ("Maya", "9", "She loves horses and drawing",
                     "A calm routine and a visual schedule",
                     "She eats lunch alone most days", "Social skills help at lunch"):
            await parent.say(text, "child_details" if len(text) < 5 else "share_about_child")
        await parent.say("that's all", "draft_done", 0.95)
        said["asked"] = await parent.say("She has a friend to sit with at lunch")
        said["step"] = parent.step
        said["nudge"] = await parent.say("a cat")
        said["next"] = await parent.say("A grey cat called Pebble who waits at the door")
        said["saved"] = repo.get(parent.slots["draft_id"]).answer("pets")
        said["review"] = await parent.say("In middle school with friends and a club")
        said["edit"] = await parent.say("change the pets", "nlu_fallback", 0.4)
        said["changed"] = await parent.say("Two cats now, Pebble and a kitten called Dot")
        await parent.say("looks good", "draft_done", 0.95)
        composed = ComposedDraft.from_json(repo.get(parent.slots["draft_id"]).composed)
        said["text"] = to_text(composed)
        document = docx.Document(io.BytesIO(to_docx(composed)))
        said["docx"] = "\\n".join(p.text for p in document.paragraphs)
        return said

    print("RESULT " + json.dumps(asyncio.run(walk())))
""")


def test_a_step_added_to_the_table_is_asked_saved_reviewed_and_exported(tmp_path):
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path), TEXTS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    assert run.returncode == 0 and lines, run.stderr[-3000:]
    said = json.loads(lines[-1][len("RESULT ") :])

    assert "**Step 4 of 6: Pets**\nDoes Maya have a pet? Tell me about it." in said["asked"]
    assert said["step"] == "pets"
    assert "a little more" in said["nudge"] and "Biscuit" in said["nudge"], "its example"
    assert "Step 5 of 6" in said["next"], "then the flow goes on"
    assert said["saved"] == "A grey cat called Pebble who waits at the door"
    assert "**Maya's pets:** A grey cat called Pebble who waits at the door." in said["review"]
    assert "Step 4 of 6: Pets" in said["edit"], "its own words change it at review"
    assert "Step 6 of 6" in said["changed"] and "kitten called Dot" in said["changed"]
    assert "Pebble who waits" not in said["changed"]
    for export in (said["text"], said["docx"]):
        assert "Maya's pets: Two cats now, Pebble and a kitten called Dot." in export
        assert (
            export.index("This year:")
            < export.index("Maya's pets:")
            < export.index("In the next 1 to 5 years:")
        ), "in the table's order"
