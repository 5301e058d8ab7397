"""The campaign engine: generate, judge, and shrink every distinct divergence on its own.

Design note. Hypothesis tells failures apart by exception type and location
(its "interesting origin") and shrinks each origin separately, never accepting a
shrink that turns one failure into another. A bare ``assert left == right``
would give every divergence the same origin, so all of them would be merged into
one bug and shrunk towards whichever is easiest. Instead the engine raises, for
each divergence *signature*, its own subclass of :class:`DivergenceFound`
(created once per signature and cached). Hypothesis then finds, shrinks and
reports each signature separately, and a shrink that slips to another signature
is kept as a *different* finding, not as a smaller example of this one.

Hypothesis stops generating soon after its first failure, which suits a unit
test but not a campaign. So a surface runs in *rounds*: each round is one
Hypothesis run with its own derived seed; signatures already found (in this run
or in the corpus) no longer raise, so the next round searches for new ones.
Rounds go on until the example budget (or the time budget) is spent.

Independently of Hypothesis, a tracker keeps the smallest input seen for every
signature. If a runtime goes down mid-run, the user interrupts, or a runtime is
flaky, nothing already found is lost: the tracker's best inputs are saved
(marked unshrunk).

Before fuzzing, a short noise phase sends a few inputs twice to each runtime;
paths whose values differ between two calls of the *same* runtime (timestamps,
trace ids) are learned as noise and ignored from then on, and listed in the
report — Diffy's idea, without needing a second copy of the service.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import FrameType
from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity, given, reject, settings, target
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from difffuzz._comparators.base import CompareSpec, get_comparator
from difffuzz._config import Config, SurfaceSpec
from difffuzz._connect import check_reachable, open_transport
from difffuzz._corpus import Corpus, Fixture
from difffuzz._events import (
    ExampleObserved,
    FindingRecorded,
    Listener,
    SurfaceFinished,
    SurfaceStarted,
    ignore_events,
)
from difffuzz._exceptions import ConfigError, DifffuzzError, DivergenceFound, RuntimeUnreachable
from difffuzz._inputs import Input, input_sort_key
from difffuzz._judge import RULES_WITHOUT_IGNORE, Judge
from difffuzz._outcome import Outcome
from difffuzz._polish import polish
from difffuzz._registry import get_strategy, load_strategy_modules
from difffuzz._results import (
    INTERRUPTED,
    CampaignResult,
    Finding,
    FindingStatus,
    InfraEvent,
    Observation,
    SurfaceResult,
    Verdict,
)
from difffuzz._signature import Signature
from difffuzz._transports.base import Transport
from difffuzz._version import __version__

__all__ = ["SurfaceCampaign", "run_campaign"]

ROUND_SIZE = 250
#: A runtime failing identically on this many first inputs, while the other
#: answers, is taken for broken (see SurfaceCampaign._check_not_broken).
BROKEN_AFTER = 20
#: Share of a time-boxed surface's budget one round may spend shrinking.
ROUND_SHRINK_SHARE = 0.15
#: Share of a surface's time budget spent exploring; the rest is for shrinking.
EXPLORE_SHARE = 0.6


class _Abort(BaseException):
    """Stops a surface from inside a Hypothesis test (a runtime is down).

    A ``BaseException`` so that Hypothesis does not take it for a failing example
    and try to shrink it, exactly as it lets ``KeyboardInterrupt`` through.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_SIGNATURE_EXCEPTIONS: dict[str, type[DivergenceFound]] = {}


