"""The README's exit-code table, row by row, in every command it names.

* 0 — run: no *new* divergence (known ones are listed); replay: no fixture fails;
  ci: nothing new and no regression; corpus list: every fixture readable.
* 1 — run: new divergences; replay: a fixture still diverges; ci: a new divergence
  or a regression.
* 2 — bad usage or config anywhere; a fixture unreadable (replay, ci, corpus list)
  or whose saved spec cannot judge (replay, ci); a finding not saved (run, ci).
* 3 — a runtime unreachable (run, replay, ci).

When several hold, the highest row wins: 3, then 2, then 1 (an incomplete
verdict is not a verdict). The runtimes are two small loopback JSON services
(``tests/support/json_echo.py``) that differ on one-character keys; the config
is the one ``difffuzz init http`` writes. Signals (128 + N) are tested in
``tests/faults/`` and by ``demo serve`` below.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from difffuzz import Corpus
from tests.support.json_echo import echo_json, echo_json_dropping_short_keys
from tests.support.loopback import LoopbackServer

DIFFFUZZ = Path(sys.executable).parent / "difffuzz"
EXAMPLES = "20"


def invoke(*args: str | Path) -> Result:
    from difffuzz._cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder with the `init http` config for a pair that differs, as the cwd."""
    with (
        LoopbackServer(echo_json) as left,
        LoopbackServer(echo_json_dropping_short_keys) as right,
    ):
        monkeypatch.chdir(tmp_path)
        written = invoke("init", "http", "--left", left.url, "--right", right.url, "-q")
        assert written.exit_code == 0, written.output
        yield tmp_path


def _run(*extra: str) -> Result:
    return invoke("run", "--max-examples", EXAMPLES, "--seed", "5", "--no-reports", "-q", *extra)


def test_run_fails_on_new_divergences_only(project: Path) -> None:
    first = _run()
    assert first.exit_code == 1, first.output
    saved, _ = Corpus(project / "corpus").load()
    assert saved
    # The same run again: everything it finds is in the corpus now, so nothing is new.
    again = _run()
    assert again.exit_code == 0, again.output
    assert "known api" in again.output


def test_every_report_shows_the_code_the_command_exits_with(project: Path) -> None:
    # The CLI chooses the code (difffuzz._exit) and hands it to the reports.
    ran = _run("--report-json", str(project / "run.json"))
    assert ran.exit_code == 1, ran.output
    assert json.loads((project / "run.json").read_text("utf-8"))["exit_code"] == 1
    gate = invoke("ci", "--max-examples", EXAMPLES, "--seed", "5", "-q", "--reports", project / "r")
    assert gate.exit_code == 0, gate.output
    assert "exit code `0`" in (project / "r" / "difffuzz-gate.md").read_text("utf-8")
    replayed = invoke("replay", "-q", "--report-json", project / "replay.json")
    assert replayed.exit_code == 1, replayed.output
    assert replayed.output.splitlines()[-1] == "exit 1: fixtures still diverge"
    assert json.loads((project / "replay.json").read_text("utf-8"))["exit_code"] == 1


def test_the_exit_table_doctests() -> None:
    import doctest

    import difffuzz._exit

    assert doctest.testmod(difffuzz._exit).failed == 0


def test_replay_and_ci_fail_on_what_still_diverges(project: Path) -> None:
    assert _run().exit_code == 1
    replayed = invoke("replay", "-q")
    assert replayed.exit_code == 1, replayed.output
    # ci: open fixtures are known, not failing; the seeded run finds nothing new.
    gate = invoke("ci", "--max-examples", EXAMPLES, "--seed", "5", "-q")
    assert gate.exit_code == 0, gate.output
    listed = invoke("corpus", "list", "-q")
    assert listed.exit_code == 0, listed.output


def test_ci_fails_on_a_new_divergence(project: Path) -> None:
    gate = invoke("ci", "--max-examples", EXAMPLES, "--seed", "5", "-q")
    assert gate.exit_code == 1, gate.output
    assert not (project / "corpus").exists() or not Corpus(project / "corpus").load()[0]


def test_budget_is_a_deprecated_spelling_of_max_examples(project: Path) -> None:
    old = invoke("ci", "--budget", EXAMPLES, "--seed", "5", "-q", "--replay-only")
    assert old.exit_code == 0, old.output
    assert "--budget is deprecated; say --max-examples" in old.output
    clash = invoke("ci", "--budget", "3", "--max-examples", "4", "--replay-only")
    assert clash.exit_code == 2
    assert "give only --max-examples" in clash.output


