"""After a round: shrunk origins become causes, new ones or merged into known ones.

A *probe* sends one input to both runtimes as a shrink call (counted against the
shrink budget) and answers ``None`` once that budget is spent; everything here
that needs the runtimes goes through one, so none of it knows about transports
or Hypothesis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from difffuzz._bucket import Bucket
from difffuzz._engine.causes import Cause, Causes, KnownCauses, identity_of
from difffuzz._engine.origins import Origin
from difffuzz._inputs import Input
from difffuzz._polish import polish
from difffuzz._results import Observation, SurfaceResult

__all__ = ["PADDING_BUDGET", "Probe", "adopt_unshrunk", "padding_of", "polish_causes", "resolve"]

#: Calls one candidate may spend on the padding test (:func:`padding_of`).
PADDING_BUDGET = 40

#: One shrink call: the observation, or None once the shrink budget is spent.
Probe = Callable[[Input], Observation | None]


def resolve(
    origins: Iterable[Origin],
    *,
    causes: Causes,
    known: KnownCauses,
    result: SurfaceResult,
    shrunk: bool,
    probe: Probe,
) -> None:
    """Match each origin's best input against the causes; add the new ones.

    ``shrunk`` says whether the round's shrinking ran to its end. A candidate is
    merged when it is a cause already found here (same input, or that cause plus
    padding) or one the corpus holds.
    """
    for origin in origins:
        if origin.best is None:
            continue
        cause = causes.match(origin.best)
        if cause is None and origin.candidate:
            cause = padding_of(origin.best, causes, probe)
        if cause is not None:
            cause.shrink_calls += origin.shrink_calls
            if origin.candidate:
                cause.merged += 1
                result.candidates_merged += 1
            continue
        if origin.candidate and known.match(origin.best) is not None:
            result.candidates_merged += 1  # a cause the corpus already holds
            continue
        causes.add(
            Cause(
                bucket=origin.bucket,
                best=origin.best,
                shrunk=shrunk,
                via_candidate=origin.candidate,
                shrink_calls=origin.shrink_calls,
            )
        )


def padding_of(candidate: Observation, causes: Causes, probe: Probe) -> Cause | None:
    """The known cause ``candidate`` is with padding, if it is one.

    A candidate is shrunk keeping its own fine signature, so it keeps what makes
    that signature: an extra key that shows one more difference is kept, though
    the cause is the same. Dropping parts of it (keys, items, characters: never
    changing a value) while it stays in its bucket tells: if that reaches a known
    cause's very input, the candidate is that cause. The reduced input is only a
    test, never a fixture, so it need not be one the strategy draws.
    """
    known = {c.identity: c for c in causes if c.bucket == candidate.bucket}
    if not known:
        return None

    def stays(value: Input) -> bool:
        observed = probe(value)
        return observed is not None and observed.bucket == candidate.bucket

    reduced = polish(candidate.input, stays, budget=PADDING_BUDGET, deletions_only=True)
    return known.get(identity_of(reduced))


def polish_causes(
    causes: Causes,
    known: KnownCauses,
    *,
    probe: Probe,
    observe: Callable[[Input], Observation],
    budget: int,
) -> None:
    """Value-level shrinking of every new cause (see :mod:`difffuzz._polish`).

    Only for surfaces whose strategy is closed under the polisher's moves
    (``polish = true``): elsewhere a simpler value may be one the strategy never
    produces, which is not a fixture of the surface's domain. A polished input is
    kept only when a fresh call shows the same divergence again.
    """
    for cause in list(causes):
        if known.match(cause.best) is not None:
            continue
        wanted = cause.best

        def reproduces(value: Input, wanted: Observation = wanted) -> bool:
            again = probe(value)
            return (
                again is not None
                and again.bucket == wanted.bucket
                and again.signature == wanted.signature
            )

        smaller = polish(cause.best.input, reproduces, budget=budget)
        if smaller != cause.best.input:
            observed = observe(smaller)
            if observed.bucket == wanted.bucket and observed.signature == wanted.signature:
                cause.best = observed
    causes.merge_equal()


def adopt_unshrunk(
    smallest: Mapping[Bucket, Observation],
    *,
    shrunk_buckets: set[Bucket],
    causes: Causes,
    limit: int,
) -> None:
    """Buckets seen but never shrunk (explicit examples, past the cap) keep their
    smallest example, reported unshrunk, unless a known cause covers them."""
    for bucket, observation in smallest.items():
        if bucket in shrunk_buckets or causes.match(observation) is not None:
            continue
        if len(causes) >= limit:
            break
        shrunk_buckets.add(bucket)
        causes.add(Cause(bucket=bucket, best=observation, shrunk=False))