def _exception_for(signature: Signature) -> type[DivergenceFound]:
    """One exception type per signature: Hypothesis's key for "a distinct bug"."""
    key = signature.canonical
    if key not in _SIGNATURE_EXCEPTIONS:
        _SIGNATURE_EXCEPTIONS[key] = type(
            f"Divergence_{signature.surface}_{signature.id}", (DivergenceFound,), {}
        )
    return _SIGNATURE_EXCEPTIONS[key]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class _Tracker:
    """The smallest input seen per signature, and how often each was hit."""

    best: dict[Signature, Observation] = field(default_factory=dict)
    counts: dict[Signature, int] = field(default_factory=dict)
    #: Signatures Hypothesis was asked to shrink (they raised at least once).
    raised: set[Signature] = field(default_factory=set)

    def record(self, observation: Observation, *, count: bool = True) -> bool:
        """Keep ``observation`` if it is the first or a smaller one; True when first.

        ``count`` is False for shrink calls: "seen N times" counts examples only.
        """
        signature = observation.signature
        assert signature is not None
        if count or signature not in self.counts:
            self.counts[signature] = self.counts.get(signature, 0) + 1
        current = self.best.get(signature)
        if current is None:
            self.best[signature] = observation
            return True
        if input_sort_key(observation.input) < input_sort_key(current.input):
            self.best[signature] = observation
        return False


