"""Fixtures record the normalize steps in force and both answers; replay applies them.

The runtimes are in-process functions (tests/planted_normalize.py) that write
the validator's 422 the two ports' ways; a known gap carries the normalizer
that maps one shape onto the other.
"""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from difffuzz._ci import GateStatus, classify
from difffuzz._comparators.base import Comparison
from difffuzz._config import Config, parse_config
from difffuzz._connect import open_transport
from difffuzz._corpus import FIXTURE_SCHEMA, Corpus, Fixture
from difffuzz._fixture import fixture_text
from difffuzz._judge import Judge
from difffuzz._outcome import Outcome
from difffuzz._replay import ReplayVerdict, replay_fixtures
from difffuzz._reporting.diffview import build_diff, diff_text
from difffuzz._reporting.html import _diff_table
from tests import (
    planted,  # noqa: F401  (registers the planted_text strategy)
    planted_normalize,
)
from tests.support.records import changed, fixture_of

RUNTIMES = ("rust", "go")
REPO_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
GAP = {
    "reason": "422 body shape: serde enum against Go struct fields",
    "normalize": {
        "rust": [{"step": "untag_enum", "case": "lower"}],
        "go": [{"step": "rename_keys", "case": "lower"}],
    },
}


@pytest.fixture(autouse=True)
def go_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(planted_normalize.BEHAVIOUR, "go", "same")


def config(*, gaps: list[dict[str, Any]] | None = None) -> Config:
    document = {
        "runtimes": {"rust": {}, "go": {}},
        "surfaces": {
            "validator": {
                "strategy": "planted_text",
                "transport": "python",
                "answer_status": [200, 422],
                "compare": {"rule": "http"},
                "known_gaps": gaps if gaps is not None else [GAP],
                "runtimes": {
                    "rust": {"target": "tests.planted_normalize:rust"},
                    "go": {"target": "tests.planted_normalize:go"},
                },
            }
        },
    }
    return parse_config(document, source="gap.toml", base_dir=Path("."))


def saved(tmp_path: Path, settings: Config, value: str = "a@b") -> Fixture:
    """Observe ``value`` now and save it as the engine would (its spec in the fixture)."""
    surface = settings.surfaces["validator"]
    with (
        closing(open_transport(surface.requests["rust"], max_body_bytes=10_000)) as left,
        closing(open_transport(surface.requests["go"], max_body_bytes=10_000)) as right,
    ):
        judge = Judge(surface, RUNTIMES)
        observation = judge.judge(value, left.send(value), right.send(value))
    assert observation.signature is not None, "the fixture must record a divergence"
    fixture = fixture_of(
        surface="validator",
        signature=observation.signature,
        input=value,
        runtimes=RUNTIMES,
        left=observation.left,
        right=observation.right,
        differences=observation.comparison.differences,
        compare=judge.compare_spec,
        answer_status=surface.answer_status,
    )
    corpus = Corpus(tmp_path)
    corpus.save(fixture)
    (loaded,) = corpus.fetch("validator")
    return loaded


def test_a_fixture_stores_the_steps_and_both_raw_and_normalised_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(planted_normalize.BEHAVIOUR, "go", "reason")
    fixture = saved(tmp_path, config())
    assert fixture.path is not None
    record = json.loads(fixture.path.read_text(encoding="utf-8"))
    assert record["schema"] == FIXTURE_SCHEMA == "difffuzz.fixture/2"
    assert record["compare"]["normalize"] == {
        "left": [{"step": "untag_enum", "case": "lower", "gap": GAP["reason"]}],
        "right": [{"step": "rename_keys", "case": "lower", "gap": GAP["reason"]}],
    }
    assert json.loads(record["outcomes"]["rust"]["body"]) == {
        "Schema": {"field": "to", "reason": "not an email: a@b"}
    }
    assert record["normalized"] == {
        "rust": {"kind": "schema", "field": "to", "reason": "not an email: a@b"},
        "go": {"kind": "schema", "field": "to", "reason": "invalid address"},
    }
    assert [d["path"] for d in record["differences"]] == ["/reason"]
    # Read back, the fixture is the same one, steps included.
    assert fixture.compare.normalize_left[0].gap == GAP["reason"]
    assert fixture.normalized == (record["normalized"]["rust"], record["normalized"]["go"])


