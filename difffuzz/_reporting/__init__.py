"""Reporters: they read a :class:`~difffuzz._results.CampaignResult` and nothing else.

Each format draws a finding from the same :class:`FindingView` (see
:mod:`difffuzz._reporting.finding`), so a replay report can reuse the pieces:
``finding_renderable`` (console), ``finding_markdown``, ``finding_card`` (HTML)
and ``finding_text`` (JUnit, logs).

The replay, CI-gate and corpus views (``replay.py``, ``gate.py``, ``corpus.py``)
read :class:`~difffuzz._replay.ReplayResult`, :class:`~difffuzz._ci.CIResult`
and :class:`~difffuzz._fixture.Fixture` records with the same pieces.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from difffuzz._reporting.console import (
    finding_renderable,
    print_finding,
    render_campaign,
)
from difffuzz._reporting.diffview import (
    DiffRow,
    DiffView,
    build_diff,
    diff_renderable,
    diff_text,
    escape_text,
)
from difffuzz._reporting.finding import FindingView, describe_input, view_finding
from difffuzz._reporting.fixtures import render_fixture, render_fixture_list
from difffuzz._reporting.gate import render_gate, render_gate_markdown, write_gate_markdown
from difffuzz._reporting.html import finding_card, render_html, write_html
from difffuzz._reporting.json_report import dumps_report, write_json, write_text_atomic
from difffuzz._reporting.junit import finding_text, render_junit, write_junit
from difffuzz._reporting.markdown import finding_markdown, headline, render_markdown, write_markdown
from difffuzz._reporting.progress import ProgressReporter
from difffuzz._reporting.replay import render_replay, write_replay_json
from difffuzz._repro import RequestRenderer
from difffuzz._results import CampaignResult

__all__ = [
    "DiffRow",
    "DiffView",
    "FindingView",
    "ProgressReporter",
    "build_diff",
    "describe_input",
    "diff_renderable",
    "diff_text",
    "dumps_report",
    "escape_text",
    "finding_card",
    "finding_markdown",
    "finding_renderable",
    "finding_text",
    "headline",
    "print_finding",
    "render_campaign",
    "render_fixture",
    "render_fixture_list",
    "render_gate",
    "render_gate_markdown",
    "render_html",
    "render_junit",
    "render_markdown",
    "render_replay",
    "report_stem",
    "view_finding",
    "write_gate_markdown",
    "write_html",
    "write_json",
    "write_junit",
    "write_markdown",
    "write_replay_json",
    "write_reports",
    "write_text_atomic",
]


def report_stem(result: CampaignResult) -> str:
    """``difffuzz-20240501T101500`` from the campaign's start time (filename-safe)."""
    stamp = re.sub(r"[^0-9A-Za-z]", "", result.started_at.split(".")[0].split("+")[0])
    return f"difffuzz-{stamp}" if stamp else "difffuzz"


def write_reports(
    result: CampaignResult,
    directory: str | os.PathLike[str],
    *,
    render: RequestRenderer | None = None,
    stem: str | None = None,
    exit_code: int | None = None,
) -> dict[str, Path]:
    """Write JSON, Markdown, HTML and JUnit reports side by side in ``directory``.

    ``exit_code`` is the one the CLI chose (:mod:`difffuzz._exit`), shown in each.
    Returns ``{"json": ..., "markdown": ..., "html": ..., "junit": ...}``.
    """
    base = Path(directory) / (stem or report_stem(result))
    path = base.with_name
    return {
        "json": write_json(result, path(base.name + ".json"), exit_code=exit_code),
        "markdown": write_markdown(
            result, path(base.name + ".md"), render=render, exit_code=exit_code
        ),
        "html": write_html(result, path(base.name + ".html"), render=render, exit_code=exit_code),
        "junit": write_junit(result, base.with_name(base.name + ".junit.xml"), render=render),
    }
