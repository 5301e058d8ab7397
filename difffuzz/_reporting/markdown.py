"""The Markdown report, in the team's probe style.

A headline per surface ("embed: 412/412 examples match"), a table, then each
finding with its minimal input, a side-by-side diff in a fenced block, how to
reproduce it, and the ignore rules and learned noise that were applied: the team
only trusts a parity claim whose normalisations are in plain sight.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from difffuzz._comparators.base import CompareSpec
from difffuzz._reporting.diffview import diff_text, escape_text
from difffuzz._reporting.finding import FindingView, view_finding
from difffuzz._reporting.json_report import write_text_atomic
from difffuzz._repro import RequestRenderer
from difffuzz._results import CampaignResult, Finding, SurfaceResult

__all__ = [
    "code_span",
    "divergence_count",
    "fenced",
    "finding_markdown",
    "headline",
    "render_markdown",
    "spec_lines",
    "write_markdown",
]

# Enough to keep text literal in a paragraph, heading or table cell: emphasis,
# code, links, raw HTML, table pipes and strikethrough.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def inline(text: str) -> str:
    """Escape text for a Markdown paragraph, heading or table cell (one line)."""
    flat = escape_text(text).replace("\n", " ")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat).replace("&", "&amp;")


def code_span(text: str) -> str:
    """An inline code span that survives backticks and table pipes in ``text``.

    >>> code_span("a`b|c")
    '`` a`b\\\\|c ``'
    """
    flat = escape_text(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", flat)), default=0)
    if longest == 0:
        return f"`{flat}`"
    fence = "`" * (longest + 1)
    return f"{fence} {flat} {fence}"


def fenced(text: str, language: str = "text") -> str:
    """A fenced code block longer than any backtick run inside ``text``."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def headline(surface: SurfaceResult) -> str:
    """``embed: 412/412 examples match`` or ``validator: 37/412 examples diverge (2 distinct)``."""
    stats = surface.stats
    name = escape_text(surface.surface)
    if stats.examples == 0:
        text = f"{name}: no examples ran"
    elif not surface.findings and stats.divergent_examples == 0:
        text = f"{name}: {stats.matches}/{stats.examples} examples match"
    else:
        distinct = len(surface.findings)
        gaps = distinct - len(surface.failing_findings)
        text = f"{name}: {stats.divergent_examples}/{stats.examples} examples diverge"
        text += f" ({distinct} distinct divergence{'s' if distinct != 1 else ''}"
        text += f", {gaps} known gap{'s' if gaps != 1 else ''})" if gaps else ")"
    extras = []
    if stats.both_failed:
        extras.append(f"{stats.both_failed} both failed")
    if stats.infra_errors:
        extras.append(f"{stats.infra_errors} infra error{'s' if stats.infra_errors != 1 else ''}")
    if extras:
        text += ", " + ", ".join(extras)
    if surface.aborted:
        text += f", stopped early: {escape_text(surface.aborted)}"
    return text


def divergence_count(surface: SurfaceResult) -> str:
    """``2`` or ``2 (1 known gap)``: distinct divergences, with the accepted ones named."""
    gaps = len(surface.findings) - len(surface.failing_findings)
    suffix = f" ({gaps} known gap{'s' if gaps != 1 else ''})" if gaps else ""
    return f"{len(surface.findings)}{suffix}"


def spec_lines(spec: CompareSpec, learned_noise: Sequence[str] = ()) -> list[str]:
    """The comparison rule and every normalisation, as Markdown bullets."""
    lines = [f"- rule: {code_span(spec.rule)}"]
    if spec.ignore:
        lines.append("- ignored paths: " + ", ".join(code_span(p) for p in spec.ignore))
    else:
        lines.append("- ignored paths: none")
    if spec.select_left or spec.select_right:
        lines.append(
            f"- compared: {code_span(spec.select_left or '/')} (left) "
            f"with {code_span(spec.select_right or '/')} (right)"
        )
    for key, value in sorted(spec.params.items()):
        lines.append(f"- {inline(str(key))}: {code_span(repr(value))}")
    if learned_noise:
        noise = ", ".join(code_span(p) for p in learned_noise)
        lines.append(
            f"- learned noise (differs between two calls of one runtime, ignored): {noise}"
        )
    return lines


def finding_markdown(view: FindingView, level: int = 3) -> str:
    """One finding: heading, facts, minimal input, diff, reproduction."""
    lines = [
        f"{'#' * level} {inline(view.label)} {code_span(view.signature_id)}",
        "",
        f"- surface: {inline(view.surface)}",
        f"- category: **{view.category}**",
        f"- status: **{inline(view.status)}**",
    ]
    if view.fixture:
        lines.append(f"- fixture: {code_span(view.fixture)}")
    lines += [f"- {inline(note)}" for note in view.notes]
    lines += [
        "",
        f"Minimal input ({inline(view.input_type)}):",
        "",
        fenced(view.input_text, "python"),
    ]
    lines += ["", "Side by side:", "", fenced(diff_text(view.diff, width=120))]
    commands = [f"# {r.runtime}\n{r.command}" for r in view.reproductions]
    if view.replay:
        commands.append(f"# both runtimes, judged by the saved rule\n{view.replay}")
    if commands:
        lines += ["", "Reproduce (bash):", "", fenced("\n".join(commands), "bash")]
    lines += ["", "As a Hypothesis example:", "", fenced(view.example, "python")]
    return "\n".join(lines)


