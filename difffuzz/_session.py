"""What the ``run`` and ``ci`` commands do, between parsing options and exiting.

Kept apart from :mod:`difffuzz._cli` so that the CLI stays a thin layer of
options, and so that the demo and the tests drive exactly the same path.

Whatever stops a run, what it found is kept: SIGINT, SIGTERM and SIGHUP stop
it the way Ctrl-C does (:mod:`difffuzz._signals`), a corpus that cannot be
written sends the fixtures to a fallback folder (:mod:`difffuzz._fallback_corpus`)
or, when nothing can be written, prints them in full; reports never show a
secret (:mod:`difffuzz._reporting.redaction`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.text import Text

from difffuzz._ci import CIResult, run_ci
from difffuzz._config import Config, load_config
from difffuzz._connect import unreachable_runtimes
from difffuzz._corpus import Corpus, fixture_text
from difffuzz._discovery import resolve_config
from difffuzz._events import CampaignFailed, Event, Listener, ignore_events
from difffuzz._exit import campaign_exit, ci_exit, exit_summary
from difffuzz._fallback_corpus import FallbackCorpus
from difffuzz._reporting import (
    ProgressReporter,
    dumps_report,
    render_campaign,
    write_json,
    write_junit,
    write_reports,
    write_text_atomic,
)
from difffuzz._reporting.json_report import with_exit_code
from difffuzz._reporting.redaction import redact_campaign, redact_divergence
from difffuzz._repro import renderer_for
from difffuzz._results import CampaignResult
from difffuzz._schedule import run_for
from difffuzz._secrets import Redactor
from difffuzz._signals import StopSignals
from difffuzz._workers import choose_workers, run_with_workers

__all__ = ["ci_command", "execute_campaign", "make_console", "run_command"]

#: Width used when output is not a terminal (CI logs, files): wide enough for the
#: surface table and a side-by-side diff, where rich's default would be 80.
LOG_WIDTH = 120


def make_console() -> Console:
    """A console for the CLI: the terminal's width, or LOG_WIDTH when piped."""
    console = Console()
    if not console.is_terminal:
        console = Console(width=LOG_WIDTH)
    return console


def _report(
    result: CampaignResult,
    config: Config,
    console: Console,
    *,
    reports_dir: Path | None,
    report_json: Path | None,
    exit_code: int,
    corpus: FallbackCorpus | None = None,
    verbose: bool = False,
) -> None:
    """Print the campaign and write its reports, secrets redacted; the exit line last.

    ``exit_code`` is the one this command chose (:mod:`difffuzz._exit`, signals
    included): the reports show it, and the last line says what it means.

    The findings are printed before any file is written, so a reports folder
    that cannot be written costs the files, never the findings.
    """
    shown = redact_campaign(result, Redactor(config.secrets))
    # Reproductions are rendered from the config: no transport is opened for a report.
    render = renderer_for(config)
    render_campaign(shown, console, render=render, verbose=verbose)
    try:
        if report_json is not None:
            write_json(shown, report_json, exit_code=exit_code)
        if reports_dir is not None:
            written = write_reports(shown, reports_dir, render=render, exit_code=exit_code)
            console.print("reports: " + ", ".join(str(p) for p in written.values()))
    except OSError as exc:
        console.print(
            Text(
                f"reports: cannot be written ({exc}); every finding is printed above. "
                "Pass --reports DIR with a writable folder",
                style="bold red",
            ),
            soft_wrap=True,
        )
    if corpus is not None:
        _print_diversions(corpus, console)
        _print_unsaved(corpus, config, console)
    console.print(Text(exit_summary(exit_code, result.seed), style="bold"))


def _print_diversions(corpus: FallbackCorpus, console: Console) -> None:
    if not corpus.diverted:
        return
    folders = sorted({str(d.path.parent.parent) for d in corpus.diverted})
    console.print(
        Text(
            f"corpus: {corpus.diverted[0].reason}\n"
            f"corpus: {len(corpus.diverted)} fixture(s) saved to {', '.join(folders)} "
            f"instead; copy them into {corpus.root}/ once it can be written",
            style="bold red",
        ),
        soft_wrap=True,
    )


def _print_unsaved(corpus: FallbackCorpus, config: Config, console: Console) -> None:
    """The last resort: fixtures no folder would take, printed whole, secrets redacted.

    The engine keeps such a finding (with its ``save_error``) and the run exits 2;
    this is the copy a user can still save by hand.
    """
    redactor = Redactor(config.secrets)
    for fixture, error in corpus.unsaved:
        # Both answers and every difference: a body that echoes a credential puts
        # it in the differences too.
        shown = replace(fixture, divergence=redact_divergence(fixture.divergence, redactor))
        console.print(
            Text(
                f"corpus: {error}\ncorpus: no folder could take this fixture; here it is "
                f"in full, save it as {corpus.path_for(fixture)}:",
                style="bold red",
            ),
            soft_wrap=True,
        )
        console.print(Text(fixture_text(shown).decode("utf-8")), soft_wrap=True)


