"""A campaign cut into shares, and a surface's shares merged back into one result.

A *share* is one worker's part of a campaign (:mod:`difffuzz._workers`): a
surface's rounds from one seed, with a part of its example budget and the whole
time budget. Share 0 keeps the campaign seed, so one share is the run one
process makes; the others get seeds of their own, derived from the campaign
seed, the surface and the share's number.

When a surface's last share is in, the shares are merged:

* statistics add up (the elapsed time is the longest share's: they ran side by
  side), and the timelines add their examples at each moment;
* a surface's causes are merged by identity (:mod:`difffuzz._engine.causes`:
  the same shrunk input, or the same bucket and signature), keeping the smaller
  input, so two shares that met one cause give one finding.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from hypothesis.database import ExampleDatabase

from difffuzz._config import Config
from difffuzz._corpus import Corpus
from difffuzz._engine.campaign import known_fixtures, run_surface
from difffuzz._engine.causes import identity_of
from difffuzz._engine.settings import SurfaceSettings
from difffuzz._events import Listener
from difffuzz._inputs import input_sort_key
from difffuzz._plan import Plan
from difffuzz._results import Finding, SurfaceResult, SurfaceStats

__all__ = [
    "Share",
    "ShareResult",
    "merge_findings",
    "merge_shares",
    "plan_shares",
    "run_share",
    "share_seed",
]


@dataclass(frozen=True)
class Share:
    """One worker's part of a campaign: a surface's rounds from one seed, with a budget."""

    surface: str
    index: int
    shares: int
    seed: int
    max_examples: int


def share_seed(seed: int, surface: str, index: int) -> int:
    """Share 0 keeps the campaign seed; the others get seeds of their own."""
    if index == 0:
        return seed
    digest = hashlib.sha256(f"{seed}:{surface}:share {index}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def plan_shares(config: Config, seed: int, *, workers: int, split: bool) -> list[Share]:
    """The shares of a campaign, in config order (see the module docstring)."""
    surfaces = list(config.surfaces.values())
    per_surface = 1
    if split and surfaces and len(surfaces) < workers:
        per_surface = -(-workers // len(surfaces))  # ceiling: every worker gets work
    shares = []
    for surface in surfaces:
        budget = surface.max_examples or config.campaign.max_examples
        count = max(1, min(per_surface, budget))
        for index in range(count):
            part = budget // count + (1 if index < budget % count else 0)
            shares.append(
                Share(surface.name, index, count, share_seed(seed, surface.name, index), part)
            )
    return shares


@dataclass
class ShareResult:
    """What one share found (not saved yet), and the tool errors it met."""

    share: Share
    result: SurfaceResult
    errors: list[BaseException] = field(default_factory=list)


def run_share(
    plan: Plan,
    share: Share,
    *,
    corpus: str | None,
    check: bool,
    listener: Listener,
    database: ExampleDatabase | None,
) -> ShareResult:
    """One share, here: the surface's findings, not saved."""
    compiled = plan.surfaces[share.surface]
    settings = replace(
        SurfaceSettings.of(plan.config.campaign, compiled.spec, seed=share.seed),
        max_examples=share.max_examples,
    )
    known = known_fixtures(plan, Corpus(corpus) if corpus is not None else None, share.surface)
    result, errors = run_surface(
        plan,
        compiled,
        settings=settings,
        known=known,
        listener=listener,
        check_runtimes=check,
        database=database,
    )
    return ShareResult(share, result, errors)


def merge_shares(results: Sequence[SurfaceResult]) -> SurfaceResult:
    """One surface's result from its shares' (in share order): see the module docstring."""
    first = results[0]
    merged = SurfaceResult(
        surface=first.surface, runtimes=first.runtimes, compare_spec=first.compare_spec
    )
    merged.stats = _sum_stats(r.stats for r in results)
    merged.findings = merge_findings(f for r in results for f in r.findings)
    for result in results:
        merged.infra_events.extend(result.infra_events)
        merged.learned_noise.extend(
            p for p in result.learned_noise if p not in merged.learned_noise
        )
        merged.aborted = merged.aborted or result.aborted
        merged.dropped_signatures += result.dropped_signatures
        merged.candidates_examined += result.candidates_examined
        merged.candidates_merged += result.candidates_merged
    merged.timeline = _merge_timelines([r.timeline for r in results])
    return merged


def _sum_stats(parts: Iterable[SurfaceStats]) -> SurfaceStats:
    total = SurfaceStats()
    for stats in parts:
        total.examples += stats.examples
        total.matches += stats.matches
        total.divergent_examples += stats.divergent_examples
        total.both_failed += stats.both_failed
        total.infra_errors += stats.infra_errors
        total.shrink_calls += stats.shrink_calls
        total.elapsed = max(total.elapsed, stats.elapsed)  # shares run side by side
    return total


def _same_cause(one: Finding, other: Finding) -> bool:
    if one.fixture_path and one.fixture_path == other.fixture_path:
        return True  # the same known fixture, met by two shares
    if identity_of(one.input) == identity_of(other.input):
        return True
    return (
        one.bucket is not None and one.bucket == other.bucket and one.signature == other.signature
    )


def merge_findings(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per cause across shares, the smaller input kept, counts added."""
    kept: list[Finding] = []
    for finding in findings:
        for index, other in enumerate(kept):
            if not _same_cause(finding, other):
                continue
            smaller, larger = (
                (finding, other)
                if input_sort_key(finding.input) < input_sort_key(other.input)
                else (other, finding)
            )
            kept[index] = replace(
                smaller,
                occurrences=smaller.occurrences + larger.occurrences,
                shrink_calls=smaller.shrink_calls + larger.shrink_calls,
                merged=smaller.merged + larger.merged + (0 if smaller.fixture_path else 1),
            )
            break
        else:
            kept.append(finding)
    return kept


def _merge_timelines(
    timelines: Sequence[list[tuple[float, int, int]]],
) -> list[tuple[float, int, int]]:
    """(elapsed, examples, causes) over shares run side by side: examples add up."""
    times = sorted({t for timeline in timelines for t, _, _ in timeline})
    moments = [[point[0] for point in timeline] for timeline in timelines]
    merged = []
    for moment in times:
        examples = causes = 0
        for timeline, at in zip(timelines, moments, strict=True):
            # The share's last point at or before this moment (timelines are in time order).
            last = bisect.bisect_right(at, moment) - 1
            if last >= 0:
                examples += timeline[last][1]
                causes = max(causes, timeline[last][2])
        merged.append((moment, examples, causes))
    return merged