class SurfaceCampaign:
    """Fuzzes one surface between two transports (see the module docstring)."""

    def __init__(
        self,
        surface: SurfaceSpec,
        *,
        runtimes: tuple[str, str],
        left: Transport,
        right: Transport,
        max_examples: int,
        seed: int,
        known: Mapping[Signature, Fixture] | None = None,
        infra_error_limit: int = 5,
        learn_noise: int = 0,
        max_signatures: int = 40,
        max_seconds: float | None = None,
        polish_budget: int = 60,
        shrink_budget: int = 2000,
        listener: Listener = ignore_events,
    ) -> None:
        self.surface = surface
        self.polish_budget = polish_budget
        self.shrink_budget = shrink_budget
        self._round_calls = 0
        self._round_budget = 0
        #: Shrinking was cut short by its budget: findings may not be minimal.
        self._stopped = False
        #: Exploring used its share of the time budget.
        self._explored = False
        #: Signatures shrunk in an earlier round: they no longer raise.
        self._shrunk_earlier: set[Signature] = set()
        #: Signatures past max_signatures.
        self._dropped: set[Signature] = set()
        #: Per-round shrinking share on time-boxed surfaces (see _round_shrink_capped).
        self._round_shrink_started: float | None = None
        self._round_capped = False
        self._partly_shrunk: set[Signature] = set()
        #: For the broken-runtime check on the first inputs (see _check_not_broken).
        self._first_failures: list[object] = [None, None]
        self._failure_runs = [0, 0]
        self._other_answered = 0
        self._broken_check_done = False
        self.runtimes = runtimes
        self.left = left
        self.right = right
        self.max_examples = max_examples
        self.seed = seed
        self.known = dict(known or {})
        self.infra_error_limit = infra_error_limit
        self.learn_noise = learn_noise
        self.max_signatures = max_signatures
        self.max_seconds = max_seconds
        self.listener = listener
        self.judge = Judge(surface, runtimes)
        self.tracker = _Tracker()
        self.result = SurfaceResult(
            surface=surface.name, runtimes=runtimes, compare_spec=surface.compare
        )
        self._infra_in_a_row = 0
        self._started = 0.0
        self.errors: list[BaseException] = []

    # -- one example -------------------------------------------------------

    def observe(self, value: Input) -> Observation:
        """Send ``value`` to both runtimes and judge the answers."""
        left = self.left.send(value)
        right = self.right.send(value)
        return self.judge.judge(value, left, right)

    def _count(self, observation: Observation, *, shrinking: bool) -> None:
        stats = self.result.stats
        stats.elapsed = time.monotonic() - self._started
        if shrinking:
            stats.shrink_calls += 1
            return
        stats.count(observation.verdict)
        if stats.examples % 25 == 0:
            self._sample_timeline()
        self.listener(ExampleObserved(self.surface.name, observation.verdict))

    def _sample_timeline(self) -> None:
        stats = self.result.stats
        self.result.timeline.append(
            (round(stats.elapsed, 3), stats.examples, len(self.tracker.best))
        )

    def _note_infra(self, observation: Observation) -> None:
        for name, outcome, transport in (
            (self.runtimes[0], observation.left, self.left),
            (self.runtimes[1], observation.right, self.right),
        ):
            if outcome.is_infrastructure_failure:
                assert outcome.failure is not None
                if len(self.result.infra_events) < 200:
                    self.result.infra_events.append(
                        InfraEvent(
                            surface=self.surface.name,
                            runtime=name,
                            target=transport.target,
                            failure=outcome.failure.value,
                            detail=outcome.detail,
                            input=observation.input,
                        )
                    )
                if self._infra_in_a_row >= self.infra_error_limit:
                    raise _Abort(
                        f"runtime {name!r} failed {self._infra_in_a_row} calls in a row "
                        f"({outcome.failure.value}: {outcome.detail or 'no detail'}) at "
                        f"{transport.target}; check that it is running and answers within "
                        "the timeout, or raise [campaign] timeout / infra_error_limit"
                    )

    def _step(self, value: Input, *, shrinking: bool = False) -> Observation:
        observation = self.observe(value)
        self._count(observation, shrinking=shrinking)
        if observation.verdict is Verdict.INFRA_ERROR:
            self._infra_in_a_row += 1
            self._note_infra(observation)
            return observation
        self._infra_in_a_row = 0
        if not shrinking:
            self._check_not_broken(observation)
        if observation.verdict is Verdict.DIVERGENCE:
            assert observation.signature is not None
            if (
                observation.signature not in self.tracker.best
                and len(self.tracker.best) >= self.max_signatures
            ):
                if observation.signature not in self._dropped:
                    self._dropped.add(observation.signature)
                    self.result.dropped_signatures = len(self._dropped)
                return observation  # counted in stats, not kept
            if self.tracker.record(observation, count=not shrinking):
                signature = observation.signature
                self.listener(FindingRecorded(self.surface.name, signature.id, signature.label))
        return observation

    def _should_shrink(self, signature: Signature) -> bool:
        """Raise (so Hypothesis shrinks it) unless the corpus already holds a fixture
        or an earlier round of this run already shrank it."""
        return signature not in self.known and signature not in self._shrunk_earlier

    def _check_not_broken(self, observation: Observation) -> None:
        """Stop early when one runtime fails the same way on every one of its first
        inputs while the other answers: that is a broken helper or route (a typo in
        an argv, a missing module), not a divergence worth a corpus full of fixtures."""
        if self._broken_check_done:
            return
        for index, outcome in enumerate((observation.left, observation.right)):
            name = self.runtimes[index]
            failed = not self.judge.answered(name, outcome)
            key = (outcome.status, outcome.failure, outcome.body, outcome.stderr[-2000:])
            if failed and self._first_failures[index] in (None, key):
                self._first_failures[index] = key
                self._failure_runs[index] += 1
            else:
                self._first_failures[index] = ("answered",)
        self._other_answered += int(
            self.judge.answered(self.runtimes[0], observation.left)
            or self.judge.answered(self.runtimes[1], observation.right)
        )
        examples = self.result.stats.examples
        for index, run in enumerate(self._failure_runs):
            if (
                run >= BROKEN_AFTER
                and run == examples
                and self._other_answered >= BROKEN_AFTER // 2
            ):
                outcome = observation.left if index == 0 else observation.right
                name = self.runtimes[index]
                said = (outcome.stderr or outcome.body).decode("utf-8", "replace").strip()
                raise _Abort(
                    f"runtime {name!r} failed the same way on all of its first {run} inputs "
                    f"({outcome.summary()}{': ' + said[-300:] if said else ''}) while the "
                    f"other runtime answered; its helper or route is probably broken: check "
                    f"surfaces.{self.surface.name}.runtimes.{name} in the config"
                )
        if examples >= BROKEN_AFTER:
            self._broken_check_done = True

    def _round_shrink_capped(self) -> bool:
        """On a time-boxed surface one round may shrink for ROUND_SHRINK_SHARE of the
        box: on a slow surface (a helper process per call) the first bug found would
        otherwise take all the shrinking time and leave nothing for exploring."""
        if self.max_seconds is None:
            return False
        now = time.monotonic()
        if self._round_shrink_started is None:
            self._round_shrink_started = now
        if now - self._round_shrink_started > self.max_seconds * ROUND_SHRINK_SHARE:
            self._round_capped = True
        return self._round_capped

    def _out_of_budget(self, *, shrinking: bool = True) -> bool:
        """Is the budget for this kind of call spent? Then calls return at once, unsent.

        Exploring may use EXPLORE_SHARE of the time budget; the rest is kept for
        shrinking what was found, so a time-boxed run still saves small fixtures.
        """
        if self.max_seconds is not None:
            limit = self.max_seconds if shrinking else self.max_seconds * EXPLORE_SHARE
            if time.monotonic() - self._started > limit:
                return True
        return shrinking and self.result.stats.shrink_calls >= self.shrink_budget

    def _hypothesis_step(self, value: Input) -> None:
        self._round_calls += 1
        shrinking = _hypothesis_is_shrinking()
        if shrinking and self._round_shrink_capped():
            return  # this round's share of shrinking is spent; the tracker keeps the best
        if self._out_of_budget(shrinking=shrinking):
            # Returning without a verdict ends exploring quickly (each call passes)
            # and makes every further shrink attempt "not interesting": Hypothesis
            # stops, its final replay reports Flaky, which the round ignores, and
            # the tracker keeps the best inputs.
            if shrinking:
                self._stopped = True
            else:
                self._explored = True
            return
        observation = self._step(value, shrinking=shrinking)
        if observation.verdict is Verdict.INFRA_ERROR:
            reject()
        if observation.verdict is Verdict.DIVERGENCE:
            signature = observation.signature
            assert signature is not None
            if signature in self.tracker.best and self._should_shrink(signature):
                self.tracker.raised.add(signature)
                raise _exception_for(signature)(observation)
        distance = observation.comparison.distance
        if distance is not None and distance == distance and abs(distance) < 1e300:
            target(float(distance), label=f"{self.surface.name}:distance")

    # -- noise ---------------------------------------------------------------

    def _calibrate(self, value: Input) -> None:
        """Call each runtime twice with ``value``; differences are noise, learned."""
        learned: list[str] = []
        spec = self.judge.compare_spec
        for transport, select in ((self.left, spec.select_left), (self.right, spec.select_right)):
            first, second = transport.send(value), transport.send(value)
            if first.failure is not None or second.failure is not None:
                continue
            if not (first.parses and second.parses):
                continue
            self_spec = CompareSpec(rule="json", select_left=select, select_right=select)
            comparison = get_comparator("json")(first, second, self_spec)
            learned.extend(d.path or "/" for d in comparison.differences if d.path)
        new = [p for p in dict.fromkeys(learned) if p not in self.judge.learned_noise]
        if new:
            self.judge = self.judge.with_noise(new)
            self.result.learned_noise.extend(new)

    def _learn_noise(self, strategy: st.SearchStrategy[Any]) -> None:
        if self.learn_noise <= 0 or self.judge.compare_spec.rule in RULES_WITHOUT_IGNORE:
            return
        campaign = self

        @settings(
            max_examples=self.learn_noise,
            database=None,
            deadline=None,
            phases=(Phase.generate,),
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
        )
        @hypothesis_seed(self.seed ^ 0x5EED)
        @given(strategy)
        def calibrate(value: Input) -> None:
            campaign._calibrate(value)

        calibrate()

    # -- the run ---------------------------------------------------------------

    def run(
        self, strategy: st.SearchStrategy[Any], examples: Sequence[Input] = ()
    ) -> SurfaceResult:
        """Fuzz until the budget is spent; returns the surface's result (never raises
        for findings; re-raises a difffuzz or strategy bug after keeping the findings)."""
        self._started = time.monotonic()
        self.listener(SurfaceStarted(self.surface.name, self.max_examples))
        try:
            self._learn_noise(strategy)
            for value in examples:
                if self._out_of_budget(shrinking=False) or (
                    self.result.stats.examples >= self.max_examples
                ):
                    break
                self._step(value)
            round_number = 0
            while self.result.stats.examples < self.max_examples:
                if self._out_of_budget(shrinking=False):
                    break
                remaining = self.max_examples - self.result.stats.examples
                exhausted = self._round(strategy, round_number, min(remaining, ROUND_SIZE))
                round_number += 1
                if exhausted:
                    break
            self._polish_all()
        except _Abort as abort:
            self.result.aborted = abort.reason
        except KeyboardInterrupt:
            self.result.aborted = INTERRUPTED
        finally:
            self.result.stats.elapsed = time.monotonic() - self._started
            self._sample_timeline()
        return self.result

    def _round(self, strategy: st.SearchStrategy[Any], number: int, budget: int) -> bool:
        """One Hypothesis run; True when it ended without using its budget (space exhausted)."""
        campaign = self
        before = self.result.stats.examples
        self._round_calls, self._round_budget = 0, budget
        self._shrunk_earlier |= self.tracker.raised
        self._round_shrink_started, self._round_capped = None, False
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
        @hypothesis_seed(_round_seed(self.seed, self.surface.name, number))
        @given(strategy)
        def fuzz(value: Input) -> None:
            campaign._hypothesis_step(value)

        found_new = False
        try:
            fuzz()
        except (_Abort, KeyboardInterrupt):
            raise
        except BaseException as failure:
            found_new = True
            for leaf in _leaves(failure):
                if isinstance(leaf, DivergenceFound):
                    continue
                if _is_flaky(leaf):
                    continue
                self.errors.append(leaf)
            if self.errors:
                raise self.errors[0] from failure
        used = self.result.stats.examples - before
        if self._round_capped:
            # Left for the polish pass, and reported as not (fully) shrunk.
            self._partly_shrunk |= self.tracker.raised - raised_before
        return self._stopped or self._explored or (not found_new and used < budget)

    def _polish_all(self) -> None:
        """Value-level shrinking of every new finding (see :mod:`difffuzz._polish`).

        Polishing one finding can hit a signature nobody has seen yet (dropping a
        key turns a shape divergence into a status one); those are polished too,
        until no unpolished signature is left, so none is reported unshrunk only
        because it was found last. ``max_signatures`` bounds the loop.
        """
        polished: set[Signature] = set()
        while pending := [s for s in self.tracker.best if s not in polished]:
            for signature in pending:
                polished.add(signature)
                if signature in self.known or self.polish_budget <= 0:
                    continue

                def reproduces(value: Input, wanted: Signature = signature) -> bool:
                    if self._out_of_budget():
                        return False
                    return self._step(value, shrinking=True).signature == wanted

                polish(self.tracker.best[signature].input, reproduces, budget=self.polish_budget)
                self.tracker.raised.add(signature)

    # -- findings ------------------------------------------------------------

    def findings(self, *, seed: int | None) -> list[Finding]:
        """One finding per signature, smallest input first seen order, confirmed once."""
        findings = []
        for signature, observation in self.tracker.best.items():
            confirmed = self._confirm(observation)
            gap = self.surface.known_gap(signature)
            fixture = self.known.get(signature)
            status = FindingStatus.NEW
            reason = ""
            if gap is not None:
                status, reason = FindingStatus.KNOWN_GAP, gap.reason
            elif fixture is not None and fixture.known_gap:
                status, reason = FindingStatus.KNOWN_GAP, fixture.known_gap
            elif fixture is not None:
                status = FindingStatus.KNOWN
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
                    status=status,
                    shrunk=signature in self.tracker.raised
                    and signature not in self._partly_shrunk
                    and not self.result.aborted
                    and not self._stopped,
                    flaky=not confirmed,
                    occurrences=self.tracker.counts.get(signature, 1),
                    gap_reason=reason,
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


