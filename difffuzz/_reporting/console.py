"""The terminal report: a per-surface table, then every finding in full.

Everything that came from a runtime or an input is drawn as :class:`rich.text.Text`,
never as console markup, so a body holding ``[bold]`` or escape sequences is shown,
not interpreted.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from difffuzz._events import (
    Event,
    ExampleObserved,
    FindingRecorded,
    SurfaceFinished,
    SurfaceStarted,
)
from difffuzz._reporting.diffview import diff_renderable, escape_text
from difffuzz._reporting.finding import FindingView, view_finding
from difffuzz._repro import RequestRenderer
from difffuzz._results import CampaignResult, SurfaceResult, Verdict

__all__ = [
    "EXIT_MEANINGS",
    "ProgressReporter",
    "exit_summary",
    "finding_renderable",
    "print_finding",
    "render_campaign",
    "surface_table",
]

_STATUS_STYLE = {"new": "bold red", "known": "red", "known gap": "yellow"}

#: The last line of a run says what its exit code means.
EXIT_MEANINGS = {
    0: "no failing divergence",
    1: "divergences found",
    2: "a config or corpus error, or findings the corpus could not take",
    3: "a runtime was unreachable",
}


def exit_summary(code: int, seed: int | None = None) -> str:
    """The last line of a run: the exit code and, in words, what it means.

    Codes above 128 are the shell's convention for "stopped by signal N".

    >>> exit_summary(130, seed=1)
    'exit 130: stopped by SIGINT (Ctrl-C); the findings so far are kept (seed 1)'
    >>> exit_summary(143)
    'exit 143: stopped by SIGTERM; the findings so far are kept'
    """
    meaning = EXIT_MEANINGS.get(code, "")
    if code > 128:
        try:
            name = signal.Signals(code - 128).name
        except ValueError:
            name = f"signal {code - 128}"
        ctrl_c = " (Ctrl-C)" if name == "SIGINT" else ""
        meaning = f"stopped by {name}{ctrl_c}; the findings so far are kept"
    suffix = f" (seed {seed})" if seed is not None else ""
    return f"exit {code}: {meaning}{suffix}"


def surface_table(surfaces: list[SurfaceResult]) -> Table:
    """One row per surface: examples, matches, distinct divergences, both-failed, infra."""
    table = Table(title="difffuzz campaign", title_justify="left")
    table.add_column("surface")
    table.add_column("runtimes")
    for name in ("examples", "matches", "distinct divergences", "both failed", "infra errors"):
        table.add_column(name, justify="right")
    table.add_column("examples/s", justify="right")
    for surface in surfaces:
        stats = surface.stats
        failing = len(surface.failing_findings)
        gaps = len(surface.findings) - failing
        divergences = Text(str(len(surface.findings)), style="bold red" if failing else "green")
        if gaps:
            divergences.append(f" ({gaps} known gap{'s' if gaps > 1 else ''})", style="yellow")
        table.add_row(
            Text(escape_text(surface.surface)),
            Text(escape_text(" vs ".join(surface.runtimes))),
            str(stats.examples),
            str(stats.matches),
            divergences,
            Text(str(stats.both_failed), style="yellow" if stats.both_failed else ""),
            Text(str(stats.infra_errors), style="yellow" if stats.infra_errors else ""),
            f"{stats.rate:.1f}",
        )
    return table


def finding_renderable(view: FindingView) -> RenderableType:
    """One finding as a panel: what differs, on which input, and where it is saved.

    The reproduction commands are not in the panel: a panel wraps long lines
    hard, and a command broken inside its quotes would send different bytes.
    :func:`print_finding` prints them after the panel, unwrapped.
    """
    status_key = view.status.split(":", 1)[0]
    parts: list[RenderableType] = []
    head = Text.assemble("category ", (view.category, "bold"), " · status ")
    head.append(view.status, style=_STATUS_STYLE.get(status_key, ""))
    for note in view.notes:
        head.append(f" · {note}", style="dim")
    parts.append(head)
    parts.append(Text(f"minimal input ({view.input_type}):", style="bold"))
    parts.append(Text(view.input_text, style="cyan"))
    parts.append(diff_renderable(view.diff))
    if view.fixture:
        parts.append(Text.assemble(("fixture: ", "bold"), view.fixture))
    title = Text.assemble(
        (f"{view.surface} ", "bold"), view.label, (f"  [{view.signature_id}]", "dim")
    )
    return Panel(Group(*parts), title=title, title_align="left", border_style="red")


def print_finding(view: FindingView, console: Console) -> None:
    """The finding's panel, then its reproduction commands as copy-paste-safe lines.

    ``soft_wrap`` leaves long lines to the terminal, so copying a command back
    gives exactly the line that was printed.
    """
    console.print(finding_renderable(view))
    console.print(Text("reproduce (bash):", style="bold"))
    for reproduction in view.reproductions:
        console.print(Text(f"# {escape_text(reproduction.runtime)}", style="dim"), soft_wrap=True)
        console.print(Text(reproduction.command), soft_wrap=True)
    if view.replay:
        console.print(Text(view.replay), soft_wrap=True)
    console.print(Text(view.example), soft_wrap=True)


def render_campaign(
    result: CampaignResult,
    console: Console,
    *,
    render: RequestRenderer | None = None,
    exit_line: bool = True,
) -> None:
    """Print the campaign summary and every finding to ``console``.

    ``render`` turns a finding's input into the runtimes' requests so each
    finding gets copy-paste shell commands (see :mod:`difffuzz._repro`).
    ``exit_line=False`` leaves out the last line (:func:`exit_summary`), for a
    caller that prints more (where the reports went) and then its own exit code.

    >>> import io
    >>> console = Console(record=True, width=100, file=io.StringIO())
    >>> render_campaign(CampaignResult(surfaces=[], seed=1, started_at="now"), console)
    >>> "no surface ran" in console.export_text()
    True
    """
    if not result.surfaces:
        console.print(
            Text("difffuzz: no surface ran (check the config's surfaces)", style="yellow")
        )
        return
    console.print(surface_table(result.surfaces))
    for surface in result.surfaces:
        if surface.aborted:
            console.print(
                Text(
                    f"{surface.surface}: stopped early: {escape_text(surface.aborted)}",
                    style="bold red",
                )
            )
        if surface.dropped_signatures:
            console.print(
                Text(
                    f"{surface.surface}: {surface.dropped_signatures} more distinct "
                    "divergences were seen past max_signatures and not kept; raise "
                    "[campaign] max_signatures or collapse generated paths",
                    style="yellow",
                )
            )
        if surface.learned_noise:
            noise = ", ".join(escape_text(p) for p in surface.learned_noise)
            console.print(
                Text(
                    f"{surface.surface}: ignoring noise learned from repeated calls: {noise}",
                    style="dim",
                )
            )
        for finding in surface.findings:
            print_finding(view_finding(finding, render), console)
    if exit_line:
        console.print(Text(exit_summary(result.exit_code, result.seed), style="bold"))


@dataclass
class _Tally:
    budget: int
    examples: int = 0
    divergent: int = 0
    findings: int = 0
    both_failed: int = 0
    infra: int = 0
    started: float = 0.0
    last_line: float = 0.0
    task: TaskID | None = None


class ProgressReporter:
    """Live progress for a campaign; plain log lines when the console is not a terminal.

    Feed it the engine's events (it is a listener: ``reporter(event)``) or call
    the four methods directly. In CI logs (no TTY) it prints a line when a
    surface starts, at every new finding, every ``log_every`` seconds, and when
    the surface finishes.

    >>> import io
    >>> console = Console(record=True, width=100, file=io.StringIO())
    >>> with ProgressReporter(console) as progress:
    ...     progress.surface_started("embed", budget=2)
    ...     progress.example_done("embed", Verdict.MATCH)
    ...     progress.surface_finished("embed")
    >>> print(console.export_text().splitlines()[-1].split(" in ")[0])
    embed: done, 1/2 examples, 0 distinct divergences, 0 both failed, 0 infra errors
    """

    def __init__(
        self,
        console: Console,
        *,
        log_every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.console = console
        self.live = console.is_terminal and not console.is_dumb_terminal
        self.log_every = log_every
        self.clock = clock
        self.tallies: dict[str, _Tally] = {}
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )

    def __enter__(self) -> ProgressReporter:
        if self.live:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live:
            self.progress.stop()

    def __call__(self, event: Event) -> None:
        if isinstance(event, SurfaceStarted):
            self.surface_started(event.surface, event.budget)
        elif isinstance(event, ExampleObserved):
            self.example_done(event.surface, event.verdict)
        elif isinstance(event, FindingRecorded):
            self.finding(event.surface, event.label)
        elif isinstance(event, SurfaceFinished):
            self.surface_finished(event.surface)

    def surface_started(self, name: str, budget: int) -> None:
        now = self.clock()
        tally = _Tally(budget=budget, started=now, last_line=now)
        self.tallies[name] = tally
        if self.live:
            tally.task = self.progress.add_task(escape_text(name), total=budget, counts="")
        else:
            self.console.print(
                Text(f"{escape_text(name)}: started, budget {budget} examples"), soft_wrap=True
            )

    def example_done(self, name: str, verdict: Verdict) -> None:
        tally = self._tally(name)
        tally.examples += 1
        tally.divergent += verdict is Verdict.DIVERGENCE
        tally.both_failed += verdict is Verdict.BOTH_FAILED
        tally.infra += verdict is Verdict.INFRA_ERROR
        if self.live and tally.task is not None:
            self.progress.update(tally.task, completed=tally.examples, counts=self._counts(tally))
            return
        now = self.clock()
        if now - tally.last_line >= self.log_every:
            tally.last_line = now
            line = f"{escape_text(name)}: {self._progress(tally)}"
            self.console.print(Text(line), soft_wrap=True)

    def finding(self, name: str, signature_label: str) -> None:
        tally = self._tally(name)
        tally.findings += 1
        line = Text(
            f"{escape_text(name)}: divergence #{tally.findings}: {escape_text(signature_label)}",
            style="red",
        )
        self.console.print(line, soft_wrap=True)  # printed above the live bars when live

    def surface_finished(self, name: str) -> None:
        tally = self._tally(name)
        elapsed = max(self.clock() - tally.started, 0.0)
        rate = tally.examples / elapsed if elapsed > 0 else 0.0
        if self.live and tally.task is not None:
            self.progress.update(
                tally.task, completed=tally.examples, total=max(tally.budget, tally.examples)
            )
        line = (
            f"{escape_text(name)}: done, {self._progress(tally)}"
            f" in {elapsed:.1f}s ({rate:.1f} examples/s)"
        )
        self.console.print(Text(line), soft_wrap=True)

    def _tally(self, name: str) -> _Tally:
        if name not in self.tallies:  # an event for a surface we were not told about
            self.surface_started(name, budget=0)
        return self.tallies[name]

    @staticmethod
    def _counts(tally: _Tally) -> str:
        return (
            f"{tally.findings} distinct divergence{_plural(tally.findings)}, "
            f"{tally.both_failed} both failed, {tally.infra} infra error{_plural(tally.infra)}"
        )

    def _progress(self, tally: _Tally) -> str:
        return f"{tally.examples}/{tally.budget} examples, {self._counts(tally)}"


def _plural(count: int) -> str:
    return "" if count == 1 else "s"
