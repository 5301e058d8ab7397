"""Fuzzing one surface between two transports: the round loop.

A surface runs in *rounds*: each round is one Hypothesis run with its own
derived seed. Hypothesis stops generating soon after its first failure, which
suits a unit test but not a campaign; signatures already found (in this run or
in the corpus) no longer raise, so the next round searches for new ones. Rounds
go on until the budget (:mod:`.budget`) says stop. Each divergent example raises
the exception type of its signature (:mod:`.divergence`), so Hypothesis shrinks
every distinct divergence on its own; a tracker (:mod:`.tracker`) keeps the
smallest input per signature whatever happens to the Hypothesis run; a value-level
polish (:mod:`difffuzz._polish`) finishes what choice-level shrinking leaves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, reject, settings, target
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from difffuzz._config import SurfaceSpec
from difffuzz._corpus import Fixture
from difffuzz._engine.budget import Budget, StopReason
from difffuzz._engine.classify import classify
from difffuzz._engine.divergence import exception_for
from difffuzz._engine.health import BrokenRuntimeCheck, InfraPolicy, SurfaceAborted
from difffuzz._engine.noise import NoiseCalibrator
from difffuzz._engine.phase import hypothesis_is_shrinking, round_seed, tool_errors
from difffuzz._engine.settings import SurfaceSettings
from difffuzz._engine.tracker import Tracker
from difffuzz._events import (
    ExampleObserved,
    FindingRecorded,
    Listener,
    SurfaceStarted,
    ignore_events,
)
from difffuzz._inputs import Input
from difffuzz._judge import Judge
from difffuzz._polish import polish
from difffuzz._results import (
    INTERRUPTED,
    Finding,
    Observation,
    SurfaceResult,
    Verdict,
)
from difffuzz._signature import Signature
from difffuzz._transports.base import Transport

__all__ = ["ROUND_SIZE", "SurfaceCampaign", "now_iso"]

#: Examples per Hypothesis run (round).
ROUND_SIZE = 250


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SurfaceCampaign:
    """Fuzzes one surface between two transports (see the module docstring)."""

    def __init__(
        self,
        surface: SurfaceSpec,
        *,
        runtimes: tuple[str, str],
        left: Transport,
        right: Transport,
        settings: SurfaceSettings | None = None,
        known: Mapping[Signature, Fixture] | None = None,
        listener: Listener = ignore_events,
    ) -> None:
        self.surface = surface
        self.runtimes = runtimes
        self.left = left
        self.right = right
        self.settings = settings or SurfaceSettings()
        self.known = dict(known or {})
        self.listener = listener
        self.judge = Judge(surface, runtimes)
        self.tracker = Tracker()
        self.result = SurfaceResult(
            surface=surface.name, runtimes=runtimes, compare_spec=surface.compare
        )
        self.budget = Budget(
            max_examples=self.settings.max_examples,
            max_seconds=self.settings.max_seconds,
            shrink_calls=self.settings.shrink_budget,
        )
        self.infra = InfraPolicy(
            surface=surface.name,
            runtimes=runtimes,
            targets=(left.target, right.target),
            limit=self.settings.infra_error_limit,
            events=self.result.infra_events,
        )
        self.broken = BrokenRuntimeCheck(
            surface=surface.name,
            runtimes=runtimes,
            answered=lambda index, outcome: self.judge.answered(runtimes[index], outcome),
        )
        #: Why exploring ended early (time), and why shrinking was cut short, if it was.
        self.explore_stopped: StopReason | None = None
        self.shrink_stopped: StopReason | None = None
        #: Signatures shrunk in an earlier round: they no longer raise.
        self._shrunk_earlier: set[Signature] = set()
        #: Signatures past max_signatures.
        self._dropped: set[Signature] = set()
        #: This round used its share of shrinking time (time-boxed surfaces).
        self._round_capped = False
        self._partly_shrunk: set[Signature] = set()
        #: Tool errors met inside the surface (a difffuzz or strategy bug); the
        #: findings are kept and the campaign reports the first one.
        self.errors: list[BaseException] = []

    # -- one example -------------------------------------------------------

    def observe(self, value: Input) -> Observation:
        """Send ``value`` to both runtimes and judge the answers."""
        left = self.left.send(value)
        right = self.right.send(value)
        return self.judge.judge(value, left, right)

    def _count(self, observation: Observation, *, shrinking: bool) -> None:
        stats = self.result.stats
        stats.elapsed = self.budget.elapsed
        if shrinking:
            stats.shrink_calls += 1
            self.budget.shrink_calls_used += 1
            return
        stats.count(observation.verdict)
        self.budget.examples_used += 1
        if stats.examples % 25 == 0:
            self._sample_timeline()
        self.listener(ExampleObserved(self.surface.name, observation.verdict))

    def _sample_timeline(self) -> None:
        stats = self.result.stats
        self.result.timeline.append(
            (round(stats.elapsed, 3), stats.examples, len(self.tracker.best))
        )

    def _step(self, value: Input, *, shrinking: bool = False) -> Observation:
        observation = self.observe(value)
        self._count(observation, shrinking=shrinking)
        if observation.verdict is Verdict.INFRA_ERROR:
            self.infra.note(observation)
            return observation
        self.infra.reset()
        if not shrinking:
            self.broken.check(observation)
        if observation.verdict is Verdict.DIVERGENCE:
            signature = observation.signature
            assert signature is not None
            if (
                signature not in self.tracker.best
                and len(self.tracker.best) >= self.settings.max_signatures
            ):
                if signature not in self._dropped:
                    self._dropped.add(signature)
                    self.result.dropped_signatures = len(self._dropped)
                return observation  # counted in stats, not kept
            if self.tracker.record(observation, count=not shrinking):
                self.listener(FindingRecorded(self.surface.name, signature.id, signature.label))
        return observation

    def _should_shrink(self, signature: Signature) -> bool:
        """Raise (so Hypothesis shrinks it) unless the corpus already holds a fixture
        or an earlier round of this run already shrank it."""
        return signature not in self.known and signature not in self._shrunk_earlier

    def _hypothesis_step(self, value: Input) -> None:
        shrinking = hypothesis_is_shrinking()
        if shrinking:
            if self.budget.round_shrink_stop() is not None:
                self._round_capped = True
                return  # this round's share of shrinking is spent; the tracker keeps the best
            stop = self.budget.shrink_stop()
            if stop is not None:
                # Returning without a verdict makes every further shrink attempt "not
                # interesting": Hypothesis stops, its final replay reports Flaky, which
                # the round ignores, and the tracker keeps the best inputs.
                self.shrink_stopped = stop
                return
        else:
            stop = self.budget.explore_stop()
            if stop is not None:
                self.explore_stopped = stop
                return  # each further call passes at once: the round ends quickly
        observation = self._step(value, shrinking=shrinking)
        if observation.verdict is Verdict.INFRA_ERROR:
            reject()
        if observation.verdict is Verdict.DIVERGENCE:
            signature = observation.signature
            assert signature is not None
            if signature in self.tracker.best and self._should_shrink(signature):
                self.tracker.raised.add(signature)
                raise exception_for(signature.canonical, f"{signature.surface}_{signature.id}")(
                    observation
                )
        distance = observation.comparison.distance
        if distance is not None and distance == distance and abs(distance) < 1e300:
            target(float(distance), label=f"{self.surface.name}:distance")

    # -- the run ---------------------------------------------------------------

    def _learn_noise(self, strategy: st.SearchStrategy[Any]) -> None:
        spec = self.judge.compare_spec
        calibrator = NoiseCalibrator(
            spec=spec,
            sides=((self.left.send, spec.select_left), (self.right.send, spec.select_right)),
            examples=self.settings.learn_noise,
            seed=self.settings.seed,
        )
        learned = calibrator.learn(strategy)
        if learned:
            self.judge = self.judge.with_noise(learned)
            self.result.learned_noise.extend(learned)

    def run(
        self, strategy: st.SearchStrategy[Any], examples: Sequence[Input] = ()
    ) -> SurfaceResult:
        """Fuzz until the budget is spent; returns the surface's result.

        Never raises for findings, a runtime going down or Ctrl-C (``result.aborted``
        says why it stopped early); a difffuzz or strategy bug is kept in
        ``self.errors`` with the findings intact, for the caller to save and report.
        """
        self.budget.start()
        self.listener(SurfaceStarted(self.surface.name, self.settings.max_examples))
        try:
            self._learn_noise(strategy)
            for value in examples:
                if self.budget.explore_stop() is not None:
                    break
                self._step(value)
            number = 0
            while self.budget.explore_stop() is None:
                size = min(self.budget.examples_left, ROUND_SIZE)
                exhausted = self._round(strategy, number, size)
                number += 1
                if exhausted:
                    break
            self._polish_all()
        except SurfaceAborted as abort:
            self.result.aborted = abort.reason
        except KeyboardInterrupt:
            self.result.aborted = INTERRUPTED
        except _RoundFailed as failed:
            self.errors.extend(failed.errors)
            self.result.aborted = f"difffuzz stopped this surface: {failed.errors[0]!r}"
        finally:
            self.result.stats.elapsed = self.budget.elapsed
            self._sample_timeline()
        return self.result

    def _round(self, strategy: st.SearchStrategy[Any], number: int, budget: int) -> bool:
        """One Hypothesis run; True when it ended without using its budget (space exhausted)."""
        campaign = self
        before = self.result.stats.examples
        self._shrunk_earlier |= self.tracker.raised
        self.budget.new_round()
        self._round_capped = False
        raised_before = set(self.tracker.raised)

        @settings(
            max_examples=budget,
            database=None,
            deadline=None,
            derandomize=False,
            report_multiple_bugs=True,
            phases=(Phase.generate, Phase.target, Phase.shrink),
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
        )
        @hypothesis_seed(round_seed(self.settings.seed, self.surface.name, number))
        @given(strategy)
        def fuzz(value: Input) -> None:
            campaign._hypothesis_step(value)

        found_new = False
        try:
            fuzz()
        except (SurfaceAborted, KeyboardInterrupt):
            raise
        except BaseException as failure:
            found_new = True
            errors = tool_errors(failure)
            if errors:
                raise _RoundFailed(errors) from failure
        used = self.result.stats.examples - before
        if self._round_capped:
            # Left for the polish pass, and reported as not (fully) shrunk.
            self._partly_shrunk |= self.tracker.raised - raised_before
        stopped = self.shrink_stopped is not None or self.explore_stopped is not None
        return stopped or (not found_new and used < budget)

    def _polish_all(self) -> None:
        """Value-level shrinking of every new finding (see :mod:`difffuzz._polish`).

        Polishing one finding can hit a signature nobody has seen yet (dropping a
        key turns a shape divergence into a status one); those are polished too,
        until no unpolished signature is left, so none is reported unshrunk only
        because it was found last. ``max_signatures`` bounds the loop.
        """
        polished: set[Signature] = set()
        budget = self.settings.polish_budget
        while pending := [s for s in self.tracker.best if s not in polished]:
            for signature in pending:
                polished.add(signature)
                if signature in self.known or budget <= 0:
                    continue

                def reproduces(value: Input, wanted: Signature = signature) -> bool:
                    if self.budget.shrink_stop() is not None:
                        return False
                    return self._step(value, shrinking=True).signature == wanted

                polish(self.tracker.best[signature].input, reproduces, budget=budget)
                self.tracker.raised.add(signature)

    # -- findings ------------------------------------------------------------

    def findings(self, *, seed: int | None) -> list[Finding]:
        """One finding per signature, smallest input, first-seen order, confirmed once."""
        findings = []
        for signature, observation in self.tracker.best.items():
            confirmed = self._confirm(observation)
            verdict = classify(signature, self.surface, self.known)
            fixture = verdict.fixture
            findings.append(
                Finding(
                    surface=self.surface.name,
                    signature=signature,
                    input=observation.input,
                    left=observation.left,
                    right=observation.right,
                    comparison=observation.comparison,
                    compare_spec=self.judge.compare_spec,
                    runtimes=self.runtimes,
                    status=verdict.status,
                    shrunk=signature in self.tracker.raised
                    and signature not in self._partly_shrunk
                    and not self.result.aborted
                    and self.shrink_stopped is None,
                    flaky=not confirmed,
                    occurrences=self.tracker.counts.get(signature, 1),
                    gap_reason=verdict.reason,
                    fixture_path=str(fixture.path) if fixture and fixture.path else None,
                    seed=seed,
                    # "Since when": a known finding keeps the date its fixture was found.
                    found_at=fixture.found_at if fixture and fixture.found_at else now_iso(),
                )
            )
        return findings

    def _confirm(self, observation: Observation) -> bool:
        """Send the minimal input once more: does it give the same signature?"""
        if self.result.aborted:
            return True  # the runtime is gone; do not count that against the finding
        again = self.observe(observation.input)
        return again.signature == observation.signature


class _RoundFailed(Exception):
    """A round raised something that is not a finding (see ``phase.tool_errors``)."""

    def __init__(self, errors: list[BaseException]) -> None:
        super().__init__(errors[0])
        self.errors = errors
