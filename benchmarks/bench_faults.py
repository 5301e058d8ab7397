"""The fault suite as figures: per fault, examples run, false divergences, findings lost.

Every scenario of ``tests/faults/scenarios.py`` runs a real ``difffuzz run``
(in-process, through the console entry point) between a faulty runtime and its
correct twin; the faulty side also carries one planted bug, so there is a real
finding to keep. Then come the bad corpora (the planted bug, with a corpus
that is corrupt, newer, or cannot be written) and the stop signals (sent to a
real ``difffuzz run`` process while one of its helpers runs). Per row:

* ``examples``, ``matches``: examples the campaign ran and those judged equal
  (from its JSON report; 0 when none was written): two runtimes answering the
  same garbage must not count as matches;
* ``false div.``: regression fixtures for anything but the planted bug (must be 0);
* ``lost``: findings of which no fixture exists anywhere and that were not
  printed in full (must be 0; see ``tests/faults/scenarios.py``);
* ``planted``: where the real bug ended up: ``gating`` (a regression fixture,
  as it should), ``flaky`` (demoted, kept apart) or ``missing``;
* ``exit``, ``traceback``, seconds.

The ``no fault`` rows are the baseline: the same campaign without a fault. To
see a difffuzz without these fixes, put its source first on ``PYTHONPATH``
(``git archive main | tar -x -C /tmp/main && rm -r /tmp/main/tests``, then
``PYTHONPATH=/tmp/main python benchmarks/bench_faults.py``).

    python benchmarks/bench_faults.py [--only TEXT] [--skip-signals]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# The scenarios live with the fault suite; appended (not prepended) so that a
# difffuzz on PYTHONPATH is the one measured.
sys.path.append(str(Path(__file__).resolve().parents[1]))

from tests.faults.scenarios import (
    FAILING_STEP,
    HELPER_BUDGET,
    SCENARIOS,
    FaultRun,
    FaultServer,
    Scenario,
    config_text,
    measure,
    run_cli,
    run_scenario,
    signal_run,
)

PLANTED = Scenario("http: no fault", "http")


@dataclass(frozen=True)
class Row:
    name: str
    run: FaultRun
    note: str = ""


def _corpus_case(name: str, prepare: Callable[[Path], None]) -> Callable[[Path], Row]:
    def case(folder: Path) -> Row:
        prepare(folder)
        return Row(name, run_scenario(PLANTED, folder))

    return case


def _broken_file(folder: Path) -> None:
    path = folder / "corpus" / "length" / "broken.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"schema": "difffuzz.fixture/1", \xff')


def _newer_file(folder: Path) -> None:
    path = folder / "corpus" / "length" / "newer.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"schema": "difffuzz.fixture/3"}), encoding="utf-8")


def _blocked(*names: str) -> Callable[[Path], None]:
    def prepare(folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            (folder / name).write_text("a file where a folder should be", encoding="utf-8")

    return prepare


def _always_hangs(folder: Path) -> Row:
    scenario = Scenario(
        "http: always hangs",
        "http",
        fault=("--fault", "hang"),
        plant=False,
        campaign={"timeout": 0.3, "learn_noise": 8, "infra_error_limit": 5},
    )
    run = run_scenario(scenario, folder)
    calls = len((folder / "faulty.calls").read_text(encoding="utf-8").splitlines())
    return Row(scenario.name, run, f"{calls} calls reached it (limit 5)")


def _every_second_resend(
    name: str, transport: Literal["http", "command"], fault: tuple[str, ...], timeout: float
) -> Callable[[Path], Row]:
    def case(folder: Path) -> Row:
        budget = HELPER_BUDGET if transport == "command" else {}
        campaign = {**budget, "learn_noise": 0, "timeout": timeout}
        return Row(name, run_scenario(Scenario(name, transport, fault, campaign=campaign), folder))

    return case


#: A credential both runtimes receive, and echo into their answers.
SECRET = "Bearer bench-token-5e1f0c"


def _run_config(
    folder: Path,
    server_options: tuple[str, ...],
    extra: str = "",
    surface: Mapping[str, object] | None = None,
) -> FaultRun:
    """``difffuzz run`` between a planted and a correct server started with ``server_options``."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "difffuzz.toml"
    with FaultServer("--plant", *server_options) as faulty, FaultServer(*server_options) as correct:
        text = config_text(
            faulty={"base_url": faulty.url},
            correct={"base_url": correct.url},
            surface=surface or {},
        )
        config.write_text(text + extra, encoding="utf-8")
        cli = run_cli(["run", "--config", str(config)])
    return measure(cli, folder, folder / "corpus")


