"""A tool error in a later surface: the findings so far are saved *and reported*.

The first surface finds the planted bug; the second carries a normalize step
that fails on the answers it meets (a config error found only at run time).
The run must end with that error's exit code and message, and still print and
write the reports of what it found, the JSON one saying the same exit code.
The step fails in noise learning (before any example) or, with noise learning
off, inside Hypothesis's run: two different ways for the error to leave a surface.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.faults.scenarios import (
    FAILING_STEP,
    PLANTED_PARTS,
    FaultServer,
    config_text,
    run_cli,
)

pytestmark = pytest.mark.faults


@pytest.mark.parametrize(
    ("command", "learn_noise"),
    [("run", 2), ("run", 0), ("ci", 2)],
    ids=["run, in noise learning", "run, while fuzzing", "ci"],
)
def test_a_tool_error_in_a_later_surface_still_reports_what_was_found(
    tmp_path: Path, command: str, learn_noise: int
) -> None:
    config = tmp_path / "difffuzz.toml"
    with FaultServer("--plant") as faulty, FaultServer() as correct:
        text = config_text(
            faulty={"base_url": faulty.url},
            correct={"base_url": correct.url},
            campaign={"learn_noise": learn_noise},
        )
        config.write_text(text + FAILING_STEP, "utf-8")
        extra = ["--seed", "1"] if command == "ci" else []
        run = run_cli([command, "--config", str(config), *extra])
    output = run.output
    assert run.exit_code == 2, output[-3000:]
    assert not run.crashed, output[-3000:]
    assert "difffuzz: surfaces.length_steps (runtime faulty): normalize step jq" in output
    assert "exit 2: a config or corpus error" in output
    # The planted finding is saved (ci: beside the reports), printed and in every report.
    saved = tmp_path / ("reports/new-fixtures" if command == "ci" else "corpus")
    (fixture,) = (saved / "length").glob("*.json")
    assert str(fixture) in " ".join(output.split())  # the console wraps long lines
    reports = sorted((tmp_path / "reports").glob("difffuzz-*"))
    assert {p.suffix for p in reports} == {".json", ".md", ".html", ".xml"}
    (report,) = [json.loads(p.read_text("utf-8")) for p in reports if p.suffix == ".json"]
    assert report["exit_code"] == 2
    assert "normalize step jq" in report["error"]
    first = report["surfaces"][0]
    assert first["surface"] == "length"
    planted = [
        f for f in first["findings"] if tuple(map(tuple, f["signature"]["parts"])) == PLANTED_PARTS
    ]
    assert [f["fixture"] for f in planted] == [str(fixture)]
