"""NLU cross-validation for IEP Guide (`make eval`).

    python -m bot.tools.nlu_eval [--folds 3] [--seed 42] [--out results/nlu_eval]
                                 [--config config.yml]

Splits every NLU example into stratified folds, trains the NLU pipeline of config.yml
on all folds but one and parses the held-out fold, for each fold. It then reports, on
held-out examples only: intent accuracy, macro-F1, out_of_scope recall and precision,
the confusion matrix image, and a sweep of FallbackClassifier thresholds.

The folds are trained WITHOUT the FallbackClassifier and its decision is replayed on
the saved confidences (the classifier only looks at the top two confidences), so one
cross-validation run gives the results for every threshold: that sweep is the evidence
for the threshold chosen in config.yml.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot import ROOT
from bot.settings import settings

FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
TARGET_MACRO_F1 = 0.92
TARGET_OOS_RECALL = 0.85
# Cost of each outcome, for picking the threshold: answering the wrong question (or an
# out-of-scope one as if it were in scope) misleads a parent; "could you say it another
# way?" only costs them one more turn. A declined out-of-scope question costs nothing.
COST_WRONG_ANSWER = 1.0
COST_NEEDLESS_FALLBACK = 0.5


@dataclass
class Prediction:
    text: str
    intent: str
    top: str
    confidence: float
    runner_up: float  # confidence of the second intent (0 when there is none)

    def predicted(self, threshold: float, ambiguity: float) -> str:
        """The intent after Rasa's FallbackClassifier with these settings."""
        if self.confidence < threshold or self.confidence - self.runner_up < ambiguity:
            return FALLBACK
        return self.top


def fallback_settings(config: dict) -> tuple[float, float]:
    for component in config["pipeline"]:
        if component["name"] == "FallbackClassifier":
            return float(component.get("threshold", 0.3)), float(
                component.get("ambiguity_threshold", 0.1)
            )
    return 0.0, 0.0


def without_fallback(config: dict) -> dict:
    pipeline = [c for c in config["pipeline"] if c["name"] != "FallbackClassifier"]
    return {**config, "pipeline": pipeline}


def quiet_rasa() -> None:
    """Progress lines only: no per-message debug logs, no library deprecation noise."""
    import warnings

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    warnings.filterwarnings("ignore")


def load_nlu_data() -> Any:
    """Every NLU example in data/, as `rasa train` reads it."""
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    return importer.get_nlu_data()


def train_and_parse(
    data: Any, train: Sequence, held_out: Sequence, config_path: Path, workdir: Path, name: str
) -> list[Prediction]:
    """Trains the NLU pipeline of `config_path` on the `train` examples of `data` and
    parses each `held_out` example with that model."""
    import rasa.model_training
    from rasa.core.agent import Agent
    from rasa.core.channels import UserMessage
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data_path = workdir / f"{name}.yml"
    RasaYAMLWriter().dump(
        data_path,
        TrainingData(
            training_examples=list(train),
            entity_synonyms=data.entity_synonyms,
            regex_features=data.regex_features,
            lookup_tables=data.lookup_tables,
        ),
    )
    model = rasa.model_training.train_nlu(
        str(config_path), str(data_path), str(workdir / "models"), fixed_model_name=name
    )
    processor = Agent.load(model).processor
    predictions = []
    for example in held_out:
        parsed = asyncio.run(
            processor.parse_message(UserMessage(example.get("text")), only_output_properties=False)
        )
        ranking = parsed.get("intent_ranking") or [parsed["intent"]]
        predictions.append(
            Prediction(
                text=example.get("text"),
                intent=example.get("intent"),
                top=ranking[0]["name"],
                confidence=float(ranking[0]["confidence"]),
                runner_up=float(ranking[1]["confidence"]) if len(ranking) > 1 else 0.0,
            )
        )
    return predictions


