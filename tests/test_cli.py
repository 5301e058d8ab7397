"""The ``difffuzz`` command line against the sample runtimes: exit codes, reports, commands.

Exit codes: 0 no (new) divergence, 1 divergences, 2 a usage, config or corpus
error, 3 a runtime unreachable. Most commands run in-process through click's
runner (importing :mod:`difffuzz._cli` gives every built-in command); ``strategies``
and the demo (a plugin command of the samples distribution) run as the installed
console script, in a fresh process.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from difffuzz import Corpus, Fixture, load_config
from difffuzz._cli import cli
from difffuzz._inputs import Input, WireInput
from difffuzz._lakehouse import lakehouse_config
from lakehouse_samples import SampleRuntimes
from lakehouse_samples.demo import sample_targets, write_sample_config
from tests.conftest import add_lakehouse_gap_fixture, is_lakehouse_gap
from tests.support.records import changed

DIFFFUZZ = Path(sys.executable).parent / "difffuzz"
SCHEMA_DOC = Path(__file__).resolve().parent.parent / "docs" / "report-schema.md"
SEED = "3"
HTTP_SURFACES = ("validator", "embed", "search")
GENERIC_STRATEGIES = {"from_schema", "text", "bytes", "regex", "json_documents"}
LAKEHOUSE_STRATEGIES = {
    "embed_batches",
    "embed_texts",
    "llm_json",
    "llm_json_bytes",
    "materializer_trees",
    "search_requests",
    "session_records",
    "staffing_queries",
    "unicode_text",
    "validator_requests",
}


def invoke(*args: str | Path) -> Result:
    """Run ``difffuzz ARGS`` in-process (the built-in commands)."""
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def flat(text: str) -> str:
    """``text`` with every run of whitespace as one space (rich wraps long lines)."""
    return " ".join(text.split())


def surface_options(surfaces: tuple[str, ...]) -> list[str]:
    return [option for name in surfaces for option in ("--surface", name)]


# -- run: exit codes 0, 1, 2, 3 ------------------------------------------------------


def test_run_exits_0_when_both_runtimes_are_the_same_sample(
    twin_config: Path, tmp_path: Path
) -> None:
    report = tmp_path / "twin.json"
    surfaces = ("validator", "search", "session_log")
    result = invoke(
        "run", "--config", twin_config, *surface_options(surfaces), "--seed", SEED,
        "--max-examples", "10", "--quiet", "--no-reports", "--report-json", report,
        # A box the budget fits in on a busy machine: this test is about verdicts.
        "--max-seconds", "60",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    campaign = json.loads(report.read_text(encoding="utf-8"))
    assert campaign["exit_code"] == 0
    assert [s["surface"] for s in campaign["surfaces"]] == list(surfaces)
    for surface in campaign["surfaces"]:
        stats = surface["stats"]
        assert stats["examples"] >= 10
        assert stats["matches"] > 0
        # A bad input fails the same way on both sides: both_failed, never a divergence.
        assert stats["matches"] + stats["both_failed"] == stats["examples"], surface["surface"]
        assert surface["findings"] == []


@pytest.mark.slow
def test_run_exits_0_on_every_cli_surface_when_both_runtimes_are_the_same_sample(
    twin_config: Path, tmp_path: Path
) -> None:
    # embed is left out: see test_e2e_surfaces' xfail on the cosine rule's vector of nulls.
    surfaces = ("validator", "search", "extract_json", "session_log", "materializer")
    result = invoke(
        "run", "--config", twin_config, *surface_options(surfaces), "--seed", SEED,
        "--max-examples", "40", "--max-seconds", "60", "--quiet", "--no-reports",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_run_exits_1_on_divergences_and_writes_the_documented_json_report(
    sample_config: Path, tmp_path: Path
) -> None:
    report = tmp_path / "campaign.json"
    result = invoke(
        "run", "--config", sample_config, *surface_options(HTTP_SURFACES), "--seed", SEED,
        "--max-seconds", "1.5", "--quiet", "--no-reports", "--report-json", report,
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "exit 1" in result.output
    campaign = json.loads(report.read_text(encoding="utf-8"))
    assert campaign["schema"] == "difffuzz.campaign/1"
    assert campaign["exit_code"] == 1
    assert campaign["seed"] == int(SEED)
    assert campaign["config"] == str(sample_config)
    assert [s["surface"] for s in campaign["surfaces"]] == list(HTTP_SURFACES)
    findings = [f for s in campaign["surfaces"] for f in s["findings"]]
    assert findings
    assert {f["status"] for f in findings} <= {"new", "known_gap"}
    # Every finding is saved, but a tracked gap's tally (counted, the gap is in the config).
    assert all(Path(f["fixture"]).is_file() for f in findings if not f["tracked"])
    assert all(f["fixture"] is None for f in findings if f["tracked"])

    documented = documented_fields(SCHEMA_DOC.read_text(encoding="utf-8"))
    check_documented(campaign, "Campaign (top level)", documented)
    for surface in campaign["surfaces"]:
        check_documented(surface, "Surface", documented)
        check_documented(surface["stats"], "Stats", documented)
        check_documented(surface["compare"], "Compare spec", documented)
        for event in surface["infra_events"]:
            check_documented(event, "Infra event", documented)
        for finding in surface["findings"]:
            check_documented(finding, "Finding", documented)
            check_documented(finding["signature"], "Signature", documented)
            assert re.fullmatch(r"[0-9a-f]{10}", finding["signature"]["id"])
            check_documented(finding["compare"], "Compare spec", documented)
            for side in ("left", "right"):
                check_documented(finding[side], "Outcome", documented)
            for difference in finding["differences"]:
                check_documented(difference, "Difference", documented)


@dataclasses.dataclass(frozen=True)
class Fields:
    """The fields one table of docs/report-schema.md documents."""

    names: frozenset[str]
    optional: frozenset[str]


def documented_fields(doc: str) -> dict[str, Fields]:
    """Heading -> fields, read from the tables of the schema document.

    A field is optional when its row says it is sometimes "absent", or another
    row is written "instead of" it (``body`` / ``body_base64``).
    """
    tables: dict[str, Fields] = {}
    heading = ""
    names: set[str] = set()
    optional: set[str] = set()
    for line in [*doc.splitlines(), "# end"]:
        if line.startswith("#"):
            if names:
                tables[heading] = Fields(frozenset(names), frozenset(optional))
            heading, names, optional = line.lstrip("#").strip(), set(), set()
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        row = re.findall(r"`([^`]+)`", cells[0])
        names.update(row)
        meaning = cells[-1]
        if "absent" in meaning:
            optional.update(row)
        if "instead of" in meaning:
            optional.update(row)
            optional.update(re.findall(r"instead of `([^`]+)`", meaning))
    return tables


def check_documented(record: Mapping[str, Any], table: str, documented: dict[str, Fields]) -> None:
    fields = documented[table]
    undocumented = set(record) - fields.names
    missing = fields.names - fields.optional - set(record)
    assert not undocumented, f"{table}: fields not in docs/report-schema.md: {undocumented}"
    assert not missing, f"{table}: documented fields missing from the report: {missing}"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--config", "{tmp}/missing.toml"], "missing.toml' does not exist"),
        (["--config", "{tmp}/broken.toml"], "is not valid TOML"),
        (["--config", "{config}", "--surface", "validater"], "did you mean 'validator'?"),
    ],
    ids=["missing-config", "invalid-toml", "unknown-surface"],
)
def test_run_exits_2_on_a_config_problem(
    sample_config: Path, tmp_path: Path, args: list[str], expected: str
) -> None:
    (tmp_path / "broken.toml").write_text("[campaign\n", encoding="utf-8")
    filled = [arg.format(tmp=tmp_path, config=sample_config) for arg in args]
    result = invoke("run", *filled, "--quiet", "--no-reports")
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert result.stderr.startswith("difffuzz: ")


def test_run_exits_3_when_a_runtime_is_down(
    sample_runtimes: SampleRuntimes, tmp_path: Path, closed_port_url: str
) -> None:
    targets = dataclasses.replace(sample_targets(sample_runtimes), go_url=closed_port_url)
    config = tmp_path / "down.toml"
    config.write_text(lakehouse_config(targets), encoding="utf-8")
    report = tmp_path / "down.json"
    result = invoke(
        "run", "--config", config, "--surface", "validator", "--quiet", "--no-reports",
        "--report-json", report,
    )  # fmt: skip
    assert result.exit_code == 3, result.output
    (surface,) = json.loads(report.read_text(encoding="utf-8"))["surfaces"]
    for message in (surface["aborted"], flat(result.output)):
        assert "runtime 'go'" in message
        assert f"{closed_port_url}/health" in message
        assert "Start it, or fix runtimes.go.base_url" in message


# -- strategies, sample, init -------------------------------------------------------


def test_strategies_lists_the_generic_and_the_ten_lakehouse_strategies() -> None:
    # A fresh process: in this one, other test modules register strategies of their own.
    listing = subprocess.run(
        [str(DIFFFUZZ), "strategies"], capture_output=True, text=True, timeout=60, check=False
    )
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert {line.split()[0] for line in lines} == LAKEHOUSE_STRATEGIES | GENERIC_STRATEGIES | {
        "json_documents"
    }
    assert len(lines) == 15
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines), "a strategy has no description"


def test_sample_prints_one_line_per_input() -> None:
    first = invoke("sample", "llm_json", "-n", "3", "--seed", "5")
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert len(lines) == 3
    assert all(isinstance(ast.literal_eval(line), str) for line in lines)
    assert invoke("sample", "llm_json", "-n", "3", "--seed", "5").stdout == first.stdout


def test_sample_of_an_unknown_strategy_exits_2() -> None:
    result = invoke("sample", "llm_jsn")
    assert result.exit_code == 2
    assert "unknown strategy 'llm_jsn'" in result.stderr


def test_init_lakehouse_writes_a_config_that_loads(tmp_path: Path) -> None:
    target = tmp_path / "difffuzz.toml"
    result = invoke("init", "lakehouse", "--output", target)
    assert result.exit_code == 0, result.output
    config = load_config(target)
    assert list(config.surfaces) == [
        "validator",
        "embed",
        "extract_json",
        "session_log",
        "materializer",
        "search",
    ]
    assert config.runtime_names == ("rust", "go")

    target.write_text("# edited by hand\n", encoding="utf-8")
    again = invoke("init", "lakehouse", "--output", target)
    assert again.exit_code == 2
    assert "--force" in again.stderr
    assert target.read_text(encoding="utf-8") == "# edited by hand\n"
    assert invoke("init", "lakehouse", "--output", target, "--force").exit_code == 0
    load_config(target)


# -- ci: the same seed gives the same gate and the same findings ----------------------

#: Values that differ between two identical runs: clocks, durations, folders.
VOLATILE = {
    "started_at",
    "finished_at",
    "found_at",
    "elapsed",
    "elapsed_s",
    "examples_per_s",
    "started_s",
}


def comparable(record: Any) -> Any:
    """A CI/campaign JSON record without its volatile values; paths become file names."""
    if isinstance(record, dict):
        kept: dict[str, Any] = {}
        for key, value in record.items():
            if key in VOLATILE or key in ("timeline", "corpus"):
                continue
            if key == "fixture" and isinstance(value, str):
                value = Path(value).name
            kept[key] = comparable(value)
        return kept
    if isinstance(record, list):
        return [comparable(item) for item in record]
    return record


def ci(config: Path, folder: Path, *extra: str) -> tuple[Result, dict[str, Any]]:
    report = folder / "ci.json"
    result = invoke(
        "ci", "--config", config, "--max-examples", "40", "--seed", SEED, "--surface", "validator",
        "--surface", "embed", "--corpus", folder / "corpus", "--reports", folder / "reports",
        "--report-json", report, *extra,
    )  # fmt: skip
    return result, json.loads(report.read_text(encoding="utf-8"))


def fixture_files(corpus: Path) -> dict[str, Any]:
    return {
        str(path.relative_to(corpus)): comparable(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(corpus.rglob("*.json"))
    }


def test_ci_twice_with_the_same_seed_gives_the_same_gate_and_findings(
    sample_runtimes: SampleRuntimes, tmp_path: Path
) -> None:
    # No time budget: a time limit is the one thing a seed cannot make repeatable.
    sample_config = write_sample_config(sample_runtimes, tmp_path, max_seconds=None)
    first, second = tmp_path / "first", tmp_path / "second"
    runs = [ci(sample_config, folder) for folder in (first, second)]
    for result, report in runs:
        assert result.exit_code == 1, result.output  # fresh corpora: every finding is new
        assert report["schema"] == "difffuzz.ci/1"
        assert report["gate"] == []
        assert report["new_findings"] > 0
    assert comparable(runs[0][1]) == comparable(runs[1][1])
    # ci leaves the gate's corpus as committed; new fixtures go beside the reports.
    assert fixture_files(first / "corpus") == {}
    new = fixture_files(first / "reports" / "new-fixtures")
    assert new
    assert new == fixture_files(second / "reports" / "new-fixtures")
    assert (first / "reports" / "difffuzz-gate.md").is_file()

    # Commit the new fixtures and run again: the gate has work to do.
    # The known gap's fixtures come from before the gap carried its normalizer.
    for folder in (first, second):
        shutil.copytree(folder / "reports" / "new-fixtures", folder / "corpus")
        shutil.rmtree(folder / "reports" / "new-fixtures")
        add_lakehouse_gap_fixture(folder / "corpus")
    again = [ci(sample_config, folder) for folder in (first, second)]
    assert comparable(again[0][1]) == comparable(again[1][1])
    assert again[0][0].exit_code == again[1][0].exit_code
    gate = again[0][1]["gate"]
    assert len(gate) == len(new) + 1
    # Open fixtures and known gaps are on the team's list already: reported, not failing.
    assert {case["gate"] for case in gate} == {"open", "gap_open"}
    assert again[0][1]["regressions"] == 0


# -- replay and corpus: a saved corpus of validator fixtures ------------------------


@pytest.fixture(scope="module")
def validator_corpus(
    sample_runtimes: SampleRuntimes, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A corpus of validator fixtures (open ones and a known gap), made once per module."""
    folder = tmp_path_factory.mktemp("validator-corpus")
    config = write_sample_config(sample_runtimes, folder, max_examples=30, max_seconds=30)
    result = invoke(
        "run", "--config", config, "--surface", "validator", "--seed", SEED, "--quiet",
        "--no-reports",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    add_lakehouse_gap_fixture(folder / "corpus")
    return folder / "corpus"


@pytest.fixture
def corpus(validator_corpus: Path, sample_config: Path) -> Path:
    """A copy of the validator corpus where ``sample_config`` looks for its corpus."""
    target = Path(load_config(sample_config).campaign.corpus)
    shutil.copytree(validator_corpus, target)
    return target


def load(corpus: Path) -> list[Fixture]:
    fixtures, problems = Corpus(corpus).load()
    assert not problems, problems
    return fixtures


def test_replay_exit_codes(
    sample_config: Path, twin_config: Path, corpus: Path, tmp_path: Path, closed_port_url: str
) -> None:
    fixtures = load(corpus)
    assert any(is_lakehouse_gap(f) for f in fixtures)
    assert any(not is_lakehouse_gap(f) for f in fixtures)

    report = tmp_path / "replay.json"
    result = invoke("replay", "--config", sample_config, "--report-json", report)
    assert result.exit_code == 1, result.output
    replayed = json.loads(report.read_text(encoding="utf-8"))
    assert replayed["summary"]["still_divergent"] == len(fixtures)

    # The same corpus against the rust sample on both sides: everything agrees.
    # (An input the rust sample rejects with the status the go sample would not is now
    # rejected by both: "both failing", honestly not "fixed".)
    fixed_report = tmp_path / "fixed.json"
    fixed = invoke(
        "replay", "--config", twin_config, "--corpus", corpus, "--update",
        "--report-json", fixed_report,
    )  # fmt: skip
    assert fixed.exit_code == 0, fixed.output
    summary = json.loads(fixed_report.read_text(encoding="utf-8"))["summary"]
    assert summary["fixed"] > 0
    assert summary["fixed"] + summary.get("both_failing", 0) == len(fixtures), summary
    assert sum(1 for f in load(corpus) if f.fixed_at) == summary["fixed"]

    # Back to the real pair: the fixed fixtures diverge again, a regression in CI.
    assert invoke("replay", "--config", sample_config).exit_code == 1
    gate_report = tmp_path / "gate.json"
    gate = invoke(
        "ci", "--config", sample_config, "--replay-only", "--reports", tmp_path / "reports",
        "--report-json", gate_report,
    )  # fmt: skip
    assert gate.exit_code == 1, gate.output
    statuses = {
        case["signature"]: case["gate"]
        for case in json.loads(gate_report.read_text(encoding="utf-8"))["gate"]
    }
    fixed_ids = {f.signature.id for f in load(corpus) if f.fixed_at}
    assert statuses == {
        f.signature.id: "gap_open"
        if is_lakehouse_gap(f)
        else ("regression" if f.signature.id in fixed_ids else "open")
        for f in fixtures
    }

    broken = corpus / "validator" / "broken.json"
    broken.write_text('{"schema": "difffuzz.fixture/1"', encoding="utf-8")
    unreadable = invoke("replay", "--config", sample_config, broken)
    assert unreadable.exit_code == 2, unreadable.output
    assert flat(unreadable.output).count("Fix or delete the file") == 1

    down = tmp_path / "down.toml"
    down.write_text(
        sample_config.read_text(encoding="utf-8").replace(
            load_config(sample_config).runtimes[1].base_url, closed_port_url
        ),
        encoding="utf-8",
    )
    unreachable = invoke("replay", "--config", down, "--corpus", corpus)
    assert unreachable.exit_code == 3, unreachable.output


def test_corpus_list_show_and_prune(corpus: Path) -> None:
    listed = invoke("corpus", "list", "--corpus", corpus)
    assert listed.exit_code == 0, listed.output
    fixtures = load(corpus)
    for fixture in fixtures:
        assert fixture.id in listed.stdout

    shown = invoke("corpus", "show", fixtures[0].signature.id, "--corpus", corpus)
    assert shown.exit_code == 0, shown.output
    assert fixtures[0].signature.id in shown.stdout
    assert invoke("corpus", "show", "ffffffffff", "--corpus", corpus).exit_code == 2

    # A second, larger input for an open fixture's signature: the larger one is redundant.
    kept = next(f for f in fixtures if not is_lakehouse_gap(f))
    redundant_path, written = Corpus(corpus).save(changed(kept, input=larger(kept.input)))
    assert written
    dry = invoke("corpus", "prune", "--dry-run", "--corpus", corpus)
    assert dry.exit_code == 0, dry.output
    assert f"would delete {redundant_path} (covered by smaller {kept.path})" in flat(dry.stdout)
    assert f"1 of {len(fixtures) + 1} fixtures would be pruned" in dry.stdout
    assert redundant_path.exists()

    pruned = invoke("corpus", "prune", "--corpus", corpus)
    assert pruned.exit_code == 0, pruned.output
    assert not redundant_path.exists()
    assert {f.id for f in load(corpus)} == {f.id for f in fixtures}


def larger(value: Input) -> Input:
    """A value of the same kind that sorts after ``value`` (one more key or character)."""
    if isinstance(value, dict):
        return {**value, "zz_extra": "padding"}
    if isinstance(value, str):
        return value + "  "
    if isinstance(value, bytes):
        return value + b"  "
    if isinstance(value, list):
        return [*value, "padding"]
    if isinstance(value, WireInput) and isinstance(value.sent, bytes):
        return dataclasses.replace(value, sent=value.sent + b"  ")  # the bytes sent, longer
    raise AssertionError(f"no larger form for {value!r}")


def test_corpus_list_exits_2_on_a_corrupt_fixture_file(tmp_path: Path) -> None:
    broken = tmp_path / "corpus" / "validator" / "8a10548199-00000000.json"
    broken.parent.mkdir(parents=True)
    broken.write_text("{not json", encoding="utf-8")
    result = invoke("corpus", "list", "--corpus", tmp_path / "corpus")
    assert result.exit_code == 2, result.output
    message = flat(result.output)
    assert str(broken) in message
    assert "is not valid JSON" in message
    (tmp_path / "empty").mkdir()
    assert invoke("corpus", "list", "--corpus", tmp_path / "empty").exit_code == 0
    # A folder that does not exist is a mistake in the path, not an empty corpus.
    missing = invoke("corpus", "list", "--corpus", tmp_path / "missing")
    assert missing.exit_code == 2
    assert "does not exist" in flat(missing.output)


# -- the demo, as a user runs it ------------------------------------------------------


@pytest.mark.slow
def test_demo_finds_divergences_on_every_surface(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    demo = subprocess.run(
        [str(DIFFFUZZ), "demo", "--out", str(out), "--max-examples", "30", "--seed", SEED],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert demo.returncode == 1, demo.stdout[-3000:] + demo.stderr[-3000:]
    (report,) = (out / "reports").glob("difffuzz-*.json")
    campaign = json.loads(report.read_text(encoding="utf-8"))
    surfaces = {s["surface"]: s for s in campaign["surfaces"]}
    assert set(surfaces) == {
        "validator",
        "embed",
        "extract_json",
        "session_log",
        "materializer",
        "search",
    }
    for name, surface in surfaces.items():
        assert not surface["aborted"], (name, surface["aborted"])
        assert surface["findings"], f"the demo found nothing on {name}"
        assert (out / "corpus" / name).is_dir()
    assert (out / "lakehouse-sample.toml").is_file()