def execute_campaign(
    config: Config,
    *,
    console: Console,
    quiet: bool = False,
    report_json: Path | None = None,
    reports_dir: Path | None = None,
    write_report_folder: bool = True,
    verbose: bool = False,
    workers: int | None = 1,
    duration: float | None = None,
    resume: bool = False,
) -> int:
    """Run a campaign with progress, print and write its reports; the exit code.

    SIGINT, SIGTERM and SIGHUP stop the campaign with what it found saved and
    reported; the exit code is then ``128 + N``. With ``duration`` (seconds) the
    surfaces run in slices for that long, the busiest-finding ones most
    (:mod:`difffuzz._schedule`); ``resume`` continues from the estimates the last
    such run left.
    """
    folder = reports_dir or (Path(config.campaign.reports) if write_report_folder else None)
    corpus = FallbackCorpus(
        config.campaign.corpus,
        fallbacks=[folder / "new-fixtures"] if folder is not None else [],
    )
    _fixtures, problems = corpus.load()
    for problem in problems:
        # Unreadable fixtures are skipped, not fatal: the run may re-find them.
        console.print(Text(f"corpus: skipped {problem}", style="yellow"), soft_wrap=True)
    report_unreachable(config, console)
    failed: list[CampaignResult] = []
    # A --duration run has one surface at a time: it counts as one for the choice.
    count, split = choose_workers(workers, 1 if duration is not None else len(config.surfaces))
    with StopSignals() as stop:
        try:
            with ProgressReporter(console) as progress:
                # The engine calls its listener for every event; quiet is one that drops them.
                listener = _keeping_failure(ignore_events if quiet else progress, failed)
                if duration is not None:
                    result = run_for(
                        config,
                        duration=duration,
                        corpus=corpus,
                        workers=count,
                        split=split,
                        state=Path(config.campaign.state),
                        resume=resume,
                        listener=listener,
                    )
                else:
                    result = run_with_workers(
                        config, workers=count, corpus=corpus, listener=listener, split=split
                    )
        except Exception:
            _report_failed(
                failed, stop, config, console, folder, report_json, corpus, verbose=verbose
            )
            raise
        except KeyboardInterrupt:
            # Stopped outside the engine's own handling (between two surfaces,
            # while saving): there is no result to report, only what is held.
            stop.finishing()
            _print_unsaved(corpus, config, console)
            code = stop.exit_code(130)
            line = f"{exit_summary(code)}, but the campaign stopped before it returned them"
            console.print(Text(line, style="bold"))
            return code
        stop.finishing()
        result.stopped_by = stop.first  # the reports say the exit code the process has
        code = stop.exit_code(campaign_exit(result))
        _report(
            result,
            config,
            console,
            reports_dir=folder,
            report_json=report_json,
            corpus=corpus,
            exit_code=code,
            verbose=verbose,
        )
    return code


def _report_failed(
    failed: list[CampaignResult],
    stop: StopSignals,
    config: Config,
    console: Console,
    reports_dir: Path | None,
    report_json: Path | None,
    corpus: FallbackCorpus,
    *,
    verbose: bool,
) -> None:
    """A tool error stopped the campaign inside a surface (``run`` and ``ci`` alike):
    what it found is saved, so print it and write its reports before the error,
    re-raised by the caller, says what went wrong. ``failed`` is empty when the
    error came with no campaign result, and then there is nothing to report."""
    if not failed:
        return
    stop.finishing()
    _report(
        failed[0],
        config,
        console,
        reports_dir=reports_dir,
        report_json=report_json,
        corpus=corpus,
        exit_code=campaign_exit(failed[0]),
        verbose=verbose,
    )


def _keeping_failure(listener: Listener, failed: list[CampaignResult]) -> Listener:
    """``listener``, and the result of a campaign a tool error stops kept in ``failed``
    (so that the command can still report it when the error reaches it)."""

    def listen(event: Event) -> None:
        if isinstance(event, CampaignFailed):
            failed.append(event.result)
        listener(event)

    return listen


def report_unreachable(config: Config, console: Console) -> None:
    """Say which runtimes cannot answer before any surface runs (their surfaces are
    skipped, and the run exits 3), instead of at the end of a long run."""
    redactor = Redactor(config.secrets)  # a URL may carry a token
    for unreachable in unreachable_runtimes(config):
        console.print(
            Text(f"unreachable: {redactor.text(str(unreachable))}", style="bold red"),
            soft_wrap=True,
        )


