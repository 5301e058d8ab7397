"""The engine's results: per-example observations, findings and campaign summaries.

These are plain frozen records with ``to_json``; reporters (console, JSON,
Markdown, HTML, JUnit) read them and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from difffuzz._bucket import Bucket
from difffuzz._comparators.base import CompareSpec, Comparison, Difference
from difffuzz._divergence import Divergence, Part
from difffuzz._inputs import Input, encode_input
from difffuzz._outcome import Outcome
from difffuzz._signature import Signature

__all__ = [
    "INTERRUPTED",
    "CampaignResult",
    "Finding",
    "FindingStatus",
    "GapHit",
    "InfraEvent",
    "Observation",
    "SurfaceResult",
    "SurfaceStats",
    "Verdict",
]


#: ``SurfaceResult.aborted`` when the user pressed Ctrl-C (the campaign stops there).
INTERRUPTED = "interrupted by the user"


class Verdict(StrEnum):
    """The verdict on one input sent to both runtimes."""

    MATCH = "match"
    DIVERGENCE = "divergence"
    BOTH_FAILED = "both_failed"  # both errored or answered nothing, the same way
    INFRA_ERROR = "infra_error"  # a runtime was unreachable or timed out


@dataclass(frozen=True)
class GapHit:
    """A tracked known gap's normalizer absorbed differences in one observation.

    ``signature`` and ``differences`` are what the comparison would have
    reported without that gap's steps (and does not report with them): the
    divergence the gap stands for, to be counted and reported once per gap.
    """

    reason: str
    signature: Signature
    differences: tuple[Difference, ...]


@dataclass(frozen=True)
class Observation:
    """One input, both outcomes, and what the engine made of them.

    ``left`` and ``right`` are the raw answers; the comparison was made on
    them after the spec's normalize steps. ``gap_hits`` says which tracked
    known gaps normalised something away here ("normalized away by gap X").
    """

    surface: str
    input: Input
    left: Outcome
    right: Outcome
    comparison: Comparison
    verdict: Verdict
    signature: Signature | None = None
    #: The coarse search key of a divergence (see :mod:`difffuzz._bucket`).
    bucket: Bucket | None = None
    gap_hits: tuple[GapHit, ...] = ()


class FindingStatus(StrEnum):
    NEW = "new"  # not in the corpus before this run
    KNOWN = "known"  # the corpus already held a fixture with this signature
    KNOWN_GAP = "known_gap"  # marked as an accepted, open difference


@dataclass(frozen=True)
class Finding:
    """One distinct divergence (one cause), with its smallest input, and what the
    campaign learnt about it; the divergence itself is the shared record a fixture
    of it holds too (:class:`~difffuzz._divergence.Divergence`)."""

    divergence: Divergence
    status: FindingStatus = FindingStatus.NEW
    shrunk: bool = True
    flaky: bool = False
    occurrences: int = 1
    gap_reason: str = ""
    fixture_path: str | None = None
    seed: int | None = None
    found_at: str = ""
    #: The config the finding was found with (replay commands name it).
    config_path: str = ""
    #: Its search bucket, the calls spent shrinking it, and how many candidates
    #: shrunk to it (see difffuzz._engine.causes).
    bucket: Bucket | None = None
    shrink_calls: int = 0
    merged: int = 0
    #: Unshrunk fixtures this smaller finding replaces in the corpus.
    replaces: tuple[str, ...] = ()
    #: (times reproduced, times re-sent) when it was confirmed; flaky unless equal.
    reproduced: tuple[int, int] = (0, 0)
    #: Why it could not be saved to the corpus ("" when it was, or need not be).
    save_error: str = ""
    #: A tracked gap's tally (a known gap that carries a normalizer): counted and
    #: shown with the smallest example seen, never saved (the gap lives in the config).
    tracked: bool = False

    # The divergence's parts, read as the finding's own (every reporter does);
    # not annotated, so not fields of this record.
    surface = Part[str]()
    signature = Part[Signature]()
    input = Part[Input]()
    runtimes = Part[tuple[str, str]]()
    left = Part[Outcome]()
    right = Part[Outcome]()
    comparison = Part[Comparison]()
    compare_spec = Part[CompareSpec]("compare")

    def to_json(self) -> dict[str, Any]:
        return {
            "surface": self.surface,
            "signature": self.signature.to_json(),
            "status": self.status.value,
            "input": encode_input(self.input),
            "runtimes": list(self.runtimes),
            "left": self.left.to_json(),
            "right": self.right.to_json(),
            "differences": [d.to_json() for d in self.comparison.differences],
            "distance": self.comparison.distance,
            "ignored": list(self.comparison.ignored),
            "compare": self.compare_spec.to_json(),
            "shrunk": self.shrunk,
            "flaky": self.flaky,
            "occurrences": self.occurrences,
            "gap_reason": self.gap_reason,
            "fixture": self.fixture_path,
            "seed": self.seed,
            "found_at": self.found_at,
            "bucket": self.bucket.to_json() if self.bucket else None,
            "shrink_calls": self.shrink_calls,
            "merged_candidates": self.merged,
            "reproduced": list(self.reproduced),
            "save_error": self.save_error,
            "tracked": self.tracked,
        }


@dataclass(frozen=True)
class InfraEvent:
    """A call that failed for reasons outside the input (shown, never a finding)."""

    surface: str
    runtime: str
    target: str
    failure: str
    detail: str
    input: Input

    def to_json(self) -> dict[str, Any]:
        return {
            "surface": self.surface,
            "runtime": self.runtime,
            "target": self.target,
            "failure": self.failure,
            "detail": self.detail,
            "input": encode_input(self.input),
        }


@dataclass
class SurfaceStats:
    """Counters for one surface; mutable while the campaign runs."""

    examples: int = 0
    matches: int = 0
    divergent_examples: int = 0
    both_failed: int = 0
    infra_errors: int = 0
    #: Calls made while shrinking and polishing findings (not examples).
    shrink_calls: int = 0
    elapsed: float = 0.0

    def count(self, verdict: Verdict) -> None:
        self.examples += 1
        if verdict is Verdict.MATCH:
            self.matches += 1
        elif verdict is Verdict.DIVERGENCE:
            self.divergent_examples += 1
        elif verdict is Verdict.BOTH_FAILED:
            self.both_failed += 1
        else:
            self.infra_errors += 1

    @property
    def rate(self) -> float:
        return self.examples / self.elapsed if self.elapsed > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "examples": self.examples,
            "matches": self.matches,
            "divergent_examples": self.divergent_examples,
            "both_failed": self.both_failed,
            "infra_errors": self.infra_errors,
            "shrink_calls": self.shrink_calls,
            "elapsed_s": round(self.elapsed, 3),
            "examples_per_s": round(self.rate, 1),
        }


@dataclass
class SurfaceResult:
    surface: str
    runtimes: tuple[str, str]
    compare_spec: CompareSpec
    stats: SurfaceStats = field(default_factory=SurfaceStats)
    findings: list[Finding] = field(default_factory=list)
    infra_events: list[InfraEvent] = field(default_factory=list)
    #: Paths found to differ between two calls of the *same* runtime, ignored from then on.
    learned_noise: list[str] = field(default_factory=list)
    #: Why the surface stopped early (a runtime unreachable), or "" when it ran out its budget.
    aborted: str = ""
    #: Distinct buckets seen past ``max_signatures``: counted, not shrunk.
    dropped_signatures: int = 0
    #: Examples in known buckets shrunk in search of a new cause, and how many of
    #: them turned out to be a cause already known.
    candidates_examined: int = 0
    candidates_merged: int = 0
    #: (elapsed seconds, examples so far, distinct findings so far) samples for charts.
    timeline: list[tuple[float, int, int]] = field(default_factory=list)
    #: Seconds from the campaign's start to this surface's: timeline times plus this
    #: are campaign time.
    started_s: float = 0.0

    @property
    def failing_findings(self) -> list[Finding]:
        """Findings that fail a run: everything but known gaps and flaky findings."""
        return [f for f in self.findings if f.status is not FindingStatus.KNOWN_GAP and not f.flaky]

    @property
    def flaky_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.flaky and f.status is not FindingStatus.KNOWN_GAP]

    def to_json(self) -> dict[str, Any]:
        return {
            "surface": self.surface,
            "runtimes": list(self.runtimes),
            "compare": self.compare_spec.to_json(),
            "stats": self.stats.to_json(),
            "distinct_divergences": len(self.findings),
            "findings": [f.to_json() for f in self.findings],
            "infra_events": [e.to_json() for e in self.infra_events[:50]],
            "learned_noise": list(self.learned_noise),
            "aborted": self.aborted,
            "dropped_signatures": self.dropped_signatures,
            "candidates_examined": self.candidates_examined,
            "candidates_merged": self.candidates_merged,
            "timeline": [list(t) for t in self.timeline],
            "started_s": self.started_s,
        }


@dataclass
class CampaignResult:
    """Everything one ``run`` produced, in the order the surfaces ran."""

    surfaces: list[SurfaceResult]
    seed: int | None
    started_at: str
    finished_at: str = ""
    config_path: str = ""
    difffuzz_version: str = ""
    hypothesis_version: str = ""
    corpus_dir: str = ""
    #: Flaky findings fail the run too (``[campaign] fail_on_flaky``).
    fail_on_flaky: bool = False
    #: The number of the signal that stopped the run (set by the command that
    #: caught it); an interrupted run without one was stopped by Ctrl-C.
    stopped_by: int | None = None
    #: A tool error that stopped the campaign after these surfaces (their
    #: findings saved), and the exit code the process has for it.
    error: str = ""
    error_exit_code: int = 0

    @property
    def findings(self) -> list[Finding]:
        return [f for s in self.surfaces for f in s.findings]

    @property
    def aborted(self) -> list[SurfaceResult]:
        return [s for s in self.surfaces if s.aborted]

    @property
    def unsaved(self) -> list[Finding]:
        """Findings the corpus could not take (each is printed in full instead)."""
        return [f for f in self.findings if f.save_error]

    @property
    def new_findings(self) -> list[Finding]:
        """Findings that fail a run: new to the corpus, not a known gap, not flaky
        (flaky ones too with ``fail_on_flaky``). A finding the corpus already holds is
        reported, one line, and fails nothing: ``replay`` and ``ci`` gate on those."""
        return [
            f
            for f in self.findings
            if f.status is FindingStatus.NEW and (not f.flaky or self.fail_on_flaky)
        ]

    @property
    def interrupted(self) -> bool:
        """Stopped by a signal (Ctrl-C, SIGTERM, SIGHUP) before its budget was spent."""
        return self.stopped_by is not None or any(s.aborted == INTERRUPTED for s in self.surfaces)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": "difffuzz.campaign/1",
            "difffuzz_version": self.difffuzz_version,
            "hypothesis_version": self.hypothesis_version,
            "config": self.config_path,
            "corpus": self.corpus_dir,
            "seed": self.seed,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "error": self.error,
            "surfaces": [s.to_json() for s in self.surfaces],
        }


def by_surface(findings: Sequence[Finding]) -> Mapping[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.surface, []).append(finding)
    return grouped
