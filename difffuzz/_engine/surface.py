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
depended on the order examples came in would shrink from stale answers;
:mod:`.origins` holds the rules):

* an example in a *bucket* (:mod:`difffuzz._bucket`) not yet shrunk raises for
  that bucket;
* in a bucket already shrunk, an example the known causes do not account for
  (:mod:`.candidates`: it holds none of their inputs, is no variant of one, and
  does not reduce to one when parts of it are dropped, a test of a few calls
  made before a candidate is spent on it) is a *candidate* for a cause hiding
  behind the known diff shape, told apart from others by the first kind of
  character no known cause of the bucket carries; while Hypothesis shrinks it,
  it follows its example to any input the known causes do not account for;
* anything else is counted and kept as the smallest example of its bucket.

The origin of an example that was not claimed before may depend on what the
round met first (the first example of a key claims it); Hypothesis caches
answers by choice sequence, so an example is never asked twice within a round,
and the known causes, which every rule reads, change only between rounds.

After each round the shrunk inputs are matched against the causes already
known (:mod:`.resolve`, :mod:`.causes`): one finding per root cause, identified
by its minimal input; at the end each is confirmed by resending it
(:mod:`.confirm`) and becomes a finding (:mod:`.findings`). Whatever happens
to a round (a runtime going down, Ctrl-C, a tool error) the best input of every
origin is kept, so nothing found is lost.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import HealthCheck, Phase, Verbosity, given, reject, settings, target
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.database import ExampleDatabase

from difffuzz._bucket import Bucket
from difffuzz._config import SurfaceSpec
from difffuzz._corpus import Fixture
from difffuzz._engine.answers import AnswerMemory
from difffuzz._engine.budget import Budget, StopReason
from difffuzz._engine.causes import Causes, KnownCauses
from difffuzz._engine.confirm import DOUBT_FACTOR, Confirmation, confirm, unconfirmable
from difffuzz._engine.constants import pinned_constants, surface_constants, surface_modules
from difffuzz._engine.findings import FindingMaker
from difffuzz._engine.gaps import GapTally
from difffuzz._engine.health import BrokenRuntimeCheck, InfraPolicy, SurfaceAborted
from difffuzz._engine.noise import NoiseCalibrator
from difffuzz._engine.origins import Origins
from difffuzz._engine.phase import WallClock, hypothesis_is_shrinking, round_seed, tool_errors
from difffuzz._engine.reduction import ReductionTest
from difffuzz._engine.resolve import adopt_unshrunk, polish_causes, resolve
from difffuzz._engine.settings import SurfaceSettings
from difffuzz._events import (
    CausesResolved,
    ExampleObserved,
    FindingRecorded,
    Listener,
    ShrinkCalled,
    ShrinkingStarted,
    SurfaceStarted,
    ignore_events,
)
from difffuzz._inputs import Input, input_sort_key
from difffuzz._judge import Judge
from difffuzz._results import INTERRUPTED, Finding, Observation, SurfaceResult, Verdict
from difffuzz._transports.base import Transport
from difffuzz._transports.pair import TransportPair

__all__ = ["ROUND_SIZE", "SurfaceCampaign"]

