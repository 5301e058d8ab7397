"""``POST /v1/matrix/retrieve`` as the Go port implements it.

Request ``{"query": str, "k": int, "exclude_ids": [str]}``, answer
``{"results": [{"id": str, "score": float}, ...]}``, best first, at most ``k``.
The sample ranks exactly (cosine over every worker) instead of walking an HNSW
graph, so differences come from the two ports, not from approximation.

Habits imitated, and the divergences they explain:

- **A float32 matrix** of the model's raw vectors (``[][]float32``) and a
  cosine computed in float32, ``dot / (|a| * |b|)``, with the usual Go guard
  ``if na == 0 || nb == 0 { return 0 }``: a query with no word character
  scores every worker 0 (Rust: NaN, written as ``null``). Near-ties resolve
  differently from Rust's float64 scores.
- **An unstable sort** (``sort.Slice`` is pdqsort; here numpy's introsort):
  workers with equal scores come in no particular order, where Rust orders
  them by id.
- **Top k first, exclusions after**: the handler takes the ``k`` best and then
  drops excluded ids (looked up in a ``map``), so an answer can hold fewer than
  ``k`` results when an excluded worker ranked in the top k.
- **Zero means default**: ``k`` is an ``int`` and an absent ``k`` is 0, so the
  handler cannot tell them apart and ``if req.K == 0 { req.K = 10 }`` makes
  ``k: 0`` answer 10 workers (Rust answers none). A negative ``k`` is a 422;
  ``1.5``, ``1e2`` or ``2**63`` are decode errors (400); the query is not
  checked for emptiness.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import numpy as np

from lakehouse_samples.go_style._http_wire import (
    APIError,
    decode_body,
    encode,
    read_int,
    read_string,
    read_strings,
    read_struct,
)
from lakehouse_samples.go_style.embed import embed_texts, float32_values

__all__ = ["DEFAULT_K", "SearchIndex"]

DEFAULT_K = 10


class SearchIndex:
    """Every worker profile embedded the Go port's way, as a float32 matrix.

    >>> workers = [{"id": "W-1", "profile": "welder"}, {"id": "W-2", "profile": "picker"}]
    >>> index = SearchIndex(workers)
    >>> index.handle(b'{"query": "Welder", "k": 1}')
    (200, b'{"results":[{"id":"W-1","score":0.99999994}]}\\n')
    """

    def __init__(self, workers: list[dict[str, Any]]) -> None:
        self.ids = [str(worker["id"]) for worker in workers]
        self.matrix = embed_texts([str(worker["profile"]) for worker in workers])
        self.norms = np.linalg.norm(self.matrix, axis=1).astype(np.float32)

    @classmethod
    def from_corpus(cls) -> SearchIndex:
        """The index over the bundled ``workers.jsonl``, read line by line (bufio.Scanner)."""
        import json

        text = resources.files("lakehouse_samples").joinpath("workers.jsonl").read_text("utf-8")
        return cls([json.loads(line) for line in text.splitlines() if line])

    def handle(self, raw: bytes) -> tuple[int, bytes]:
        """Status and body for one request body."""
        struct = "search.RetrieveRequest"
        try:
            request = read_struct(decode_body(raw), struct)
            query = read_string(request, struct, "query")
            k = read_int(request, struct, "k")
            exclude_ids = read_strings(request, struct, "exclude_ids")
            if k < 0:
                raise APIError(422, "schema", "k", "k must not be negative")
        except APIError as error:
            return error.status, error.body()
        if k == 0:
            k = DEFAULT_K
        return 200, encode({"results": self.rank(query, k, exclude_ids)})

    def rank(self, query: str, k: int, exclude_ids: list[str]) -> list[dict[str, Any]]:
        vector = embed_texts([query])[0]
        query_norm = np.float32(np.linalg.norm(vector))
        if query_norm == 0:
            scores = np.zeros(len(self.ids), dtype=np.float32)
        else:
            scores = (self.matrix @ vector) / (self.norms * query_norm)
        top = np.argsort(-scores, kind="quicksort")[:k]
        excluded = set(exclude_ids)
        kept = [int(position) for position in top if self.ids[position] not in excluded]
        values = float32_values(scores[kept].astype(np.float32))
        return [
            {"id": self.ids[position], "score": value}
            for position, value in zip(kept, values, strict=True)
        ]