def cross_validate(folds: int, seed: int, config: dict) -> list[Prediction]:
    """Trains `folds` NLU models and parses each held-out fold with its model."""
    import rasa.shared.utils.io
    from sklearn.model_selection import StratifiedKFold

    nlu_data = load_nlu_data()
    examples = nlu_data.intent_examples
    labels = [e.get("intent") for e in examples]
    print(f"==> {len(examples)} examples, {len(set(labels))} intents, {folds} folds", flush=True)

    predictions: list[Prediction] = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    with tempfile.TemporaryDirectory(prefix="iep-eval-") as tmp:
        config_path = Path(tmp) / "config.yml"
        rasa.shared.utils.io.write_yaml(without_fallback(config), config_path)
        for fold, (train_idx, test_idx) in enumerate(splitter.split(examples, labels), 1):
            started = time.monotonic()
            print(f"==> fold {fold}/{folds}: training on {len(train_idx)} examples", flush=True)
            held_out = [examples[i] for i in test_idx]
            predictions += train_and_parse(
                nlu_data,
                [examples[i] for i in train_idx],
                held_out,
                config_path,
                Path(tmp),
                f"fold{fold}",
            )
            fold_rows = predictions[-len(held_out) :]
            right = sum(p.top == p.intent for p in fold_rows)
            print(
                f"    fold {fold}/{folds}: {right}/{len(held_out)} held-out examples "
                f"right ({time.monotonic() - started:.0f}s)",
                flush=True,
            )
    return predictions


def metrics(
    predictions: Sequence[Prediction], threshold: float, ambiguity: float
) -> dict[str, float]:
    from sklearn.metrics import f1_score

    truth = [p.intent for p in predictions]
    guess = [p.predicted(threshold, ambiguity) for p in predictions]
    labels = sorted(set(truth))
    oos_true = [g for t, g in zip(truth, guess, strict=True) if t == OUT_OF_SCOPE]
    oos_guessed = [t for t, g in zip(truth, guess, strict=True) if g == OUT_OF_SCOPE]
    in_scope = [(t, g) for t, g in zip(truth, guess, strict=True) if t != OUT_OF_SCOPE]
    wrong = sum(g not in (t, FALLBACK) for t, g in in_scope) + sum(
        g not in (OUT_OF_SCOPE, FALLBACK) for g in oos_true
    )
    needless = sum(g == FALLBACK for t, g in in_scope)
    return {
        "threshold": threshold,
        "accuracy": sum(t == g for t, g in zip(truth, guess, strict=True)) / len(truth),
        # nlu_fallback is not a label: a fallback counts as a miss for the true intent.
        "macro_f1": f1_score(truth, guess, labels=labels, average="macro", zero_division=0),
        "oos_recall": oos_true.count(OUT_OF_SCOPE) / max(len(oos_true), 1),
        "oos_precision": oos_guessed.count(OUT_OF_SCOPE) / max(len(oos_guessed), 1),
        # Declined = out_of_scope or "please say it another way": never answered.
        "oos_declined": sum(g in (OUT_OF_SCOPE, FALLBACK) for g in oos_true)
        / max(len(oos_true), 1),
        "wrong_answers": wrong,
        "fallbacks_in_scope": needless,
        "cost": COST_WRONG_ANSWER * wrong + COST_NEEDLESS_FALLBACK * needless,
    }


def write_confusion_matrix(
    predictions: Sequence[Prediction], threshold: float, ambiguity: float, out: Path
) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    from rasa.utils.plotting import plot_confusion_matrix
    from sklearn.metrics import confusion_matrix

    truth = [p.intent for p in predictions]
    guess = [p.predicted(threshold, ambiguity) for p in predictions]
    labels = sorted(set(truth) | set(guess))
    path = out / "confusion_matrix.png"
    plot_confusion_matrix(
        confusion_matrix(truth, guess, labels=labels),
        classes=labels,
        title="Intent confusion matrix (held-out folds)",
        output_file=str(path),
    )
    return path


