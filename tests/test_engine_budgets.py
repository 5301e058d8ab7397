"""Every budget of a surface, checked on the running engine (not only on ``Budget``).

The unit tests of :class:`~difffuzz._engine.budget.Budget` are in
``test_engine_parts.py``; these run :class:`SurfaceCampaign` over in-process
runtimes and check what a user is promised: the exact number of examples, the
shrink calls each finding may spend, the time box's shares (on a *virtual* clock
that each runtime call advances, so a time budget is exact and instant), the
signature cap and the infrastructure-failure limit. A budget that stops a shrink
must show in the finding: ``shrunk`` is false there, and in its fixture.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from difffuzz._config import parse_config
from difffuzz._corpus import Corpus
from difffuzz._engine import SurfaceCampaign, SurfaceSettings, run_campaign
from difffuzz._engine.budget import (
    EXPLORE_SHARE,
    NOISE_SHARE,
    ROUND_SHRINK_SHARE,
    Budget,
    StopReason,
)
from difffuzz._outcome import Failure, Outcome
from difffuzz._transports import MockTransport
from tests.support.inputs import as_text
from tests.test_engine_quality import planted_config

SURFACE = planted_config("echo", "escaping_echo", "planted_text").surfaces["planted"]
Answer = Outcome | tuple[int, Any]


class VirtualClock:
    """Seconds that pass only when a runtime is called."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def echo(value: str) -> Answer:
    return (0, json.dumps({"text": value}))


def escaping(value: str) -> Answer:
    """Differs from :func:`echo` exactly when the text holds a '<'."""
    return (0, json.dumps({"text": value.replace("<", "&lt;")}))


def campaign(
    right: Callable[[str], Answer] = escaping,
    *,
    clock: VirtualClock | None = None,
    **settings: Any,
) -> SurfaceCampaign:
    """A surface whose left runtime echoes; with ``clock``, every example costs 1 s."""

    def left(value: str) -> Answer:
        if clock is not None:
            clock.now += 1.0
        return echo(value)

    runner = SurfaceCampaign(
        SURFACE,
        runtimes=("left", "right"),
        left=MockTransport(left),
        right=MockTransport(right),
        settings=SurfaceSettings(**settings),
    )
    if clock is not None:
        runner.budget.clock = clock
    return runner


#: Long texts (tests/planted.py, planted_padded_text): one with a '<' is found at
#: random, and its 39 other characters each take their own shrink calls.
PADDED = st.text(min_size=40)


# -- the edges of Budget's answers (its main cases: test_engine_parts.py) ------------


def test_each_share_of_the_time_box_is_spent_only_past_its_end() -> None:
    clock = VirtualClock()
    budget = Budget(max_examples=10, max_seconds=100.0, clock=clock)
    budget.start()
    clock.now = 100.0 * NOISE_SHARE
    assert not budget.noise_spent()
    clock.now = 100.0 * EXPLORE_SHARE
    assert budget.explore_stop() is None
    clock.now = 100.0
    assert budget.shrink_stop() is None
    clock.now = 100.0 + 1e-9
    assert budget.shrink_stop() is StopReason.TIME
    budget.new_round()
    clock.now = 20.0
    assert budget.round_shrink_stop(1) is None  # the round's share starts now
    clock.now = 20.0 + 100.0 * ROUND_SHRINK_SHARE
    assert budget.round_shrink_stop(1) is None


def test_a_new_round_starts_with_no_shrink_call_spent() -> None:
    budget = Budget(max_examples=10, shrink_calls=1)
    budget.round_shrink_calls_used = 1
    assert budget.round_shrink_stop(1) is StopReason.SHRINK_CALLS
    budget.new_round()
    assert budget.round_shrink_calls_used == 0
    assert budget.round_shrink_stop(1) is None


# -- examples ---------------------------------------------------------------------


@pytest.mark.parametrize("limit", [10, 260, 600])
def test_a_campaign_draws_exactly_its_example_budget(limit: int) -> None:
    # Rounds are sized to what is left: a round asked for more would keep drawing
    # (and discarding) inputs past the budget.
    drawn: list[str] = []

    def record(text: str) -> str:
        drawn.append(text)
        return text

    strategy = st.text().map(record)
    result = campaign(echo, max_examples=limit).run(strategy)
    assert result.stats.examples == limit
    assert len(drawn) == limit