def test_replay_applies_the_fixture_s_steps_or_the_config_s_on_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(planted_normalize.BEHAVIOUR, "go", "reason")
    fixture = saved(tmp_path, config())
    without_steps = config(gaps=[])
    (own,) = replay_fixtures(without_steps, [fixture]).cases
    assert own.verdict is ReplayVerdict.STILL_DIVERGENT
    (by_config,) = replay_fixtures(without_steps, [fixture], by_config=True).cases
    assert by_config.verdict is ReplayVerdict.DIVERGES_DIFFERENTLY
    assert "Schema" in by_config.detail  # the shape the steps used to map away


def test_a_fixture_the_gap_s_steps_now_absorb_is_that_gap_s_fixture(tmp_path: Path) -> None:
    # Found before the gap carried a normalizer: the plain shape divergence.
    old = saved(tmp_path, config(gaps=[]))
    assert old.signature.category == "shape"
    assert not old.compare.normalizes
    (case,) = replay_fixtures(config(), [old]).cases
    assert case.verdict is ReplayVerdict.STILL_DIVERGENT  # judged by its own (old) spec
    assert case.gap_reason == GAP["reason"]
    assert classify(case) is GateStatus.GAP_OPEN
    # Without the gap it is an open divergence again.
    (reopened,) = replay_fixtures(config(gaps=[]), [old]).cases
    assert reopened.gap_reason == ""
    assert classify(reopened) is GateStatus.OPEN


def test_the_repository_s_schema_1_fixtures_still_read() -> None:
    fixtures, problems = Corpus(REPO_CORPUS).load()
    assert problems == []
    assert fixtures, "the repository ships a corpus"
    old = [f for f in fixtures if f.path and '"difffuzz.fixture/1"' in f.path.read_text("utf-8")]
    assert old
    assert all(not f.compare.normalizes for f in old)


def test_an_unknown_schema_says_which_ones_are_read(tmp_path: Path) -> None:
    fixture = saved(tmp_path, config(gaps=[]))
    assert fixture.path is not None
    record = json.loads(fixture.path.read_text(encoding="utf-8"))
    record["schema"] = "difffuzz.fixture/9"
    with pytest.raises(ValueError, match=r"difffuzz\.fixture/1, difffuzz\.fixture/2"):
        Fixture.from_json(record)


def test_the_side_by_side_view_shows_the_normalised_diff_and_the_raw_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(planted_normalize.BEHAVIOUR, "go", "reason")
    fixture = saved(tmp_path, config())
    comparison = Comparison("http", fixture.differences)
    view = build_diff(fixture.left, fixture.right, comparison, RUNTIMES, fixture.compare)
    text = diff_text(view, width=160)
    marked = [line for line in text.splitlines() if line.startswith("!")]
    assert len(marked) == 1
    assert '"reason": "not an email: a@b"' in marked[0]
    assert '"reason": "invalid address"' in marked[0]
    assert "normalized before comparing: rust: untag_enum(case='lower')" in text
    assert 'raw rust: {"Schema":{"field":"to","reason":"not an email: a@b"}}' in text
    assert 'raw go: {"Kind":"schema","Field":"to","Reason":"invalid address"}' in text
    html = _diff_table(view)
    assert "<details><summary>raw answers (before the normalize steps)</summary>" in html
    assert "&quot;Schema&quot;" in html
    # Without steps there is nothing raw to add.
    plain = build_diff(fixture.left, fixture.right, comparison, RUNTIMES, None)
    assert plain.raw_rows == ()
    assert plain.raw_lines == ()


def test_a_fixture_whose_steps_fail_on_its_answers_is_written_with_the_reason(
    tmp_path: Path,
) -> None:
    # A hook changed since the divergence was found: the fixture is kept, raw answers
    # and all, and says why it holds no normalised ones.
    gap = {"reason": "go names its fields", "normalize": {"go": [{"jq": "{kind: .Kind}"}]}}
    fixture = saved(tmp_path, config(gaps=[gap]))
    broken = changed(fixture, right=Outcome(422, b"[1]"), normalized=None)
    record = json.loads(fixture_text(broken))
    assert "normalized" not in record
    assert record["normalized_error"].startswith("the normalize steps failed when written: ")
    assert "index" in record["normalized_error"]  # jq's own words: an array has no .Kind
    assert json.loads(record["outcomes"]["go"]["body"]) == [1]


def test_an_answer_that_is_not_json_is_stored_as_no_normalised_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(planted_normalize.BEHAVIOUR, "go", "reason")
    fixture = saved(tmp_path, config())
    crashed = changed(fixture, right=Outcome(502, b"bad gateway"), normalized=None)
    record = json.loads(fixture_text(crashed))
    assert record["normalized"]["go"] is None
    assert record["normalized"]["rust"] == {
        "kind": "schema",
        "field": "to",
        "reason": "not an email: a@b",
    }
