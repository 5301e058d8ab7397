"""The pytest plugin: ``pytest --difffuzz-config FILE`` turns a corpus and surfaces into items.

An inner pytest (``pytester``, in-process) runs against the sample runtimes with
a sample config and a small saved corpus: one open validator fixture, one
validator fixture of the known 422-shape gap, one embed fixture, and one
validator fixture whose input both runtimes now refuse alike (not JSON: 400/400).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from difffuzz import Corpus, Fixture, Signature, load_config, run_campaign
from lakehouse_samples import SampleRuntimes
from lakehouse_samples.demo import write_sample_config
from tests.conftest import add_lakehouse_gap_fixture, is_lakehouse_gap
from tests.support.records import changed

pytest_plugins = ["pytester"]

SURFACES = ("validator", "embed", "extract_json", "session_log", "materializer", "search")
#: The inner run's Hypothesis profile budget; the config says CONFIG_EXAMPLES, so the
#: fuzz item's example count shows which one it used. The validator's six probes
#: count as examples too, and the budget must leave room to find something new.
TINY_EXAMPLES = 25
CONFIG_EXAMPLES = 200
INNER_CONFTEST = f"""
from hypothesis import settings

settings.register_profile("tiny", max_examples={TINY_EXAMPLES})
"""


@pytest.fixture(scope="module")
def saved_fixtures(
    sample_runtimes: SampleRuntimes, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Fixture]:
    """Fixtures found between the samples: ``open`` and ``gap`` (validator), ``embed``;
    and ``both_failing``, made by hand: a divergence once seen on a body that is not
    JSON (422 on one side, 400 on the other), which both samples now refuse with 400."""
    folder = tmp_path_factory.mktemp("plugin-corpus")
    path = write_sample_config(sample_runtimes, folder, max_examples=30, max_seconds=30)
    config = load_config(path).select(["validator", "embed"]).override(seed=3)
    corpus = Corpus(config.campaign.corpus)
    run_campaign(config, corpus=corpus)
    add_lakehouse_gap_fixture(corpus.root)
    validator, _ = corpus.load("validator")
    embed, _ = corpus.load("embed")
    open_fixture = next(f for f in validator if not is_lakehouse_gap(f))
    once = Signature("validator", (422, 400), (("status", "", "422/400"),))
    refused, _ = corpus.save(changed(open_fixture, input=b"{", signature=once))
    return {
        "open": open_fixture,
        "gap": next(f for f in validator if is_lakehouse_gap(f)),
        "embed": embed[0],
        "both_failing": corpus.read(refused),
    }


@pytest.fixture
def inner_config(
    pytester: pytest.Pytester,
    sample_runtimes: SampleRuntimes,
    saved_fixtures: dict[str, Fixture],
) -> Iterator[Path]:
    """A project for the inner pytest: a plain test, the tiny profile, a config, a corpus."""
    pytester.makeconftest(INNER_CONFTEST)
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    path = write_sample_config(
        sample_runtimes, pytester.path, max_examples=CONFIG_EXAMPLES, max_seconds=20
    )
    # A fixed seed: the fuzz item's findings (and so its report) are the same every run.
    text = path.read_text(encoding="utf-8").replace("[campaign]\n", "[campaign]\nseed = 3\n", 1)
    path.write_text(text, encoding="utf-8")
    for fixture in saved_fixtures.values():
        assert fixture.path is not None
        target = pytester.path / "corpus" / fixture.surface / fixture.path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(fixture.path, target)
    # The inner run loads the tiny profile into this process's Hypothesis; put it back.
    profile = settings.get_current_profile_name()
    yield path
    settings.load_profile(profile)


def run_inner(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """The inner pytest, in this process (fast: the samples and imports are shared)."""
    # The inner run marks its plugins for assertion rewriting; difffuzz was imported
    # long before by this session, which pytest reports with a harmless warning.
    return pytester.runpytest("-W", "ignore::pytest.PytestAssertRewriteWarning", *args)


def fixture_id(fixture: Fixture) -> str:
    return f"difffuzz/{fixture.surface}/{fixture.signature.id}"


def test_items_are_collected_with_difffuzz_ids(
    pytester: pytest.Pytester, inner_config: Path, saved_fixtures: dict[str, Fixture]
) -> None:
    result = run_inner(pytester, "--difffuzz-config", str(inner_config), "--collect-only", "-q")
    result.assert_outcomes()
    ids = [line for line in result.outlines if line.startswith(("difffuzz/", "test_"))]
    expected = {fixture_id(f) for f in saved_fixtures.values()}
    expected |= {f"difffuzz/{surface}/fuzz" for surface in SURFACES}
    assert set(ids) == {"test_plain.py::test_plain", *expected}
    assert len(ids) == len(set(ids))
    # Collected through pytest's own protocol, so they are counted like any test.
    result.stdout.fnmatch_lines([f"{len(expected) + 1} tests collected*"])


def test_fixtures_replay_and_the_fuzz_item_takes_the_profile_budget(
    pytester: pytest.Pytester, inner_config: Path, saved_fixtures: dict[str, Fixture]
) -> None:
    result = run_inner(
        pytester, "--difffuzz-config", str(inner_config), "--hypothesis-profile", "tiny",
        "-k", "validator", "-rA",
    )  # fmt: skip
    # test_plain, the embed fixture and the other surfaces' fuzz items are deselected.
    result.assert_outcomes(failed=2, xfailed=1, skipped=1, deselected=7)

    open_fixture, gap = saved_fixtures["open"], saved_fixtures["gap"]
    for line in (
        f"FAILED {fixture_id(open_fixture)} - still_divergent: *",
        f"XFAIL {fixture_id(gap)} - known gap: 422 body shape*",
        "SKIPPED * both runtimes fail on this fixture: both answered status 400*",
        "FAILED difffuzz/validator/fuzz - * new divergence(s) on validator *",
    ):
        result.stdout.fnmatch_lines([line])
    # The fuzz item ran the profile's budget, not the config's.
    examples = re.findall(
        r"new divergence\(s\) on validator \((\d+) examples\)", result.stdout.str()
    )
    assert examples  # the failure section and the summary line
    # The profile's budget, not the config's (Hypothesis may run one example
    # past max_examples, e.g. the simplest one it starts every run with).
    assert {int(n) for n in examples} <= set(range(TINY_EXAMPLES, TINY_EXAMPLES + 3))
    # ... and saved what it found beside the reports, never into the corpus it replays.
    config = load_config(inner_config)
    kept, problems = Corpus(config.campaign.corpus).load("validator")
    assert not problems
    assert sorted(f.path.name for f in kept if f.path) == sorted(
        f.path.name for f in saved_fixtures.values() if f.surface == "validator" and f.path
    )
    found, problems = Corpus(Path(config.campaign.reports) / "new-fixtures").load("validator")
    assert not problems
    assert found


def test_without_the_option_nothing_is_added(pytester: pytest.Pytester, inner_config: Path) -> None:
    result = run_inner(pytester, "--collect-only", "-q")
    result.assert_outcomes()
    assert [line for line in result.outlines if line and " " not in line] == [
        "test_plain.py::test_plain"
    ]
    result.stdout.fnmatch_lines(["1 test collected*"])


def test_a_broken_config_is_a_collection_error_naming_it(
    pytester: pytest.Pytester, inner_config: Path
) -> None:
    inner_config.write_text("[campaign\n", encoding="utf-8")
    result = run_inner(pytester, "--difffuzz-config", str(inner_config))
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting difffuzz*",
            f"difffuzz: config file *{inner_config.name}* is not valid TOML*",
        ]
    )
    result.stdout.no_fnmatch_line("*INTERNALERROR*")
