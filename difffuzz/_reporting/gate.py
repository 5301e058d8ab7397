"""The CI gate report: the corpus replayed and classified, for people and for CI.

``difffuzz ci`` replays every fixture and :func:`difffuzz._ci.classify` gives each a
gate status. Only a *regression* (a fixed fixture that diverges again) and a
*changed* divergence fail the gate; open fixtures, known gaps and flaky ones are
listed so that nobody mistakes silence for parity. Failing rows come first in
every view, then the rows that want an action (a closed gap, an unreachable
runtime), then the ones that are merely known.

Three views read the same :class:`~difffuzz._ci.CIResult`: the console
(:func:`render_gate`), Markdown (:func:`render_gate_markdown`) and a JUnit
testsuite (:func:`~difffuzz._reporting.junit.gate_suite`). The JUnit view lives
with the other JUnit code and builds on this module, never the other way round.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from difffuzz._ci import CIOutcome, CIResult, GateStatus
from difffuzz._reporting.diffview import diff_text, escape_text
from difffuzz._reporting.finding import describe_input
from difffuzz._reporting.fixtures import replay_command
from difffuzz._reporting.json_report import write_text_atomic
from difffuzz._reporting.markdown import code_span, fenced, inline
from difffuzz._reporting.replay import fixture_location, gap_closed_hint, observation_diff
from difffuzz._results import FindingStatus

__all__ = [
    "GATE_FILENAME",
    "STATUS_WORDS",
    "config_path",
    "failing_items",
    "fuzz_summary",
    "gate_detail",
    "gate_summary",
    "render_gate",
    "render_gate_markdown",
    "surface_headline",
    "write_gate_markdown",
]

GATE_FILENAME = "difffuzz-gate.md"

#: Row order: failing, then wanting an action, then known and harmless.
_ORDER = (
    GateStatus.REGRESSION,
    GateStatus.CHANGED,
    GateStatus.GAP_CLOSED,
    GateStatus.UNREACHABLE,
    GateStatus.FLAKY,
    GateStatus.NOT_CONFIGURED,
    GateStatus.BOTH_FAILING,
    GateStatus.OPEN,
    GateStatus.GAP_OPEN,
    GateStatus.OK_FIXED,
)
#: Count order in summary lines; the first four are shown even at zero, so a
#: green gate still says "0 regressions" in so many words.
_COUNTED = (
    GateStatus.REGRESSION,
    GateStatus.CHANGED,
    GateStatus.OPEN,
    GateStatus.OK_FIXED,
    GateStatus.GAP_OPEN,
    GateStatus.GAP_CLOSED,
    GateStatus.FLAKY,
    GateStatus.BOTH_FAILING,
    GateStatus.UNREACHABLE,
    GateStatus.NOT_CONFIGURED,
)
_ALWAYS_COUNTED = _COUNTED[:4]
#: Each gate status in words: (one, many).
STATUS_WORDS = {
    GateStatus.REGRESSION: ("regression", "regressions"),
    GateStatus.CHANGED: ("changed", "changed"),
    GateStatus.OPEN: ("open", "open"),
    GateStatus.OK_FIXED: ("fixed", "fixed"),
    GateStatus.GAP_OPEN: ("known gap open", "known gaps open"),
    GateStatus.GAP_CLOSED: ("known gap closed", "known gaps closed"),
    GateStatus.FLAKY: ("flaky", "flaky"),
    GateStatus.BOTH_FAILING: ("both failing", "both failing"),
    GateStatus.UNREACHABLE: ("unreachable", "unreachable"),
    GateStatus.NOT_CONFIGURED: ("not configured", "not configured"),
}
_STYLE = {
    GateStatus.REGRESSION: "bold red",
    GateStatus.CHANGED: "bold red",
    GateStatus.GAP_CLOSED: "bold yellow",
    GateStatus.UNREACHABLE: "bold magenta",
    GateStatus.FLAKY: "yellow",
    GateStatus.NOT_CONFIGURED: "yellow",
    GateStatus.BOTH_FAILING: "yellow",
    GateStatus.OPEN: "red",
    GateStatus.GAP_OPEN: "yellow",
    GateStatus.OK_FIXED: "green",
}
#: The outcomes whose input and new diff a Markdown report spells out.
_DETAILED = (GateStatus.REGRESSION, GateStatus.CHANGED, GateStatus.GAP_CLOSED)


def _counts(outcomes: Sequence[CIOutcome], *, always: bool) -> list[str]:
    counts = []
    for status in _COUNTED:
        count = sum(1 for o in outcomes if o.status is status)
        if count or (always and status in _ALWAYS_COUNTED):
            one, many = STATUS_WORDS[status]
            counts.append(f"{count} {one if count == 1 else many}")
    return counts


def _fixtures(count: int) -> str:
    return f"{count} fixture{'s' if count != 1 else ''}"


def gate_summary(result: CIResult) -> str:
    """``gate: 12 fixtures — 0 regressions, 0 changed, 9 open, 2 fixed, 1 known gap open``."""
    counts = ", ".join(_counts(result.gate, always=True))
    return f"gate: {_fixtures(len(result.gate))} — {counts}"


def surface_headline(surface: str, outcomes: Sequence[CIOutcome], new: int = 0) -> str:
    """``validator: 6 fixtures — 1 regression, 4 open, 1 known gap open``.

    A surface with nothing failing says ``ok`` first: ``embed: 8 fixtures — ok (6 open,
    2 fixed)``; ``new`` findings of the fuzz run on it fail it too.
    """
    counts = _counts(outcomes, always=False)
    if new:
        counts.insert(0, f"{new} new finding{'s' if new != 1 else ''}")
    head = f"{escape_text(surface)}: {_fixtures(len(outcomes))} — "
    if new or any(o.status.fails for o in outcomes):
        return head + ", ".join(counts)
    return head + (f"ok ({', '.join(counts)})" if counts else "ok")


def failing_items(result: CIResult) -> list[tuple[str, str, str, str]]:
    """Everything that fails the gate, each named: (what, surface, signature, fixture path).

    New findings of the fuzz run first (their fixtures are in ``new-fixtures/``),
    then regressions, changed divergences and closed gaps of the replay.
    """
    items: list[tuple[str, str, str, str]] = []
    if result.campaign is not None:
        for finding in result.campaign.new_findings:
            signature = f"{finding.signature.id} {finding.signature.label}"
            path = finding.fixture_path or f"(not saved: {finding.save_error or 'no corpus'})"
            items.append(("new finding", finding.surface, signature, path))
    for outcome in _ordered(result.regressions):
        fixture = outcome.case.fixture
        signature = f"{fixture.signature.id} {fixture.signature.label}"
        what = STATUS_WORDS[outcome.status][0]
        items.append((what, fixture.surface, signature, fixture_location(fixture)))
    return items


def fuzz_summary(result: CIResult) -> str:
    """One line about the seeded fuzz run that follows the gate (its findings are counted only)."""
    campaign = result.campaign
    if campaign is None:
        if any(o.status is GateStatus.UNREACHABLE for o in result.gate):
            return "fuzz run: skipped, a runtime was unreachable during the replay"
        return "fuzz run: not run (replay only)"
    new = result.new_findings
    text = f"fuzz run: {new} new finding{'s' if new != 1 else ''}"
    gaps = sum(1 for f in campaign.findings if f.status is FindingStatus.KNOWN_GAP)
    known = len(campaign.findings) - new - gaps
    if known:
        text += f" ({known} already in the corpus)"
    if gaps:
        text += f" ({gaps} known gap{'s' if gaps != 1 else ''})"
    if campaign.seed is not None:
        text += f", seed {campaign.seed}"
    if campaign.aborted:
        stopped = ", ".join(escape_text(s.surface) for s in campaign.aborted)
        text += f"; stopped early on {stopped}"
    return text


def gate_detail(outcome: CIOutcome) -> str:
    """What one gate row means and what to do about it (escaped, one line)."""
    case, fixture = outcome.case, outcome.case.fixture
    status = outcome.status
    if status is GateStatus.REGRESSION:
        text = f"fixed at {fixture.fixed_at}, diverges again"
    elif status is GateStatus.CHANGED:
        text = f"diverges differently: {case.detail}"
    elif status is GateStatus.GAP_CLOSED:
        text = gap_closed_hint()
    elif status is GateStatus.GAP_OPEN:
        text = f"known gap: {case.gap_reason or fixture.known_gap}"
    elif status is GateStatus.OPEN:
        found = f" (found {fixture.found_at})" if fixture.found_at else ""
        text = f"diverges as recorded{found}"
    elif status is GateStatus.OK_FIXED:
        text = (
            f"agrees, fixed since {fixture.fixed_at}"
            if fixture.fixed_at
            else "agrees now; `difffuzz replay --update` marks it fixed "
            "(a return is then a regression)"
        )
    else:
        text = case.detail or status.value.replace("_", " ")
    return escape_text(text)


def _ordered(outcomes: Sequence[CIOutcome]) -> list[CIOutcome]:
    return sorted(outcomes, key=lambda o: _ORDER.index(o.status))  # stable within a status


def config_path(result: CIResult) -> str | None:
    """The config the fuzz run read, for replay commands; ``None`` if there was none."""
    return result.campaign.config_path if result.campaign and result.campaign.config_path else None


# ---------------------------------------------------------------- console


def render_gate(result: CIResult, console: Console) -> None:
    """Print the gate table (failing rows first), the counts, the fuzz run line, problems.

    >>> import io
    >>> from difffuzz._replay import ReplayResult
    >>> console = Console(record=True, width=100, file=io.StringIO())
    >>> render_gate(CIResult(replay=ReplayResult()), console)
    >>> print(console.export_text().strip())
    gate: 0 fixtures — 0 regressions, 0 changed, 0 open, 0 fixed
    fuzz run: not run (replay only)
    """
    if result.gate:
        table = Table(title="difffuzz gate", title_justify="left")
        table.add_column("status", no_wrap=True)
        for name in ("surface", "signature", "fixture", "detail"):
            table.add_column(name, overflow="fold")
        previous: GateStatus | None = None
        for outcome in _ordered(result.gate):
            if previous is not None and outcome.status is not previous:
                table.add_section()
            previous = outcome.status
            fixture = outcome.case.fixture
            table.add_row(
                Text(STATUS_WORDS[outcome.status][0], style=_STYLE[outcome.status]),
                Text(escape_text(fixture.surface)),
                Text.assemble(
                    (fixture.signature.id, "dim"), " ", escape_text(fixture.signature.label)
                ),
                Text(fixture_location(fixture)),
                Text(gate_detail(outcome)),
            )
        console.print(table)
    failing = bool(result.regressions)
    console.print(
        Text(gate_summary(result), style="bold red" if failing else "bold"), soft_wrap=True
    )
    new = result.new_findings
    console.print(Text(fuzz_summary(result), style="bold red" if new else ""), soft_wrap=True)
    for what, surface, signature, path in failing_items(result):
        console.print(
            Text.assemble(
                (f"  {what}: ", "bold red"),
                (f"{escape_text(surface)} ", "bold"),
                escape_text(signature),
                (f" — {escape_text(path)}", "dim"),
            ),
            soft_wrap=True,
        )
    if result.replay.problems:
        console.print(Text("corpus problems:", style="bold red"))
        for problem in result.replay.problems:
            console.print(Text(f"  {escape_text(str(problem))}", style="red"), soft_wrap=True)


# ---------------------------------------------------------------- markdown


def _by_surface(outcomes: Sequence[CIOutcome]) -> dict[str, list[CIOutcome]]:
    grouped: dict[str, list[CIOutcome]] = {}
    for outcome in outcomes:
        grouped.setdefault(outcome.case.fixture.surface, []).append(outcome)
    return grouped


def _markdown_table(outcomes: Sequence[CIOutcome]) -> list[str]:
    lines = ["| status | surface | signature | fixture | detail |", "|---|---|---|---|---|"]
    for outcome in _ordered(outcomes):
        fixture = outcome.case.fixture
        status = STATUS_WORDS[outcome.status][0]
        if outcome.status.fails:
            status = f"**{status}**"
        lines.append(
            f"| {status} | {inline(fixture.surface)} "
            f"| {code_span(fixture.signature.id)} {inline(fixture.signature.label)} "
            f"| {code_span(fixture_location(fixture))} | {inline(gate_detail(outcome))} |"
        )
    return lines


def _outcome_markdown(outcome: CIOutcome, config: str | None) -> list[str]:
    case, fixture = outcome.case, outcome.case.fixture
    lines = [
        f"### {STATUS_WORDS[outcome.status][0]}: {inline(fixture.surface)} "
        f"{code_span(fixture.signature.id)}",
        "",
        f"- signature: {inline(fixture.signature.label)}",
        f"- fixture: {code_span(fixture_location(fixture))}",
        f"- {inline(gate_detail(outcome))}",
    ]
    new = case.observation.signature if case.observation is not None else None
    if new is not None and new != fixture.signature:
        lines.append(f"- now: {inline(new.label)}")
    input_type, input_text = describe_input(fixture.input)
    lines += ["", f"Input ({inline(input_type)}):", "", fenced(input_text, "python")]
    view = observation_diff(case)
    if view is not None:
        lines += ["", "New observation, side by side:", "", fenced(diff_text(view, width=120))]
    lines += ["", "Replay it:", "", fenced(replay_command(fixture, config), "bash")]
    return lines


def render_gate_markdown(result: CIResult, *, exit_code: int | None = None) -> str:
    """The gate as Markdown: a headline per surface, the table, then each failing fixture
    (and the exit code the CLI chose, when given)."""
    lines = ["# difffuzz gate", ""]
    grouped = _by_surface(result.gate)
    new = _new_by_surface(result)
    surfaces = list(dict.fromkeys([*grouped, *new]))
    lines += [
        f"- **{inline(surface_headline(s, grouped.get(s, []), new.get(s, 0)))}**" for s in surfaces
    ] or ["- the corpus holds no fixture for the configured surfaces"]
    summary = f"{inline(gate_summary(result))} · {inline(fuzz_summary(result))}"
    if exit_code is not None:
        summary += f" · exit code {code_span(str(exit_code))}"
    lines += ["", summary]
    failing = failing_items(result)
    if failing:
        lines += ["", "## What fails the gate", ""]
        lines += [
            f"- **{what}**: {inline(surface)} {inline(signature)} — {code_span(path)}"
            for what, surface, signature, path in failing
        ]
    if result.gate:
        lines += ["", *_markdown_table(result.gate)]
    detailed = [o for o in _ordered(result.gate) if o.status in _DETAILED]
    if detailed:
        lines += ["", "## Failing fixtures"]
        config = config_path(result)
        for outcome in detailed:
            lines += ["", *_outcome_markdown(outcome, config)]
    if result.replay.problems:
        lines += ["", "## Corpus problems", ""]
        lines += [f"- {inline(str(problem))}" for problem in result.replay.problems]
    return "\n".join(lines) + "\n"


def _new_by_surface(result: CIResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    if result.campaign is not None:
        for finding in result.campaign.new_findings:
            counts[finding.surface] = counts.get(finding.surface, 0) + 1
    return counts


def write_gate_markdown(
    result: CIResult, folder: str | os.PathLike[str], *, exit_code: int | None = None
) -> Path:
    """Write :func:`render_gate_markdown` to ``<folder>/difffuzz-gate.md`` atomically."""
    document = render_gate_markdown(result, exit_code=exit_code)
    return write_text_atomic(Path(folder) / GATE_FILENAME, document)