#: Examples per Hypothesis run (round).
ROUND_SIZE = 250


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
        judge: Judge | None = None,
        database: ExampleDatabase | None = None,
    ) -> None:
        self.surface = surface
        self.runtimes = runtimes
        self.settings = settings or SurfaceSettings()
        #: Sends each input to both runtimes at once (``concurrent`` in the settings);
        #: ``left`` and ``right`` are its transports.
        self.pair = TransportPair(left, right, concurrent=self.settings.concurrent)
        #: Answers an input sent again while shrinking is judged from (:mod:`.answers`).
        self.answers = AnswerMemory()
        #: Hypothesis's examples database, shared between hosts (difffuzz._store), or None.
        self.database = database
        self.listener = listener
        #: The compiled judge of the surface's plan, or one compiled here.
        self.judge = judge or Judge(surface, runtimes)
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
        #: What each divergent example raises for (:mod:`.origins`).
        self.origins = Origins(self.settings, self.result, self.known.shrunk_buckets)
        self.origins.know(self.causes, self.known)
        self.origins.reducer = ReductionTest(self.observe, self.result.stats, self.origins)
        #: The smallest divergent example per bucket, and how many examples hit it.
        self._smallest: dict[Bucket, Observation] = {}
        self._hits: dict[Bucket, int] = {}
        #: This round used its share of shrinking time or calls.
        self._round_cut = False
        #: ShrinkingStarted was sent for this round.
        self._shrink_announced = False
        #: Without a time box, this round's Hypothesis runner ignores the wall clock.
        self._wall_clock: WallClock | None = None
        #: Tool errors met inside the surface (a difffuzz or strategy bug); the
        #: findings are kept and the campaign reports the first one.
        self.errors: list[BaseException] = []

    @property
    def left(self) -> Transport:
        return self.pair.left

    @left.setter
    def left(self, transport: Transport) -> None:
        self.pair.left = transport

    @property
    def right(self) -> Transport:
        return self.pair.right

    @right.setter
    def right(self, transport: Transport) -> None:
        self.pair.right = transport

    # -- one example -------------------------------------------------------

    def observe(self, value: Input) -> Observation:
        """Send ``value`` to both runtimes and judge the answers."""
        left, right = self.pair.send(value)
        return self.judge.judge(value, left, right)

    def close(self) -> None:
        """Stop the thread that calls the right runtime (the transports stay open)."""
        self.pair.close()

    def _count(self, observation: Observation, *, shrinking: bool) -> None:
        stats = self.result.stats
        stats.elapsed = self.budget.elapsed
        if shrinking:
            stats.shrink_calls += 1
            self.budget.shrink_calls_used += 1
            self.budget.round_shrink_calls_used += 1
            if self.origins.shrinking is not None:
                self.origins.shrinking.shrink_calls += 1
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
        reuse = shrinking and self.settings.reuse_answers
        observation = self.answers.recall(value) if reuse else None
        if observation is None:
            observation = self.observe(value)
            self.answers.keep(observation)
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

    def _hypothesis_step(self, value: Input) -> None:
        if self._wall_clock is not None:
            self._wall_clock.ignore()  # an exact budget: the same run on any machine
        shrinking = hypothesis_is_shrinking()
        if shrinking and not self._shrink_announced:
            self._shrink_announced = True
            self.listener(ShrinkingStarted(self.surface.name, len(self.origins)))
        if shrinking:
            stop = self.budget.shrink_stop() or self.budget.round_shrink_stop(len(self.origins))
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
            origin = self.origins.assign(observation, causes=len(self.causes), shrinking=shrinking)
            if origin is not None:
                origin.offer(observation)
                if shrinking:
                    self.origins.shrinking = origin
                raise origin.error(observation)
        distance = observation.comparison.distance
        if distance is not None and distance == distance and abs(distance) < 1e300:
            target(float(distance), label=f"{self.surface.name}:distance")

    # -- the run ---------------------------------------------------------------

    def _learn_noise(self, strategy: st.SearchStrategy[Input]) -> None:
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
            self.origins.shrunk_buckets |= self.known.shrunk_buckets
            self.origins.know(self.causes, self.known)

    def run(
        self, strategy: st.SearchStrategy[Input], examples: Sequence[Input] = ()
    ) -> SurfaceResult:
        """Fuzz until the budget is spent; returns the surface's result.

        Never raises for findings, a runtime going down or Ctrl-C (``result.aborted``
        says why it stopped early); a difffuzz or strategy bug is kept in
        ``self.errors`` with the findings intact, for the caller to save and report.
        """
        # The same seed draws the same inputs in every process (:mod:`.constants`).
        with pinned_constants(surface_constants(surface_modules(self.surface))):
            return self._run(strategy, examples)

    def _run(self, strategy: st.SearchStrategy[Input], examples: Sequence[Input]) -> SurfaceResult:
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
            if self.settings.polish and self.settings.polish_budget > 0:
                polish_causes(
                    self.causes,
                    self.known,
                    probe=self._probe,
                    observe=self.observe,
                    budget=self.settings.polish_budget,
                )
        except SurfaceAborted as abort:
            self.result.aborted = abort.reason
            if abort.broken_runtime:
                # That runtime failed the same way on every input so far: every
                # divergence seen is its doing, not a finding.
                self.origins.forget()
                self._smallest = {}
                self.causes = Causes()
        except KeyboardInterrupt:
            self.result.aborted = INTERRUPTED
        except _RoundFailed as failed:
            self.errors.extend(failed.errors)
            self.result.aborted = f"difffuzz stopped this surface: {failed.errors[0]!r}"
        finally:
            # A round that did not finish keeps its origins, matched without a call.
            self._resolve_round(cut=True, calls=False)
            adopt_unshrunk(
                self._smallest,
                shrunk_buckets=self.origins.shrunk_buckets,
                causes=self.causes,
                limit=self.settings.max_signatures,
            )
            self.result.stats.elapsed = self.budget.elapsed
            self._sample_timeline()
        return self.result

    def _round(self, strategy: st.SearchStrategy[Input], number: int, budget: int) -> bool:
        """One Hypothesis run; True when it ended without using its budget (space exhausted)."""
        campaign = self
        before = self.result.stats.examples
        self.budget.new_round()
        self._round_cut = False
        self._shrink_announced = False
        self._wall_clock = WallClock() if self.settings.max_seconds is None else None

        # With a shared database, the first round replays what any host saved first.
        replay = (Phase.reuse,) if self.database is not None and number == 0 else ()

        @settings(
            max_examples=budget,
            database=self.database,
            deadline=None,
            derandomize=False,
            report_multiple_bugs=True,
            phases=(*replay, Phase.generate, Phase.target, Phase.shrink),
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
        )
        @hypothesis_seed(round_seed(self.settings.seed, self.surface.name, number))
        @given(strategy)
        def fuzz(value: Input) -> None:
            campaign._hypothesis_step(value)

        # The database key: one per surface and strategy, not one for every round function.
        key = f"difffuzz:{self.surface.name}:{self.surface.strategy}".encode()
        fuzz.hypothesis.inner_test._hypothesis_internal_add_digest = key  # type: ignore[attr-defined]
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

    def _resolve_round(self, *, cut: bool, calls: bool = True) -> None:
        """Turn this round's shrunk origins into causes (:func:`.resolve.resolve`).

        Without ``calls`` (a round stopped by a signal, a runtime going down or a tool
        error) nothing is sent: the origins are matched by their inputs alone, so a
        stop is not held up by padding tests against runtimes that may not answer.
        """
        ended = self.origins.end_round()
        before = len(self.causes)
        try:
            resolve(
                ended,
                causes=self.causes,
                known=self.known,
                result=self.result,
                shrunk=not cut and self.shrink_stopped is None,
                probe=self._probe if calls else _no_call,
                fruitless=self.origins.fruitless,
            )
        finally:
            self.origins.know(self.causes, self.known)
        if ended:
            new = len(self.causes) - before
            self.listener(CausesResolved(self.surface.name, len(self.causes), new))

    def _probe(self, value: Input) -> Observation | None:
        """One shrink call outside Hypothesis; None once the shrink budget is spent."""
        if self.budget.shrink_stop() is not None:
            return None
        return self._step(value, shrinking=True)

    # -- findings ------------------------------------------------------------

    def findings(self, *, seed: int | None) -> list[Finding]:
        """One finding per cause, each confirmed; then the known causes met again,
        then the tracked gaps (:mod:`.findings`)."""
        maker = FindingMaker(self.surface, self.runtimes, self.judge.compare_spec, self._hits)
        findings = maker.of_causes(
            self.causes,
            self.known,
            confirm=self._confirm,
            aborted=bool(self.result.aborted),
            seed=seed,
            confirm_again=self._confirm_again,
        )
        findings.extend(self.gaps.findings(self.judge.compare_spec, seed=seed))
        return findings

    def _confirm_again(self, observation: Observation) -> Confirmation:
        """A fault in doubt (:mod:`.confirm`): ``DOUBT_FACTOR`` times the resends more."""
        if self.result.aborted:
            return unconfirmable(observation)
        times = DOUBT_FACTOR * self.settings.confirmations
        return confirm(observation, self.observe, times=times)

    def _confirm(self, observation: Observation) -> Confirmation:
        """``confirmations`` resends (:mod:`.confirm`); none once the surface stopped early."""
        if self.result.aborted:
            return unconfirmable(observation)
        return confirm(observation, self.observe, times=self.settings.confirmations)


def _no_call(value: Input) -> Observation | None:
    """A probe that sends nothing: the shrink budget is spent, as far as it knows."""
    return None


class _RoundFailed(Exception):
    """A round raised something that is not a finding (see ``phase.tool_errors``)."""

    def __init__(self, errors: list[BaseException]) -> None:
        super().__init__(errors[0])
        self.errors = errors
