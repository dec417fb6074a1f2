"""The end-to-end stories (`make stories`) must reach every intent with parent text the
model was not trained on; a story that repeats a training example only shows that the
classifier remembers it."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import yaml

from bot import ROOT

STORIES = Path(__file__).parent


def normalized(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def story_texts() -> dict[str, set[str]]:
    from rasa.shared.nlu.training_data import entities_parser

    by_intent: dict[str, set[str]] = defaultdict(set)
    for path in sorted(STORIES.glob("test_*.yml")):
        for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]:
            for step in story["steps"]:
                if "user" in step and not step["user"].strip().startswith("/"):
                    plain = entities_parser.replace_entities(step["user"].strip())
                    by_intent[step["intent"]].add(normalized(plain))
    return by_intent


def training_texts() -> set[str]:
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(ROOT / "domain.yml"), training_data_paths=[str(ROOT / "data")]
    )
    return {normalized(e.get("text")) for e in importer.get_nlu_data().intent_examples}


def test_every_intent_has_a_story_in_words_the_model_never_saw():
    intents = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"]
    trained, stories = training_texts(), story_texts()
    assert len(trained) > 1000  # the training data was really read
    missing = [i for i in intents if not stories.get(i, set()) - trained]
    assert not missing, f"no story with new parent text for: {missing}"


def test_every_knowledge_topic_is_an_intent_the_stories_reach():
    topics = {
        yaml.safe_load(p.read_text(encoding="utf-8"))["nlu"][0]["intent"]
        for p in (ROOT / "data" / "knowledge").glob("*.yml")
    }
    assert topics
    assert topics <= set(story_texts())
