"""Learned noise: paths that differ between two calls of the *same* runtime.

Before fuzzing a surface, a few generated inputs are sent twice to each runtime;
a path whose value differs between the two answers of one runtime (a timestamp,
a trace id) says nothing about the other runtime and is ignored from then on,
and listed in every report — Diffy's idea, without a second copy of the service.
Rules that judge whole vectors or rankings (``cosine``, ``topk``) take no ignore
patterns: their tolerance is the noise allowance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from difffuzz._comparators.base import Compare, CompareSpec, compile_compare
from difffuzz._inputs import Input
from difffuzz._judge import RULES_WITHOUT_IGNORE
from difffuzz._outcome import Outcome

__all__ = ["NoiseCalibrator"]

Send = Callable[[Input], Outcome]
#: Maps one runtime's raw answer to what the judge compares (its normalize steps).
Normalize = Callable[[Outcome], Outcome]


def _unchanged(outcome: Outcome) -> Outcome:
    return outcome


@dataclass
class NoiseCalibrator:
    """Learns ignore patterns for one surface from pairs of identical calls."""

    spec: CompareSpec
    sides: tuple[tuple[Send, str], tuple[Send, str]]  # (send, select) per runtime
    examples: int
    seed: int
    #: Each side's normalize steps: noise is learned where the judge compares.
    normalize: tuple[Normalize, Normalize] = (_unchanged, _unchanged)
    learned: list[str] = field(default_factory=list)
    #: A runtime did not answer (down, or hanging past the timeout): calibrating on
    #: stops at once, and the round loop's infra policy decides what happens next.
    unreachable: bool = False
    #: Says when calibration has used its share of a time box (slow helpers).
    out_of_time: Callable[[], bool] = lambda: False
    #: Each side's answers compared with themselves: the json rule under its select.
    _self_compare: tuple[Compare, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._self_compare = tuple(
            compile_compare(CompareSpec(rule="json", select_left=select, select_right=select))
            for _send, select in self.sides
        )

    @property
    def applies(self) -> bool:
        return self.examples > 0 and self.spec.rule not in RULES_WITHOUT_IGNORE

    def calibrate(self, value: Input) -> list[str]:
        """Call each runtime twice with ``value``; returns the paths newly learned."""
        found: list[str] = []
        if self.unreachable or self.out_of_time():
            return found
        for (send, _select), normalize, self_compare in zip(
            self.sides, self.normalize, self._self_compare, strict=True
        ):
            first = send(value)
            if first.is_infrastructure_failure:
                self.unreachable = True
                return found
            second = send(value)
            if second.is_infrastructure_failure:
                self.unreachable = True
                return found
            if first.failure is not None or second.failure is not None:
                continue
            first, second = normalize(first), normalize(second)
            if not (first.parses and second.parses):
                continue
            comparison = self_compare(first, second)
            # The walk names the document itself "/" (display), so every difference
            # has a path; one without would name the whole body, which no ignore
            # pattern may (check_pointers refuses it).
            found.extend(d.path for d in comparison.differences if d.path)
        new = [p for p in dict.fromkeys(found) if p not in self.learned]
        self.learned.extend(new)
        return new

    def learn(self, strategy: st.SearchStrategy[Input]) -> list[str]:
        """Run the calibration over ``examples`` generated inputs; returns all learned."""
        if not self.applies:
            return []
        calibrator = self

        @settings(
            max_examples=self.examples,
            database=None,
            deadline=None,
            phases=(Phase.generate,),
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
        )
        @hypothesis_seed(self.seed ^ 0x5EED)
        @given(strategy)
        def calibrate(value: Input) -> None:
            calibrator.calibrate(value)

        calibrate()
        return list(self.learned)
