"""After a round: shrunk origins become causes, new ones or merged into known ones.

A *probe* sends one input to both runtimes as a shrink call (counted against the
shrink budget) and answers ``None`` once that budget is spent; everything here
that needs the runtimes goes through one, so none of it knows about transports
or Hypothesis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping

from difffuzz._bucket import Bucket
from difffuzz._engine import candidates
from difffuzz._engine.candidates import Exemplars
from difffuzz._engine.causes import Cause, Causes, KnownCauses
from difffuzz._engine.origins import Origin
from difffuzz._inputs import Input, input_sort_key
from difffuzz._polish import polish
from difffuzz._results import Observation, SurfaceResult

__all__ = [
    "PADDING_BUDGET",
    "Probe",
    "absorb_larger",
    "adopt_unshrunk",
    "named_otherwise",
    "padding_of",
    "polish_causes",
    "resolve",
]

#: Calls one candidate may spend on the padding test (:func:`padding_of`).
PADDING_BUDGET = 80

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
    fruitless: MutableMapping[Bucket, int] | None = None,
) -> None:
    """Match each origin's best input against the causes; add the new ones.

    ``shrunk`` says whether the round's shrinking ran to its end. A candidate is
    merged when it is a cause already found here (same input, that cause plus
    padding, or a variant of it) or one the corpus holds, or when its shrink was
    cut and its bucket has a cause; ``fruitless`` counts
    those per bucket. Origins are taken smallest first, so a candidate that is a
    cause found in the same round with padding is compared with that cause.
    """
    shrunk_origins = [origin for origin in origins if origin.best is not None]
    shrunk_origins.sort(key=lambda o: input_sort_key(o.best.input) if o.best else (0, ""))
    for origin in shrunk_origins:
        assert origin.best is not None
        cause = causes.match(origin.best)
        held = origin.candidate and known.match(origin.best) is not None  # the corpus's
        if cause is None and origin.candidate and not held:
            reached = padding_of(origin.best, causes, known, probe)
            held = reached is True
            cause = reached if isinstance(reached, Cause) else None
        if cause is None and not held:
            cause = named_otherwise(origin.best, causes)
            if cause is not None:  # its bucket's next candidates stay away from it too
                cause.also.add(origin.bucket)
                cause.exemplars.add(origin.best.input)
        if cause is None and origin.candidate and not held and not shrunk:
            # A candidate whose shrink was cut is no evidence of a new cause: its input
            # is still the padded example, which no known input accounts for because
            # nothing was removed. It counts for the bucket's first cause (with a
            # shrink budget of 3, one cause had become nine unshrunk fixtures).
            cause = next((c for c in causes if c.bucket == origin.bucket), None)
        merged = cause is not None or held
        if cause is not None:
            cause.shrink_calls += origin.shrink_calls
            if origin.candidate:
                cause.merged += 1
        if merged and origin.candidate:
            result.candidates_merged += 1
            if fruitless is not None:
                fruitless[origin.bucket] = fruitless.get(origin.bucket, 0) + 1
        if merged:
            continue
        new = causes.add(
            Cause(
                bucket=origin.bucket,
                best=origin.best,
                shrunk=shrunk,
                via_candidate=origin.candidate,
                shrink_calls=origin.shrink_calls,
            )
        )
        absorb_larger(new, causes, probe)


def absorb_larger(new: Cause, causes: Causes, probe: Probe) -> None:
    """Fold into ``new`` the causes of its bucket found earlier that are ``new`` with
    padding: a larger input that reduces, in the bucket, to one ``new`` accounts for.

    A candidate is tested against the causes known when it was shrunk; a cause found
    later may be the one an earlier, larger fixture held all along (``{"":0,"\\ud800":0}``
    kept first, ``{"\\ud800":0}`` found by a later candidate): one finding, the
    smaller input.
    """
    size = input_sort_key(new.best.input)
    for older in [c for c in causes if c is not new and c.bucket == new.bucket]:
        if input_sort_key(older.best.input) <= size:
            continue
        if new.exemplars.relates(older.best.input) or candidates.padding_of(
            older.best.input, [new.exemplars], _stays_in(new.bucket, probe), budget=PADDING_BUDGET
        ):
            causes.fold(older, into=new)


def named_otherwise(best: Observation, causes: Causes) -> Cause | None:
    """The cause found here that ``best`` is, refused under another error text.

    The error text refines a bucket because parsers name causes by it, but one
    parser often names one cause differently by context: orjson refuses
    ``Infinity`` and ``[Infinity]`` with two messages, and each message is a
    bucket, shrunk on its own, so each gave a fixture. A shrunk input in a bucket
    that differs from a known cause's only by the words of its error texts is that
    cause when it holds one of its inputs, or has one with padding between its
    characters: evidence that the input is the cause in a context that changed the
    message. A variant, or an input that reduces to one by lowering a number, is
    not: two values a parser names differently are two causes until their inputs
    say otherwise (``test_engine_budgets``: eight words, eight causes).
    """
    bucket = best.bucket
    if bucket is None:
        return None
    size = input_sort_key(best.input)
    for cause in causes:
        if cause.bucket == bucket or cause.bucket.shape != bucket.shape:
            continue
        if input_sort_key(cause.best.input) >= size:
            continue
        forms = cause.exemplars.forms
        if cause.exemplars.explains(best.input, variants=False) or any(
            candidates.embeds(best.input, form) for form in forms
        ):
            return cause
    return None


def _stays_in(bucket: Bucket, probe: Probe) -> Callable[[Input], bool]:
    def stays(value: Input) -> bool:
        observed = probe(value)
        return observed is not None and observed.bucket == bucket

    return stays


def padding_of(
    candidate: Observation, causes: Causes, known: KnownCauses, probe: Probe
) -> Cause | bool:
    """The known cause ``candidate`` is with padding, if it is one: a cause found here,
    True for one the corpus holds, False for none.

    A candidate is shrunk away from the known causes (:mod:`.candidates`), so
    where a known cause needs no more than its minimal input, a candidate keeps
    whatever makes it unlike the known ones: a character of a kind they lack, a
    wrapper (``[NaN]``), a second value. Dropping parts of it (groups, keys,
    items, characters) while it stays in its bucket tells: if that reaches an
    input a known cause accounts for, the candidate is that cause
    (:func:`.candidates.padding_of`). The reduced inputs are only a test, never a
    fixture, so they need not be ones the strategy draws.
    """
    found = [cause for cause in causes if cause.bucket == candidate.bucket]
    stored = [
        Exemplars(forms=[fixture.input])
        for fixture, observed in known.observations
        if observed.bucket == candidate.bucket
    ]
    if candidate.bucket is None or not (found or stored):
        return False
    reached = candidates.padding_of(
        candidate.input,
        [*(cause.exemplars for cause in found), *stored],
        _stays_in(candidate.bucket, probe),
        budget=PADDING_BUDGET,
        loose=stored,
    )
    if reached is None:
        return False
    reached.padded.append(candidate.input)
    return next((cause for cause in found if cause.exemplars is reached), True)


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