def run_command(
    config_path: Path | None,
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
    verbose: bool = False,
    workers: int | None = None,
    duration: float | None = None,
    resume: bool = False,
) -> int:
    """``difffuzz run``; without ``workers``, a worker per surface up to the cores."""
    config = (
        load_config(resolve_config(config_path))
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
        verbose=verbose,
        workers=workers,
        duration=duration,
        resume=resume,
    )


def ci_command(
    config_path: Path | None,
    *,
    budget: int,
    seed: int,
    surfaces: Sequence[str] = (),
    corpus_dir: Path | None = None,
    junit: Path | None = None,
    reports_dir: Path | None = None,
    fuzz: bool = True,
    report_json: Path | None = None,
    quiet: bool = False,
    verbose: bool = False,
    workers: int | None = None,
) -> int:
    """``difffuzz ci``: the gate, then the seeded run; reports for people and for CI.

    ``report_json`` receives ``CIResult.to_json()`` (schema ``difffuzz.ci/1``): the
    gate, the new findings and the campaign, for tools.
    """
    # The same console as `run`: a plain Console() is 80 columns when piped (CI
    # logs), which cut the surface table's columns to "distin…".
    console = make_console()
    config = (
        load_config(resolve_config(config_path))
        .select(surfaces)
        .override(
            corpus=str(corpus_dir) if corpus_dir is not None else None,
        )
    )
    corpus = Corpus(config.campaign.corpus)
    folder = reports_dir or Path(config.campaign.reports)
    # New findings go beside the reports, not into the gate's corpus: the same
    # commit and seed then give the same run, and people choose what to commit.
    new_fixtures = FallbackCorpus(folder / "new-fixtures")
    report_unreachable(config, console)
    failed: list[CampaignResult] = []
    with StopSignals() as stop:
        try:
            with ProgressReporter(console) as progress:
                result: CIResult = run_ci(
                    config,
                    corpus=corpus,
                    budget=budget,
                    seed=seed,
                    fuzz=fuzz,
                    save_to=new_fixtures,
                    listener=_keeping_failure(ignore_events if quiet else progress, failed),
                    workers=choose_workers(workers, len(config.surfaces))[0],
                )
        except Exception:
            # --json holds the gate's record, and a tool error leaves no gate verdict to write.
            _report_failed(
                failed, stop, config, console, folder, None, new_fixtures, verbose=verbose
            )
            raise
        except KeyboardInterrupt:
            stop.finishing()
            _print_unsaved(new_fixtures, config, console)
            code = stop.exit_code(130)
            console.print(f"ci: {exit_summary(code)}, but the gate stopped before its verdict")
            return code
        stop.finishing()
        if result.campaign is not None:
            result.campaign.stopped_by = stop.first
        return _ci_report(
            result, config, console, folder, new_fixtures, junit, report_json, stop, verbose
        )


def _ci_report(
    result: CIResult,
    config: Config,
    console: Console,
    folder: Path,
    new_fixtures: FallbackCorpus,
    junit: Path | None,
    report_json: Path | None,
    stop: StopSignals,
    verbose: bool = False,
) -> int:
    from difffuzz._reporting.gate import render_gate, write_gate_markdown

    corpus_root = config.campaign.corpus
    render_gate(result, console)
    if result.new_findings:
        console.print(
            f"new fixtures: {new_fixtures.root}/ — copy them into {corpus_root}/ to gate on them"
        )
    if result.campaign is not None:
        _report(
            result.campaign,
            config,
            console,
            reports_dir=folder,
            report_json=None,
            exit_code=campaign_exit(result.campaign),
            corpus=new_fixtures,
            verbose=verbose,
        )
        if junit is not None:
            shown = redact_campaign(result.campaign, Redactor(config.secrets))
            write_junit(shown, junit, render=renderer_for(config), gate=result)
    elif junit is not None:
        write_junit(None, junit, gate=result)
    chosen = ci_exit(result)
    code = stop.exit_code(chosen)
    gate_path = write_gate_markdown(result, folder, exit_code=code)
    console.print(f"gate report: {gate_path}")
    if report_json is not None:
        record = with_exit_code(result.to_json(), code)
        if result.campaign is not None:
            record["campaign"] = with_exit_code(
                result.campaign.to_json(), campaign_exit(result.campaign)
            )
        write_text_atomic(report_json, dumps_report(record))
        console.print(f"gate JSON: {report_json}")
    # A stop by signal is said in words, as `run` says it; the gate's own codes are
    # explained by the gate report above.
    said = stop.first is not None or code != chosen
    console.print(f"ci: {exit_summary(code)}" if said else f"ci: exit {code}")
    return code
