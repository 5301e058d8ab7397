"""``POST /v1/embed`` as the Go port implements it, and its text pipeline.

Request ``{"texts": [str], "model": str}``, answer
``{"vectors": [[float]], "dimension": int, "model": str}``.

Habits imitated, and the divergences they explain:

- **Pre-processing**: ``strings.TrimSpace``, ``strings.ToLower`` (rune by
  rune, Unicode *simple* case mapping: ``İ`` becomes ``i``, ``Σ`` is always
  ``σ``), then ``text[:512]``, the first :data:`MAX_INPUT_BYTES` *bytes*,
  which can cut a UTF-8 sequence in two; the broken tail reaches the model as
  U+FFFD (``json.Marshal`` coerces invalid UTF-8). No NFC step: Go's standard
  library has none.
- **Post-processing**: none. The model's float64 answer is decoded into
  ``[]float32`` and written back from float32 (shortest float32 digits), so the
  vector keeps the model's raw norm (about 20-23) and a zero vector stays zeros.
- **encoding/json reads the request**: ``texts: null`` or a missing ``texts``
  is an empty list, and an empty list is a 400 (``texts must not be empty``);
  a ``null`` item is ``""`` (embedded as the zero vector), a missing or empty
  ``model`` means the default; a wrong type is a 400.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from lakehouse_samples import model
from lakehouse_samples.go_style._http_wire import (
    APIError,
    decode_body,
    encode,
    read_string,
    read_strings,
    read_struct,
)

__all__ = [
    "MAX_BATCH",
    "MAX_INPUT_BYTES",
    "embed_texts",
    "float32_values",
    "handle_embed",
    "prepare",
]

MAX_INPUT_BYTES = 512
MAX_BATCH = 256
SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def to_lower(text: str) -> str:
    """``strings.ToLower``: ``unicode.ToLower`` on each rune (simple mapping, no context).

    >>> to_lower("İSTANBUL ΟΔΟΣ")
    'istanbul οδοσ'
    """
    # str.lower() of one character is its full mapping; only U+0130 maps to two
    # characters, and the first of them is the simple mapping.
    return "".join(char.lower()[0] for char in text)


def prepare(text: str) -> str:
    """The text the Go port hands to the model.

    >>> prepare("é" * 300) == "é" * 256
    True
    """
    cut = to_lower(text.strip(SPACE)).encode("utf-8", "surrogatepass")[:MAX_INPUT_BYTES]
    return cut.decode("utf-8", "replace")


def embed_texts(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """The model's raw vectors as ``[][]float32``."""
    raw = np.array(model.embed_many(prepare(text) for text in texts), dtype=np.float32)
    return raw.reshape(len(texts), model.DIMENSIONS)


def float32_values(values: npt.NDArray[np.float32]) -> list[float]:
    """float32 values as Go writes them: the shortest digits that read back as that float32."""
    return [float(text) for text in values.astype(str).ravel()]


def handle_embed(raw: bytes) -> tuple[int, bytes]:
    """Status and body for one request body."""
    struct = "embed.EmbedRequest"
    try:
        request = read_struct(decode_body(raw), struct)
        texts = read_strings(request, struct, "texts")
        model_name = read_string(request, struct, "model") or model.MODEL_NAME
        if model_name != model.MODEL_NAME:
            raise APIError(400, "schema", "model", f'unknown model "{model_name}"')
        if not texts:
            raise APIError(400, "schema", "texts", "texts must not be empty")
        if len(texts) > MAX_BATCH:
            raise APIError(400, "schema", "texts", f"at most {MAX_BATCH} texts per request")
    except APIError as error:
        return error.status, error.body()
    vectors = embed_texts(texts)
    rows = [float32_values(row) for row in vectors]
    return 200, encode({"vectors": rows, "dimension": len(rows[0]), "model": model_name})
