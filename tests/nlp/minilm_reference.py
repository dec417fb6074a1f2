"""The MiniLM forward pass written plainly in NumPy, straight from the BERT paper's maths:
the reference bot/nlp/minilm_onnx.py's graph is checked against (slow; tests only)."""

import json
from pathlib import Path

import numpy as np
from scipy.special import erf

from bot.nlp.minilm_onnx import load_weights


def hidden_states(path: Path, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    w = load_weights(path)
    heads, eps = int(config["num_attention_heads"]), float(config["layer_norm_eps"])
    batch, length = ids.shape
    hidden = w["embeddings.word_embeddings.weight"].shape[1]
    head = hidden // heads

    def norm(x, name):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + eps) * w[f"{name}.weight"] + w[f"{name}.bias"]

    def linear(x, name):
        return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]

    def split(t):
        return t.reshape(batch, length, heads, head).transpose(0, 2, 1, 3)

    x = norm(
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:length][None]
        + w["embeddings.token_type_embeddings.weight"][0],
        "embeddings.LayerNorm",
    )
    padding = (1.0 - mask)[:, None, None, :] * -1e9
    for layer in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{layer}."
        q, k, v = (split(linear(x, p + f"attention.self.{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + padding
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        attended = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        x = norm(
            x + linear(attended, p + "attention.output.dense"), p + "attention.output.LayerNorm"
        )
        inner = linear(x, p + "intermediate.dense")
        inner = 0.5 * inner * (1.0 + erf(inner / np.sqrt(2.0)))
        x = norm(x + linear(inner, p + "output.dense"), p + "output.LayerNorm")
    return x
