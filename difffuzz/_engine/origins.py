"""Which Hypothesis origin a divergent example raises for, round by round.

Hypothesis shrinks each "interesting origin" (one exception type,
:mod:`.divergence`) on its own, so the origin an example raises for decides what
gets shrunk. That choice must be a function of the example alone, the same all
round long: Hypothesis caches every answer, and an origin that depended on the
order examples came in would shrink from stale answers. So:

* an example in a *bucket* (:mod:`difffuzz._bucket`) not yet shrunk raises for
  that bucket, up to ``max_signatures`` causes and origins in all;
* in a bucket already shrunk, an example the known causes do not account for
  (:mod:`.candidates`: it holds none of their inputs and is no variant of a
  minimal one) is a *candidate* for a cause hiding behind the known diff shape.
  It raises for (bucket, the first kind of character no known cause of the
  bucket carries, or ""), claimed the first time the round meets it, within
  ``candidates_per_bucket`` candidates per bucket that turned out to be known
  causes (one that finds a new cause does not count) and ``max_candidates`` in
  all. The same test is the candidate's origin predicate, so its shrink stays
  away from the known causes instead of sliding to one;
* anything else raises for nothing (the surface counts it and keeps the smallest
  example of its bucket).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from difffuzz._bucket import Bucket
from difffuzz._engine.candidates import Exemplars, candidate_key, contains, explained
from difffuzz._engine.causes import Causes, KnownCauses
from difffuzz._engine.divergence import DivergenceFound, exception_for
from difffuzz._engine.settings import SurfaceSettings
from difffuzz._inputs import Input, input_sort_key
from difffuzz._results import Observation, SurfaceResult

__all__ = ["REDUCTION_TEST_CALLS", "REDUCTION_TEST_MAX_SIZE", "Origin", "Origins", "Reducer"]

#: Calls the reduction test may make for one example before it is claimed as a
#: candidate (:meth:`Origins.assign`), and for all of a surface's examples, per
#: example of its budget.
REDUCTION_TEST_CALLS = 40
REDUCTION_TEST_SHARE = 4

#: The largest example (characters of its stored form) the reduction test walks. It
#: drops one part a call, so within its calls it can only bring a short input down to a
#: known cause; a long one is claimed as it is and shrunk by Hypothesis, which drops
#: whole spans at once.
REDUCTION_TEST_MAX_SIZE = 1024

#: The reduction test: the known cause (one of ``known``) an input reduces to while
#: it stays in its bucket, at most ``budget`` calls, or None.
Reducer = Callable[[Observation, Sequence[Exemplars], int], "Exemplars | None"]


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
        #: Buckets met past the ``max_signatures`` cap (counted once each).
        self.dropped: set[Bucket] = set()
        #: Candidates that turned out to be known causes, per bucket (over the
        #: surface; :func:`.resolve.resolve` counts them), and claimed this round.
        self.fruitless: dict[Bucket, int] = {}
        self.claims: dict[Bucket, int] = {}
        #: What the known causes are, per bucket (:meth:`know`); fixed during a round.
        self.exemplars: dict[Bucket, list[Exemplars]] = {}
        #: This round's origins: (bucket, None) for a new bucket, (bucket, key) for a
        #: candidate (:func:`.candidates.candidate_key`); and the pairs not claimed.
        self.current: dict[tuple[Bucket, str | None], Origin] = {}
        self.declined: set[tuple[Bucket, str]] = set()
        #: The origin Hypothesis shrank last (its calls are counted against it).
        self.shrinking: Origin | None = None
        #: The reduction test (set by the surface, which owns the runtimes), and the
        #: calls it may still make over the surface.
        self.reducer: Reducer | None = None
        self.reduction_calls_left = REDUCTION_TEST_SHARE * settings.max_examples
        #: Inputs of this round found to reduce to a known cause, with that cause: they
        #: join its padded inputs when the round ends (the exemplars must not change while
        #: Hypothesis shrinks, or an origin's first example would stop raising for it).
        self.reduced: list[tuple[Exemplars, Input]] = []

    def __len__(self) -> int:
        return len(self.current)

    def know(self, causes: Causes, known: KnownCauses) -> None:
        """Take the causes known before a round starts: the corpus's and this run's."""
        self.exemplars = {}
        for fixture, observed in known.observations:
            if observed.bucket is not None:
                exemplars = Exemplars(forms=[fixture.input])
                self.exemplars.setdefault(observed.bucket, []).append(exemplars)
        for cause in causes:
            for bucket in (cause.bucket, *sorted(cause.also)):
                self.exemplars.setdefault(bucket, []).append(cause.exemplars)

    def assign(
        self, observation: Observation, *, causes: int, shrinking: bool = False
    ) -> Origin | None:
        """The origin ``observation`` raises for, given ``causes`` causes known so far.

        While Hypothesis shrinks, an input the known causes do not account for raises
        for the candidate being shrunk, whatever its key; and a variant of a known
        cause's minimal input is no longer kept out: a candidate that is a known
        cause spelled otherwise (``00010101 00,0`` beside ``00010101T00.0``) must be
        free to shrink to the variant next to it, which the round's end then
        recognises, instead of being pushed to a spelling just outside the variant
        rule and kept as a new cause.
        Holding a known input still keeps an example out while shrinking.
        """
        bucket = observation.bucket
        assert bucket is not None
        if bucket not in self.shrunk_buckets:
            return self._new_bucket(bucket, causes=causes)
        exemplars = self.exemplars.get(bucket, [])
        if explained(observation.input, exemplars, variants=not shrinking):
            return None  # a known cause again, perhaps with padding
        feature = candidate_key(observation, exemplars)
        pair = (bucket, feature)
        origin = self.current.get(pair)
        if origin is not None:
            return origin
        following = self.shrinking
        if (
            shrinking
            and following is not None
            and following.candidate
            and following.bucket == bucket
        ):
            # A candidate being shrunk may go anywhere its bucket's known causes do not
            # account for: claiming a new candidate for every kind of character a shrink
            # passes through ('8<b', '<a', '<A', '<_' ...) spent a bucket's whole budget
            # on one cause in one round, and kept the shrink from dropping the character
            # that made its key (' &' could not become '&').
            return following
        if pair in self.declined:
            return None
        spent = self.fruitless.get(bucket, 0) + self.claims.get(bucket, 0)
        if (
            spent >= self.settings.candidates_per_bucket
            or self.result.candidates_examined >= self.settings.max_candidates
        ):
            self.declined.add(pair)
            return None
        if self._reduces_to_known(observation, exemplars):
            return None  # a known cause with padding: no candidate spent on it
        self.claims[bucket] = self.claims.get(bucket, 0) + 1
        self.result.candidates_examined += 1
        # One exception type per (bucket, feature, causes known there): a later round,
        # knowing more causes, shrinks the same feature towards another cause.
        key = f"candidate:{bucket.key}:{feature}:{len(exemplars)}"
        error = exception_for(key, f"{bucket.surface}_{bucket.id}_{len(exemplars)}")
        origin = self.current[pair] = Origin(bucket, True, error)
        return origin

    def _reduces_to_known(self, observation: Observation, exemplars: list[Exemplars]) -> bool:
        """Does dropping parts of ``observation``'s input, in its bucket, reach a known
        cause? Most examples a known cause does not account for by containment are that
        cause with padding a substring test cannot see (``\\t?`` beside a known ``' '``:
        a control character where a space was, and a character more). Testing before a
        candidate is claimed keeps the candidate budget for inputs that may be new
        causes; a reduced input found to be a known cause is remembered as padded, so an
        input holding it is accounted for without a call."""
        if any(contains(observation.input, padded) for _, padded in self.reduced):
            return True
        if self.reducer is None or self.reduction_calls_left <= 0:
            return False
        if input_sort_key(observation.input)[0] > REDUCTION_TEST_MAX_SIZE:
            return False
        budget = min(REDUCTION_TEST_CALLS, self.reduction_calls_left)
        reached = self.reducer(observation, exemplars, budget)
        if reached is None:
            return False
        self.reduced.append((reached, observation.input))
        return True

    def _new_bucket(self, bucket: Bucket, *, causes: int) -> Origin | None:
        origin = self.current.get((bucket, None))
        if origin is not None:
            return origin
        if causes + len(self.current) >= self.settings.max_signatures:
            if bucket not in self.dropped:
                self.result.dropped_signatures += 1
                self.dropped.add(bucket)
            return None  # counted and kept as its bucket's smallest, never shrunk
        error = exception_for(f"new:{bucket.key}", f"{bucket.surface}_{bucket.id}")
        origin = self.current[(bucket, None)] = Origin(bucket, False, error)
        return origin

    def end_round(self) -> list[Origin]:
        """This round's origins, in the order claimed; their buckets count as shrunk."""
        ended, self.current, self.declined = self.current, {}, set()
        self.shrinking, self.claims = None, {}
        for exemplars, padded in self.reduced:
            exemplars.padded.append(padded)
        self.reduced = []
        for bucket, _ in ended:
            self.shrunk_buckets.add(bucket)
        return list(ended.values())

    def forget(self) -> None:
        """Drop this round's origins unresolved (a broken runtime made them all)."""
        self.current, self.declined, self.shrinking, self.claims = {}, set(), None, {}
        self.reduced = []
