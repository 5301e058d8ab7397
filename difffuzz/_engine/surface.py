"""Fuzzing one surface between two transports: the round loop.

A surface runs in *rounds*: each round is one Hypothesis run with its own
derived seed, because Hypothesis stops generating soon after its first failure,
which suits a unit test but not a campaign. Rounds go on until the budget
(:mod:`.budget`) says stop.

Inside a round every divergent example is sorted into one of Hypothesis's
"interesting origins" (one exception type each, :mod:`.divergence`), so
Hypothesis shrinks each on its own and never lets a shrink slip from one to
another. Which origin an example raises for is a function of the example alone,
the same all round long (Hypothesis caches every answer, so an origin that
depended on the order examples came in would shrink from stale answers):

* an example in a *bucket* (:mod:`difffuzz._bucket`) not yet shrunk raises for
  that bucket;
* in a bucket already shrunk, an example with a fine signature not yet examined
  there is a *candidate* for a cause hiding behind the known diff shape: the
  first time the round meets that (bucket, signature) it claims it, within a
  budget, and every example with that pair raises for it;
* anything else is counted and kept as the smallest example of its bucket.

After each round the shrunk inputs are matched against the causes already
known (:mod:`.causes`): one finding per root cause, identified by its minimal
input. Whatever happens to a round (a runtime going down, Ctrl-C, a tool
error) the best input of every origin is kept, so nothing found is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, reject, settings, target
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from difffuzz._bucket import Bucket
from difffuzz._config import SurfaceSpec
from difffuzz._corpus import Fixture
from difffuzz._engine.budget import Budget, StopReason
from difffuzz._engine.causes import Cause, Causes, KnownCauses, identity_of
from difffuzz._engine.classify import classify
from difffuzz._engine.divergence import DivergenceFound, exception_for
from difffuzz._engine.gaps import GapTally
from difffuzz._engine.health import BrokenRuntimeCheck, InfraPolicy, SurfaceAborted
from difffuzz._engine.noise import NoiseCalibrator
from difffuzz._engine.phase import hypothesis_is_shrinking, round_seed, tool_errors
from difffuzz._engine.settings import SurfaceSettings
from difffuzz._events import (
    ExampleObserved,
    FindingRecorded,
    Listener,
    ShrinkCalled,
    SurfaceStarted,
    ignore_events,
)
from difffuzz._inputs import Input, input_sort_key
from difffuzz._judge import Judge
from difffuzz._polish import polish
from difffuzz._results import INTERRUPTED, Finding, Observation, SurfaceResult, Verdict
from difffuzz._signature import Signature
from difffuzz._transports.base import Transport

__all__ = ["ROUND_SIZE", "SurfaceCampaign", "now_iso"]

#: Examples per Hypothesis run (round).
ROUND_SIZE = 250
#: Calls one candidate may spend on the padding test (``_padding_of``).
PADDING_BUDGET = 40


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class _Origin:
    """One thing Hypothesis is shrinking in this round."""

    bucket: Bucket
    candidate: bool
    error: type[DivergenceFound]
    best: Observation | None = None
    shrink_calls: int = 0

    def offer(self, observation: Observation) -> None:
        if self.best is None or input_sort_key(observation.input) < input_sort_key(self.best.input):
            self.best = observation


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
        known: Sequence[Fixture] = (),
        listener: Listener = ignore_events,
    ) -> None:
        self.surface = surface
        self.runtimes = runtimes
        self.left = left
        self.right = right
        self.settings = settings or SurfaceSettings()
        self.listener = listener
        self.judge = Judge(surface, runtimes)
        #: Tracked gaps (a known gap that carries a normalizer): counted, reported once.
        self.gaps = GapTally(surface.name, runtimes)
        self._fixtures = tuple(known)
        #: The corpus's causes, judged by today's rule (again once noise is learned).
        self.known = KnownCauses.judged(self._fixtures, self.judge)
        self.causes = Causes()
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
        #: Buckets whose causes are known: searched by candidates only.
        self._shrunk_buckets: set[Bucket] = set(self.known.shrunk_buckets)
        #: The smallest divergent example per bucket, and how many examples hit it.
        self._smallest: dict[Bucket, Observation] = {}
        self._hits: dict[Bucket, int] = {}
        #: Fine signatures already examined as candidates, per bucket.
        self._examined: dict[Bucket, set[Signature]] = {}
        #: This round's origins: (bucket, None) for a new bucket, (bucket, signature)
        #: for a candidate; and the pairs this round met and did not claim.
        self._origins: dict[tuple[Bucket, Signature | None], _Origin] = {}
        self._declined: set[tuple[Bucket, Signature]] = set()
        self._shrinking_origin: _Origin | None = None
        #: This round used its share of shrinking time or calls.
        self._round_cut = False
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
            self.budget.round_shrink_calls_used += 1
            if self._shrinking_origin is not None:
                self._shrinking_origin.shrink_calls += 1
            self.listener(ShrinkCalled(self.surface.name, stats.shrink_calls))
            return
        stats.count(observation.verdict)
        self.budget.examples_used += 1
        if stats.examples % 25 == 0:
            self._sample_timeline()
        self.listener(ExampleObserved(self.surface.name, observation.verdict))

    def _sample_timeline(self) -> None:
        stats = self.result.stats
        self.result.timeline.append((round(stats.elapsed, 3), stats.examples, len(self.causes)))

    def _step(self, value: Input, *, shrinking: bool = False) -> Observation:
        observation = self.observe(value)
        self._count(observation, shrinking=shrinking)
        if observation.verdict is Verdict.INFRA_ERROR:
            self.infra.note(observation)
            return observation
        self.infra.reset()
        if not shrinking:
            self.broken.check(observation)
            self.gaps.record(observation)
        if observation.verdict is Verdict.DIVERGENCE:
            bucket = observation.bucket
            assert bucket is not None
            assert observation.signature is not None
            if not shrinking:
                self._hits[bucket] = self._hits.get(bucket, 0) + 1
            current = self._smallest.get(bucket)
            if current is None:
                self._smallest[bucket] = observation
                signature = observation.signature
                self.listener(FindingRecorded(self.surface.name, signature.id, signature.label))
            elif input_sort_key(observation.input) < input_sort_key(current.input):
                self._smallest[bucket] = observation
        return observation

    def _origin_for(self, observation: Observation) -> _Origin | None:
        """Which origin this divergent example raises for, if any (module docstring)."""
        bucket, signature = observation.bucket, observation.signature
        assert bucket is not None
        assert signature is not None
        if bucket not in self._shrunk_buckets:
            origin = self._origins.get((bucket, None))
            if origin is None:
                if len(self.causes) + len(self._origins) >= self.settings.max_signatures:
                    if bucket not in self._examined:
                        self.result.dropped_signatures += 1
                        self._examined[bucket] = set()
                    return None  # counted and kept as its bucket's smallest, never shrunk
                key = f"new:{bucket.key}"
                error = exception_for(key, f"{bucket.surface}_{bucket.id}")
                origin = self._origins[(bucket, None)] = _Origin(bucket, False, error)
            return origin
        pair = (bucket, signature)
        origin = self._origins.get(pair)
        if origin is not None or pair in self._declined:
            return origin
        examined = self._examined.setdefault(bucket, set())
        if (
            signature in examined
            or len(examined) >= self.settings.candidates_per_bucket
            or self.result.candidates_examined >= self.settings.max_candidates
        ):
            self._declined.add(pair)
            return None
        examined.add(signature)
        self.result.candidates_examined += 1
        key = f"candidate:{bucket.key}:{signature.canonical}"
        error = exception_for(key, f"{bucket.surface}_{bucket.id}_{signature.id}")
        origin = self._origins[pair] = _Origin(bucket, True, error)
        return origin

    def _hypothesis_step(self, value: Input) -> None:
        shrinking = hypothesis_is_shrinking()
        if shrinking:
            stop = self.budget.shrink_stop() or self.budget.round_shrink_stop(len(self._origins))
            if stop is not None:
                # Returning without a verdict makes every further shrink attempt "not
                # interesting": Hypothesis stops, its final replay reports Flaky, which
                # the round ignores, and each origin keeps its best input so far.
                self._round_cut = True
                if stop is StopReason.TIME:
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
            origin = self._origin_for(observation)
            if origin is not None:
                origin.offer(observation)
                if shrinking:
                    self._shrinking_origin = origin
                raise origin.error(observation)
        distance = observation.comparison.distance
        if distance is not None and distance == distance and abs(distance) < 1e300:
            target(float(distance), label=f"{self.surface.name}:distance")

    # -- the run ---------------------------------------------------------------

    def _learn_noise(self, strategy: st.SearchStrategy[Any]) -> None:
        spec = self.judge.compare_spec
        calibrator = NoiseCalibrator(
            spec=spec,
            sides=((self.left.send, spec.select_left), (self.right.send, spec.select_right)),
            normalize=(
                lambda outcome: self.judge.normalize(0, outcome),
                lambda outcome: self.judge.normalize(1, outcome),
            ),
            examples=self.settings.learn_noise,
            seed=self.settings.seed,
            out_of_time=self.budget.noise_spent,
        )
        learned = calibrator.learn(strategy)
        if learned:
            self.judge = self.judge.with_noise(learned)
            self.result.learned_noise.extend(learned)
            self.known = KnownCauses.judged(self._fixtures, self.judge)
            self._shrunk_buckets |= self.known.shrunk_buckets

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
            if abort.broken_runtime:
                # That runtime failed the same way on every input so far: every
                # divergence seen is its doing, not a finding.
                self._origins, self._smallest, self._declined = {}, {}, set()
                self.causes = Causes()
        except KeyboardInterrupt:
            self.result.aborted = INTERRUPTED
        except _RoundFailed as failed:
            self.errors.extend(failed.errors)
            self.result.aborted = f"difffuzz stopped this surface: {failed.errors[0]!r}"
        finally:
            self._resolve_round(cut=True)  # a round that did not finish keeps its origins
            self._adopt_unshrunk()
            self.result.stats.elapsed = self.budget.elapsed
            self._sample_timeline()
        return self.result

    def _round(self, strategy: st.SearchStrategy[Any], number: int, budget: int) -> bool:
        """One Hypothesis run; True when it ended without using its budget (space exhausted)."""
        campaign = self
        before = self.result.stats.examples
        self.budget.new_round()
        self._round_cut = False

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

        found = False
        try:
            fuzz()
        except (SurfaceAborted, KeyboardInterrupt):
            raise
        except BaseException as failure:
            found = True
            errors = tool_errors(failure)
            if errors:
                raise _RoundFailed(errors) from failure
        self._resolve_round(cut=self._round_cut)
        used = self.result.stats.examples - before
        stopped = self.shrink_stopped is not None or self.explore_stopped is not None
        return stopped or (not found and used < budget)

    def _resolve_round(self, *, cut: bool) -> None:
        """Turn this round's shrunk origins into causes: new ones, or merged into known."""
        origins, self._origins, self._declined = self._origins, {}, set()
        self._shrinking_origin = None
        for bucket, _ in origins:
            self._shrunk_buckets.add(bucket)
        for origin in origins.values():
            if origin.best is None:
                continue
            cause = self.causes.match(origin.best)
            if cause is None and origin.candidate:
                cause = self._padding_of(origin.best)
            if cause is not None:
                cause.shrink_calls += origin.shrink_calls
                if origin.candidate:
                    cause.merged += 1
                    self.result.candidates_merged += 1
                continue
            if origin.candidate and self.known.match(origin.best) is not None:
                self.result.candidates_merged += 1  # a cause the corpus already holds
                continue
            self.causes.add(
                Cause(
                    bucket=origin.bucket,
                    best=origin.best,
                    shrunk=not cut and self.shrink_stopped is None,
                    via_candidate=origin.candidate,
                    shrink_calls=origin.shrink_calls,
                )
            )

    def _padding_of(self, candidate: Observation) -> Cause | None:
        """The known cause ``candidate`` is with padding, if it is one.

        A candidate is shrunk keeping its own fine signature, so it keeps what makes
        that signature: an extra key that shows one more difference is kept, though
        the cause is the same. Dropping parts of it (keys, items, characters: never
        changing a value) while it stays in its bucket tells: if that reaches a
        known cause's very input, the candidate is that cause. The reduced input is
        only a test, never a fixture, so it need not be one the strategy draws.
        """
        known = {c.identity: c for c in self.causes if c.bucket == candidate.bucket}
        if not known:
            return None

        def stays(value: Input) -> bool:
            if self.budget.shrink_stop() is not None:
                return False
            return self._step(value, shrinking=True).bucket == candidate.bucket

        reduced = polish(candidate.input, stays, budget=PADDING_BUDGET, deletions_only=True)
        return known.get(identity_of(reduced))

    def _adopt_unshrunk(self) -> None:
        """Buckets seen but never shrunk (explicit examples, past the cap) keep their
        smallest example, reported unshrunk, unless a known cause covers them."""
        for bucket, observation in self._smallest.items():
            if bucket in self._shrunk_buckets or self.causes.match(observation) is not None:
                continue
            if len(self.causes) >= self.settings.max_signatures:
                break
            self._shrunk_buckets.add(bucket)
            self.causes.add(Cause(bucket=bucket, best=observation, shrunk=False))

    def _polish_all(self) -> None:
        """Value-level shrinking of every new cause (see :mod:`difffuzz._polish`).

        Only for surfaces whose strategy is closed under the polisher's moves
        (``polish = true``): elsewhere a simpler value may be one the strategy
        never produces, which is not a fixture of the surface's domain.
        """
        budget = self.settings.polish_budget
        if not self.settings.polish or budget <= 0:
            return
        for cause in list(self.causes):
            if self.known.match(cause.best) is not None:
                continue
            wanted = cause.best

            def reproduces(value: Input, wanted: Observation = wanted) -> bool:
                if self.budget.shrink_stop() is not None:
                    return False
                again = self._step(value, shrinking=True)
                return again.bucket == wanted.bucket and again.signature == wanted.signature

            smaller = polish(cause.best.input, reproduces, budget=budget)
            if smaller != cause.best.input:
                observed = self.observe(smaller)
                if observed.bucket == wanted.bucket and observed.signature == wanted.signature:
                    cause.best = observed
        self.causes.merge_equal()

    # -- findings ------------------------------------------------------------

    def findings(self, *, seed: int | None) -> list[Finding]:
        """One finding per cause, in the order found, each confirmed once; then the
        corpus's causes this run met again (known, shown with their fixture's input)."""
        findings = []
        matched: set[str] = set()
        for cause in self.causes:
            observation = cause.best
            fixture = self.known.match(observation)
            if fixture is not None and fixture.path is not None:
                matched.add(str(fixture.path))
            replaced = [str(f.path) for f in self.known.superseded(observation) if f.path]
            reproduced, sent, flaky = self._confirm(observation)
            # A cause the corpus holds is shown as the corpus holds it: the fixture's
            # input and answers, with its own seed beside its own date.
            shown = next((o for f, o in self.known.observations if f is fixture), observation)
            findings.append(
                self._finding(
                    shown,
                    fixture,
                    seed=fixture.seed if fixture is not None else seed,
                    flaky=flaky,
                    reproduced=(reproduced, sent),
                    shrunk=cause.shrunk and not self.result.aborted,
                    bucket=cause.bucket,
                    shrink_calls=cause.shrink_calls,
                    merged=cause.merged,
                    replaces=tuple(replaced) if fixture is None else (),
                )
            )
        for fixture, observation in self.known.observations:
            bucket = observation.bucket
            if bucket is None or bucket not in self._hits or str(fixture.path) in matched:
                continue
            matched.add(str(fixture.path))
            findings.append(
                self._finding(
                    observation,
                    fixture,
                    seed=fixture.seed,
                    flaky=fixture.flaky,
                    shrunk=fixture.shrunk,
                    bucket=bucket,
                )
            )
        findings.extend(self.gaps.findings(self.judge.compare_spec, seed=seed))
        return findings

    def _finding(
        self,
        observation: Observation,
        fixture: Fixture | None,
        *,
        seed: int | None,
        flaky: bool,
        shrunk: bool,
        bucket: Bucket,
        shrink_calls: int = 0,
        merged: int = 0,
        replaces: tuple[str, ...] = (),
        reproduced: tuple[int, int] = (0, 0),
    ) -> Finding:
        assert observation.signature is not None
        verdict = classify(observation.signature, self.surface, fixture)
        return Finding(
            surface=self.surface.name,
            signature=observation.signature,
            input=observation.input,
            left=observation.left,
            right=observation.right,
            comparison=observation.comparison,
            compare_spec=self.judge.compare_spec,
            runtimes=self.runtimes,
            status=verdict.status,
            shrunk=shrunk,
            flaky=flaky,
            occurrences=self._hits.get(bucket, 1),
            gap_reason=verdict.reason,
            fixture_path=str(fixture.path) if fixture and fixture.path else None,
            seed=seed,
            # "Since when": a known finding keeps the date its fixture was found.
            found_at=fixture.found_at if fixture and fixture.found_at else now_iso(),
            bucket=bucket,
            shrink_calls=shrink_calls,
            merged=merged,
            replaces=replaces,
            reproduced=reproduced,
        )

    def _confirm(self, observation: Observation) -> tuple[int, int, bool]:
        """Send the minimal input ``confirmations`` times more.

        Returns (times reproduced, times sent, flaky). One resend is not enough: an
        input-independent fault (a random 500 on one call in ten) reproduces once
        about one time in ten. Only a resend on which the runtimes *agree* speaks
        against the divergence; a resend that hits a fault of its own (a 500, a
        crash, a cut body: another signature, or no answer) says nothing either way.
        A divergence is flaky when some resend contradicted it, or another
        divergence came back more often (the input's usual answer, with
        a fault on top the first time); one found on a runtime that then went down,
        whose answer was a failure, cannot be confirmed and is flaky too (the fault
        may be all it shows).
        """
        if self.result.aborted:
            failed = observation.left.failure is not None or observation.right.failure is not None
            return (0, 0, failed)
        sent = self.settings.confirmations
        reproduced = contradicted = 0
        others: dict[object, int] = {}
        for _ in range(sent):
            repeated = self.observe(observation.input)
            if repeated.verdict is Verdict.MATCH:
                contradicted += 1
            elif repeated.signature == observation.signature:
                reproduced += 1
            elif repeated.verdict is Verdict.DIVERGENCE:
                others[repeated.signature] = others.get(repeated.signature, 0) + 1
        # The input's usual answer is another divergence: this one was a fault on top.
        outvoted = any(count > reproduced for count in others.values())
        return (reproduced, sent, contradicted > 0 or outvoted)


class _RoundFailed(Exception):
    """A round raised something that is not a finding (see ``phase.tool_errors``)."""

    def __init__(self, errors: list[BaseException]) -> None:
        super().__init__(errors[0])
        self.errors = errors
