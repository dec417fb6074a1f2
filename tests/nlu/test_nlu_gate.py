"""A gate on understanding, run by `make test` (alone: `pytest -m nlu`, about 1-2 min).

Trains the NLU pipeline of config.yml on a fixed three quarters of data/ (the same
code as `make eval`, bot/tools/nlu_eval.py), parses the held-out quarter and fails if
macro-F1 or out-of-scope recall is more than TOLERANCE below the values recorded in
tests/nlu/baseline.json. An example is held out by a hash of its own text, so the split
is the same on every machine and run, and adding an example never moves the others.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from bot import ROOT

BASELINE = Path(__file__).with_name("baseline.json")
TOLERANCE = 0.02
HOLD_OUT_EVERY = 4  # a quarter: ~110 out-of-scope examples, so one is worth < 0.01


def held_out(text: str) -> bool:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % HOLD_OUT_EVERY == 0


def test_the_split_depends_only_on_each_examples_text():
    texts = [f"example {i}" for i in range(2000)]
    chosen = [t for t in texts if held_out(t)]
    assert chosen == [t for t in reversed(texts) if held_out(t)][::-1]
    assert 0.2 < len(chosen) / len(texts) < 0.3


@pytest.mark.nlu
def test_understanding_is_not_worse_than_recorded(tmp_path, monkeypatch, capsys):
    import rasa.shared.utils.io

    from bot.tools.nlu_eval import (
        fallback_settings,
        load_nlu_data,
        metrics,
        quiet_rasa,
        train_and_parse,
        without_fallback,
        write_errors,
    )

    monkeypatch.chdir(ROOT)  # config.yml names the spaCy pipeline by a relative path
    quiet_rasa()
    recorded = json.loads(BASELINE.read_text(encoding="utf-8"))
    config = rasa.shared.utils.io.read_config_file(str(ROOT / "config.yml"))
    threshold, ambiguity = fallback_settings(config)
    config_path = tmp_path / "config.yml"
    rasa.shared.utils.io.write_yaml(without_fallback(config), config_path)
    data = load_nlu_data()
    test = [e for e in data.intent_examples if held_out(e.get("text"))]
    train = [e for e in data.intent_examples if not held_out(e.get("text"))]

    started = time.monotonic()
    with capsys.disabled():
        print(
            f"\n==> NLU gate: training on {len(train)} examples, then parsing the "
            f"{len(test)} held out (fixed split; about a minute on 2 cores)",
            flush=True,
        )
    predictions = train_and_parse(data, train, test, config_path, tmp_path, "gate")
    measured = metrics(predictions, threshold, ambiguity)
    out = ROOT / "results" / "nlu_gate"
    out.mkdir(parents=True, exist_ok=True)
    errors = write_errors(predictions, threshold, ambiguity, out)

    report = []
    for key, label in (("macro_f1", "macro-F1"), ("oos_recall", "out-of-scope recall")):
        floor = recorded[key] - TOLERANCE
        verdict = "ok" if measured[key] >= floor else "BELOW THE FLOOR"
        report.append(
            f"    {label:20} {measured[key]:.3f}  (recorded {recorded[key]:.3f}, "
            f"floor {floor:.3f}) {verdict}"
        )
    with capsys.disabled():
        print(
            "\n".join(report) + f"\n    misclassified: {errors.relative_to(ROOT)} "
            f"({time.monotonic() - started:.0f}s)",
            flush=True,
        )
    assert all(measured[k] >= recorded[k] - TOLERANCE for k in ("macro_f1", "oos_recall")), (
        "Understanding got worse on the fixed held-out split:\n"
        + "\n".join(report)
        + f"\nSee {errors.relative_to(ROOT)}. If the drop is intended, change "
        "tests/nlu/baseline.json in a commit that says why."
    )
