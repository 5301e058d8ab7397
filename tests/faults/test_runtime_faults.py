"""Runtimes that misbehave: no false divergence, no lost finding, a clear message.

Every scenario in :data:`tests.faults.scenarios.SCENARIOS` runs a real
``difffuzz run`` between a faulty runtime and its correct twin, and every one
must hold: none is an expected failure.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pytest

from difffuzz._engine.confirm import DOUBT_FACTOR
from tests.faults.scenarios import (
    HELPER_BUDGET,
    PLANTED_PARTS,
    SCENARIOS,
    FaultServer,
    Scenario,
    config_text,
    run_cli,
    run_scenario,
)

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_a_faulty_runtime_gives_no_false_divergence_and_loses_no_finding(
    scenario: Scenario, tmp_path: Path
) -> None:
    run = run_scenario(scenario, tmp_path)
    output = run.cli.output
    assert not run.traceback, output[-6000:]
    assert run.false_divergences == [], [f.signature.label for f in run.false_divergences]
    assert run.lost == 0, f"{run.announced} announced, kept {run.kept}"
    if scenario.plant:
        assert run.planted_found, output[-4000:]
    if scenario.exit_code is not None:
        assert run.cli.exit_code == scenario.exit_code, output[-4000:]
    if scenario.message:
        assert re.search(scenario.message, output), output[-4000:]
    assert run.report is not None, "no report was written"


@pytest.mark.parametrize(
    "name", ["http: both answer the same non-JSON 200", "helper: both print the same non-JSON"]
)
def test_both_sides_answering_the_same_garbage_is_both_failed_never_parity(
    name: str, tmp_path: Path
) -> None:
    (scenario,) = [s for s in SCENARIOS if s.name == name]
    run = run_scenario(scenario, tmp_path)
    assert run.report is not None
    (stats,) = [s["stats"] for s in run.report["surfaces"]]
    assert stats["examples"] > 0
    assert stats["matches"] == 0
    assert stats["both_failed"] == stats["examples"]


def test_an_always_hanging_runtime_stops_after_infra_error_limit_calls(tmp_path: Path) -> None:
    scenario = Scenario(
        "http: always hangs",
        "http",
        fault=("--fault", "hang"),
        plant=False,
        campaign={"timeout": 0.3, "learn_noise": 8, "infra_error_limit": 5},
    )
    run = run_scenario(scenario, tmp_path)
    assert run.cli.exit_code == 3
    assert "failed 5 calls in a row (timeout" in run.cli.output
    calls = len((tmp_path / "faulty.calls").read_text(encoding="utf-8").splitlines())
    # Five timeouts in a row stop it; a couple more may be in flight. It used to take
    # 2 x 8 in noise learning first, then the five (21 calls; 23 s with a 1 s timeout).
    assert calls <= 5 + 2, calls


# A confirming resend that fails for another reason (a 500, a timeout, a crash) says
# nothing about the divergence: only a resend on which the runtimes agree, or another
# answer that comes back more often, counts against it.
@pytest.mark.parametrize(
    ("transport", "fault", "campaign"),
    [
        ("http", ("--fault", "error500", "--on-repeat", "2"), {"timeout": 2.0}),
        (
            "http",
            ("--fault", "hang", "--on-repeat", "2", "--hang-seconds", "2"),
            {"timeout": 0.3},
        ),
        ("command", ("--fault", "crash", "--on-repeat", "2"), HELPER_BUDGET),
    ],
    ids=["a resend answers 500", "a resend times out", "a helper resend crashes"],
)
def test_a_resend_that_hits_a_fault_leaves_a_real_divergence_confirmed(
    tmp_path: Path,
    transport: Literal["http", "command"],
    fault: tuple[str, ...],
    campaign: dict[str, object],
) -> None:
    # Every second arrival of one request fails, so one of any two resends of the
    # planted bug's minimal input does, whatever order the campaign runs in.
    scenario = Scenario(
        "fails every second resend",
        transport,
        fault=fault,
        campaign={"learn_noise": 0, **campaign},
    )
    run = run_scenario(scenario, tmp_path)
    assert run.report is not None, run.cli.output[-3000:]
    planted = [
        f
        for f in run.report["surfaces"][0]["findings"]
        if tuple(tuple(p) for p in f["signature"]["parts"]) == PLANTED_PARTS
    ]
    assert planted, run.cli.output[-3000:]
    assert [f["flaky"] for f in planted] == [False] * len(planted), [
        f["reproduced"] for f in planted
    ]
    # ...and the faults themselves, on every second sighting of any input, are not.
    assert run.false_divergences == [], [f.signature.label for f in run.false_divergences]
    assert run.cli.exit_code == 1


def test_a_flaky_divergence_is_confirmed_and_kept_apart(tmp_path: Path) -> None:
    # The lead's flaky verdict ([campaign] confirmations, <surface>/flaky/) seen from
    # the CLI: the report gives the rate, the regression corpus stays clean, exit 0.
    scenario = Scenario(
        "http: random 500s (30%)",
        "http",
        fault=("--fault", "error500", "--share", "0.3", "--seed", "7"),
        plant=False,
        campaign={"max_examples": 80, "confirmations": 3},
    )
    run = run_scenario(scenario, tmp_path)
    assert run.cli.exit_code == 0, run.cli.output[-3000:]
    assert run.regression == {}
    flaky = list((tmp_path / "corpus" / "length" / "flaky").glob("*.json"))
    assert flaky, "the flaky finding was not kept"
    assert run.report is not None
    findings = run.report["surfaces"][0]["findings"]
    assert findings
    for finding in findings:
        assert finding["flaky"] is True
        times, sent = finding["reproduced"]
        # Three resends, and DOUBT_FACTOR times as many again for a 500 that came back
        # every time while another of its bucket went away.
        assert sent in (3, 3 + DOUBT_FACTOR * 3)
        assert 0 <= times < sent
    assert "flaky: came back" in run.cli.output


def test_a_remote_runtime_is_refused_before_any_connection(tmp_path: Path) -> None:
    with FaultServer() as local:
        config = tmp_path / "difffuzz.toml"
        # 10.255.255.1 is routable nowhere: a connection attempt would hang, not fail fast.
        text = config_text(
            faulty={"base_url": "http://10.255.255.1:4110"}, correct={"base_url": local.url}
        )
        config.write_text(text, encoding="utf-8")
        run = run_cli(["run", "--config", str(config)])
    assert run.exit_code == 2
    assert "runtimes.faulty.base_url: names the host '10.255.255.1'" in run.output
    assert "set allow_remote = true under [campaign]" in run.output
    assert not (tmp_path / "reports").exists()  # refused while loading: nothing ran
