"""--duration: the estimator, the choice of the next surface, and a real run resumed."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from difffuzz._corpus import Corpus
from difffuzz._exceptions import ConfigError
from difffuzz._schedule import SCHEDULE_FILE, Estimate, Scheduler, parse_duration, run_for
from tests.test_workers import two_surfaces


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30m", 1800.0),
        ("2h", 7200.0),
        ("1h30m", 5400.0),
        ("90s", 90.0),
        ("90", 90.0),
        ("1.5m", 90.0),
    ],
)
def test_durations_are_read_as_people_write_them(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "m", "30 minutes", "-5m", "0s", "1d"])
def test_a_bad_duration_says_how_to_write_one(text: str) -> None:
    with pytest.raises(ConfigError, match="duration"):
        parse_duration(text)


def test_a_surface_never_run_goes_first_then_the_one_still_finding() -> None:
    scheduler = Scheduler(["validator", "search"])
    assert scheduler.next() == "validator"  # both unexplored: config order
    scheduler.record("validator", 100, 1.0, [(10, "a"), (90, "b")])
    assert scheduler.next() == "search"
    scheduler.record("search", 100, 1.0, [(5, "x")])
    # validator: new at example 90 of 100 -> 1/10 an input; search: 1/95.
    assert scheduler.estimates["validator"].rate == pytest.approx(100 / 10)
    assert scheduler.estimates["search"].rate == pytest.approx(100 / 95)
    assert scheduler.next() == "validator"
    scheduler.record("validator", 100, 1.0, [(99, "c")])
    assert scheduler.next() == "validator"  # 100/1 over 3 slices still beats 100/95 over 2


def test_the_estimate_is_hypofuzz_behaviours_per_second() -> None:
    estimate = Estimate("s", examples=1000, seconds=4.0, since=50, slices=3, seen={"a"})
    assert estimate.rate == pytest.approx((1 / 50) * (1000 / 4.0))
    assert Estimate("s").rate == math.inf
    fresh_find = Estimate("s", examples=10, seconds=1.0, since=0, slices=1)
    assert fresh_find.rate == pytest.approx(10.0)


def test_behaviours_seen_before_are_not_new() -> None:
    scheduler = Scheduler(["s"])
    scheduler.record("s", 100, 1.0, [(10, "a")])
    scheduler.record("s", 100, 1.0, [(50, "a")])  # the same signature again
    assert scheduler.estimates["s"].since == 190
    assert scheduler.estimates["s"].behaviours == 1


def test_time_goes_where_new_behaviours_keep_coming() -> None:
    """Simulated: one surface finds something new every 100 examples, the other
    nothing after its first slice. The busy one gets most slices, the quiet one some."""
    scheduler = Scheduler(["busy", "quiet"])
    found = 0
    runs = {"busy": 0, "quiet": 0}
    for _ in range(40):
        surface = scheduler.next()
        runs[surface] += 1
        if surface == "busy":
            shown = []
            for number in range(0, 500, 100):
                found += 1
                shown.append((number, f"b{found}"))
            scheduler.record("busy", 500, 1.0, shown)
        else:
            first = [(3, "q")] if runs["quiet"] == 1 else []
            scheduler.record("quiet", 500, 1.0, first)
    assert runs["busy"] >= 4 * runs["quiet"]
    assert runs["quiet"] >= 2  # less, never none


@given(
    st.dictionaries(
        st.sampled_from(["a", "b", "c"]),
        st.builds(
            Estimate,
            surface=st.just("x"),
            examples=st.integers(0, 10**6),
            seconds=st.floats(0, 1e5).map(lambda s: round(s, 3)),
            since=st.integers(0, 10**6),
            slices=st.integers(0, 100),
            seen=st.sets(st.text(max_size=5), max_size=4),
        ),
    )
)
def test_estimates_survive_the_round_trip(estimates: dict[str, Estimate]) -> None:
    scheduler = Scheduler(["a", "b", "c"], estimates)
    again = Scheduler.from_json(["a", "b", "c"], json.loads(json.dumps(scheduler.to_json())))
    assert again.to_json() == scheduler.to_json()


def test_a_timed_run_keeps_exploring_saves_once_and_resumes(tmp_path: Path) -> None:
    config = two_surfaces(seed=3)
    # Slices of 0.7 s: the text surface draws short texts, so its '<' comes at once.
    text_surface = replace(config.surfaces["text"], strategy="planted_short_text")
    config = replace(config, surfaces={**config.surfaces, "text": text_surface})
    corpus, state = Corpus(tmp_path / "corpus"), tmp_path / "state"
    first = run_for(config, duration=4.0, slice_seconds=0.7, corpus=corpus, workers=1, state=state)
    estimates = json.loads((state / SCHEDULE_FILE).read_text(encoding="utf-8"))["estimates"]
    assert {name: record["slices"] >= 1 for name, record in estimates.items()} == {
        "text": True,
        "numbers": True,
    }
    text = next(s for s in first.surfaces if s.surface == "text")
    # One cause, however many slices. Its input holds the '<'; whether it is shrunk
    # all the way depends on the machine (a slice is 0.7 s: at load 7 one was cut).
    (cause,) = text.findings
    assert isinstance(cause.input, str)
    assert "<" in cause.input
    assert len(corpus.files("text")) == 1
    slices_before = sum(record["slices"] for record in estimates.values())

    run_for(
        config, duration=2.0, slice_seconds=0.7, corpus=corpus, workers=1, state=state, resume=True
    )
    resumed = json.loads((state / SCHEDULE_FILE).read_text(encoding="utf-8"))["estimates"]
    assert sum(record["slices"] for record in resumed.values()) > slices_before
    # Carried over, not cold: no surface's counts start again (which one gets the
    # resumed run's one or two slices is the scheduler's choice).
    assert all(resumed[name]["examples"] >= estimates[name]["examples"] for name in estimates)
    assert len(corpus.files("text")) == 1  # known from the corpus: not found again
