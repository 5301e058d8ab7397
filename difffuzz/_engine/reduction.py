"""The reduction test a surface runs before it spends a candidate (:mod:`.origins`).

It sends an example's reductions (:func:`.candidates.padding_of`) to both
runtimes while they stay in the example's bucket, to tell a known cause with
padding from a new one. Its calls are made while exploring, so they count as
shrink calls of the surface, not of a round. A runtime that meets an
infrastructure error is not probed again by it: each such call may cost a
timeout, and a resend-sensitive runtime meets repeats it would not meet
otherwise, for a test that only saves candidates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from difffuzz._engine.candidates import Exemplars, padding_of
from difffuzz._engine.origins import Origins
from difffuzz._inputs import Input
from difffuzz._results import Observation, SurfaceStats, Verdict

__all__ = ["ReductionTest"]


class ReductionTest:
    """The :data:`.origins.Reducer` of one surface: ``observe`` sends an input to both
    runtimes; the calls are counted in ``stats`` and against ``origins``' share."""

    def __init__(
        self, observe: Callable[[Input], Observation], stats: SurfaceStats, origins: Origins
    ) -> None:
        self.observe = observe
        self.stats = stats
        self.origins = origins

    def __call__(
        self, observation: Observation, known: Sequence[Exemplars], budget: int
    ) -> Exemplars | None:
        calls = 0

        def stays(value: Input) -> bool:
            nonlocal calls
            calls += 1
            again = self.observe(value)
            self.stats.shrink_calls += 1
            if again.verdict is Verdict.INFRA_ERROR:
                raise _Unreliable
            return again.verdict is Verdict.DIVERGENCE and again.bucket == observation.bucket

        try:
            return padding_of(observation.input, known, stays, budget=budget)
        except _Unreliable:
            self.origins.reduction_calls_left = 0
            return None
        finally:
            left = self.origins.reduction_calls_left
            self.origins.reduction_calls_left = max(0, left - calls)


class _Unreliable(Exception):
    """A reduction test met an infrastructure error."""