_SHRINKER_FILES = ("shrinker.py", f"{os.sep}shrinking{os.sep}")
_RUNNER_FILE = f"conjecture{os.sep}engine.py"


def _hypothesis_is_shrinking() -> bool:
    """Is this call Hypothesis shrinking (or replaying its final examples)?

    Hypothesis exposes no phase to the test function, so this looks at who
    called: a frame of its shrinker (``shrinker.py``, ``shrinking/``) means
    shrinking; otherwise a frame of its runner (``conjecture/engine.py``) means
    generating; ``run_engine`` without the runner is the final replay of each
    bug. Should a future Hypothesis move these, calls are counted as examples:
    only the statistics get coarser.
    """
    frame: FrameType | None = sys._getframe(2)
    in_runner = False
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.endswith(_SHRINKER_FILES[0]) or _SHRINKER_FILES[1] in filename:
            return True
        in_runner = in_runner or filename.endswith(_RUNNER_FILE)
        if frame.f_code.co_name == "run_engine":
            return not in_runner
        frame = frame.f_back
    return False


def _leaves(failure: BaseException) -> list[BaseException]:
    if isinstance(failure, BaseExceptionGroup):
        return [leaf for inner in failure.exceptions for leaf in _leaves(inner)]
    return [failure]


def _is_flaky(failure: BaseException) -> bool:
    return isinstance(failure, hypothesis.errors.Flaky) or type(failure).__name__.startswith(
        "Flaky"
    )


