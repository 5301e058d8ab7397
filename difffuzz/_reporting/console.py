"""The terminal report: a per-surface table, a block per new finding, a line per known one.

With ``verbose`` every finding is a full panel (diff side by side, reproduction
commands); so is a finding the corpus could not take, always, since the console
is then the only place it is kept. The compact views are in :mod:`.compact`.

Everything that came from a runtime or an input is drawn as :class:`rich.text.Text`,
never as console markup, so a body holding ``[bold]`` or escape sequences is shown,
not interpreted.
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from difffuzz._reporting.compact import finding_block, finding_line
from difffuzz._reporting.diffview import diff_renderable, escape_text
from difffuzz._reporting.finding import FindingView, view_finding
from difffuzz._repro import RequestRenderer
from difffuzz._results import CampaignResult, FindingStatus, SurfaceResult

__all__ = [
    "finding_renderable",
    "print_finding",
    "render_campaign",
    "surface_table",
]

_STATUS_STYLE = {"new": "bold red", "known": "red", "known gap": "yellow"}


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
    verbose: bool = False,
) -> None:
    """Print the campaign summary, then its findings, new ones first.

    ``render`` turns a finding's input into the runtimes' requests so each
    finding gets copy-paste shell commands (see :mod:`difffuzz._repro`).
    The exit line is the CLI's (:mod:`difffuzz._exit`): it prints it last.
    ``verbose`` prints every finding as a full panel.

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
        _surface_notes(surface, console)
    new = [f for f in result.findings if f.status is FindingStatus.NEW]
    listed = [f for f in result.findings if f.status is not FindingStatus.NEW]
    if new:
        console.print(Text(f"new finding{'s' if len(new) > 1 else ''}:", style="bold"))
    for finding in new:
        view = view_finding(finding, render)
        if verbose or finding.save_error:
            print_finding(view, console)
        else:
            finding_block(view, console)
    if listed:
        console.print(Text("already on the list (not failing this run):", style="bold"))
    for finding in listed:
        view = view_finding(finding, render)
        if verbose:
            print_finding(view, console)
        else:
            finding_line(view, console)
    if new and not verbose:
        console.print(Text("full diffs and reproduction commands: -v, or the reports", style="dim"))


def _surface_notes(surface: SurfaceResult, console: Console) -> None:
    if surface.aborted:
        console.print(
            Text(
                f"{surface.surface}: stopped early: {escape_text(surface.aborted)}",
                style="bold red",
            ),
            soft_wrap=True,
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
