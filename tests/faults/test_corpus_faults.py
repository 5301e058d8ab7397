"""Bad corpora: a corrupt file, a newer format, a folder that cannot be written.

Being root does not stop a write to a read-only folder, so "cannot be written"
is made the way that stops everyone: the corpus path names a regular file.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from difffuzz._config import load_config
from difffuzz._corpus import Corpus
from difffuzz._engine import run_campaign
from difffuzz._exit import campaign_exit
from difffuzz._inputs import decode_input
from tests.faults.scenarios import (
    PLANTED_PARTS,
    FaultServer,
    Scenario,
    config_text,
    run_cli,
    run_scenario,
)

pytestmark = pytest.mark.faults

PLANTED = Scenario("http: no fault", "http")


def test_a_corrupt_fixture_is_named_and_skipped_and_the_run_goes_on(tmp_path: Path) -> None:
    broken = tmp_path / "corpus" / "length" / "broken.json"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b'{"schema": "difffuzz.fixture/1", \xff')
    run = run_scenario(PLANTED, tmp_path)
    assert run.cli.exit_code == 1
    assert f"corpus: skipped {broken}: is not valid JSON" in run.cli.output
    assert "Fix or delete the file" in run.cli.output
    assert run.planted_found
    assert broken.read_bytes() == b'{"schema": "difffuzz.fixture/1", \xff'


def test_a_fixture_from_a_newer_difffuzz_says_upgrade(tmp_path: Path) -> None:
    newer = tmp_path / "corpus" / "length" / "from-the-future.json"
    newer.parent.mkdir(parents=True)
    newer.write_text(json.dumps({"schema": "difffuzz.fixture/3"}), encoding="utf-8")
    run = run_scenario(PLANTED, tmp_path)
    expected = f"{newer}: is in format 'difffuzz.fixture/3', written by a newer difffuzz"
    assert expected in run.cli.output
    assert "Upgrade difffuzz to read it" in run.cli.output
    assert "Fix or delete" not in run.cli.output
    assert run.planted_found  # the run itself is not held up
    replay = run_cli(["replay", "--config", str(tmp_path / "difffuzz.toml"), str(newer)])
    assert "Upgrade difffuzz to read it" in replay.output
    assert "Fix or delete" not in replay.output


def _planted_fixtures_in(folder: Path) -> list[Path]:
    """The planted bug's fixtures in ``folder`` (one or more: each non-ASCII character
    counted as bytes shrinks to a minimal input of its own, which no input relation
    joins; see the closing note of issue 9), each whole."""
    paths = sorted(folder.rglob("*.json"))
    assert paths
    for path in paths:
        record = json.loads(path.read_text(encoding="utf-8"))
        assert tuple(tuple(p) for p in record["signature"]["parts"]) == PLANTED_PARTS
        decode_input(record["input"])  # the input is all there, in the lossless form
    return paths


@pytest.mark.parametrize("blocked", ["corpus", "corpus/length"])
def test_an_unwritable_corpus_sends_the_fixtures_beside_the_reports(
    tmp_path: Path, blocked: str
) -> None:
    (tmp_path / blocked).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / blocked).write_text("not a folder", encoding="utf-8")
    run = run_scenario(PLANTED, tmp_path)
    assert run.cli.exit_code == 1, run.cli.output[-3000:]
    assert not run.traceback
    fallback = tmp_path / "reports" / "new-fixtures"
    saved = _planted_fixtures_in(fallback)
    output = " ".join(run.cli.output.split())  # the console wraps long lines
    assert f"corpus: cannot write fixture {tmp_path / 'corpus' / 'length'}" in output
    assert f"{len(saved)} fixture(s) saved to {fallback} instead; copy them into" in output
    for path in saved:
        assert f" {path}\n" in run.cli.output  # its replay command, printed unwrapped
    assert run.report is not None
    findings = run.report["surfaces"][0]["findings"]
    assert sorted(f["fixture"] for f in findings) == [str(path) for path in saved]
    assert run.cli.output.rstrip().splitlines()[-1] == "exit 1: new divergences found (seed 1)"


def test_with_nothing_writable_beside_it_the_fixture_goes_to_a_temporary_folder(
    tmp_path: Path,
) -> None:
    for blocked in ("corpus", "reports"):
        (tmp_path / blocked).write_text("not a folder", encoding="utf-8")
    run = run_scenario(PLANTED, tmp_path)
    output = " ".join(run.cli.output.split())
    assert run.cli.exit_code == 1, output[-3000:]
    assert "reports: cannot be written" in output
    (folder,) = set(re.findall(r"saved to (\S*difffuzz-fixtures-\S+) instead", output))
    try:
        for saved in _planted_fixtures_in(Path(folder)):
            assert f" {saved}\n" in run.cli.output
    finally:
        shutil.rmtree(folder)


def test_with_no_folder_writable_at_all_the_fixture_is_printed_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for blocked in ("corpus", "reports", "tmp"):
        (tmp_path / blocked).write_text("not a folder", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    run = run_scenario(PLANTED, tmp_path)
    output = run.cli.output
    assert run.cli.exit_code == 2
    assert "no folder could take this fixture; here it is in full" in output
    printed = output[output.index('{\n  "compare"') :]
    record = json.JSONDecoder().raw_decode(printed)[0]
    assert tuple(tuple(p) for p in record["signature"]["parts"]) == PLANTED_PARTS
    decode_input(record["input"])


def test_the_engine_keeps_a_finding_it_cannot_save(tmp_path: Path) -> None:
    # The library without the CLI's fallback folders: the engine keeps the finding.
    (tmp_path / "corpus").write_text("not a folder", encoding="utf-8")
    with FaultServer("--plant") as faulty, FaultServer() as correct:
        path = tmp_path / "difffuzz.toml"
        text = config_text(faulty={"base_url": faulty.url}, correct={"base_url": correct.url})
        path.write_text(text, encoding="utf-8")
        config = load_config(path)
        result = run_campaign(config, corpus=Corpus(config.campaign.corpus))
    assert result.findings
    for finding in result.findings:
        assert finding.fixture_path is None
        assert "cannot write fixture" in finding.save_error
    assert campaign_exit(result) == 2
