"""What each finding of a surface run says (``difffuzz._engine.findings``).

A report shows, per finding: how often exploring met it, what shrinking it cost,
how many candidates turned out to be it, when it was found and with which seed;
a known finding keeps its fixture's date, seed and flaky verdict. Every corpus
cause this run met again is reported once, known, and one it did not meet is not
reported at all. The runtimes are in-process (``MockTransport``).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import strategies as st

from difffuzz._corpus import Corpus, Fixture
from difffuzz._engine import SurfaceCampaign, SurfaceSettings
from difffuzz._engine.campaign import save_finding
from difffuzz._engine.findings import FindingMaker
from difffuzz._judge import Judge
from difffuzz._results import Finding, FindingStatus, SurfaceResult
from difffuzz._transports import MockTransport
from tests.test_engine_causes import (
    RUNTIMES,
    SURFACE,
    Runtime,
    echo,
    escaping,
    observe,
    run,
    stored,
)


def two_causes(value: str) -> tuple[int, str]:
    """'<' is escaped; '&' adds a field: two buckets, two causes."""
    answer = {"text": value.replace("<", "&lt;")}
    if "&" in value:
        answer["entity"] = "amp"
    return (0, json.dumps(answer))


def campaign(
    right: Runtime, *, seed: int, known: list[Fixture] | None = None
) -> tuple[SurfaceResult, list[Finding]]:
    runner = SurfaceCampaign(
        SURFACE,
        runtimes=RUNTIMES,
        left=MockTransport(echo),
        right=MockTransport(right),
        settings=SurfaceSettings(max_examples=200, seed=seed, confirmations=1),
        known=known or (),
    )
    result = runner.run(st.text())
    return result, runner.findings(seed=seed)


@pytest.mark.parametrize("seed", [1, 3])
def test_each_finding_says_how_often_exploring_met_it_and_what_shrinking_it_cost(
    seed: int,
) -> None:
    result, findings = campaign(two_causes, seed=seed)
    assert sorted(str(f.input) for f in findings) == ["&", "<"]
    # Every divergent example fell in the bucket of one of the two causes.
    assert sum(f.occurrences for f in findings) == result.stats.divergent_examples
    assert all(f.occurrences >= 1 for f in findings)
    # Each was shrunk, on calls counted in the surface's shrink calls.
    assert all(f.shrink_calls > 0 for f in findings)
    assert sum(f.shrink_calls for f in findings) <= result.stats.shrink_calls
    assert sum(f.merged for f in findings) == result.candidates_merged


def test_a_new_finding_is_dated_now_in_utc_with_the_run_s_seed() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    (finding,) = run(st.text(), seed=5)
    found = datetime.fromisoformat(finding.found_at)
    assert found.utcoffset() == timedelta(0)
    assert before <= found <= datetime.now(UTC)
    assert (finding.seed, finding.status, finding.fixture_path) == (5, FindingStatus.NEW, None)


def test_a_known_finding_keeps_its_fixture_s_date_seed_and_flaky_verdict(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    (found,) = run(st.just("<"), seed=99)
    dated = replace(found, found_at="2020-01-02T03:04:05+00:00", flaky=True)
    fixture = corpus.read(Path(str(save_finding(corpus, SURFACE, dated).fixture_path)))
    (finding,) = run(st.text(), known=[fixture], seed=2)
    assert finding.status is FindingStatus.KNOWN
    assert (finding.found_at, finding.seed, finding.flaky) == (fixture.found_at, 99, True)
    assert finding.fixture_path == str(fixture.path)


def test_a_corpus_cause_only_met_again_reports_no_shrinking_by_this_run(tmp_path: Path) -> None:
    # Its fixture is already shrunk, so this run does not shrink it again: the JSON
    # report's shrink_calls and merged_candidates are what this run spent on it,
    # and "seen N times" counts this run's examples in its bucket.
    corpus = Corpus(tmp_path)
    (found,) = run(st.just("<"), seed=99)
    fixture = corpus.read(Path(str(save_finding(corpus, SURFACE, found).fixture_path)))
    result, (finding,) = campaign(escaping, seed=2, known=[fixture])
    assert (finding.status, finding.shrunk) == (FindingStatus.KNOWN, True)
    assert (finding.shrink_calls, finding.merged) == (0, 0)
    assert finding.occurrences == result.stats.divergent_examples > 1


def test_an_unshrunk_corpus_cause_shrunk_again_is_reported_once_and_replaces_its_fixture(
    tmp_path: Path,
) -> None:
    # A fixture saved before its shrink finished is shrunk again by the next run: the
    # finding is still the corpus's cause (known, its file, its date), reported once,
    # and replaces the fixture with the smaller input this run's seed found.
    corpus = Corpus(tmp_path)
    (cut,) = run(st.text(min_size=30), shrink_budget=3, seed=7)
    assert not cut.shrunk
    fixture = corpus.read(Path(str(save_finding(corpus, SURFACE, cut).fixture_path)))
    _, findings = campaign(escaping, seed=2, known=[fixture])
    (finding,) = findings
    assert (finding.status, finding.fixture_path) == (FindingStatus.KNOWN, str(fixture.path))
    assert (finding.seed, finding.found_at) == (2, fixture.found_at)
    assert finding.replaces == (str(fixture.path),)
    assert finding.shrink_calls > 0
    assert len(str(finding.input)) < len(str(fixture.input))


def test_a_finding_is_seen_at_least_once_though_exploring_never_met_its_bucket() -> None:
    observation = observe("<")
    assert observation.bucket is not None
    maker = FindingMaker(SURFACE, RUNTIMES, Judge(SURFACE, RUNTIMES).compare_spec, hits={})
    finding = maker.finding(
        observation, None, seed=1, flaky=False, shrunk=True, bucket=observation.bucket
    )
    assert finding.occurrences == 1


@pytest.mark.parametrize("order", [1, -1], ids=["as saved", "reversed"])
def test_every_corpus_cause_met_again_is_reported_once_and_one_not_met_is_not(
    tmp_path: Path, order: int
) -> None:
    corpus = Corpus(tmp_path)

    def percent(value: str) -> tuple[int, str]:
        return (0, json.dumps({"text": value, **({"percent": True} if "%" in value else {})}))

    # "%" diverged (another bucket) on an older runtime; today's runtimes agree on it.
    fixtures = [
        stored(corpus, "<", right=two_causes),
        stored(corpus, "%", right=percent),
        stored(corpus, "&", right=two_causes),
    ][::order]
    _, findings = campaign(two_causes, seed=1, known=fixtures)
    reported = sorted((str(f.input), f.status, f.fixture_path) for f in findings)
    assert reported == sorted(
        (str(f.input), FindingStatus.KNOWN, str(f.path)) for f in fixtures if f.input != "%"
    )


def test_a_cause_the_corpus_does_not_hold_is_shown_with_its_own_input_and_answers(
    tmp_path: Path,
) -> None:
    corpus = Corpus(tmp_path)
    other = stored(corpus, "&", right=two_causes)
    (finding,) = run(st.text(), right=escaping, known=[other])
    assert (finding.status, finding.input) == (FindingStatus.NEW, "<")
    assert json.loads(finding.right.body) == {"text": "&lt;"}
