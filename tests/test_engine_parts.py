"""Unit tests for the engine's parts: budget, health checks, classification, errors."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import (
    FlakyFailure,
    FlakyReplay,
    FlakyStrategyDefinition,
    UnsatisfiedAssumption,
)

from difffuzz._comparators.base import Comparison, Difference, DiffKind
from difffuzz._config import KnownGap
from difffuzz._corpus import Corpus, Fixture
from difffuzz._engine import StopReason, run_campaign
from difffuzz._engine.budget import (
    EXPLORE_SHARE,
    FINDING_SHRINK_SHARE,
    NOISE_SHARE,
    ROUND_SHRINK_SHARE,
    Budget,
)
from difffuzz._engine.classify import Classification, classify
from difffuzz._engine.divergence import DivergenceFound, exception_for
from difffuzz._engine.health import BROKEN_AFTER, BrokenRuntimeCheck, InfraPolicy, SurfaceAborted
from difffuzz._engine.phase import tool_errors
from difffuzz._inputs import Input
from difffuzz._outcome import Failure, Outcome
from difffuzz._results import FindingStatus, Observation, Verdict
from difffuzz._signature import Signature
from tests.support.records import fixture_of
from tests.test_engine_quality import planted_config


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


# -- budget ---------------------------------------------------------------------


@given(st.integers(1, 500), st.integers(0, 600))
def test_exploring_stops_exactly_at_the_example_budget(limit: int, used: int) -> None:
    budget = Budget(max_examples=limit)
    budget.start()
    budget.examples_used = used
    assert (budget.explore_stop() is StopReason.EXAMPLES) == (used >= limit)
    assert budget.examples_left == max(0, limit - used)


def test_exploring_may_use_only_its_share_of_the_time_box() -> None:
    clock = FakeClock()
    budget = Budget(max_examples=10**6, max_seconds=100.0, clock=clock)
    budget.start()
    clock.now = 100.0 * EXPLORE_SHARE - 0.01
    assert budget.explore_stop() is None
    assert budget.shrink_stop() is None
    clock.now = 100.0 * EXPLORE_SHARE + 0.01
    assert budget.explore_stop() is StopReason.EXPLORE_TIME
    assert budget.shrink_stop() is None  # the rest of the box is for shrinking
    clock.now = 100.01
    assert budget.shrink_stop() is StopReason.TIME


def test_noise_learning_may_take_only_its_share_of_the_time_box() -> None:
    clock = FakeClock()
    budget = Budget(max_examples=10, max_seconds=100.0, clock=clock)
    budget.start()
    clock.now = 100.0 * NOISE_SHARE - 0.01
    assert not budget.noise_spent()
    clock.now = 100.0 * NOISE_SHARE + 0.01
    assert budget.noise_spent()
    assert not Budget(max_examples=10).noise_spent()  # no box: the example count bounds it


def test_shrinking_stops_at_its_call_budget_per_finding() -> None:
    budget = Budget(max_examples=10, shrink_calls=3)
    budget.start()
    budget.new_round()
    budget.round_shrink_calls_used = 2
    assert budget.round_shrink_stop(1) is None
    budget.round_shrink_calls_used = 3
    assert budget.round_shrink_stop(1) is StopReason.SHRINK_CALLS
    assert budget.round_shrink_stop(2) is None  # two findings: twice the calls
    budget.round_shrink_calls_used = 6
    assert budget.round_shrink_stop(2) is StopReason.SHRINK_CALLS
    budget.new_round()
    assert budget.round_shrink_stop(1) is None
    assert StopReason.SHRINK_CALLS.cuts_shrinking
    assert not StopReason.EXAMPLES.cuts_shrinking


def test_a_round_shrinks_for_its_share_of_the_box_from_its_first_shrink_call() -> None:
    clock = FakeClock()
    budget = Budget(max_examples=10, max_seconds=100.0, clock=clock)
    budget.start()
    clock.now = 10.0
    budget.new_round()
    assert budget.round_shrink_stop(1) is None  # starts the round's share now
    clock.now = 10.0 + 100.0 * ROUND_SHRINK_SHARE - 0.01
    assert budget.round_shrink_stop(1) is None
    clock.now = 10.0 + 100.0 * ROUND_SHRINK_SHARE + 0.01
    assert budget.round_shrink_stop(1) is StopReason.ROUND_SHRINK_TIME
    budget.new_round()
    assert budget.round_shrink_stop(1) is None
    assert Budget(max_examples=1).round_shrink_stop(1) is None  # no time box, no share


def test_a_round_shrinking_many_findings_gets_a_share_per_finding() -> None:
    clock = FakeClock()
    budget = Budget(max_examples=10, max_seconds=100.0, clock=clock)
    budget.start()
    budget.new_round()
    assert budget.round_shrink_stop(8) is None
    clock.now = 100.0 * FINDING_SHRINK_SHARE * 8 - 0.01
    assert budget.round_shrink_stop(8) is None
    assert budget.round_shrink_stop(1) is StopReason.ROUND_SHRINK_TIME
    clock.now = 100.0 * FINDING_SHRINK_SHARE * 8 + 0.01
    assert budget.round_shrink_stop(8) is StopReason.ROUND_SHRINK_TIME


# -- health -----------------------------------------------------------------------


def _observation(left: Outcome, right: Outcome, value: Input = "x") -> Observation:
    return Observation(
        surface="s",
        input=value,
        left=left,
        right=right,
        comparison=Comparison(rule="json"),
        verdict=Verdict.MATCH,
    )


ANSWER = Outcome(status=0, body=b'{"ok": true}')
BROKEN = Outcome(status=1, body=b"", stderr=b"ModuleNotFoundError: No module named 'x'")


def _check() -> BrokenRuntimeCheck:
    return BrokenRuntimeCheck(
        surface="s", runtimes=("left", "right"), answered=lambda _, o: o.status == 0
    )


def test_a_runtime_failing_identically_on_its_first_inputs_is_broken() -> None:
    check = _check()
    for _ in range(BROKEN_AFTER - 1):
        check.check(_observation(ANSWER, BROKEN))
    with pytest.raises(SurfaceAborted, match="runtime 'right' failed the same way"):
        check.check(_observation(ANSWER, BROKEN))


def test_one_answer_among_the_first_inputs_clears_the_runtime() -> None:
    check = _check()
    check.check(_observation(ANSWER, ANSWER))
    for _ in range(BROKEN_AFTER * 2):
        check.check(_observation(ANSWER, BROKEN))
    assert check.done


def test_failures_that_differ_are_divergences_not_a_broken_runtime() -> None:
    check = _check()
    for index in range(BROKEN_AFTER * 2):
        other = Outcome(status=1, body=b"", stderr=f"error {index}".encode())
        check.check(_observation(ANSWER, other))
    assert check.done


def test_both_runtimes_failing_is_not_one_broken_runtime() -> None:
    # The second condition: the *other* runtime must answer on many of them.
    check = _check()
    for _ in range(BROKEN_AFTER * 2):
        check.check(_observation(BROKEN, BROKEN))
    assert check.done


def test_infra_errors_in_a_row_past_the_limit_stop_the_surface() -> None:
    down = Outcome(status=None, failure=Failure.UNREACHABLE, detail="refused")
    policy = InfraPolicy(surface="s", runtimes=("l", "r"), targets=("a", "b"), limit=3)
    policy.note(_observation(ANSWER, down))
    policy.note(_observation(ANSWER, down))
    policy.reset()  # one call got through: the count starts again
    policy.note(_observation(ANSWER, down))
    policy.note(_observation(ANSWER, down))
    with pytest.raises(SurfaceAborted, match="runtime 'r' failed 3 calls in a row"):
        policy.note(_observation(ANSWER, down))
    assert len(policy.events) == 5
    assert {event.runtime for event in policy.events} == {"r"}


# -- classification ---------------------------------------------------------------


def _signature(path: str = "/a") -> Signature:
    difference = Difference(kind=DiffKind.VALUE, path=path, left=1, right=2)
    return Signature.of("planted", (200, 200), [difference])


def _fixture(signature: Signature, *, gap: str = "") -> Fixture:
    return fixture_of(
        surface="planted",
        signature=signature,
        input="x",
        runtimes=("left", "right"),
        left=ANSWER,
        right=ANSWER,
        differences=(),
        compare=planted_config("echo", "echo", "planted_text").surfaces["planted"].compare,
        known_gap=gap,
    )


def test_classification_new_known_and_gaps() -> None:
    surface = planted_config("echo", "echo", "planted_text").surfaces["planted"]
    signature = _signature()
    assert classify(signature, surface, None).status is FindingStatus.NEW
    known = _fixture(signature)
    assert classify(signature, surface, known).status is FindingStatus.KNOWN
    verdict = classify(signature, surface, _fixture(signature, gap="tracked in LH-1"))
    assert (verdict.status, verdict.reason) == (FindingStatus.KNOWN_GAP, "tracked in LH-1")
    from dataclasses import replace

    gapped = replace(surface, known_gaps=(KnownGap(reason="accepted", paths=("/a",)),))
    verdict = classify(signature, gapped, known)  # the config's gap wins over the fixture
    assert (verdict.status, verdict.reason) == (FindingStatus.KNOWN_GAP, "accepted")
    assert classify(_signature("/b"), gapped, None).status is FindingStatus.NEW


def test_a_classification_carries_the_fixture_it_matched() -> None:
    surface = planted_config("echo", "echo", "planted_text").surfaces["planted"]
    signature = _signature()
    known, marked = _fixture(signature), _fixture(signature, gap="tracked in LH-1")
    assert classify(signature, surface, known) == Classification(FindingStatus.KNOWN, "", known)
    assert classify(signature, surface, marked) == Classification(
        FindingStatus.KNOWN_GAP, "tracked in LH-1", marked
    )
    from dataclasses import replace

    gapped = replace(surface, known_gaps=(KnownGap(reason="accepted", paths=("/a",)),))
    assert classify(signature, gapped, known) == Classification(
        FindingStatus.KNOWN_GAP, "accepted", known
    )
    assert classify(signature, surface, None) == Classification(FindingStatus.NEW, "", None)


# -- one exception type per origin ----------------------------------------------------


def test_each_key_gets_its_own_exception_type_and_keeps_it() -> None:
    # Hypothesis tells failures apart by exception type (and place): one type for two
    # keys would let a shrink slip from one origin to the other.
    # Keys never seen before (the cache is per process, and outlives a test).
    k1, k2, k3 = (f"new:{uuid.uuid4()}" for _ in range(3))
    first = exception_for(k1, "planted_a")
    assert first is exception_for(k1, "another name")
    second = exception_for(k2, "planted_a")
    assert second is not first
    assert issubclass(first, DivergenceFound)
    assert issubclass(second, DivergenceFound)
    assert first.__name__ == "Divergence_planted_a"
    assert exception_for(k3, "a b/c").__name__ == "Divergence_a_b_c"
    found = first(_observation(ANSWER, ANSWER))
    assert str(found) == "divergence"  # an observation without a signature
    assert found.observation.input == "x"
    from dataclasses import replace

    signed = replace(_observation(ANSWER, ANSWER), signature=_signature())
    assert str(first(signed)) == _signature().label


# -- what a Hypothesis run raised -------------------------------------------------


def _divergence() -> DivergenceFound:
    return DivergenceFound(_observation(ANSWER, ANSWER))


def test_divergences_and_flaky_replays_are_not_tool_errors() -> None:
    assert tool_errors(_divergence()) == []
    assert tool_errors(BaseExceptionGroup("bugs", [_divergence(), _divergence()])) == []
    assert tool_errors(FlakyReplay("changed")) == []
    # A runtime failing during the final replay: reject() inside a FlakyFailure.
    flaky = FlakyFailure("unreliable", [UnsatisfiedAssumption("infra"), _divergence()])
    assert tool_errors(flaky) == []


def test_a_broken_strategy_and_a_bug_are_tool_errors() -> None:
    definition = FlakyStrategyDefinition("draws differ")
    assert tool_errors(definition) == [definition]
    bug = ZeroDivisionError()
    assert tool_errors(BaseExceptionGroup("bugs", [_divergence(), bug])) == [bug]
    assert tool_errors(FlakyFailure("unreliable", [bug])) == [bug]


# -- the surface loop ---------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 7, 20, 260])
def test_a_campaign_explores_exactly_its_example_budget(limit: int) -> None:
    config = planted_config("echo", "echo", "planted_text", max_examples=limit)
    (surface,) = run_campaign(config).surfaces
    assert surface.stats.examples == limit


def test_a_strategy_bug_is_raised_after_the_surface_findings_are_saved(tmp_path: Path) -> None:
    config = planted_config("echo", "escaping_echo", "planted_text_then_bug", max_examples=400)
    corpus = Corpus(tmp_path)
    with pytest.raises(ZeroDivisionError, match="the user's strategy"):
        run_campaign(config, corpus=corpus)
    fixtures = corpus.fetch("planted")
    assert fixtures, "the '<' divergence found before the bug must be saved"
    assert all("<" in str(fixture.input) for fixture in fixtures)