def _table(surfaces: Sequence[SurfaceResult]) -> list[str]:
    lines = [
        "| surface | runtimes | examples | matches | distinct divergences "
        "| both failed | infra errors | examples/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in surfaces:
        stats = s.stats
        lines.append(
            f"| {inline(s.surface)} | {inline(' vs '.join(s.runtimes))} | {stats.examples} "
            f"| {stats.matches} | {divergence_count(s)} | {stats.both_failed} "
            f"| {stats.infra_errors} | {stats.rate:.1f} |"
        )
    return lines


#: The columns of a surface's table of causes (:func:`cause_rows`).
CAUSE_COLUMNS = ("cause", "status", "examples", "shrink calls", "candidates merged", "shrunk")


def cause_rows(surface: SurfaceResult) -> list[tuple[Finding, tuple[str, ...]]]:
    """Per cause found: its finding and the cells after the first column of the table
    of causes (its status, examples, shrink calls, candidates merged into it, shrunk)."""
    return [
        (
            finding,
            (
                finding.status.value,
                str(finding.occurrences),
                str(finding.shrink_calls),
                str(finding.merged),
                "yes" if finding.shrunk else "no",
            ),
        )
        for finding in surface.findings
    ]


def candidates_sentence(surface: SurfaceResult) -> str:
    """How many candidates the search inside known buckets examined, and merged."""
    return (
        "Candidates (examples in known buckets shrunk in search of a new cause): "
        f"{surface.candidates_examined} examined, {surface.candidates_merged} turned out "
        "to be a known cause."
    )


def causes_lines(surface: SurfaceResult) -> list[str]:
    """One row per cause found (its examples, shrink calls and candidates merged into
    it), and how many candidates the search inside known buckets examined."""
    rows = cause_rows(surface)
    if not rows:
        return []
    lines = [
        "| " + " | ".join(CAUSE_COLUMNS) + " |",
        "|---|---|---:|---:|---:|---|",
    ]
    for finding, cells in rows:
        label = f"{inline(finding.signature.label)} {code_span(finding.signature.id)}"
        lines.append("| " + " | ".join((label, *(inline(cell) for cell in cells))) + " |")
    return [*lines, "", candidates_sentence(surface)]


def render_markdown(
    result: CampaignResult, *, render: RequestRenderer | None = None, exit_code: int | None = None
) -> str:
    """The whole campaign as one Markdown document."""
    lines = ["# difffuzz report", ""]
    lines += [f"- **{inline(headline(s))}**" for s in result.surfaces] or ["- no surface ran"]
    facts = [
        ("started", result.started_at),
        ("finished", result.finished_at),
        ("seed", "" if result.seed is None else str(result.seed)),
        ("config", result.config_path),
        ("corpus", result.corpus_dir),
        ("difffuzz", result.difffuzz_version),
        ("hypothesis", result.hypothesis_version),
    ]
    shown = [f"{name} {code_span(value)}" for name, value in facts if value]
    if exit_code is not None:  # the CLI's choice (difffuzz._exit), shown as it chose it
        shown.append(f"exit code {code_span(str(exit_code))}")
    lines += ["", " · ".join(shown), ""]
    lines += _table(result.surfaces)
    for surface in result.surfaces:
        lines += ["", f"## {inline(surface.surface)}", "", inline(headline(surface)), ""]
        lines += spec_lines(surface.compare_spec, surface.learned_noise)
        if surface.infra_events:
            lines += ["", f"Infrastructure errors (first {min(5, len(surface.infra_events))}):", ""]
            for event in surface.infra_events[:5]:
                lines.append(
                    f"- {inline(event.runtime)} at {code_span(event.target)}: "
                    f"{inline(event.failure)}: {inline(event.detail)}"
                )
        causes = causes_lines(surface)
        if causes:
            lines += ["", "Causes:", "", *causes]
        for finding in surface.findings:
            lines += ["", finding_markdown(view_finding(finding, render))]
    return "\n".join(lines) + "\n"


def write_markdown(
    result: CampaignResult,
    path: str | os.PathLike[str],
    *,
    render: RequestRenderer | None = None,
    exit_code: int | None = None,
) -> Path:
    """Write :func:`render_markdown` to ``path`` atomically; returns the path."""
    return write_text_atomic(path, render_markdown(result, render=render, exit_code=exit_code))