# -- shrink calls -------------------------------------------------------------------


def test_a_finding_spends_at_most_its_shrink_budget_and_says_it_is_not_shrunk() -> None:
    runner = campaign(max_examples=200, shrink_budget=5, candidates_per_bucket=0)
    result = runner.run(PADDED)
    assert 0 < result.stats.shrink_calls <= 5
    (finding,) = runner.findings(seed=0)
    assert not finding.shrunk
    assert len(as_text(finding.input)) > 1  # a '<' with its padding: what 5 calls left
    # Spending the shrink budget never stops exploring.
    assert result.stats.examples == 200


def test_with_its_shrink_budget_a_finding_is_shrunk_to_the_end() -> None:
    runner = campaign(max_examples=200, candidates_per_bucket=0)
    runner.run(PADDED)
    (finding,) = runner.findings(seed=0)
    assert finding.shrunk
    assert len(as_text(finding.input)) == 40
    assert as_text(finding.input).count("<") == 1


def test_the_campaign_shrink_budget_reaches_the_surface_and_the_fixture(
    tmp_path: Path,
) -> None:
    config = planted_config("echo", "escaping_echo", "planted_padded_text", max_examples=200)
    config = config.override(shrink_budget=5, candidates_per_bucket=0)
    corpus = Corpus(tmp_path)
    result = run_campaign(config, corpus=corpus)
    (surface,) = result.surfaces
    assert 0 < surface.stats.shrink_calls <= 5
    (finding,) = result.findings
    assert not finding.shrunk
    (fixture,) = corpus.fetch("planted")
    assert not fixture.shrunk


# -- the time box (virtual seconds: 1 per example) -------------------------------------


def test_exploring_uses_sixty_percent_of_the_time_box() -> None:
    # The documented share (ARCHITECTURE.md, "Budgets"): 60 s of a 100 s box explore,
    # one example a second; the example started at the 60 s mark is the last.
    clock = VirtualClock()
    result = campaign(echo, clock=clock, max_examples=10**6, max_seconds=100.0).run(st.text())
    assert result.stats.examples == 61
    assert result.stats.shrink_calls == 0


def test_one_round_shrinks_for_at_most_fifteen_percent_of_the_box() -> None:
    # From its first shrink call a round may shrink for 15 s of a 100 s box: 16 calls
    # at one a second. Exploring then goes on, in the next rounds.
    clock = VirtualClock()
    runner = campaign(clock=clock, max_examples=10**6, max_seconds=100.0, candidates_per_bucket=0)
    result = runner.run(PADDED)
    assert 0 < result.stats.shrink_calls <= 16
    (finding,) = runner.findings(seed=0)
    assert not finding.shrunk
    assert result.stats.examples + result.stats.shrink_calls <= 61 + 1


def test_nothing_is_called_past_the_time_box() -> None:
    clock = VirtualClock()
    runner = campaign(clock=clock, max_examples=10**6, max_seconds=30.0)
    runner.run(PADDED)
    assert clock.now <= 30.0 + 1.0
    assert runner.findings(seed=0)


# -- signatures and infrastructure failures ------------------------------------------

WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")


def refuses_by_word(value: int) -> Answer:
    """Eight causes, one per error text (each is its own bucket)."""
    return (0, json.dumps({"ok": False, "error": f"{WORDS[value % len(WORDS)]} refused"}))


def accepts(value: int) -> Answer:
    return (0, json.dumps({"ok": True}))


def by_word(max_signatures: int) -> SurfaceCampaign:
    runner = campaign(max_examples=200, max_signatures=max_signatures)
    runner.left = MockTransport(accepts)
    runner.right = MockTransport(refuses_by_word)
    return runner


def test_past_max_signatures_further_divergences_are_only_counted() -> None:
    runner = by_word(3)
    result = runner.run(st.integers(0, 7))
    assert len(runner.findings(seed=0)) == 3
    assert result.dropped_signatures == len(WORDS) - 3


