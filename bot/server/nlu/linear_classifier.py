"""Rasa intent classifier: logistic regression over n-grams and the sentence embedding.

Measured by `make eval` (3-fold cross-validation) against DIET on the same data: it is
more accurate here (a few thousand short examples, 44 intents) and trains in seconds
instead of ten minutes, and the server needs no TensorFlow model to answer.

Features, all for the whole message:
- TF-IDF word 1-2 grams: the parent's exact words ("stay put", "annual review");
- TF-IDF character 2-5 grams within words: typos and word forms ("evalution", "ieps");
- the dense sentence features of the featurizers before it (MiniLMFeaturizer), scaled
  by `dense_weight` so meaning counts as much as wording;
- the sparse sentence features before it (RegexFeaturizer: the topic lookup tables).
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH

logger = logging.getLogger(__name__)
# Rasa warns that lookup tables need DIET or CRF; this classifier reads the lookup-table
# features that RegexFeaturizer adds, so the warning would only mislead.
warnings.filterwarnings(
    "ignore", message="You have defined training data consisting of lookup tables"
)
FILE = "linear_intent_classifier.joblib"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 50.0,  # inverse regularisation; chosen with `make eval` (10, 20, 30, 50, 100)
            "dense_weight": 2.0,
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 5],
            "max_iter": 3000,
            RANKING_LENGTH: LABEL_RANKING_LENGTH,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: dict[str, Any] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model  # {"words", "chars", "classifier"} once trained
        self._weights: np.ndarray | None = None
        self._blocks: list[_TfidfBlock] | None = None

    @property
    def _fitted(self) -> dict[str, Any]:
        """The trained model, for the helpers that run only once there is one."""
        if self.model is None:
            raise RuntimeError(f"{type(self).__name__} is not trained")
        return self.model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def _features(self, messages: list[Message]) -> sp.csr_matrix:
        texts = [m.get(TEXT) or "" for m in messages]
        blocks = [self._fitted["words"].transform(texts), self._fitted["chars"].transform(texts)]
        dense = [self._sentence_features(m, sparse=False) for m in messages]
        if dense[0] is not None:
            blocks.append(sp.csr_matrix(np.vstack(dense) * self.config["dense_weight"]))
        extra = [self._sentence_features(m, sparse=True) for m in messages]
        if extra[0] is not None:
            blocks.append(sp.vstack(extra))
        return sp.hstack(blocks).tocsr()

    @staticmethod
    def _sentence_features(message: Message, sparse: bool) -> Any:
        if sparse:
            _, sentence = message.get_sparse_features(TEXT)
        else:
            _, sentence = message.get_dense_features(TEXT)
        if sentence is None:
            return None
        return sp.csr_matrix(sentence.features) if sparse else np.asarray(sentence.features)

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug("No intent examples: %s is not trained.", type(self).__name__)
            return self._resource
        texts = [e.get(TEXT) for e in examples]
        low, high = self.config["word_ngrams"]
        words = TfidfVectorizer(ngram_range=(low, high), sublinear_tf=True).fit(texts)
        low, high = self.config["char_ngrams"]
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(low, high), sublinear_tf=True).fit(
            texts
        )
        # Balanced weights: out_of_scope has ~4x the examples of a topic; without them
        # the model would lean towards it whenever it is unsure.
        classifier = LogisticRegression(
            C=self.config["C"], max_iter=self.config["max_iter"], class_weight="balanced"
        )
        self.model = {"words": words, "chars": chars, "classifier": classifier}
        classifier.fit(self._features(examples), [e.get(INTENT) for e in examples])
        self.persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages  # untrained (no NLU data): leave intents to other components
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return messages
        if len(with_text) == 1 and len(self.model["classifier"].classes_) > 2:
            probabilities = self._one_message_probabilities(with_text[0])[None, :]
        else:
            probabilities = self._probabilities(self._features(with_text))
        names = self.model["classifier"].classes_
        for message, row in zip(with_text, probabilities, strict=True):
            ranking = [
                {"name": str(names[i]), "confidence": float(row[i])} for i in np.argsort(-row)
            ]
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def _one_message_probabilities(self, message: Message) -> np.ndarray:
        """The same numbers as `_probabilities(_features([message]))`, for the server's
        one message at a time, without building sparse matrices.

        scikit-learn's TF-IDF `transform` re-checks the fitted model and rebuilds the IDF
        diagonal on every call, and scipy stacks the blocks into a new matrix: about
        1.5 ms of Python per message, on the NLU thread, holding the interpreter lock
        the event loop needs. Here each block's weighted n-grams pick their rows of the
        weight matrix directly (a few hundred numbers)."""
        from scipy.special import softmax

        weights = self._weight_matrix()
        if self._blocks is None:
            self._blocks = [_TfidfBlock(self._fitted[name]) for name in ("words", "chars")]
        logits = self._fitted["classifier"].intercept_.copy()
        offset = 0
        text = message.get(TEXT) or ""
        for block in self._blocks:
            columns, values = block(text)
            if len(columns):
                logits += values @ weights[offset + columns]
            offset += block.width
        dense = self._sentence_features(message, sparse=False)
        if dense is not None:
            dense = dense.reshape(-1) * self.config["dense_weight"]
            logits += dense @ weights[offset : offset + dense.size]
            offset += dense.size
        extra = self._sentence_features(message, sparse=True)
        if extra is not None:
            logits += np.asarray(extra @ weights[offset : offset + extra.shape[1]]).ravel()
        return softmax(logits)

    def _weight_matrix(self) -> np.ndarray:
        if self._weights is None:
            self._weights = np.ascontiguousarray(self._fitted["classifier"].coef_.T)
        return self._weights

    def _probabilities(self, features: sp.csr_matrix) -> np.ndarray:
        """predict_proba's multinomial softmax, without its per-call weight copy.

        sklearn multiplies the sparse row by coef_.T, a transposed view that scipy copies
        (28k x 44 numbers) on every message: 2.7 ms of a turn. A contiguous copy made
        once gives the same numbers in 0.04 ms.
        """
        from scipy.special import softmax

        classifier = self._fitted["classifier"]
        if len(classifier.classes_) <= 2:  # binary models use a different link
            return classifier.predict_proba(features)
        return softmax(np.asarray(features @ self._weight_matrix()) + classifier.intercept_, axis=1)

    def persist(self) -> None:
        import joblib

        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self.model, directory / FILE)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        import joblib

        try:
            with model_storage.read_from(resource) as directory:
                # Our own training output, inside the model archive Rasa already trusts.
                model = joblib.load(directory / FILE)
        except (ValueError, FileNotFoundError):
            logger.debug("No trained %s in the model; it will not classify.", cls.__name__)
            model = None
        return cls(config, model_storage, resource, model)


class _TfidfBlock:
    """A fitted TfidfVectorizer's `transform` for one text, as (columns, values): counts
    of known n-grams, 1 + log(count) when sublinear, times IDF, scaled to unit length.
    (`idf_` is rebuilt on every access, so it is read once here.)"""

    def __init__(self, vectorizer: Any) -> None:
        assert vectorizer.norm == "l2" and vectorizer.use_idf and not vectorizer.binary
        self.analyzer = vectorizer.build_analyzer()
        self.vocabulary = vectorizer.vocabulary_
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self.sublinear = vectorizer.sublinear_tf
        self.width = len(self.vocabulary)

    def __call__(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        for gram in self.analyzer(text):
            column = self.vocabulary.get(gram)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear:
            values = np.log(values) + 1.0
        values *= self.idf[columns]
        length = np.sqrt(values @ values)
        return columns, values / length if length else values
