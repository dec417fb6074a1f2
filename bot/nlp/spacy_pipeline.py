"""Builds the project's own spaCy pipeline from files in the repo.

The official spaCy models cannot be downloaded here, so IEP Guide ships its own:
blank English (tokenizer) + a sentencizer + an EntityRuler whose patterns come from
bot/vocabulary/*.yml. Rasa's SpacyNLP loads the saved pipeline from its path
(config.yml), and the custom actions load the same pipeline for their text tools.

    python -m bot.nlp.spacy_pipeline            # build into var/spacy/iep_en
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import spacy
import yaml
from spacy.language import Language
from spacy.pipeline import EntityRuler

from bot import ROOT
from bot.settings import settings

VOCABULARY_DIR = ROOT / "bot" / "vocabulary"
PIPELINE_DIR = settings().spacy_dir


def vocabulary_files() -> list[Path]:
    return sorted(VOCABULARY_DIR.glob("*.yml"))


def load_terms() -> Iterable[dict]:
    """Yields {label, id, phrases, exact} for every term in the vocabulary files."""
    for path in vocabulary_files():
        for block in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            for term in block["terms"]:
                yield {
                    "label": block["label"],
                    "id": str(term["id"]),
                    "phrases": [str(p) for p in term.get("phrases", [])],
                    "exact": [str(p) for p in term.get("exact", [])],
                }


def build_patterns(nlp: Language) -> list[dict[str, Any]]:
    """Token patterns: LOWER for ordinary phrases, exact TEXT for acronyms such as
    IDEA or OT that are also everyday words in lower case."""
    patterns = []
    for term in load_terms():
        for phrase, attr in [(p, "LOWER") for p in term["phrases"]] + [
            (p, "TEXT") for p in term["exact"]
        ]:
            tokens = nlp.make_doc(phrase if attr == "TEXT" else phrase.lower())
            patterns.append(
                {
                    "label": term["label"],
                    "id": term["id"],
                    "pattern": [{attr: t.text} for t in tokens],
                }
            )
    return patterns


def vocabulary_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in vocabulary_files() + [Path(__file__)]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build(out_dir: Path = PIPELINE_DIR) -> Path:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    assert isinstance(ruler, EntityRuler)
    ruler.add_patterns(build_patterns(nlp))
    nlp.meta["name"] = "iep_en"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "IEP Guide: blank English + IEP vocabulary EntityRuler"
    nlp.meta["vocabulary_fingerprint"] = vocabulary_fingerprint()
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    return out_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PIPELINE_DIR)
    args = parser.parse_args()
    out = build(args.out)
    meta = json.loads((out / "meta.json").read_text())
    n = sum(1 for _ in open(out / "entity_ruler" / "patterns.jsonl"))
    print(f"==> spaCy pipeline '{meta['name']}' built at {out} ({n} patterns)")


if __name__ == "__main__":
    main()
