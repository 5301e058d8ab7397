"""What Hypothesis is doing, read from who called (``_engine/phase.py``), on real runs."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import hypothesis.internal.conjecture.engine as hypothesis_engine
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from difffuzz._engine import run_campaign
from difffuzz._engine.phase import WallClock, hypothesis_is_shrinking, round_seed
from difffuzz._results import CampaignResult
from tests.test_engine_quality import planted_config


def _calls_of_a_run_failing_from_ten() -> list[tuple[int, bool]]:
    """Each call of a Hypothesis run failing from 10 up: its value, and whether
    ``hypothesis_is_shrinking`` said shrinking."""
    calls: list[tuple[int, bool]] = []

    @settings(database=None, max_examples=200, phases=[Phase.generate, Phase.shrink])
    @given(st.integers(min_value=0))
    def failing_from_ten(value: int) -> None:
        calls.append((value, hypothesis_is_shrinking()))
        assert value < 10

    with pytest.raises(AssertionError):
        failing_from_ten()
    return calls


def test_generating_shrinking_and_the_final_replay_are_told_apart() -> None:
    calls = _calls_of_a_run_failing_from_ten()
    first_failure = next(i for i, (value, _) in enumerate(calls) if value >= 10)
    assert not any(shrinking for _, shrinking in calls[:first_failure])  # generating
    assert any(shrinking for _, shrinking in calls[first_failure + 1 :])  # shrinking
    assert calls[-1] == (10, True)  # the final replay of the minimal example
    # The shrink phase starts by re-running a failure it found: shrinking already.
    first_shrink = next(i for i, (_, shrinking) in enumerate(calls) if shrinking)
    failures = {value for value, _ in calls[:first_shrink] if value >= 10}
    assert calls[first_shrink][0] in failures
    # From there on nothing is generated: every call the shrinker makes is shrinking.
    assert all(shrinking for _, shrinking in calls[first_shrink:])
    assert not hypothesis_is_shrinking()  # outside any Hypothesis run


def test_a_failure_is_generated_once_and_every_later_run_of_it_is_shrinking() -> None:
    # The engine counts a call as an explored example (a finding's "seen N times",
    # the example budget) only when it is not shrinking: the shrink phase's re-run of
    # each failure, the shrinker's calls and the final replay must not count again.
    calls = _calls_of_a_run_failing_from_ten()
    generated = {value for value, shrinking in calls if value >= 10 and not shrinking}
    runs = {value: [s for called, s in calls if called == value] for value in generated}
    assert any(len(flags) > 1 for flags in runs.values())  # the shrink phase re-ran one
    for value, flags in runs.items():
        assert flags == [False] + [True] * (len(flags) - 1), f"{value}: {flags}"


def test_round_seeds_are_stable_distinct_and_64_bit() -> None:
    seeds = {
        round_seed(seed, surface, number)
        for seed in (1, 2)
        for surface in "ab"
        for number in range(20)
    }
    assert len(seeds) == 2 * 2 * 20
    assert all(0 <= seed < 2**64 for seed in seeds)
    assert round_seed(7, "validator", 3) == round_seed(7, "validator", 3)


def _run(seed: int) -> list[Any]:
    config = planted_config("two_bugs_left", "two_bugs_right", "planted_numbers", seed=seed)
    result: CampaignResult = run_campaign(config)
    (surface,) = result.surfaces
    stats = surface.stats
    return [
        stats.examples,
        stats.divergent_examples,
        stats.shrink_calls,
        sorted(repr(f.input) for f in surface.findings),
    ]


@pytest.mark.parametrize("seed", [1, 2])
def test_an_exact_budget_gives_the_same_run_on_a_slow_machine(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hypothesis stops generating 10 s after its first failure (on ``time.monotonic``)
    and shrinking after five minutes (on ``time.perf_counter``); here each read of the
    first is 3 s later (a machine 1000x slower) and of the second a minute later, so
    the shrink deadline passes within five reads. Without a time box the run must not
    change: before WallClock, seed 1 kept -49 instead of -7 and seed 2 shrank less."""
    fast = _run(seed)

    def slow(step: float) -> Callable[[], float]:
        now = [0.0]

        def read() -> float:
            now[0] += step
            return now[0]

        return read

    clock = types.SimpleNamespace(monotonic=slow(3.0), perf_counter=slow(60.0))
    monkeypatch.setattr(hypothesis_engine, "time", clock)
    assert _run(seed) == fast


def test_the_wall_clock_is_left_alone_outside_a_hypothesis_run() -> None:
    WallClock().ignore()  # no runner among the callers: nothing to do, nothing raised