def test_below_max_signatures_every_cause_is_a_finding() -> None:
    runner = by_word(40)
    result = runner.run(st.integers(0, 7))
    assert len(runner.findings(seed=0)) == len(WORDS)
    assert result.dropped_signatures == 0


def down(value: str) -> Answer:
    return Outcome(status=None, failure=Failure.UNREACHABLE, detail="connection refused")


@pytest.mark.parametrize("limit", [1, 3, 7])
def test_a_runtime_down_stops_the_surface_after_infra_error_limit_calls(limit: int) -> None:
    runner = campaign(down, max_examples=200, infra_error_limit=limit)
    result = runner.run(st.text())
    assert f"runtime 'right' failed {limit} calls in a row" in result.aborted
    assert result.stats.examples == limit
    assert result.stats.infra_errors == limit
    assert runner.findings(seed=0) == []


def test_a_runtime_going_down_leaves_its_findings_unshrunk() -> None:
    calls = {"right": 0}

    def escaping_then_down(value: str) -> Answer:
        calls["right"] += 1
        return escaping(value) if calls["right"] <= 60 else down(value)

    runner = campaign(escaping_then_down, max_examples=200, candidates_per_bucket=0)
    result = runner.run(PADDED)
    assert "failed 5 calls in a row" in result.aborted
    (finding,) = runner.findings(seed=0)
    assert "<" in as_text(finding.input)
    assert not finding.shrunk
    assert finding.reproduced == (0, 0)  # the runtime is gone: not counted against it
    assert not finding.flaky


def test_a_surface_that_was_stopped_reports_every_finding_unshrunk() -> None:
    # The first round shrinks '<' to the end; the runtime goes down in a later one.
    # A stopped surface's findings were not all seen through (polish, the rounds
    # still to come), so none is reported shrunk.
    calls = {"right": 0}

    def escaping_then_down(value: str) -> Answer:
        calls["right"] += 1
        return escaping(value) if calls["right"] <= 400 else down(value)

    runner = campaign(escaping_then_down, max_examples=1000, candidates_per_bucket=0)
    result = runner.run(st.text())
    assert result.aborted
    (finding,) = runner.findings(seed=0)
    assert finding.input == "<"
    assert not finding.shrunk


# -- from the config -------------------------------------------------------------------


def test_every_campaign_setting_reaches_the_surface() -> None:
    document = {
        "campaign": {
            "max_examples": 11,
            "infra_error_limit": 12,
            "learn_noise": 13,
            "max_signatures": 14,
            "max_seconds": 15.5,
            "shrink_budget": 16,
            "candidates_per_bucket": 17,
            "max_candidates": 18,
            "confirmations": 19,
            # Both away from their defaults, so that a setting dropped on the way shows.
            "concurrent": False,
            "reuse_answers": True,
        },
        "runtimes": {"left": {}, "right": {}},
        "surfaces": {
            "own": {
                "strategy": "planted_text",
                "transport": "python",
                "max_examples": 20,
                "polish": True,
                "runtimes": {"left": {"target": "m:f"}, "right": {"target": "m:g"}},
            },
            "shared": {
                "strategy": "planted_text",
                "transport": "python",
                "runtimes": {"left": {"target": "m:f"}, "right": {"target": "m:g"}},
            },
        },
    }
    config = parse_config(document, source="<test>", base_dir=Path("."))
    own = SurfaceSettings.of(config.campaign, config.surfaces["own"], seed=99)
    assert own == SurfaceSettings(
        max_examples=20,
        seed=99,
        infra_error_limit=12,
        learn_noise=13,
        max_signatures=14,
        max_seconds=15.5,
        shrink_budget=16,
        candidates_per_bucket=17,
        max_candidates=18,
        polish=True,
        confirmations=19,
        concurrent=False,
        reuse_answers=True,
    )
    shared = SurfaceSettings.of(config.campaign, config.surfaces["shared"], seed=99)
    assert (shared.max_examples, shared.polish) == (11, False)