def _echoes_its_credential(folder: Path) -> Row:
    run = _run_config(
        folder, ("--echo-header", "authorization"), surface={"headers": {"authorization": SECRET}}
    )
    token = SECRET.split()[1]
    leaked = sum(token in path.read_text(encoding="utf-8") for path in run.kept)
    in_reports = sum(token in p.read_text("utf-8") for p in (folder / "reports").glob("difffuzz-*"))
    note = f"secret in {leaked} of {len(run.kept)} fixtures, {in_reports} reports"
    return Row("http: echoes its Authorization header", run, note)


def _tool_error_later(folder: Path) -> Row:
    run = _run_config(folder, (), FAILING_STEP)
    error = run.report.get("error", "(none)")[:40] if run.report is not None else "no report"
    return Row("config error in a later surface", run, f"report error: {error!r}")


def _signal_case(number: signal.Signals) -> Callable[[Path], Row]:
    def case(folder: Path) -> Row:
        run, left = signal_run(number, folder)
        said = run.report["exit_code"] if run.report is not None else "-"
        note = f"{len(left)} helpers left; the JSON report says exit {said}"
        return Row(f"signal: {number.name} mid-campaign", run, note)

    return case


def cases(skip_signals: bool) -> list[tuple[str, Callable[[Path], Row]]]:
    found: list[tuple[str, Callable[[Path], Row]]] = []
    for scenario in SCENARIOS:

        def case(folder: Path, scenario: Scenario = scenario) -> Row:
            return Row(scenario.name, run_scenario(scenario, folder))

        found.append((scenario.name, case))
    found.append(("http: always hangs", _always_hangs))
    repeats: tuple[tuple[str, Literal["http", "command"], tuple[str, ...], float], ...] = (
        ("http: every 2nd repeat answers 500", "http", ("--fault", "error500"), 2.0),
        ("http: every 2nd repeat hangs", "http", ("--fault", "hang"), 0.3),
        ("helper: every 2nd repeat crashes", "command", ("--fault", "crash"), 2.0),
    )
    for name, transport, fault, timeout in repeats:
        found.append(
            (name, _every_second_resend(name, transport, (*fault, "--on-repeat", "2"), timeout))
        )
    found.append(("http: echoes its Authorization header", _echoes_its_credential))
    found.append(("config error in a later surface", _tool_error_later))
    for name, prepare in (
        ("corpus: a corrupt fixture file", _broken_file),
        ("corpus: a fixture from a newer format", _newer_file),
        ("corpus: folder cannot be written", _blocked("corpus")),
        ("corpus: nor can the reports folder", _blocked("corpus", "reports")),
    ):
        found.append((name, _corpus_case(name, prepare)))
    if not skip_signals:
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            found.append((f"signal: {number.name} mid-campaign", _signal_case(number)))
    return found


def scenario_plants(row: Row) -> bool:
    """Rows without the planted bug (both sides broken alike, always hanging) show '-'."""
    return not any(s.name == row.name and not s.plant for s in SCENARIOS) and row.name not in (
        "http: always hangs",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run only the rows whose name holds this")
    parser.add_argument("--skip-signals", action="store_true")
    options = parser.parse_args()
    import difffuzz

    print(f"difffuzz from {Path(difffuzz.__file__).parent}")
    header = (
        f"{'scenario':<42} {'examples':>8} {'matches':>7} {'false div.':>10} {'lost':>4} "
        f"{'planted':>7} "
        f"{'exit':>4} {'traceback':>9} {'s':>5}  note"
    )
    print(header)
    print("-" * len(header))
    totals = [0, 0]
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as scratch:
        for index, (name, case) in enumerate(cases(options.skip_signals)):
            if options.only not in name:
                continue
            row = case(Path(scratch) / str(index))
            run = row.run
            false = len(run.false_divergences)
            totals[0] += false
            totals[1] += run.lost
            print(
                f"{row.name:<42} {run.examples:>8} {run.matches:>7} {false:>10} {run.lost:>4} "
                f"{run.planted_state if scenario_plants(row) else '-':>7} {run.cli.exit_code:>4} "
                f"{'yes' if run.traceback else 'no':>9} {run.cli.seconds:>5.1f}  {row.note}",
                flush=True,
            )
            # A last-resort fallback folder is outside the scratch folder: measured
            # (the row reads it), then removed.
            for fallback in set(re.findall(r"(/\S*difffuzz-fixtures-[^\s,/]+)", run.cli.output)):
                shutil.rmtree(fallback, ignore_errors=True)
    print(f"\nin all: {totals[0]} false divergences, {totals[1]} findings lost (both must be 0)")


if __name__ == "__main__":
    main()
