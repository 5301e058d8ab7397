"""A known gap that carries its normalizer is tracked: counted and reported once,
while every other difference in the same answers is still found, shrunk and saved.

The runtimes are in-process (tests/planted_normalize.py): every input gets a
422 in each port's shape, and an input with a digit also gets another reason
on the Go side, the planted difference *inside* the 422.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from difffuzz._config import Config, parse_config
from difffuzz._corpus import Corpus
from difffuzz._engine import run_campaign
from difffuzz._engine.gaps import GapTally
from difffuzz._exit import campaign_exit
from difffuzz._inputs import input_sort_key
from difffuzz._judge import Judge
from difffuzz._outcome import Outcome
from difffuzz._results import FindingStatus
from tests import (
    planted,  # noqa: F401  (registers the planted_text strategy)
    planted_normalize,
)

RUNTIMES = ("rust", "go")
REASON = "422 body shape: serde enum against Go struct fields"
GAP = {
    "reason": REASON,
    "normalize": {
        "rust": [{"step": "untag_enum", "case": "lower"}],
        "go": [{"step": "rename_keys", "case": "lower"}],
    },
}


@pytest.fixture(autouse=True)
def planted_difference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(planted_normalize.BEHAVIOUR, "go", "digits")


def config(tmp_path: Path, *, gaps: list[object], **surface: object) -> Config:
    document = {
        "campaign": {"max_examples": 60, "seed": 7, "learn_noise": 0, "corpus": "corpus"},
        "runtimes": {"rust": {}, "go": {}},
        "surfaces": {
            "validator": {
                "strategy": "planted_text",
                "transport": "python",
                "answer_status": [200, 422],
                "compare": {"rule": "http"},
                "known_gaps": gaps,
                **surface,
                "runtimes": {
                    "rust": {"target": "tests.planted_normalize:rust"},
                    "go": {"target": "tests.planted_normalize:go"},
                },
            }
        },
    }
    return parse_config(document, source="gap.toml", base_dir=tmp_path)


def test_the_tally_counts_each_gap_and_keeps_its_smallest_example(tmp_path: Path) -> None:
    surface = config(tmp_path, gaps=[GAP]).surfaces["validator"]
    judge = Judge(surface, RUNTIMES)
    tally = GapTally("validator", RUNTIMES)
    for value in ["a@b", "x", "a1", "zz"]:
        rust, go = planted_normalize.rust(value), planted_normalize.go(value)
        observation = judge.judge(value, Outcome(*_bytes(rust)), Outcome(*_bytes(go)))
        tally.record(observation)
    (finding,) = tally.findings(judge.compare_spec, seed=7)
    assert finding.status is FindingStatus.KNOWN_GAP
    assert (finding.gap_reason, finding.occurrences, finding.input) == (REASON, 4, "x")
    assert finding.signature.category == "shape"
    # Shown without the gap's steps: the report shows the difference the gap stands for.
    assert not finding.compare_spec.normalizes
    assert {d.path for d in finding.comparison.differences} >= {"/Schema"}


def _bytes(answer: tuple[int, str]) -> tuple[int, bytes]:
    return answer[0], answer[1].encode()


def test_every_other_difference_is_still_found_shrunk_and_saved(tmp_path: Path) -> None:
    result = run_campaign(config(tmp_path, gaps=[GAP]), corpus=Corpus(tmp_path / "corpus"))
    (surface,) = result.surfaces
    inside = [f for f in surface.findings if f.signature.label.startswith("value: value /reason")]
    assert len(inside) == 1
    (finding,) = inside
    assert finding.status is FindingStatus.NEW
    assert finding.input == "0"  # shrunk to the smallest trigger
    assert finding.fixture_path is not None
    fixture = Corpus(tmp_path / "corpus").read(Path(finding.fixture_path))
    assert fixture.compare.normalize_left[0].gap == REASON
    # Nothing else: the 422 shape itself never becomes a failing finding.
    assert [f for f in surface.findings if f.status is FindingStatus.NEW] == [finding]


def test_removing_the_normalizer_re_opens_the_gap(tmp_path: Path) -> None:
    result = run_campaign(config(tmp_path, gaps=[]), corpus=Corpus(tmp_path / "corpus"))
    labels = [f.signature.label for f in result.surfaces[0].findings]
    assert any(label.startswith("shape:") and "/Schema" in label for label in labels)
    assert all(not label.startswith("value: value /reason") for label in labels)
    assert campaign_exit(result) == 1


def test_the_gap_is_reported_once_with_how_often_it_occurred(tmp_path: Path) -> None:
    result = run_campaign(config(tmp_path, gaps=[GAP]), corpus=Corpus(tmp_path / "corpus"))
    (surface,) = result.surfaces
    gaps = [f for f in surface.findings if f.status is FindingStatus.KNOWN_GAP]
    assert len(gaps) == 1
    (gap,) = gaps
    assert gap.gap_reason == REASON
    # Every generated example is a 422/422 pair in the two shapes.
    assert gap.occurrences == surface.stats.examples
    assert campaign_exit(result) == 1  # the difference inside the 422 still fails the run


#: Texts without a digit: each shows the gap and nothing else.
NO_DIGITS = st.text(alphabet="ab@.", max_size=6)


@given(st.lists(NO_DIGITS, min_size=1, max_size=8))
def test_the_tally_shows_each_gap_with_the_smallest_example_and_its_own_answers(
    values: list[str],
) -> None:
    surface = config(Path("."), gaps=[GAP]).surfaces["validator"]
    judge = Judge(surface, RUNTIMES)
    tally = GapTally("validator", RUNTIMES)
    for value in values:
        rust, go = planted_normalize.rust(value), planted_normalize.go(value)
        tally.record(judge.judge(value, Outcome(*_bytes(rust)), Outcome(*_bytes(go))))
    (finding,) = tally.findings(judge.compare_spec, seed=7)
    smallest = min(values, key=input_sort_key)
    assert (finding.input, finding.occurrences) == (smallest, len(values))
    shown = (finding.left.status, finding.left.body, finding.right.status, finding.right.body)
    expected = (*_bytes(planted_normalize.rust(smallest)), *_bytes(planted_normalize.go(smallest)))
    assert shown == expected


def test_a_tracked_gap_is_a_finding_of_its_surface_and_run_that_is_never_saved(
    tmp_path: Path,
) -> None:
    corpus = Corpus(tmp_path / "corpus")
    result = run_campaign(config(tmp_path, gaps=[GAP]), corpus=corpus)
    (gap,) = [f for f in result.findings if f.status is FindingStatus.KNOWN_GAP]
    assert (gap.surface, gap.runtimes, gap.seed) == ("validator", RUNTIMES, 7)
    assert gap.config_path == result.config_path
    # Counted over examples, never shrunk, shown with the rule that judged it.
    assert (gap.tracked, gap.shrunk, gap.comparison.rule) == (True, False, "http")
    found_at = datetime.fromisoformat(gap.found_at)
    assert found_at.utcoffset() == timedelta(0)
    assert abs(datetime.fromisoformat(result.started_at) - found_at) < timedelta(minutes=10)
    # The gap lives in the config: only the difference inside the 422 reaches the corpus.
    (inside,) = [f for f in result.findings if f.status is FindingStatus.NEW]
    assert gap.fixture_path is None
    assert [fixture.input for fixture in corpus.load("validator")[0]] == [inside.input]


def test_a_gap_is_shown_without_its_own_steps_but_with_every_other_step(tmp_path: Path) -> None:
    # A surface-wide step that the gap does not own stays in what the report shows.
    shared = {"step": "rename_keys", "map": {"unused": "other"}}
    surface = config(tmp_path, gaps=[GAP], normalize=[shared]).surfaces["validator"]
    judge = Judge(surface, RUNTIMES)
    tally = GapTally("validator", RUNTIMES)
    rust, go = planted_normalize.rust("x"), planted_normalize.go("x")
    tally.record(judge.judge("x", Outcome(*_bytes(rust)), Outcome(*_bytes(go))))
    (finding,) = tally.findings(judge.compare_spec, seed=7)
    spec = finding.compare_spec
    assert [step.gap for step in (*spec.normalize_left, *spec.normalize_right)] == ["", ""]
    assert [step.name for step in spec.normalize_left] == ["rename_keys"]
    assert [step.name for step in spec.normalize_right] == ["rename_keys"]
