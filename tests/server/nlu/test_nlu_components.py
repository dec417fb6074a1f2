"""The project's NLU components (bot/server/nlu/): the sentence model and the intent classifier,
run for real (the packaged MiniLM weights, a real Rasa training run)."""

import asyncio
import textwrap

import numpy as np
import pytest

from bot import ROOT
from bot.nlp.minilm import shared_encoder
from bot.nlp.minilm_onnx import model_dir
from tests.nlp.minilm_reference import hidden_states


def test_sentences_that_mean_the_same_are_closer_than_unrelated_ones():
    bus, transport, weather = shared_encoder().encode(
        [
            "can my son ride the bus to school",
            "is transportation one of the services in his IEP",
            "what will the weather be like tomorrow",
        ]
    )
    assert float(bus @ transport) > float(bus @ weather) + 0.15


def test_a_message_gets_the_same_vector_alone_or_next_to_a_long_one():
    # Batches are padded to their longest text; padding must not leak into the meaning.
    alone = shared_encoder().encode(["esy??"])[0]
    batched = shared_encoder().encode(
        [
            "esy??",
            "my daughter has had an IEP since kindergarten and every summer she "
            "forgets how to read, so what can the school do for her over the break",
        ]
    )[0]
    assert np.allclose(alone, batched, atol=1e-5)
    assert float(np.linalg.norm(alone)) == pytest.approx(1.0, abs=1e-5)


def test_the_onnx_graph_computes_the_same_vectors_as_the_plain_numpy_model():
    # The graph is written by hand (bot/nlp/minilm_onnx.py); one wrong op would still give
    # unit vectors, just meaningless ones. Compare with the model's maths done step by step.
    encoder = shared_encoder()
    texts = ["what is esy??", "she loves drawing and is so kind to her little brother"]
    ids, mask = encoder.tokenize(texts)
    reference = hidden_states(model_dir(), ids, mask)
    pooled = (reference * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    assert np.allclose(encoder.encode(texts), pooled, atol=1e-4)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """Our NLU pipeline trained by Rasa on three small intents, saved and loaded back."""
    import rasa.model_training

    folder = tmp_path_factory.mktemp("tiny-nlu")
    (folder / "config.yml").write_text(
        textwrap.dedent(f"""\
        recipe: default.v1
        language: en
        assistant_id: tiny
        pipeline:
          - name: SpacyNLP
            model: {ROOT / "var/spacy/iep_en"}
          - name: SpacyTokenizer
          - name: RegexFeaturizer
          - name: bot.server.nlu.minilm_featurizer.MiniLMFeaturizer
          - name: bot.server.nlu.linear_classifier.LinearIntentClassifier
          - name: FallbackClassifier
            threshold: 0.3
        """)
    )
    (folder / "nlu.yml").write_text(
        textwrap.dedent("""\
        version: "3.1"
        nlu:
        - intent: ask_transportation
          examples: |
            - does the school have to drive my kid
            - is the bus part of the iep
            - transportation services
            - can they give him a ride to school
            - who takes my daughter to her program
            - special transportation
        - intent: ask_esy
          examples: |
            - what is esy
            - extended school year
            - summer services so she doesn't lose skills
            - will my son get help over the summer
            - does the iep cover july and august
            - summer regression
        - intent: out_of_scope
          examples: |
            - what's for lunch today
            - is school closed for snow
            - help me with fractions homework
            - how much tylenol can a 7 year old take
            - who won the game last night
            - what time does the pharmacy close
        """)
    )
    model = rasa.model_training.train_nlu(
        str(folder / "config.yml"),
        str(folder / "nlu.yml"),
        str(folder / "models"),
        fixed_model_name="tiny",
    )
    from rasa.core.agent import Agent

    return Agent.load(model)


def parse(agent, text):
    return asyncio.run(agent.parse_message(text))


def test_an_unseen_wording_reaches_its_topic(tiny_model):
    assert (
        parse(tiny_model, "will the school bus pick him up at home")["intent"]["name"]
        == "ask_transportation"
    )
    assert parse(tiny_model, "esy?? whats that")["intent"]["name"] == "ask_esy"
    assert parse(tiny_model, "is the library open on sunday")["intent"]["name"] == "out_of_scope"


def test_the_ranking_is_ordered_and_adds_up(tiny_model):
    result = parse(tiny_model, "summer help for my daughter")
    confidences = [entry["confidence"] for entry in result["intent_ranking"]]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0, abs=1e-6)
    assert result["intent"]["name"] == result["intent_ranking"][0]["name"]


def test_fast_probabilities_equal_scikit_learns():
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    from bot.server.nlu.linear_classifier import LinearIntentClassifier

    rng = np.random.default_rng(7)
    features = sp.random(60, 500, density=0.05, format="csr", random_state=7)
    labels = rng.choice(["ask_esy", "ask_idea", "greet", "out_of_scope"], size=60)
    fitted = LogisticRegression(C=50, max_iter=2000).fit(features, labels)
    classifier = LinearIntentClassifier({}, None, None, {"classifier": fitted})
    assert np.allclose(classifier._probabilities(features), fitted.predict_proba(features))


def test_one_message_scoring_gives_the_same_ranking_as_the_batch_path(tmp_path):
    # The server scores one message at a time without scikit-learn's transform; it must
    # give the numbers the batch path (used in training and `make eval`) gives.
    import scipy.sparse as sp
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.server.nlu.linear_classifier import LinearIntentClassifier

    rng = np.random.default_rng(3)

    def message(text, intent=None):
        m = Message(data={"text": text, **({"intent": intent} if intent else {})})
        m.add_features(
            Features(
                rng.normal(0, 0.1, size=(1, 8)).astype(np.float32),
                "sentence",
                "text",
                "MiniLMFeaturizer",
            )
        )
        m.add_features(
            Features(
                sp.coo_matrix(rng.integers(0, 2, size=(1, 3)).astype(float)),
                "sentence",
                "text",
                "RegexFeaturizer",
            )
        )
        return m

    examples = [
        ("what is esy", "ask_esy"),
        ("extended school year services", "ask_esy"),
        ("summer help so he keeps his skills", "ask_esy"),
        ("is the bus part of the IEP", "ask_bus"),
        ("who drives my kid", "ask_bus"),
        ("transportation to school", "ask_bus"),
        ("hello there", "greet"),
        ("hi!", "greet"),
        ("good morning", "greet"),
    ]
    classifier = LinearIntentClassifier({}, LocalModelStorage(tmp_path), Resource("clf"))
    classifier.train(TrainingData([message(t, i) for t, i in examples]))
    for text in ["esy??", "does the bus come to our house", "hiya", "zzz", "", "Summer SUMMER"]:
        one = message(text)
        batch = classifier._probabilities(classifier._features([one]))[0]
        assert np.allclose(classifier._one_message_probabilities(one), batch, atol=1e-12)
    processed = classifier.process([message("who drives the bus")])[0]
    assert processed.get("intent")["name"] == "ask_bus"
