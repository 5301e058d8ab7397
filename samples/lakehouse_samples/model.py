"""The embedding model both sample runtimes call: ``hashembed-v1``.

In the real platform both runtimes send text to one model server; this module
stands for that server, so it is the one piece of behaviour the two sample
runtimes share. Everything around it (cleaning the text, cutting it to length,
normalising, the float width of the answer) is written separately on each side.

The model is a deterministic feature-hashing embedder: the text is split into
word tokens (Unicode ``\\w+`` runs, case kept: a cased model), each token and
each of its boundary-marked character trigrams is hashed with BLAKE2b to one of
:data:`DIMENSIONS` coordinates and a sign, and the signed weights (words 1.0,
trigrams 0.5, times ``1 + ln(count)``) are summed. The sum is scaled by
``TARGET_NORM / sqrt(sum of squared weights)`` so that the raw L2 norm of a
text lands near 21.5 (hash collisions move it a little either way), as the
contract says of the real model. A text
without any word character has no features and embeds to the zero vector.

>>> vector = embed("forklift operator")
>>> len(vector)
256
>>> 19.0 < sum(x * x for x in vector) ** 0.5 < 24.0
True
>>> any(embed("!!!"))
False
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence

__all__ = ["DIMENSIONS", "MODEL_NAME", "TARGET_NORM", "embed", "embed_many", "features", "norm"]

MODEL_NAME = "hashembed-v1"
DIMENSIONS = 256
TARGET_NORM = 21.5

# Trigrams let "forklift" and "forklifts" share most of their features, the way a
# subword model would; they weigh less than whole words.
_WORD_WEIGHT = 1.0
_TRIGRAM_WEIGHT = 0.5

_WORD = re.compile(r"\w+")
_slots: dict[str, tuple[int, float]] = {}


def features(text: str) -> list[tuple[str, float]]:
    """The weighted features of ``text``: its words, then their character trigrams.

    >>> features("Hi")
    [('w:Hi', 1.0), ('t:<Hi', 0.5), ('t:Hi>', 0.5)]
    """
    found: list[tuple[str, float]] = []
    for word in _WORD.findall(text):
        found.append(("w:" + word, _WORD_WEIGHT))
        marked = f"<{word}>"
        found.extend(("t:" + marked[i : i + 3], _TRIGRAM_WEIGHT) for i in range(len(marked) - 2))
    return found


def _slot(feature: str) -> tuple[int, float]:
    # The vocabulary of a corpus repeats a lot, so caching the hash makes
    # indexing thousands of profiles at server start cheap.
    cached = _slots.get(feature)
    if cached is None:
        # surrogatepass: a runtime may hand over a str with lone surrogates; the
        # model must still answer deterministically rather than crash.
        digest = hashlib.blake2b(feature.encode("utf-8", "surrogatepass"), digest_size=8)
        bits = int.from_bytes(digest.digest(), "little")
        cached = (bits % DIMENSIONS, -1.0 if (bits >> 32) & 1 else 1.0)
        _slots[feature] = cached
    return cached


def embed(text: str) -> list[float]:
    """The raw model output for one text: :data:`DIMENSIONS` float64 values."""
    counts: dict[str, float] = {}
    weights: dict[str, float] = {}
    for feature, weight in features(text):
        counts[feature] = counts.get(feature, 0.0) + 1.0
        weights[feature] = weight
    vector = [0.0] * DIMENSIONS
    total = 0.0
    for feature, count in counts.items():
        # Sublinear term frequency: a word said ten times is not ten times the signal,
        # which keeps long, repetitive texts near the same norm as short ones.
        weight = weights[feature] * (1.0 + math.log(count))
        index, sign = _slot(feature)
        vector[index] += sign * weight
        total += weight * weight
    if total == 0.0:
        return vector
    scale = TARGET_NORM / math.sqrt(total)
    return [value * scale for value in vector]


def embed_many(texts: Iterable[str]) -> list[list[float]]:
    """:func:`embed` for a batch, in order."""
    return [embed(text) for text in texts]


def norm(vector: Sequence[float]) -> float:
    """The L2 norm of a vector (for tests and docs)."""
    return math.sqrt(sum(value * value for value in vector))
