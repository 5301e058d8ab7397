"""Which Hypothesis origin a divergent example raises for, round by round.

Hypothesis shrinks each "interesting origin" (one exception type,
:mod:`.divergence`) on its own, so the origin an example raises for decides what
gets shrunk. That choice must be a function of the example alone, the same all
round long: Hypothesis caches every answer, and an origin that depended on the
order examples came in would shrink from stale answers. So:

* an example in a *bucket* (:mod:`difffuzz._bucket`) not yet shrunk raises for
  that bucket, up to ``max_signatures`` causes and origins in all;
* in a bucket already shrunk, an example whose fine signature was not yet
  examined there is a *candidate* for a cause hiding behind the known diff shape:
  the first time the round meets that (bucket, signature) it claims it, within
  ``candidates_per_bucket`` and ``max_candidates``, and every example with that
  pair raises for it;
* anything else raises for nothing (the surface counts it and keeps the smallest
  example of its bucket).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from difffuzz._bucket import Bucket
from difffuzz._engine.divergence import DivergenceFound, exception_for
from difffuzz._engine.settings import SurfaceSettings
from difffuzz._inputs import input_sort_key
from difffuzz._results import Observation, SurfaceResult
from difffuzz._signature import Signature

__all__ = ["Origin", "Origins"]


@dataclass
class Origin:
    """One thing Hypothesis is shrinking in this round, and the best input so far."""

    bucket: Bucket
    candidate: bool
    error: type[DivergenceFound]
    best: Observation | None = None
    shrink_calls: int = 0

    def offer(self, observation: Observation) -> None:
        if self.best is None or input_sort_key(observation.input) < input_sort_key(self.best.input):
            self.best = observation


class Origins:
    """The origins of the current round, and what earlier rounds settled.

    ``result`` receives the counters a report shows: candidates examined and
    buckets dropped past the ``max_signatures`` cap.
    """

    def __init__(
        self, settings: SurfaceSettings, result: SurfaceResult, shrunk: Iterable[Bucket] = ()
    ) -> None:
        self.settings = settings
        self.result = result
        #: Buckets whose causes are known: searched by candidates only.
        self.shrunk_buckets: set[Bucket] = set(shrunk)
        #: Fine signatures already examined as candidates, per bucket (a bucket
        #: dropped past the cap is here with no signature).
        self.examined: dict[Bucket, set[Signature]] = {}
        #: This round's origins: (bucket, None) for a new bucket, (bucket, signature)
        #: for a candidate; and the pairs this round met and did not claim.
        self.current: dict[tuple[Bucket, Signature | None], Origin] = {}
        self.declined: set[tuple[Bucket, Signature]] = set()
        #: The origin Hypothesis shrank last (its calls are counted against it).
        self.shrinking: Origin | None = None

    def __len__(self) -> int:
        return len(self.current)

    def assign(self, observation: Observation, *, causes: int) -> Origin | None:
        """The origin ``observation`` raises for, given ``causes`` causes known so far."""
        bucket, signature = observation.bucket, observation.signature
        assert bucket is not None
        assert signature is not None
        if bucket not in self.shrunk_buckets:
            return self._new_bucket(bucket, causes=causes)
        pair = (bucket, signature)
        origin = self.current.get(pair)
        if origin is not None or pair in self.declined:
            return origin
        examined = self.examined.setdefault(bucket, set())
        if (
            signature in examined
            or len(examined) >= self.settings.candidates_per_bucket
            or self.result.candidates_examined >= self.settings.max_candidates
        ):
            self.declined.add(pair)
            return None
        examined.add(signature)
        self.result.candidates_examined += 1
        key = f"candidate:{bucket.key}:{signature.canonical}"
        error = exception_for(key, f"{bucket.surface}_{bucket.id}_{signature.id}")
        origin = self.current[pair] = Origin(bucket, True, error)
        return origin

    def _new_bucket(self, bucket: Bucket, *, causes: int) -> Origin | None:
        origin = self.current.get((bucket, None))
        if origin is not None:
            return origin
        if causes + len(self.current) >= self.settings.max_signatures:
            if bucket not in self.examined:
                self.result.dropped_signatures += 1
                self.examined[bucket] = set()
            return None  # counted and kept as its bucket's smallest, never shrunk
        error = exception_for(f"new:{bucket.key}", f"{bucket.surface}_{bucket.id}")
        origin = self.current[(bucket, None)] = Origin(bucket, False, error)
        return origin

    def end_round(self) -> list[Origin]:
        """This round's origins, in the order claimed; their buckets count as shrunk."""
        ended, self.current, self.declined = self.current, {}, set()
        self.shrinking = None
        for bucket, _ in ended:
            self.shrunk_buckets.add(bucket)
        return list(ended.values())

    def forget(self) -> None:
        """Drop this round's origins unresolved (a broken runtime made them all)."""
        self.current, self.declined, self.shrinking = {}, set(), None
