"""Fixtures as the ``corpus list`` and ``corpus show`` commands show them.

(The corpus itself, the store, is :mod:`difffuzz._corpus`; its commands are
:mod:`difffuzz._cli_corpus`.)

A fixture is shown from its file alone (nothing is sent to a runtime): the
saved outcomes are drawn side by side with the differences saved beside them,
so ``corpus show`` displays exactly what was seen when the divergence was found.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from difffuzz._comparators.base import CompareSpec, Comparison
from difffuzz._corpus import CorpusProblem, Fixture
from difffuzz._inputs import Input
from difffuzz._reporting.diffview import build_diff, diff_renderable, escape_text
from difffuzz._reporting.finding import describe_input
from difffuzz._reporting.replay import fixture_location
from difffuzz._signature import Signature
from difffuzz._transports.shell import quote_word

__all__ = [
    "DEFAULT_CONFIG",
    "fixture_renderable",
    "fixture_status",
    "input_preview",
    "render_fixture",
    "render_fixture_list",
    "replay_command",
    "spec_summary",
]

#: The config ``difffuzz init`` writes; shown in the replay command when the
#: caller does not say which config the fixture belongs to.
DEFAULT_CONFIG = "difffuzz.toml"


def fixture_status(fixture: Fixture) -> str:
    """``open``, ``fixed since <when>`` or ``known gap: <reason>``, then flaky / unshrunk.

    >>> from difffuzz._corpus import Fixture
    >>> from difffuzz._divergence import Divergence
    >>> from difffuzz._outcome import Outcome
    >>> from difffuzz._signature import Signature
    >>> from difffuzz._comparators.base import CompareSpec, Comparison
    >>> found = Divergence("embed", Signature("embed", (200, 200), ()), "x", ("rust", "go"),
    ...                    Outcome(200), Outcome(200), Comparison("json"), CompareSpec())
    >>> fixture = Fixture(found, flaky=True)
    >>> fixture_status(fixture)
    'open, flaky'
    """
    if fixture.known_gap:
        status = f"known gap: {fixture.known_gap}"
    elif fixture.fixed_at:
        status = f"fixed since {fixture.fixed_at}"
    else:
        status = "open"
    if fixture.flaky:
        status += ", flaky"
    if not fixture.shrunk:
        status += ", unshrunk"
    return escape_text(status)


def _status_style(fixture: Fixture) -> str:
    if fixture.known_gap:
        return "yellow"
    return "green" if fixture.fixed_at else "red"


def input_preview(value: Input, width: int = 40) -> str:
    """The input as a one-line Python literal, escaped, cut to ``width`` characters.

    >>> input_preview("a\\x00[bold]" + "x" * 50, width=20)
    "'a\\\\x00[bold]xxxxxxx…"
    """
    # describe_input escapes control characters but keeps newlines (file trees
    # list one file a line); escaping again turns those into visible "\\n".
    _, text = describe_input(value, limit=width * 4)
    flat = escape_text(text)
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def spec_summary(fixture: Fixture) -> list[str]:
    """The comparator spec the fixture is judged by, one fact a line (escaped)."""
    spec: CompareSpec = fixture.compare
    lines = [f"rule: {spec.rule}"]
    lines.append("ignored paths: " + (", ".join(spec.ignore) or "none"))
    if spec.select_left or spec.select_right:
        lines.append(
            f"compared: {spec.select_left or '/'} ({fixture.runtimes[0]}) "
            f"with {spec.select_right or '/'} ({fixture.runtimes[1]})"
        )
    lines += [f"{key}: {value!r}" for key, value in sorted(spec.params.items())]
    if fixture.collapse:
        lines.append("collapsed paths: " + ", ".join(fixture.collapse))
    if fixture.answer_status is not None:
        lines.append("answer statuses: " + ", ".join(map(str, fixture.answer_status)))
    return [escape_text(line) for line in lines]


def replay_command(fixture: Fixture, config: str | os.PathLike[str] | None = None) -> str:
    """``difffuzz replay --config FILE PATH``: how to send the fixture to both runtimes again."""
    target = str(fixture.path) if fixture.path is not None else f"<corpus>/{fixture.surface}"
    return (
        f"difffuzz replay --config {quote_word(os.fspath(config or DEFAULT_CONFIG))} "
        f"{quote_word(target)}"
    )


def _label_without_category(signature: Signature) -> str:
    """The label minus its ``category:`` head, which the table shows in its own column."""
    return signature.label.removeprefix(f"{signature.category}: ")


def _surface_table(surface: str, fixtures: Sequence[Fixture]) -> Table:
    title = Text.assemble((escape_text(surface), "bold"), f" — {len(fixtures)} fixture")
    title.append("" if len(fixtures) == 1 else "s")
    table = Table(title=title, title_justify="left", expand=False)
    # The id is what `corpus show` takes: never wrapped, so it copies back whole.
    table.add_column("fixture", no_wrap=True)
    table.add_column("category", no_wrap=True)
    table.add_column("signature", overflow="fold", ratio=3)
    table.add_column("status", overflow="fold", ratio=2)
    table.add_column("found", overflow="fold")
    table.add_column("input", overflow="fold", ratio=2)
    for fixture in fixtures:
        table.add_row(
            Text(fixture.id),
            Text(fixture.signature.category),
            Text(escape_text(_label_without_category(fixture.signature))),
            Text(fixture_status(fixture), style=_status_style(fixture)),
            Text(escape_text(fixture.found_at) or "—"),
            Text(input_preview(fixture.input), style="cyan"),
        )
    return table


def _problem_lines(problems: Sequence[CorpusProblem], console: Console) -> None:
    if not problems:
        return
    console.print(Text(f"corpus problems ({len(problems)}):", style="bold red"))
    for problem in problems:
        console.print(Text(f"  {escape_text(str(problem))}", style="red"), soft_wrap=True)


def render_fixture_list(
    fixtures: list[Fixture],
    problems: list[CorpusProblem],
    console: Console | None = None,
    *,
    quiet: bool = False,
) -> None:
    """A table per surface (id, category, signature, status, found at, input), then problems.

    >>> import io
    >>> console = Console(record=True, width=100, file=io.StringIO())
    >>> render_fixture_list([], [], console)
    >>> console.export_text().strip()
    'corpus: no fixtures'
    """
    console = console or Console()
    by_surface: dict[str, list[Fixture]] = {}
    for fixture in fixtures:
        by_surface.setdefault(fixture.surface, []).append(fixture)
    for surface in sorted(by_surface) if not quiet else ():
        console.print(_surface_table(surface, by_surface[surface]))
    if fixtures:
        open_ = sum(1 for f in fixtures if not f.known_gap and not f.fixed_at)
        fixed = sum(1 for f in fixtures if not f.known_gap and f.fixed_at)
        gaps = len(fixtures) - open_ - fixed
        surfaces = len(by_surface)
        console.print(
            Text(
                f"corpus: {len(fixtures)} fixture{'s' if len(fixtures) != 1 else ''} in "
                f"{surfaces} surface{'s' if surfaces != 1 else ''} — {open_} open, "
                f"{fixed} fixed, {gaps} known gap{'s' if gaps != 1 else ''}",
                style="bold",
            )
        )
    else:
        console.print(Text("corpus: no fixtures", style="bold"))
    _problem_lines(problems, console)


def _fact(name: str, value: str, style: str = "") -> Text:
    return Text.assemble((f"{name}: ", "bold"), (value, style))


def fixture_renderable(fixture: Fixture) -> RenderableType:
    """Everything about one fixture except the replay command, as one panel."""
    left, right = fixture.runtimes
    versions = ", ".join(
        f"{name} {version}"
        for name, version in (
            ("difffuzz", fixture.difffuzz_version),
            ("hypothesis", fixture.hypothesis_version),
        )
        if version
    )
    parts: list[RenderableType] = [
        _fact("surface", escape_text(fixture.surface)),
        _fact("signature", f"{fixture.signature.id} {escape_text(fixture.signature.label)}"),
        _fact("category", fixture.signature.category),
        _fact("status", fixture_status(fixture), _status_style(fixture)),
        _fact("runtimes", escape_text(f"{left} vs {right}")),
        _fact("found at", escape_text(fixture.found_at) or "unknown"),
        _fact("versions", escape_text(versions) or "unknown"),
        _fact("seed", "none recorded" if fixture.seed is None else str(fixture.seed)),
        _fact("file", fixture_location(fixture)),
    ]
    input_type, input_text = describe_input(fixture.input)
    parts.append(Text(f"input ({input_type}):", style="bold"))
    parts.append(Text(input_text, style="cyan"))
    parts.append(Text("compared by:", style="bold"))
    parts.append(Text("\n".join(f"  {line}" for line in spec_summary(fixture))))
    comparison = Comparison(rule=fixture.compare.rule, differences=fixture.differences)
    view = build_diff(fixture.left, fixture.right, comparison, fixture.runtimes, fixture.compare)
    parts.append(Text("saved outcomes, side by side:", style="bold"))
    parts.append(diff_renderable(view))
    title = Text.assemble(
        (f"{escape_text(fixture.surface)} ", "bold"),
        escape_text(fixture.signature.label),
        (f"  [{fixture.id}]", "dim"),
    )
    return Panel(Group(*parts), title=title, title_align="left", border_style="blue")


def render_fixture(
    fixture: Fixture,
    console: Console | None = None,
    *,
    config: str | os.PathLike[str] | None = None,
) -> None:
    """Print one fixture in full, then the command that replays it.

    ``config`` names the config file in that command (default ``difffuzz.toml``).
    The command is printed outside the panel and unwrapped, so it copies back intact.
    """
    console = console or Console()
    console.print(fixture_renderable(fixture))
    console.print(Text("replay it against both runtimes (bash):", style="bold"))
    console.print(Text(replay_command(fixture, config)), soft_wrap=True)
