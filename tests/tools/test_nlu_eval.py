"""make eval's scoring: the FallbackClassifier replay and the out-of-scope numbers."""

import pytest

from bot.tools.nlu_eval import FALLBACK, Prediction, fallback_settings, metrics, without_fallback


def p(intent, top, confidence, runner_up=0.0):
    return Prediction(
        text="...", intent=intent, top=top, confidence=confidence, runner_up=runner_up
    )


def test_replay_matches_the_fallback_classifier_rules():
    assert p("ask_esy", "ask_esy", 0.40).predicted(0.5, 0.1) == FALLBACK  # too unsure
    assert p("ask_esy", "ask_esy", 0.60, 0.55).predicted(0.5, 0.1) == FALLBACK  # ambiguous
    assert p("ask_esy", "ask_esy", 0.60, 0.40).predicted(0.5, 0.1) == "ask_esy"


def test_out_of_scope_recall_precision_and_declines():
    predictions = [
        p("out_of_scope", "out_of_scope", 0.9),  # declined as out of scope
        p("out_of_scope", "ask_esy", 0.3),  # falls back: declined, but not recalled
        p("out_of_scope", "ask_esy", 0.9),  # answered as if in scope: the harm
        p("ask_esy", "out_of_scope", 0.9),  # in-scope question refused
        p("ask_esy", "ask_esy", 0.9),
    ]
    m = metrics(predictions, threshold=0.5, ambiguity=0.0)
    assert m["oos_recall"] == pytest.approx(1 / 3)
    assert m["oos_declined"] == pytest.approx(2 / 3)
    assert m["oos_precision"] == pytest.approx(1 / 2)
    assert m["wrong_answers"] == 2 and m["fallbacks_in_scope"] == 0
    assert m["accuracy"] == pytest.approx(2 / 5)


def test_a_fallback_is_a_miss_not_a_label_in_macro_f1():
    predictions = [
        p("ask_esy", "ask_esy", 0.9),
        p("ask_esy", "ask_esy", 0.2),
        p("ask_idea", "ask_idea", 0.9),
    ]
    m = metrics(predictions, threshold=0.5, ambiguity=0.0)
    assert m["fallbacks_in_scope"] == 1
    assert m["macro_f1"] == pytest.approx((2 / 3 + 1.0) / 2)


def test_folds_are_trained_without_the_fallback_classifier():
    config = {
        "pipeline": [
            {"name": "DIETClassifier"},
            {"name": "FallbackClassifier", "threshold": 0.6, "ambiguity_threshold": 0.05},
        ]
    }
    assert fallback_settings(config) == (0.6, 0.05)
    assert [c["name"] for c in without_fallback(config)["pipeline"]] == ["DIETClassifier"]
