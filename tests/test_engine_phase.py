"""What Hypothesis is doing, read from who called (``_engine/phase.py``), on real runs."""

from __future__ import annotations

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from difffuzz._engine.phase import hypothesis_is_shrinking, round_seed


def test_generating_shrinking_and_the_final_replay_are_told_apart() -> None:
    calls: list[tuple[int, bool]] = []

    @settings(database=None, max_examples=200, phases=[Phase.generate, Phase.shrink])
    @given(st.integers(min_value=0))
    def failing_from_ten(value: int) -> None:
        calls.append((value, hypothesis_is_shrinking()))
        assert value < 10

    with pytest.raises(AssertionError):
        failing_from_ten()
    first_failure = next(i for i, (value, _) in enumerate(calls) if value >= 10)
    assert not any(shrinking for _, shrinking in calls[:first_failure])  # generating
    assert any(shrinking for _, shrinking in calls[first_failure + 1 :])  # shrinking
    assert calls[-1] == (10, True)  # the final replay of the minimal example
    # The shrink phase starts by re-running a failure it found: shrinking already.
    first_shrink = next(i for i, (_, shrinking) in enumerate(calls) if shrinking)
    failures = {value for value, _ in calls[:first_shrink] if value >= 10}
    assert calls[first_shrink][0] in failures
    assert not hypothesis_is_shrinking()  # outside any Hypothesis run


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
