"""What the ``run`` and ``ci`` commands do, between parsing options and exiting.

Kept apart from :mod:`difffuzz._cli` so that the CLI stays a thin layer of
options, and so that the demo and the tests drive exactly the same path.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from rich.console import Console
from rich.text import Text

from difffuzz._ci import CIResult, run_ci
from difffuzz._config import Config, load_config
from difffuzz._connect import open_transport
from difffuzz._corpus import Corpus
from difffuzz._engine import run_campaign
from difffuzz._events import Listener, ignore_events
from difffuzz._reporting import (
    ProgressReporter,
    dumps_report,
    render_campaign,
    write_json,
    write_junit,
    write_reports,
    write_text_atomic,
)
from difffuzz._repro import RequestRenderer, renderer_for
from difffuzz._results import CampaignResult
from difffuzz._transports.base import Transport

__all__ = ["ci_command", "execute_campaign", "make_console", "request_renderer", "run_command"]

#: Width used when output is not a terminal (CI logs, files): wide enough for the
#: surface table and a side-by-side diff, where rich's default would be 80.
LOG_WIDTH = 120


def make_console() -> Console:
    """A console for the CLI: the terminal's width, or LOG_WIDTH when piped."""
    console = Console()
    if not console.is_terminal:
        console = Console(width=LOG_WIDTH)
    return console


@contextlib.contextmanager
def request_renderer(config: Config) -> Iterator[RequestRenderer]:
    """Renders a finding's input into each runtime's request (nothing is sent)."""
    size = config.campaign.max_body_bytes
    left, right = config.runtime_names
    transports: dict[str, tuple[Transport, Transport]] = {}
    try:
        for name, surface in config.surfaces.items():
            transports[name] = (
                open_transport(surface.requests[left], max_body_bytes=size),
                open_transport(surface.requests[right], max_body_bytes=size),
            )
        yield renderer_for(transports)
    finally:
        for first, second in transports.values():
            first.close()
            second.close()


def _report(
    result: CampaignResult,
    config: Config,
    console: Console,
    *,
    reports_dir: Path | None,
    report_json: Path | None,
) -> None:
    with request_renderer(config) as render:
        render_campaign(result, console, render=render)
        if report_json is not None:
            write_json(result, report_json)
        if reports_dir is not None:
            written = write_reports(result, reports_dir, render=render)
            console.print("reports: " + ", ".join(str(p) for p in written.values()))


def execute_campaign(
    config: Config,
    *,
    console: Console,
    quiet: bool = False,
    report_json: Path | None = None,
    reports_dir: Path | None = None,
    write_report_folder: bool = True,
) -> int:
    """Run a campaign with progress, print and write its reports; the exit code."""
    corpus = Corpus(config.campaign.corpus)
    _fixtures, problems = corpus.load()
    for problem in problems:
        # Unreadable fixtures are skipped, not fatal: the run may re-find them.
        console.print(Text(f"corpus: skipped {problem}", style="yellow"))
    folder = reports_dir or (Path(config.campaign.reports) if write_report_folder else None)
    with ProgressReporter(console) as progress:
        # The engine calls its listener for every event; quiet is one that drops them.
        listener: Listener = ignore_events if quiet else progress
        result = run_campaign(config, corpus=corpus, listener=listener)
    _report(result, config, console, reports_dir=folder, report_json=report_json)
    return result.exit_code


def run_command(
    config_path: Path,
    *,
    surfaces: Sequence[str] = (),
    max_examples: int | None = None,
    seed: int | None = None,
    max_seconds: float | None = None,
    corpus_dir: Path | None = None,
    report_json: Path | None = None,
    reports_dir: Path | None = None,
    write_reports: bool = True,
    quiet: bool = False,
) -> int:
    """``difffuzz run``."""
    config = (
        load_config(config_path)
        .select(surfaces)
        .override(
            max_examples=max_examples,
            seed=seed,
            max_seconds=max_seconds,
            corpus=str(corpus_dir) if corpus_dir is not None else None,
        )
    )
    return execute_campaign(
        config,
        console=make_console(),
        quiet=quiet,
        report_json=report_json,
        reports_dir=reports_dir,
        write_report_folder=write_reports,
    )


def ci_command(
    config_path: Path,
    *,
    budget: int,
    seed: int,
    surfaces: Sequence[str] = (),
    corpus_dir: Path | None = None,
    junit: Path | None = None,
    reports_dir: Path | None = None,
    fuzz: bool = True,
    report_json: Path | None = None,
) -> int:
    """``difffuzz ci``: the gate, then the seeded run; reports for people and for CI.

    ``report_json`` receives ``CIResult.to_json()`` (schema ``difffuzz.ci/1``): the
    gate, the new findings and the campaign, for tools.
    """
    from difffuzz._reporting.gate import render_gate, write_gate_markdown

    # The same console as `run`: a plain Console() is 80 columns when piped (CI
    # logs), which cut the surface table's columns to "distin…".
    console = make_console()
    config = (
        load_config(config_path)
        .select(surfaces)
        .override(
            corpus=str(corpus_dir) if corpus_dir is not None else None,
        )
    )
    corpus = Corpus(config.campaign.corpus)
    folder = reports_dir or Path(config.campaign.reports)
    # New findings go beside the reports, not into the gate's corpus: the same
    # commit and seed then give the same run, and people choose what to commit.
    new_fixtures = Corpus(folder / "new-fixtures")
    with ProgressReporter(console) as progress:
        result: CIResult = run_ci(
            config,
            corpus=corpus,
            budget=budget,
            seed=seed,
            fuzz=fuzz,
            save_to=new_fixtures,
            listener=progress,
        )
    render_gate(result, console)
    if result.new_findings:
        console.print(
            f"new fixtures: {new_fixtures.root}/ — copy them into {corpus.root}/ to gate on them"
        )
    if result.campaign is not None:
        _report(result.campaign, config, console, reports_dir=folder, report_json=None)
        if junit is not None:
            with request_renderer(config) as render:
                write_junit(result.campaign, junit, render=render, gate=result)
    elif junit is not None:
        write_junit(None, junit, gate=result)
    gate_path = write_gate_markdown(result, folder)
    console.print(f"gate report: {gate_path}")
    if report_json is not None:
        write_text_atomic(report_json, dumps_report(result.to_json()))
        console.print(f"gate JSON: {report_json}")
    console.print(f"ci: exit {result.exit_code}")
    return result.exit_code