def _round_seed(seed: int, surface: str, number: int) -> int:
    return random.Random(f"{seed}:{surface}:{number}").getrandbits(64)


def run_campaign(
    config: Config,
    *,
    corpus: Corpus | None = None,
    save_to: Corpus | None = None,
    listener: Listener = ignore_events,
    check_runtimes: bool = True,
) -> CampaignResult:
    """Fuzz every surface of ``config``; save new findings to ``corpus``.

    Signatures already in ``corpus`` are known (not shrunk again, not saved
    again). New findings go to ``save_to`` when given (``ci`` keeps the gate's
    corpus unchanged that way), else to ``corpus``. Surfaces run one after
    another; the findings of each are saved as soon as it finishes, so a later
    failure loses nothing already found.
    """
    validate_config(config)
    load_strategy_modules(config.strategy_modules)
    campaign = config.campaign
    seed = campaign.seed if campaign.seed is not None else random.randrange(2**32)
    result = CampaignResult(
        surfaces=[],
        seed=seed,
        started_at=now_iso(),
        config_path=config.path,
        difffuzz_version=__version__,
        hypothesis_version=hypothesis.__version__,
        corpus_dir=str(corpus.root) if corpus else "",
    )
    left_spec, right_spec = config.runtimes
    for surface in config.surfaces.values():
        entry = get_strategy(surface.strategy)
        strategy = entry.build(surface.strategy_params)
        if check_runtimes:
            try:
                for runtime in config.runtimes:
                    check_reachable(surface.name, surface.requests[runtime.name], runtime)
            except RuntimeUnreachable as unreachable:
                skipped = SurfaceResult(
                    surface=surface.name,
                    runtimes=config.runtime_names,
                    compare_spec=surface.compare,
                    aborted=str(unreachable),
                )
                result.surfaces.append(skipped)
                listener(SurfaceFinished(surface.name, skipped))
                continue
        known = _known_signatures(corpus, surface.name) if corpus else {}
        left = open_transport(
            surface.requests[left_spec.name], max_body_bytes=campaign.max_body_bytes
        )
        right = open_transport(
            surface.requests[right_spec.name], max_body_bytes=campaign.max_body_bytes
        )
        try:
            runner = SurfaceCampaign(
                surface,
                runtimes=config.runtime_names,
                left=left,
                right=right,
                max_examples=surface.max_examples or campaign.max_examples,
                seed=seed,
                known=known,
                infra_error_limit=campaign.infra_error_limit,
                learn_noise=campaign.learn_noise,
                max_signatures=campaign.max_signatures,
                max_seconds=campaign.max_seconds,
                shrink_budget=campaign.shrink_budget,
                listener=listener,
            )
            surface_result = runner.run(strategy, entry.examples)
            surface_result.findings = [
                replace(finding, config_path=config.path) for finding in runner.findings(seed=seed)
            ]
            if corpus is not None:
                surface_result.findings = [
                    save_finding(save_to or corpus, surface, finding)
                    for finding in surface_result.findings
                ]
        finally:
            left.close()
            right.close()
        result.surfaces.append(surface_result)
        listener(SurfaceFinished(surface.name, surface_result))
        if runner.errors:
            raise runner.errors[0]
        if surface_result.aborted == INTERRUPTED:
            break  # what was found is saved; the user asked to stop
    result.finished_at = now_iso()
    return result


