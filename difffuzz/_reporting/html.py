"""One self-contained HTML page per campaign: charts, a breakdown, and finding cards.

No script and nothing fetched: CSS is inline, charts are SVG drawn here, and a
Content-Security-Policy forbids scripts outright, so even a hostile input that
slipped past escaping could not run. Every string from a runtime or an input is
passed through :func:`escape_text` (control characters, invalid UTF-8) and then
:func:`html.escape`.
"""

from __future__ import annotations

import html
import itertools
import math
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from difffuzz._reporting.diffview import DiffView, escape_text
from difffuzz._reporting.finding import FindingView, view_finding
from difffuzz._reporting.json_report import write_text_atomic
from difffuzz._reporting.markdown import (
    CAUSE_COLUMNS,
    candidates_sentence,
    cause_rows,
    divergence_count,
    headline,
)
from difffuzz._repro import RequestRenderer
from difffuzz._results import CampaignResult, SurfaceResult

__all__ = ["finding_card", "render_html", "write_html"]

_PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777")
_VERDICT_COLOURS = (
    ("matches", "#16a34a"),
    ("divergent", "#dc2626"),
    ("both failed", "#ca8a04"),
    ("infra", "#6b7280"),
)

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1f2937}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{margin:0 0 4px}h2{margin:32px 0 8px;border-bottom:1px solid #d1d5db;padding-bottom:4px}
.facts{color:#6b7280}.headline{font-size:16px;margin:2px 0}
.ok{color:#15803d}.bad{color:#b91c1c}.warn{color:#a16207}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:16px}
.chart{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:8px}
.chart h3{margin:0 0 4px;font-size:14px}
table.stats{border-collapse:collapse;background:#fff;width:100%}
table.stats td,table.stats th{border:1px solid #e5e7eb;padding:4px 8px;text-align:right}
table.stats td:first-child,table.stats th:first-child,table.stats td:nth-child(2){text-align:left}
.card{background:#fff;border:1px solid #e5e7eb;border-left:6px solid #dc2626;border-radius:8px;
padding:12px 16px;margin:16px 0}
.card.known_gap{border-left-color:#ca8a04}.card.known{border-left-color:#f87171}
.card h3{margin:0 0 6px;font-size:15px;word-break:break-all}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;margin-right:4px;
background:#e5e7eb}.badge.new{background:#fee2e2;color:#991b1b}
.badge.known_gap{background:#fef3c7;color:#92400e}.badge.known{background:#fecaca}
pre{background:#f3f4f6;padding:8px;border-radius:6px;overflow-x:auto;white-space:pre-wrap;
word-break:break-all;margin:4px 0}
table.diff{border-collapse:collapse;width:100%;font:12px/1.35 ui-monospace,monospace;
table-layout:fixed}
table.diff td,table.diff th{padding:1px 6px;vertical-align:top;white-space:pre-wrap;
word-break:break-all;border-right:1px solid #e5e7eb}
table.diff th{text-align:left;background:#f3f4f6}table.diff td.m{text-align:center;padding:1px 0}
table.diff col.m{width:2.2ch}table.diff col.side{width:calc(50% - 1.1ch)}
tr.bang td{background:#fee2e2}tr.tilde td{background:#fef9c3}tr.gap td{color:#9ca3af}
ul.diffs{margin:4px 0;padding-left:20px;font-family:ui-monospace,monospace;font-size:12px}
details summary{cursor:pointer;font-weight:600;margin-top:6px}
svg text{font:12px system-ui,sans-serif;fill:#374151}svg text.axis{font-weight:600}
svg text.legend{font-size:12px}
"""


def _e(text: object) -> str:
    return html.escape(escape_text(str(text)), quote=True)


def _pre(text: str) -> str:
    """A ``<pre>`` block: like :func:`_e` but line breaks kept (commands span lines)."""
    return f"<pre>{html.escape(escape_text(text, keep_newlines=True), quote=True)}</pre>"


def _nice_max(value: float) -> float:
    """The smallest 1/2/5×10ⁿ at or above ``value``, for an axis end."""
    if value <= 0:
        return 1.0
    step = 1.0
    while step * 10 <= value:
        step *= 10
    while step > value * 10:
        step /= 10
    for factor in (1, 2, 5, 10):
        if factor * step >= value:
            return factor * step
    return 10 * step


def _line_chart(
    title: str,
    series: Sequence[tuple[str, str, Sequence[tuple[float, float]]]],
    unit: str,
    *,
    steps: bool = False,
) -> str:
    """A small SVG line chart; ``series`` is ``(name, colour, [(x, y), ...])`` per line.

    x is campaign time in seconds, so surfaces that ran one after another sit one
    after another. The axis titles and the legend sit outside the plot, in margins
    wide enough for their text. ``steps`` draws a count that changes in jumps
    (distinct findings) as a staircase, and puts the y ticks on whole numbers.
    """
    series = [line for line in series if line[2]]
    points = [p for _, _, values in series for p in values]
    if not points:
        return (
            f'<div class="chart"><h3>{_e(title)}</h3><p class="facts">no samples recorded</p></div>'
        )
    rows = math.ceil(len(series) / 3)
    width, left, right, top = 560, 64, 18, 12
    plot_h = 190
    bottom = 44 + 18 * rows  # tick labels, the axis title, then the legend
    height = top + plot_h + bottom
    plot_w = width - left - right
    x_max = _nice_max(max(x for x, _ in points))
    peak = max(y for _, y in points)
    y_max = 4.0 * max(1, math.ceil(peak / 4)) if steps else _nice_max(peak)

    def px(x: float) -> float:
        return left + x / x_max * plot_w

    def py(y: float) -> float:
        return top + plot_h - y / y_max * plot_h

    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{_e(title)}">'
    ]
    for tick in range(5):
        y, x = tick / 4 * y_max, tick / 4 * x_max
        grid_y = f"{py(y):.1f}"
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{grid_y}" y2="{grid_y}" stroke="#ddd"/>'
        )
        parts.append(
            f'<text class="tick" x="{left - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:g}</text>'
        )
        parts.append(
            f'<text class="tick" x="{px(x):.1f}" y="{top + plot_h + 16}" '
            f'text-anchor="middle">{x:g}</text>'
        )
    parts.append(
        f'<text class="axis" x="{left + plot_w / 2:.1f}" y="{top + plot_h + 34}" '
        'text-anchor="middle">campaign time (s)</text>'
    )
    middle = top + plot_h / 2
    parts.append(
        f'<text class="axis" x="14" y="{middle:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {middle:.1f})">{_e(unit)}</text>'
    )
    for n, (name, colour, values) in enumerate(series):
        corners: list[tuple[float, float]] = []
        for x, y in values:
            if steps and corners:
                corners.append((x, corners[-1][1]))
            corners.append((x, y))
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in corners)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        parts += [
            f'<circle class="point" cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.5" fill="{colour}">'
            f"<title>{_e(name)}: {y:g} at {x:g}s</title></circle>"
            for x, y in values
        ]
        row, column = divmod(n, 3)
        lx, ly = left + column * (plot_w / 3), top + plot_h + 54 + 18 * row
        parts.append(
            f'<rect x="{lx:.1f}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text class="legend" x="{lx + 14:.1f}" y="{ly}">{_e(name[:24])}</text>'
        )
    parts.append("</svg>")
    return f'<div class="chart"><h3>{_e(title)}</h3>{"".join(parts)}</div>'


def _bar_chart(
    title: str, rows: Sequence[tuple[str, Sequence[tuple[str, float, str]]]], legend: str = ""
) -> str:
    """Horizontal (stacked) bars: ``(label, [(segment name, value, colour), ...])`` per row.

    ``legend`` is trusted HTML built here (never from data).
    """
    heading = f"<h3>{_e(title)} {legend}</h3>"
    if not rows:
        return f'<div class="chart">{heading}<p class="facts">nothing to show</p></div>'
    width, label_w, row_h = 520, 130, 24
    total_max = max(sum(v for _, v, _ in segments) for _, segments in rows) or 1.0
    height = row_h * len(rows) + 8
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{_e(title)}">'
    ]
    for n, (label, segments) in enumerate(rows):
        y = 4 + n * row_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{_e(label[:22])}</text>'
        )
        x = float(label_w)
        for name, value, colour in segments:
            w = value / total_max * (width - label_w - 60)
            if w > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}"'
                    f' fill="{colour}">'
                    f"<title>{_e(name)}: {value:g}</title></rect>"
                )
            x += w
        total = sum(v for _, v, _ in segments)
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 15}">{total:g}</text>')
    parts.append("</svg>")
    return f'<div class="chart">{heading}{"".join(parts)}</div>'


def _rates(timeline: Sequence[tuple[float, int, int]]) -> list[tuple[float, float]]:
    rates = []
    for (t0, n0, _), (t1, n1, _) in itertools.pairwise(timeline):
        if t1 > t0:
            rates.append((t1, (n1 - n0) / (t1 - t0)))
    return rates


def _charts(surfaces: Sequence[SurfaceResult]) -> str:
    # A surface keeps its colour in every chart, whichever surfaces have samples.
    colours = [_PALETTE[n % len(_PALETTE)] for n in range(len(surfaces))]
    # Campaign time: each surface's samples start where the surface started.
    found = [
        (s.surface, c, [(s.started_s + t, float(d)) for t, _, d in s.timeline])
        for s, c in zip(surfaces, colours, strict=True)
    ]
    rates = [
        (s.surface, c, [(s.started_s + t, r) for t, r in _rates(s.timeline)])
        for s, c in zip(surfaces, colours, strict=True)
    ]
    verdicts = [
        (
            s.surface,
            [
                (name, float(value), colour)
                for (name, colour), value in zip(
                    _VERDICT_COLOURS,
                    (
                        s.stats.matches,
                        s.stats.divergent_examples,
                        s.stats.both_failed,
                        s.stats.infra_errors,
                    ),
                    strict=True,
                )
            ],
        )
        for s in surfaces
    ]
    findings = [f for s in surfaces for f in s.findings]
    categories = Counter(f.signature.category for f in findings)
    kinds = Counter(kind for f in findings for kind, _, _ in f.signature.parts)
    legend = " ".join(f'<span style="color:{c}">■ {n}</span>' for n, c in _VERDICT_COLOURS)
    return (
        '<div class="charts">'
        + _line_chart(
            "Distinct divergences found over the campaign",
            found,
            "distinct divergences",
            steps=True,
        )
        + _line_chart("Examples per second over the campaign", rates, "examples per second")
        + _bar_chart("Examples by surface and verdict", verdicts, legend)
        + _bar_chart(
            "Findings by category",
            [
                (c, [(c, float(n), _PALETTE[i % 8])])
                for i, (c, n) in enumerate(categories.most_common())
            ],
        )
        + _bar_chart(
            "Differences by kind (across signatures)",
            [(k, [(k, float(n), _PALETTE[i % 8])]) for i, (k, n) in enumerate(kinds.most_common())],
        )
        + "</div>"
    )


_DIFF_COLUMNS = '<colgroup><col class="m"><col class="side"><col class="side"></colgroup>'


def _diff_table(view: DiffView) -> str:
    classes = {"!": "bang", "~": "tilde", "…": "gap", " ": ""}
    heads = "".join(
        f'<th class="{classes[view.status_marker]}">{_e(name)}: {_e(status)}</th>'
        for name, status in zip(view.runtimes, view.statuses, strict=True)
    )
    # The marker column is as wide as its one character: with table-layout:fixed the
    # widths come from the first row, which would otherwise split the width in three.
    rows = [_DIFF_COLUMNS, f"<tr><th></th>{heads}</tr>"]
    for row in view.rows:
        rows.append(
            f'<tr class="{classes[row.marker]}"><td class="m">{_e(row.marker)}</td>'
            f"<td>{_e(row.left or '')}</td><td>{_e(row.right or '')}</td></tr>"
        )
    if view.raw_rows:
        # The rows above are the normalised answers; the raw ones sit behind a toggle.
        rows.append(
            '<tr><td></td><td colspan="2"><details><summary>raw answers (before the '
            'normalize steps)</summary><table class="diff">'
            + _DIFF_COLUMNS
            + "".join(
                f'<tr class="{classes[row.marker]}"><td class="m">{_e(row.marker)}</td>'
                f"<td>{_e(row.left or '')}</td><td>{_e(row.right or '')}</td></tr>"
                for row in view.raw_rows
            )
            + "</table></details></td></tr>"
        )
    extra = ""
    if view.differences:
        extra += (
            '<ul class="diffs">' + "".join(f"<li>{_e(d)}</li>" for d in view.differences) + "</ul>"
        )
    if view.ignored:
        extra += (
            f"<p>Differed but ignored by the rule: <code>{_e(', '.join(view.ignored))}</code></p>"
        )
    extra += "".join(f'<p class="facts">{_e(note)}</p>' for note in view.notes)
    return f'<table class="diff">{"".join(rows)}</table>{extra}'


def finding_card(view: FindingView) -> str:
    """One finding as an HTML card (reusable for a replay page)."""
    status_class = view.status.split(":", 1)[0].replace(" ", "_")
    commands = [f"# {r.runtime}\n{r.command}" for r in view.reproductions]
    if view.replay:
        commands.append(f"# both runtimes, judged by the saved rule\n{view.replay}")
    facts = [
        f"surface <b>{_e(view.surface)}</b>",
        f"signature <code>{_e(view.signature_id)}</code>",
    ]
    if view.fixture:
        facts.append(f"fixture <code>{_e(view.fixture)}</code>")
    facts += [_e(note) for note in view.notes]
    reproduce = "\n".join(commands) or "(no request renderer was given for this surface)"
    return (
        f'<section class="card {_e(status_class)}" id="f-{_e(view.signature_id)}">'
        f"<h3>{_e(view.label)}</h3>"
        f'<span class="badge">{_e(view.category)}</span>'
        f'<span class="badge {_e(status_class)}">{_e(view.status)}</span>'
        f'<p class="facts">{" · ".join(facts)}</p>'
        f"<details open><summary>Minimal input ({_e(view.input_type)})</summary>"
        f"{_pre(view.input_text)}</details>"
        f"<details open><summary>Side by side</summary>{_diff_table(view.diff)}</details>"
        f"<details><summary>Reproduce (bash)</summary>{_pre(reproduce)}"
        f"<p>As a Hypothesis example:</p>{_pre(view.example)}</details>"
        "</section>"
    )


def _surface_section(surface: SurfaceResult, render: RequestRenderer | None) -> str:
    spec = surface.compare_spec
    rules = [f"rule <code>{_e(spec.rule)}</code>"]
    rules.append(
        "ignored paths " + (", ".join(f"<code>{_e(p)}</code>" for p in spec.ignore) or "none")
    )
    if spec.select_left or spec.select_right:
        left, right = _e(spec.select_left or "/"), _e(spec.select_right or "/")
        rules.append(f"compared <code>{left}</code> with <code>{right}</code>")
    rules += [f"{_e(k)} <code>{_e(repr(v))}</code>" for k, v in sorted(spec.params.items())]
    if surface.learned_noise:
        rules.append(
            "learned noise " + ", ".join(f"<code>{_e(p)}</code>" for p in surface.learned_noise)
        )
    cards = "".join(finding_card(view_finding(f, render)) for f in surface.findings)
    aborted = f'<p class="bad">Stopped early: {_e(surface.aborted)}</p>' if surface.aborted else ""
    return (
        f'<h2 id="s-{_e(surface.surface)}">{_e(surface.surface)}</h2>'
        f'<p class="headline">{_e(headline(surface))}</p>{aborted}'
        f'<p class="facts">{" · ".join(rules)}</p>'
        f"{_infra_events(surface)}{_causes_table(surface)}{cards}"
    )


def _infra_events(surface: SurfaceResult) -> str:
    """The first few infrastructure errors: which runtime, where, and what failed."""
    if not surface.infra_events:
        return ""
    shown = surface.infra_events[:5]
    items = "".join(
        f"<li>{_e(event.runtime)} at <code>{_e(event.target)}</code>: "
        f"{_e(event.failure)}: {_e(event.detail)}</li>"
        for event in shown
    )
    return f'<p class="warn">Infrastructure errors (first {len(shown)}):</p><ul>{items}</ul>'


def _causes_table(surface: SurfaceResult) -> str:
    """The causes found, one row each, linked to their cards (Markdown has the same)."""
    rows = cause_rows(surface)
    if not rows:
        return ""
    header = "".join(f"<th>{_e(name)}</th>" for name in CAUSE_COLUMNS)
    body = "".join(
        f'<tr><td><a href="#f-{_e(finding.signature.id)}">{_e(finding.signature.label)}</a>'
        f" <code>{_e(finding.signature.id)}</code></td>"
        + "".join(f"<td>{_e(cell)}</td>" for cell in cells)
        + "</tr>"
        for finding, cells in rows
    )
    return (
        f'<table class="stats causes"><tr>{header}</tr>{body}</table>'
        f'<p class="facts">{_e(candidates_sentence(surface))}</p>'
    )


def render_html(
    result: CampaignResult, *, render: RequestRenderer | None = None, exit_code: int | None = None
) -> str:
    """The whole campaign as one self-contained HTML page (with the CLI's exit code, if given)."""
    exit_class = {0: "ok", 1: "bad"}.get(exit_code or 0, "warn")
    shown_exit = (
        f' · <b class="{exit_class}">exit code {exit_code}</b>' if exit_code is not None else ""
    )
    headlines = "".join(
        f'<p class="headline {"bad" if s.failing_findings or s.aborted else "ok"}">'
        f"{_e(headline(s))}</p>"
        for s in result.surfaces
    )
    facts = [
        f"{name} {_e(value)}"
        for name, value in (
            ("started", result.started_at),
            ("finished", result.finished_at),
            ("seed", "" if result.seed is None else result.seed),
            ("config", result.config_path),
            ("corpus", result.corpus_dir),
            ("difffuzz", result.difffuzz_version),
            ("hypothesis", result.hypothesis_version),
        )
        if value != ""
    ]
    columns = "surface,runtimes,examples,matches,distinct divergences,both failed,infra errors"
    columns += ",examples/s"
    header = "".join(f"<th>{name}</th>" for name in columns.split(","))
    rows = "".join(
        f'<tr><td><a href="#s-{_e(s.surface)}">{_e(s.surface)}</a></td>'
        f"<td>{_e(' vs '.join(s.runtimes))}</td>"
        f"<td>{s.stats.examples}</td><td>{s.stats.matches}</td><td>{divergence_count(s)}</td>"
        f"<td>{s.stats.both_failed}</td><td>{s.stats.infra_errors}</td><td>{s.stats.rate:.1f}</td></tr>"
        for s in result.surfaces
    )
    sections = "".join(_surface_section(s, render) for s in result.surfaces)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>difffuzz report {_e(result.started_at)}</title><style>{_CSS}</style>"
        "</head><body><main>"
        f'<h1>difffuzz report</h1><p class="facts">{" · ".join(facts)}{shown_exit}</p>'
        f"{headlines}"
        f"{_charts(result.surfaces)}"
        f'<h2>Surfaces</h2><table class="stats"><tr>{header}</tr>{rows}</table>{sections}'
        "</main></body></html>\n"
    )


def write_html(
    result: CampaignResult,
    path: str | os.PathLike[str],
    *,
    render: RequestRenderer | None = None,
    exit_code: int | None = None,
) -> Path:
    """Write :func:`render_html` to ``path`` atomically; returns the path."""
    return write_text_atomic(path, render_html(result, render=render, exit_code=exit_code))
