"""``POST /ai/embed`` as the Rust gateway implements it, and its text pipeline.

Request ``{"texts": [str], "model": str}``, answer
``{"embeddings": [[float]], "dimensions": int, "model": str}``.

Habits imitated, and the divergences they explain:

- **Pre-processing** (before calling the model): ``str::trim``, NFC
  normalisation (the ``unicode-normalization`` crate), ``str::to_lowercase``
  (full Unicode mapping: ``İ`` becomes ``i̇``, a final ``Σ`` becomes ``ς``),
  then the first :data:`MAX_INPUT_CHARS` *characters*. Go skips NFC (a text in
  NFD tokenises differently), lower-cases rune by rune and cuts bytes.
- **Post-processing in f64**: every vector is divided by its L2 norm. A text
  without any word character embeds to the zero vector, ``0.0 / 0.0`` is NaN,
  and serde_json writes NaN as ``null``: the answer holds a vector of nulls
  where Go answers zeros.
- **serde reads the request**: ``texts`` is a required ``Vec<String>`` (a
  ``null`` item is a type error, 422), ``model`` defaults to
  ``hashembed-v1`` when absent but ``""`` is an unknown model; an empty
  ``texts`` list is fine and answers no embeddings.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from lakehouse_samples import model
from lakehouse_samples.rust_style._http_wire import (
    ApiError,
    decode_body,
    encode,
    read_str,
    read_str_list,
    schema_error,
    serde_type,
    trim,
)

__all__ = ["MAX_BATCH", "MAX_INPUT_CHARS", "embed_texts", "handle_embed", "prepare"]

MAX_INPUT_CHARS = 512
MAX_BATCH = 256


def prepare(text: str) -> str:
    """The text the gateway hands to the model.

    >>> prepare("  Ωmega ΟΔΟΣ  ")
    'ωmega οδος'
    """
    return unicodedata.normalize("NFC", trim(text)).lower()[:MAX_INPUT_CHARS]


def embed_texts(texts: Sequence[str]) -> npt.NDArray[np.float64]:
    """Unit vectors (rows) in f64; the zero vector becomes NaN, as ``v / norm`` does in Rust."""
    raw = np.array(model.embed_many(prepare(text) for text in texts), dtype=np.float64)
    raw = raw.reshape(len(texts), model.DIMENSIONS)
    norms = np.linalg.norm(raw, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit: npt.NDArray[np.float64] = raw / norms
    return unit


def handle_embed(raw: bytes) -> tuple[int, bytes]:
    """Status and body for one request body."""
    try:
        request = decode_body(raw)
        if not isinstance(request, dict):
            raise schema_error(
                "", f"invalid type: {serde_type(request)}, expected struct EmbedRequest"
            )
        texts = read_str_list(request, "texts")
        model_name = read_str(request, "model", default=model.MODEL_NAME)
        if model_name != model.MODEL_NAME:
            raise ApiError(422, "UnknownModel", model=model_name)
        if len(texts) > MAX_BATCH:
            raise ApiError(422, "BatchTooLarge", max=MAX_BATCH, got=len(texts))
    except ApiError as error:
        return error.status, error.body()
    vectors = embed_texts(texts)
    answer = {"embeddings": vectors.tolist(), "dimensions": model.DIMENSIONS, "model": model_name}
    return 200, encode(answer)