def validate_config(config: Config) -> None:
    """Resolve every name a config uses before anything runs.

    A typo in the last surface's strategy, rule, comparator parameter or
    property must not cost the run of all the others.
    """
    from difffuzz._comparators import check_spec
    from difffuzz._properties import get_property

    load_strategy_modules(config.strategy_modules)
    for name, surface in config.surfaces.items():
        try:
            get_strategy(surface.strategy).build(surface.strategy_params)
            check_spec(surface.compare)
            for prop in surface.properties:
                get_property(prop.name)
        except DifffuzzError as error:
            raise ConfigError(f"{config.path}: surfaces.{name}: {error}") from None


def _known_signatures(corpus: Corpus, surface: str) -> dict[Signature, Fixture]:
    fixtures, _problems = corpus.load(surface)
    known: dict[Signature, Fixture] = {}
    for fixture in sorted(fixtures, key=lambda f: input_sort_key(f.input), reverse=True):
        known[fixture.signature] = fixture  # smallest input wins (written last)
    return known


def fixture_from(finding: Finding, surface: SurfaceSpec) -> Fixture:
    return Fixture(
        surface=finding.surface,
        signature=finding.signature,
        input=finding.input,
        runtimes=finding.runtimes,
        left=finding.left,
        right=finding.right,
        differences=finding.comparison.differences,
        compare=finding.compare_spec,
        collapse=surface.collapse,
        answer_status=surface.answer_status,
        shrunk=finding.shrunk,
        flaky=finding.flaky,
        # A gap from the config stays in the config: copied into the fixture it
        # would outlive the entry, and removing the entry would not clear it.
        known_gap="",
        seed=finding.seed,
        found_at=finding.found_at,
        difffuzz_version=__version__,
        hypothesis_version=hypothesis.__version__,
    )


def save_finding(corpus: Corpus, surface: SurfaceSpec, finding: Finding) -> Finding:
    """Write a new finding (or an unrecorded gap) to the corpus; returns it with its path."""
    if finding.status is FindingStatus.KNOWN or finding.fixture_path:
        return finding
    path, _written = corpus.save(fixture_from(finding, surface))
    return replace(finding, fixture_path=str(path))


def replay_outcomes(
    judge: Judge, left: Transport, right: Transport, value: Input
) -> tuple[Outcome, Outcome, Observation]:
    """Send one stored input again and judge it (used by replay)."""
    first, second = left.send(value), right.send(value)
    return first, second, judge.judge(value, first, second)
