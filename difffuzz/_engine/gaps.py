"""Tracked known gaps over a campaign: counted, and reported once each.

A known gap that carries a normalizer is not matched against signatures (that
would hide every other difference in the same answers); its steps map it away
and the judge names it on each observation it absorbed something from
(:attr:`~difffuzz._results.Observation.gap_hits`). A :class:`GapTally` counts
those hits over a surface's examples and turns each gap into one
``known_gap`` finding with how often it occurred and the smallest input that
shows it, judged *without* the gap's steps, so the report shows the difference
the gap stands for.

The engine owns the loop: it records every generated example's observation
(not shrink calls, which would inflate the count) and adds the tally's
findings to the surface's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from difffuzz._comparators.base import CompareSpec, Comparison
from difffuzz._divergence import Divergence
from difffuzz._inputs import input_sort_key
from difffuzz._results import Finding, FindingStatus, GapHit, Observation

__all__ = ["GapTally", "without_gap"]


def without_gap(spec: CompareSpec, reason: str) -> CompareSpec:
    """``spec`` without the steps of the tracked gap ``reason``."""
    return replace(
        spec,
        normalize_left=tuple(step for step in spec.normalize_left if step.gap != reason),
        normalize_right=tuple(step for step in spec.normalize_right if step.gap != reason),
    )


@dataclass
class GapTally:
    """How often each tracked gap's normalizer absorbed a difference on one surface."""

    surface: str
    runtimes: tuple[str, str]
    counts: dict[str, int] = field(default_factory=dict)
    #: The smallest example seen per gap, with what the gap absorbed there.
    smallest: dict[str, tuple[Observation, GapHit]] = field(default_factory=dict)

    def record(self, observation: Observation) -> None:
        """Count one generated example's gap hits (call it for examples, not shrinks)."""
        for hit in observation.gap_hits:
            self.counts[hit.reason] = self.counts.get(hit.reason, 0) + 1
            current = self.smallest.get(hit.reason)
            if current is None or input_sort_key(observation.input) < input_sort_key(
                current[0].input
            ):
                self.smallest[hit.reason] = (observation, hit)

    def findings(self, spec: CompareSpec, *, seed: int | None) -> list[Finding]:
        """One ``known_gap`` finding per gap that occurred, in the order first seen.

        Their ``config_path`` is left empty: the campaign sets it on every finding.
        """
        found_at = datetime.now(UTC).isoformat(timespec="seconds")
        findings = []
        for reason, (observation, hit) in self.smallest.items():
            plain = without_gap(spec, reason)
            findings.append(
                Finding(
                    Divergence(
                        surface=self.surface,
                        signature=hit.signature,
                        input=observation.input,
                        runtimes=self.runtimes,
                        left=observation.left,
                        right=observation.right,
                        comparison=Comparison(rule=spec.rule, differences=hit.differences),
                        compare=plain,
                    ),
                    status=FindingStatus.KNOWN_GAP,
                    shrunk=False,
                    tracked=True,
                    occurrences=self.counts[reason],
                    gap_reason=reason,
                    seed=seed,
                    found_at=found_at,
                )
            )
        return findings
