"""Judging one input: two outcomes in, one verdict (and signature) out.

This is the team's probe discipline written down once:

* an infrastructure failure (unreachable, timeout) on either side says nothing
  about the input: ``infra_error``, never a finding;
* the surface's comparator decides equality; single-runtime properties add
  findings on one side alone;
* a side that *answered* (status in ``answer_status``, output non-empty) while
  the other failed is a divergence even when the rule looks only at bodies;
* two sides that both failed the same way (same status, same failure) are
  ``both_failed`` — counted and shown, never a match, never a fixture;
* anything else unequal is a ``divergence`` with a signature.

The judge knows nothing of Hypothesis, transports or reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from difffuzz._bucket import Bucket
from difffuzz._comparators.base import (
    CompareSpec,
    Comparison,
    Difference,
    DiffKind,
    get_comparator,
)
from difffuzz._config import SurfaceSpec
from difffuzz._inputs import Input
from difffuzz._outcome import Outcome
from difffuzz._properties import get_property
from difffuzz._results import Observation, Verdict
from difffuzz._signature import Signature

__all__ = ["RULES_WITHOUT_IGNORE", "Judge"]

#: Rules that take no ignore patterns, so learned noise is not applied to them.
RULES_WITHOUT_IGNORE = frozenset({"cosine", "topk"})


@dataclass(frozen=True)
class Judge:
    """Judges outcomes for one surface between two named runtimes."""

    surface: SurfaceSpec
    runtimes: tuple[str, str]
    #: Ignore patterns learned by calling a runtime twice (see the engine's noise phase).
    learned_noise: tuple[str, ...] = ()
    #: Judge by this spec instead of the surface's (replay of an old fixture).
    compare_override: CompareSpec | None = None

    @property
    def compare_spec(self) -> CompareSpec:
        spec = self.compare_override or self.surface.compare
        if not self.learned_noise or spec.rule in RULES_WITHOUT_IGNORE:
            # cosine and topk judge whole vectors and rankings: a jittering score
            # or vector component is exactly what their tolerance is for.
            return spec
        return replace(spec, ignore=tuple(dict.fromkeys((*spec.ignore, *self.learned_noise))))

    def with_noise(self, patterns: Sequence[str]) -> Judge:
        return replace(self, learned_noise=tuple(dict.fromkeys((*self.learned_noise, *patterns))))

    def answered(self, runtime: str, outcome: Outcome) -> bool:
        if outcome.failure is not None:
            return False
        if not self.surface.answered(runtime, outcome.status):
            return False
        transport = self.surface.requests[runtime].transport
        # A helper that exits 0 and prints nothing did not answer.
        return transport == "http" or bool(outcome.body.strip())

    def judge(self, value: Input, left: Outcome, right: Outcome) -> Observation:
        spec = self.compare_spec

        def observed(verdict: Verdict, comparison: Comparison | None = None) -> Observation:
            return Observation(
                surface=self.surface.name,
                input=value,
                left=left,
                right=right,
                comparison=comparison or Comparison(rule=spec.rule),
                verdict=verdict,
            )

        if left.is_infrastructure_failure or right.is_infrastructure_failure:
            return observed(Verdict.INFRA_ERROR)
        left_name, right_name = self.runtimes
        left_ok = self.answered(left_name, left)
        right_ok = self.answered(right_name, right)
        both_failed = not left_ok and not right_ok
        if both_failed and left.status == right.status and left.failure == right.failure:
            return observed(Verdict.BOTH_FAILED)
        comparison = get_comparator(spec.rule)(left, right, spec)
        extra: list[Difference] = []
        if (left_ok != right_ok or both_failed) and not any(
            d.kind is DiffKind.STATUS for d in comparison.differences
        ):
            if both_failed:
                detail, qualifier = "both failed, differently", "failed differently"
            else:
                detail = f"{'left' if left_ok else 'right'} answered, the other failed"
                qualifier = "answered/failed" if left_ok else "failed/answered"
            extra.append(
                Difference(
                    kind=DiffKind.STATUS,
                    path="",
                    left=_status_word(left),
                    right=_status_word(right),
                    detail=detail,
                    qualifier=qualifier,
                )
            )
        if (
            left_ok
            and right_ok
            and left.status != right.status
            and not any(d.kind is DiffKind.STATUS for d in comparison.differences)
        ):
            # Both statuses count as answers (say 200 and 422), but a caller sees
            # the difference even when the rule reads bodies only.
            extra.append(
                Difference(
                    kind=DiffKind.STATUS,
                    path="",
                    left=left.status,
                    right=right.status,
                    detail=f"status {left.status} on the left, {right.status} on the right",
                    qualifier=f"{left.status}/{right.status}",
                )
            )
        extra.extend(self._property_violations(value, left, left_ok, right, right_ok))
        if extra:
            comparison = replace(comparison, differences=(*comparison.differences, *extra))
        if comparison.equal:
            return observed(Verdict.MATCH, comparison)
        signature = Signature.of(
            self.surface.name,
            (left.status, right.status),
            comparison.differences,
            collapse=self.surface.collapse,
        )
        bucket = Bucket.of(
            self.surface.name, left, right, comparison.differences, answered=(left_ok, right_ok)
        )
        return replace(observed(Verdict.DIVERGENCE, comparison), signature=signature, bucket=bucket)

    def _property_violations(
        self, value: Input, left: Outcome, left_ok: bool, right: Outcome, right_ok: bool
    ) -> list[Difference]:
        violations = []
        sides = ((self.runtimes[0], left, left_ok), (self.runtimes[1], right, right_ok))
        for prop in self.surface.properties:
            check = get_property(prop.name)
            for index, (name, outcome, ok) in enumerate(sides):
                if prop.runtimes and name not in prop.runtimes:
                    continue
                if not ok and prop.name != "status-in":
                    continue  # a failed call is judged by the status rules above
                message = check(outcome, value, prop.params)
                if message is None:
                    continue
                violations.append(
                    Difference(
                        kind=DiffKind.PROPERTY,
                        path=f"/{prop.name}",
                        left=message if index == 0 else None,
                        right=message if index == 1 else None,
                        detail=f"{name}: {message}",
                        qualifier=name,
                    )
                )
        return violations


def _status_word(outcome: Outcome) -> str:
    if outcome.failure is not None:
        return outcome.failure.value
    if outcome.status is not None and not outcome.body.strip():
        return f"{outcome.status} (no output)"
    return str(outcome.status)
