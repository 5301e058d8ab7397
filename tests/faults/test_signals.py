"""SIGINT, SIGTERM and SIGHUP sent to a real ``difffuzz run`` process mid-campaign.

The run fuzzes a helper surface whose faulty side has the planted bug. Once the
bug is announced, a hold file makes the next helper call sleep (with a child of
its own), so the signal lands while a helper process is running. Then the run
must stop with the conventional exit code and a last line naming the signal,
the planted finding must be saved and reported, and no helper process may be
left running.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from tests.faults.scenarios import signal_run

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc"),
]


@pytest.mark.parametrize(
    ("number", "code"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)],
    ids=["SIGINT", "SIGTERM", "SIGHUP"],
)
def test_a_stop_signal_keeps_the_findings_and_leaves_no_helper_running(
    tmp_path: Path, number: signal.Signals, code: int
) -> None:
    run, left = signal_run(number, tmp_path)
    output = run.cli.output
    assert run.cli.exit_code == code, output[-3000:]
    assert not run.traceback, output[-3000:]
    name = signal.Signals(number).name
    ctrl_c = " (Ctrl-C)" if number == signal.SIGINT else ""
    last = output.rstrip().splitlines()[-1]
    assert last == f"exit {code}: stopped by {name}{ctrl_c}; the findings so far are kept (seed 1)"
    assert run.planted_found
    assert run.lost == 0
    # The planted bug's fixtures (one or more: see tests/faults/test_corpus_faults.py).
    fixtures = sorted(str(path) for path in run.regression)
    assert fixtures
    assert run.report is not None
    findings = run.report["surfaces"][0]["findings"]
    assert sorted(f["fixture"] for f in findings) == fixtures
    # Every report says the exit code the process has (the JSON one said 130).
    assert run.report["exit_code"] == code
    (markdown,) = (tmp_path / "reports").glob("difffuzz-*.md")
    assert f"exit code `{code}`" in markdown.read_text(encoding="utf-8")
    assert left == [], f"helper processes left running: {left}"


def test_ci_stopped_by_sigterm_says_143_in_its_reports_and_exits_143(tmp_path: Path) -> None:
    gate = tmp_path / "gate.json"
    command = ("ci", "--seed", "1", "--report-json", str(gate))
    run, left = signal_run(signal.SIGTERM, tmp_path, command=command)
    output = run.cli.output
    assert run.cli.exit_code == 143, output[-3000:]
    assert not run.traceback, output[-3000:]
    last = output.rstrip().splitlines()[-1]
    assert last == "ci: exit 143: stopped by SIGTERM; the findings so far are kept"
    # The new finding is kept beside the reports, as ci keeps every new finding.
    fixtures = sorted(str(p) for p in (tmp_path / "reports" / "new-fixtures").rglob("*.json"))
    assert fixtures
    assert run.report is not None
    assert run.report["exit_code"] == 143
    findings = run.report["surfaces"][0]["findings"]
    assert sorted(f["fixture"] for f in findings) == fixtures
    assert json.loads(gate.read_text(encoding="utf-8"))["exit_code"] == 143
    assert left == [], f"helper processes left running: {left}"