def _corrupt_one(project: Path) -> Path:
    assert _run().exit_code == 1
    broken = project / "corpus" / "api" / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    return broken


def test_an_unreadable_fixture_is_exit_2_in_every_command(project: Path) -> None:
    broken = _corrupt_one(project)
    for command in (("replay",), ("ci", "--replay-only"), ("corpus", "list")):
        result = invoke(*command)
        assert result.exit_code == 2, (command, result.output)
        assert broken.name in result.output


def test_a_fixture_whose_spec_cannot_judge_is_named_and_the_others_replay(project: Path) -> None:
    assert _run().exit_code == 1
    fixtures, _ = Corpus(project / "corpus").load()
    bad = fixtures[0].path
    assert bad is not None
    record = json.loads(bad.read_text(encoding="utf-8"))
    record["compare"]["rule"] = "no-such-rule"
    bad.write_text(json.dumps(record), encoding="utf-8")
    result = invoke("replay")
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert bad.name in flat
    assert "its saved compare spec cannot judge" in flat
    assert f"replay: {len(fixtures) - 1} fixture" in flat  # every other one was replayed


@pytest.mark.parametrize(
    "command",
    [("run",), ("replay",), ("ci",), ("corpus", "list")],
)
def test_a_bad_config_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "difffuzz.toml").write_text("[campaign]\nmax_examples = 'many'\n", encoding="utf-8")
    result = invoke(*command)
    assert result.exit_code == 2, result.output
    assert "campaign.max_examples: expected an integer" in result.output


def test_bad_usage_is_exit_2(project: Path) -> None:
    assert invoke("run", "--max-examples", "0").exit_code == 2
    assert invoke("ci", "--no-such-flag").exit_code == 2


def test_an_unreachable_runtime_is_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}"
    # The port is free again and nothing listens on it: connections are refused.
    with LoopbackServer(echo_json) as left:
        monkeypatch.chdir(tmp_path)
        assert invoke("init", "http", "--left", left.url, "--right", url, "-q").exit_code == 0
        down = invoke("run", "--max-examples", EXAMPLES, "--no-reports")
        assert down.exit_code == 3, down.output
        # Said first, before any surface line, and the surface says it did not run.
        lines = down.output.splitlines()
        assert lines[0].startswith("unreachable: runtime 'right' is unreachable at ")
        assert any(line.startswith("api: not run: ") for line in lines[1:])
        (tmp_path / "corpus" / "api").mkdir(parents=True)
        with LoopbackServer(echo_json_dropping_short_keys) as right:
            # A fixture to replay: found while the right runtime was up elsewhere.
            config = (tmp_path / "difffuzz.toml").read_text(encoding="utf-8")
            (tmp_path / "up.toml").write_text(config.replace(url, right.url), encoding="utf-8")
            assert _run("--config", "up.toml").exit_code == 1
        for command in (("replay",), ("ci", "--replay-only"), ("ci",)):
            result = invoke(*command)
            assert result.exit_code == 3, (command, result.output)


@pytest.mark.slow
def test_demo_serve_exits_130_on_ctrl_c(tmp_path: Path) -> None:
    serve = subprocess.Popen(
        [str(DIFFFUZZ), "demo", "serve", "--out", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert serve.stdout is not None
        for line in serve.stdout:
            if "Ctrl-C stops them" in line:
                break
        serve.send_signal(signal.SIGINT)
        assert serve.wait(timeout=30) == 130
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()


def test_corpus_list_and_replay_agree_on_known_gaps(project: Path) -> None:
    config = project / "difffuzz.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[[surfaces.api.known_gaps]]\ncategory = "shape"\nreason = "tracked in API-7"\n',
        encoding="utf-8",
    )
    assert _run().exit_code == 0  # every finding is the known gap: nothing fails
    saved, _ = Corpus(project / "corpus").load()
    assert saved
    assert not any(f.known_gap for f in saved)  # the gap lives in the config, not the files
    listed = invoke("corpus", "list")
    assert listed.exit_code == 0, listed.output
    assert f"{len(saved)} known gap" in listed.output
    replayed = invoke("replay", "--report-json", project / "replay.json")
    assert replayed.exit_code == 0, replayed.output
    cases = json.loads((project / "replay.json").read_text(encoding="utf-8"))["cases"]
    assert sum(1 for case in cases if case["known_gap"]) == len(saved)
