"""A known gap that carries its normalizer is tracked: counted and reported once,
while every other difference in the same answers is still found, shrunk and saved.

The runtimes are in-process (tests/planted_normalize.py): every input gets a
422 in each port's shape, and an input with a digit also gets another reason
on the Go side, the planted difference *inside* the 422.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from difffuzz._config import Config, parse_config
from difffuzz._corpus import Corpus
from difffuzz._engine import run_campaign
from difffuzz._engine.gaps import GapTally
from difffuzz._exit import campaign_exit
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


def config(tmp_path: Path, *, gaps: list[object]) -> Config:
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
