"""``POST /vectors/hybrid`` as the Rust gateway implements it.

Request ``{"query": str, "k": int, "exclude_ids": [str]}``, answer
``{"results": [{"id": str, "score": float}, ...]}``, best first, at most ``k``.
The sample ranks exactly (cosine over every worker) instead of walking an HNSW
graph, so differences come from the two ports, not from approximation.

Habits imitated, and the divergences they explain:

- **The query goes through the gateway's own embed pipeline**
  (:func:`~lakehouse_samples.rust_style.embed.prepare`, unit vectors in f64).
  A query that trims to nothing is refused (422); a query with no word
  character embeds to NaN, every score is NaN, serde_json writes it as
  ``null``, and ``f64::total_cmp`` plus the id tie-break order the workers by
  id.
- **A stable ranking**: ``sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)))``
  so equal scores always come in id order (Go's order for ties is arbitrary).
- **Exclusions are filtered before taking the top k** (the gateway walks the
  ranking and skips excluded workers), so the answer has ``k`` results whenever
  the corpus has enough workers; Go filters after and may answer fewer.
- **``exclude_ids`` becomes a ``HashSet<String>``**: exact, case-sensitive
  matches, duplicates harmless.
- **serde reads the request**: ``k`` is a ``usize`` (``-1`` and ``1.5`` are
  type errors, 422; up to 2**64-1 is accepted), defaults to 10 when absent,
  and ``k: 0`` answers nothing; ``exclude_ids`` defaults to empty but ``null``
  is a type error.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import numpy as np
import orjson

from lakehouse_samples.rust_style._http_wire import (
    U64_MAX,
    ApiError,
    decode_body,
    encode,
    read_str,
    read_str_list,
    read_uint,
    schema_error,
    serde_type,
    trim,
)
from lakehouse_samples.rust_style.embed import embed_texts

__all__ = ["DEFAULT_K", "SearchIndex"]

DEFAULT_K = 10


class SearchIndex:
    """Every worker profile embedded the gateway's way, ready to rank.

    >>> workers = [{"id": "W-1", "profile": "welder"}, {"id": "W-2", "profile": "picker"}]
    >>> index = SearchIndex(workers)
    >>> index.handle(b'{"query": "Welder", "k": 1}')
    (200, b'{"results":[{"id":"W-1","score":1.0}]}')
    """

    def __init__(self, workers: list[dict[str, Any]]) -> None:
        self.ids = [str(worker["id"]) for worker in workers]
        self.matrix = embed_texts([str(worker["profile"]) for worker in workers])
        # Rank of each id in string order: the secondary sort key.
        self.id_rank = np.argsort(np.argsort(np.array(self.ids), kind="stable"), kind="stable")

    @classmethod
    def from_corpus(cls) -> SearchIndex:
        """The index over the bundled ``workers.jsonl``."""
        text = resources.files("lakehouse_samples").joinpath("workers.jsonl").read_bytes()
        return cls([orjson.loads(line) for line in text.splitlines() if line.strip()])

    def handle(self, raw: bytes) -> tuple[int, bytes]:
        """Status and body for one request body."""
        try:
            request = decode_body(raw)
            if not isinstance(request, dict):
                expected = "struct HybridRequest"
                raise schema_error("", f"invalid type: {serde_type(request)}, expected {expected}")
            query = read_str(request, "query")
            k = read_uint(request, "k", maximum=U64_MAX, type_name="usize", default=DEFAULT_K)
            exclude_ids = read_str_list(request, "exclude_ids", required=False)
            if not trim(query):
                raise schema_error("query", "must not be empty")
        except ApiError as error:
            return error.status, error.body()
        return 200, encode({"results": self.rank(query, k, exclude_ids)})

    def rank(self, query: str, k: int, exclude_ids: list[str]) -> list[dict[str, Any]]:
        scores = self.matrix @ embed_texts([query])[0]
        # np.lexsort keeps NaN scores together and then orders them by id, as
        # total_cmp followed by the id comparison does.
        order = np.lexsort((self.id_rank, -scores))
        results: list[dict[str, Any]] = []
        excluded = set(exclude_ids)
        for position in order:
            if len(results) >= k:
                break
            worker_id = self.ids[position]
            if worker_id in excluded:
                continue
            results.append({"id": worker_id, "score": float(scores[position])})
        return results
