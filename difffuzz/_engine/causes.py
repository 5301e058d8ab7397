"""One finding per root cause: identity by shrunk minimal input.

The engine searches by *bucket* (:mod:`difffuzz._bucket`): a new bucket is
shrunk by Hypothesis; a divergent example in a bucket already shrunk that the
known causes do not account for is a *candidate* for a new cause hiding behind
a known diff shape (:mod:`.candidates`), and a budgeted, diverse sample of them
is shrunk away from the known causes. What comes out of a shrink is then
compared with the causes already known:

* the same minimal input (the canonical encoding, key order included, since it
  reaches the wire) is the same cause, however different the examples that led
  there looked;
* in the same bucket, an input that holds a known one (``[NaN]`` beside
  ``NaN``), is held by one, or is a variant of one (``\\z`` beside ``\\h``: the
  same syntax with another value) is that cause, and the smaller is kept;
* so are two lone characters whose answers differ in value alone, at the same
  places (one transformation, as ``html.escape`` of ``<`` and of ``&``);
* anything else is a new cause, with its own fixture.

Two causes may share one fine signature (a refusal of ``NaN`` and of a BOM look
alike): the signature is kept and shown; it is not the key. Each cause keeps
every input found for it (:class:`.candidates.Exemplars`), so the next
candidates stay away from all of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from difffuzz._bucket import Bucket
from difffuzz._corpus import Fixture
from difffuzz._engine.candidates import Exemplars
from difffuzz._inputs import Input, encode_input, input_sort_key
from difffuzz._judge import Judge
from difffuzz._results import Observation, Verdict

__all__ = ["Cause", "Causes", "KnownCauses", "identity_of"]


def identity_of(value: Input) -> str:
    """The canonical form of a minimal input: equal exactly when the inputs are."""
    return json.dumps(encode_input(value), ensure_ascii=False, separators=(",", ":"))


def _same_cause(observation: Observation, other: Observation) -> bool:
    """Are two shrunk divergences one cause? See the module docstring."""
    if identity_of(other.input) == identity_of(observation.input):
        return True
    if observation.bucket is None or other.bucket != observation.bucket:
        return False
    return Exemplars(forms=[other.input]).relates(observation.input) or _same_transformation(
        observation, other
    )


def _same_transformation(observation: Observation, other: Observation) -> bool:
    """Two lone characters whose answers differ in value alone, at the same places.

    A lone character is never a variant of another (``<`` and ``&`` may be refused
    for two reasons), but where both sides answer and only values differ, the
    character is the value one transformation was applied to: ``html.escape`` on
    ``<`` and on ``&`` is one cause.
    """
    signature = observation.signature
    return (
        signature is not None
        and signature == other.signature
        and signature.category == "value"
        and all(
            isinstance(o.input, str | bytes) and len(o.input) == 1 for o in (observation, other)
        )
    )


@dataclass
class Cause:
    """One root cause of divergence on a surface, with its smallest input."""

    bucket: Bucket
    best: Observation
    #: Hypothesis shrank it to the end (not cut by a budget, the user or a runtime).
    shrunk: bool
    #: Found by shrinking a candidate in a bucket that already had a cause.
    via_candidate: bool = False
    #: Calls spent shrinking it (including candidates that turned out to be it).
    shrink_calls: int = 0
    #: Candidates shrunk that turned out to be this cause.
    merged: int = 0
    #: Every input found for this cause (``best`` among them): what a candidate
    #: must not be to count as a new cause (:mod:`.candidates`).
    exemplars: Exemplars = field(default_factory=Exemplars)
    #: Other buckets found to be this cause under other error texts
    #: (:func:`.resolve.named_otherwise`): their candidates stay away from it too.
    also: set[Bucket] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.exemplars.add(self.best.input)

    @property
    def identity(self) -> str:
        return identity_of(self.best.input)


@dataclass
class Causes:
    """The causes found on one surface so far, in the order they were found."""

    items: list[Cause] = field(default_factory=list)

    def __iter__(self) -> Iterator[Cause]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def match(self, observation: Observation) -> Cause | None:
        """The cause ``observation`` (just shrunk) is, if known; it keeps the smaller input."""
        for cause in self.items:
            if _same_cause(observation, cause.best) or (
                observation.bucket == cause.bucket and cause.exemplars.relates(observation.input)
            ):
                if input_sort_key(observation.input) < input_sort_key(cause.best.input):
                    cause.best = observation
                cause.exemplars.add(observation.input)
                return cause
        return None

    def merge_equal(self) -> None:
        """Fold causes whose inputs became equal (after polishing) into the first."""
        kept: dict[str, Cause] = {}
        for cause in self.items:
            first = kept.setdefault(cause.identity, cause)
            if first is not cause:
                first.merged += 1 + cause.merged
                first.shrink_calls += cause.shrink_calls
                first.exemplars.forms.extend(cause.exemplars.forms)
                first.exemplars.padded.extend(cause.exemplars.padded)
        self.items = list(kept.values())

    def fold(self, cause: Cause, *, into: Cause) -> None:
        """Drop ``cause``, found to be ``into`` with padding; ``into`` keeps its inputs."""
        into.merged += 1 + cause.merged
        into.shrink_calls += cause.shrink_calls
        for value in cause.exemplars.inputs:
            into.exemplars.add(value)
        into.also |= cause.also
        self.items = [c for c in self.items if c is not cause]

    def add(self, cause: Cause) -> Cause:
        self.items.append(cause)
        return cause


@dataclass(frozen=True)
class KnownCauses:
    """The corpus's fixtures for one surface, re-judged by the current rule.

    ``observations`` pairs each fixture with what the current judge makes of its
    stored answers (bucket and signature by today's config, no runtime call).
    """

    observations: tuple[tuple[Fixture, Observation], ...] = ()

    @classmethod
    def judged(cls, fixtures: Iterable[Fixture], judge: Judge) -> KnownCauses:
        """Each fixture with today's verdict on its stored answers.

        A fixture whose answers no longer diverge under today's rule keeps its stored
        signature and no bucket: it still matches a finding with the same input.
        """
        pairs = []
        for fixture in fixtures:
            observation = judge.judge(fixture.input, fixture.left, fixture.right)
            if observation.verdict is not Verdict.DIVERGENCE:
                observation = replace(observation, signature=fixture.signature, bucket=None)
            pairs.append((fixture, observation))
        return cls(tuple(pairs))

    @property
    def shrunk_buckets(self) -> frozenset[Bucket]:
        """Buckets with a shrunk fixture: searched for new causes only by candidates."""
        return frozenset(
            o.bucket for f, o in self.observations if f.shrunk and o.bucket is not None
        )

    def match(self, observation: Observation) -> Fixture | None:
        """The fixture that already holds this cause, smallest first."""
        found = [
            (input_sort_key(f.input), f)
            for f, o in self.observations
            if _same_cause(observation, o)
        ]
        return min(found, key=lambda pair: pair[0])[1] if found else None

    def superseded(self, observation: Observation) -> list[Fixture]:
        """Unshrunk fixtures of the same bucket and signature that ``observation`` beats."""
        size = input_sort_key(observation.input)
        return [
            f
            for f, o in self.observations
            if not f.shrunk
            and o.bucket == observation.bucket
            and o.signature == observation.signature
            and size < input_sort_key(f.input)
        ]