def write_errors(
    predictions: Sequence[Prediction], threshold: float, ambiguity: float, out: Path
) -> Path:
    path = out / "errors.txt"
    lines = [
        f"{p.intent:24} -> {p.predicted(threshold, ambiguity):24} {p.confidence:.2f}  {p.text}"
        for p in sorted(predictions, key=lambda p: (p.intent, p.text))
        if p.predicted(threshold, ambiguity) != p.intent
    ]
    path.write_text(
        "true intent              -> predicted (after fallback)   conf  text\n"
        + "\n".join(lines)
        + "\n",
        encoding="utf-8",
    )
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=settings().results_dir / "nlu_eval")
    parser.add_argument(
        "--config",
        default="config.yml",
        help="pipeline to evaluate (to compare a candidate with config.yml)",
    )
    args = parser.parse_args(argv)

    os.chdir(ROOT)  # config.yml names the spaCy pipeline by a path relative to the repo
    quiet_rasa()
    import rasa.shared.utils.io

    config = rasa.shared.utils.io.read_config_file(str(ROOT / args.config))
    threshold, ambiguity = fallback_settings(config)
    out = ROOT / args.out  # relative to the repository, whatever the working folder
    out.mkdir(parents=True, exist_ok=True)

    predictions = cross_validate(args.folds, args.seed, config)
    current = metrics(predictions, threshold, ambiguity)
    sweep = [metrics(predictions, t / 100, ambiguity) for t in range(0, 95, 5)]
    best = min(sweep, key=lambda m: (m["cost"], -m["threshold"]))

    print(
        f"\n==> Fallback threshold sweep (ambiguity_threshold {ambiguity}); cost = "
        f"{COST_WRONG_ANSWER:g} x wrong answers + {COST_NEEDLESS_FALLBACK:g} x "
        "in-scope fallbacks"
    )
    print("threshold  accuracy  macro-F1  oos-recall  oos-declined  wrong  fallbacks  cost")
    for m in sweep:
        mark = "  <- lowest cost" if m is best else ""
        mark += f"  <- {args.config}" if abs(m["threshold"] - threshold) < 1e-9 else ""
        print(
            f"{m['threshold']:9.2f}  {m['accuracy']:8.3f}  {m['macro_f1']:8.3f}  "
            f"{m['oos_recall']:10.3f}  {m['oos_declined']:12.3f}  {m['wrong_answers']:5d}  "
            f"{m['fallbacks_in_scope']:9d}  {m['cost']:5.1f}{mark}"
        )

    pairs = [
        (a / 100, metrics(predictions, t / 100, a / 100))
        for t in range(0, 95, 5)
        for a in (0, 5, 10, 15)
    ]
    best_ambiguity, best_pair = min(pairs, key=lambda p: (p[1]["cost"], -p[1]["threshold"]))
    print(
        f"    lowest cost over threshold x ambiguity_threshold (0-0.15): threshold "
        f"{best_pair['threshold']:.2f}, ambiguity {best_ambiguity:.2f} "
        f"(cost {best_pair['cost']:.1f}, macro-F1 {best_pair['macro_f1']:.3f})"
    )

    image = write_confusion_matrix(predictions, threshold, ambiguity, out)
    errors = write_errors(predictions, threshold, ambiguity, out)
    (out / "report.json").write_text(
        json.dumps(
            {
                "folds": args.folds,
                "seed": args.seed,
                "fallback_threshold": threshold,
                "ambiguity_threshold": ambiguity,
                "at_config": current,
                "sweep": sweep,
                "predictions": [asdict(p) for p in predictions],
            },
            indent=1,
        ),
        encoding="utf-8",
    )

    ok = current["macro_f1"] >= TARGET_MACRO_F1 and current["oos_recall"] >= TARGET_OOS_RECALL
    print(
        f"\n==> Held-out results with {args.config} (FallbackClassifier threshold {threshold}, "
        f"ambiguity {ambiguity}), {len(predictions)} examples, {args.folds} folds:"
    )
    print(f"    intent accuracy        {current['accuracy']:.3f}")
    print(f"    macro-F1               {current['macro_f1']:.3f}   (target >= {TARGET_MACRO_F1})")
    print(
        f"    out_of_scope recall    {current['oos_recall']:.3f}   "
        f"(target >= {TARGET_OOS_RECALL}; declined incl. fallback: "
        f"{current['oos_declined']:.3f})"
    )
    print(f"    out_of_scope precision {current['oos_precision']:.3f}")
    print(f"    confusion matrix       {os.path.relpath(image, ROOT)}")
    print(f"    misclassified examples {os.path.relpath(errors, ROOT)}")
    print(f"==> {'Targets met.' if ok else 'TARGETS MISSED.'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
