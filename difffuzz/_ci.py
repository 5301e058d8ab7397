"""CI mode: the corpus as a regression gate, then a fixed-budget, seeded fuzz run.

The gate's rule, from the team: a difference, once found, stays a gate after it
is fixed. A fixture is *open* until a replay first sees the runtimes agree on
it; ``difffuzz replay --update`` then stamps it ``fixed_at``. CI fails on

* a **new divergence** found by the fuzz run (a signature the corpus lacks);
* a **regression**: a fixed fixture that diverges again, or any fixture that now
  diverges *differently* (its signature changed) — a known gap too, unless a
  ``known_gaps`` entry of the config also covers the new divergence.

Open fixtures that still diverge, known gaps and flaky fixtures are reported
but do not fail CI: they are already on the team's list. The fuzz run is
deterministic for a given seed and corpus (every Hypothesis round is seeded
from ``--seed``), so two CI runs of the same commit see the same inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from difffuzz._config import Config
from difffuzz._corpus import Corpus
from difffuzz._events import Listener, ignore_events
from difffuzz._replay import ReplayCase, ReplayResult, ReplayVerdict, replay_fixtures
from difffuzz._results import CampaignResult
from difffuzz._workers import run_with_workers

__all__ = ["CIOutcome", "CIResult", "GateStatus", "classify", "run_ci"]


class GateStatus(StrEnum):
    OK_FIXED = "fixed"  # agrees now (newly, or as recorded)
    OPEN = "open"  # still diverges, as recorded: known, not failing
    GAP_OPEN = "gap_open"
    GAP_CLOSED = "gap_closed"  # a known gap no longer reproduces: remove the entry
    REGRESSION = "regression"  # fixed before, diverges again
    CHANGED = "changed"  # diverges differently: the behaviour changed
    FLAKY = "flaky"
    BOTH_FAILING = "both_failing"
    UNREACHABLE = "unreachable"
    NOT_CONFIGURED = "not_configured"

    @property
    def fails(self) -> bool:
        """Regressions and changes fail CI; so does a closed gap (strict-xfail semantics:
        the known_gaps entry must go, or the gate would hide the gap reopening)."""
        return self in (GateStatus.REGRESSION, GateStatus.CHANGED, GateStatus.GAP_CLOSED)


def classify(case: ReplayCase) -> GateStatus:
    """The CI meaning of one replayed fixture."""
    verdict = case.verdict
    if verdict is ReplayVerdict.UNREACHABLE:
        return GateStatus.UNREACHABLE
    if verdict is ReplayVerdict.NOT_CONFIGURED:
        return GateStatus.NOT_CONFIGURED
    if verdict is ReplayVerdict.FLAKY:
        return GateStatus.FLAKY
    if verdict is ReplayVerdict.BOTH_FAILING:
        return GateStatus.BOTH_FAILING
    if case.is_gap:
        return GateStatus.GAP_CLOSED if verdict is ReplayVerdict.FIXED else GateStatus.GAP_OPEN
    if verdict is ReplayVerdict.FIXED:
        return GateStatus.OK_FIXED
    if verdict is ReplayVerdict.DIVERGES_DIFFERENTLY:
        return GateStatus.CHANGED
    return GateStatus.REGRESSION if case.fixture.fixed_at else GateStatus.OPEN


@dataclass(frozen=True)
class CIOutcome:
    case: ReplayCase
    status: GateStatus

    def to_json(self) -> dict[str, Any]:
        return {**self.case.to_json(), "gate": self.status.value}


@dataclass
class CIResult:
    replay: ReplayResult
    gate: list[CIOutcome] = field(default_factory=list)
    campaign: CampaignResult | None = None

    @property
    def new_findings(self) -> int:
        if self.campaign is None:
            return 0
        return len(self.campaign.new_findings)

    @property
    def regressions(self) -> list[CIOutcome]:
        return [o for o in self.gate if o.status.fails]

    @property
    def unrecorded_fixes(self) -> list[CIOutcome]:
        """Fixtures that agree now with no ``fixed_at`` yet: a fix nobody recorded.

        They pass the gate (``replay --update`` records the date, and from then on
        a divergence is a regression); a project that commits its corpus fails
        its own CI on them (``.ci/run``), so that the date is committed with the fix.
        """
        return [
            o for o in self.gate if o.status is GateStatus.OK_FIXED and not o.case.fixture.fixed_at
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": "difffuzz.ci/1",
            "new_findings": self.new_findings,
            "regressions": len(self.regressions),
            "gate": [o.to_json() for o in self.gate],
            "corpus_problems": [str(p) for p in self.replay.problems],
            "campaign": self.campaign.to_json() if self.campaign else None,
        }


def run_ci(
    config: Config,
    *,
    corpus: Corpus,
    budget: int,
    seed: int,
    fuzz: bool = True,
    save_to: Corpus | None = None,
    listener: Listener = ignore_events,
    workers: int = 1,
) -> CIResult:
    """Replay the corpus of the configured surfaces, then fuzz each with ``budget`` examples.

    The fuzz run is a fixed budget: the config's time budget is dropped (time
    would make two runs of one commit differ). New findings are saved to
    ``save_to`` when given, so the gate's corpus stays as committed and the same
    seed gives the same run every time. ``workers`` run surfaces side by side,
    each whole and from the campaign seed, so their count changes nothing else.
    """
    fixtures, problems = corpus.load()
    relevant = [f for f in fixtures if f.surface in config.surfaces]
    replay = replay_fixtures(config, relevant, problems=problems)
    result = CIResult(replay=replay, gate=[CIOutcome(c, classify(c)) for c in replay.cases])
    if fuzz and not any(o.status is GateStatus.UNREACHABLE for o in result.gate):
        seeded = config.override(max_examples=budget, seed=seed)
        seeded = replace(seeded, campaign=replace(seeded.campaign, max_seconds=None))
        result.campaign = run_with_workers(
            seeded,
            workers=workers,
            corpus=corpus,
            save_to=save_to,
            listener=listener,
            split=False,
        )
    return result
