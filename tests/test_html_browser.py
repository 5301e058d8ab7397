"""The HTML report rendered by a real browser: headless Chromium (Debian's ``chromium``).

A small real campaign (two surfaces, one after the other, against two loopback
JSON services that differ) is written as HTML, loaded in Chromium, screenshot,
and checked on the rendered page: no console message or error, every line chart
has data points, the x-axis is campaign time (the second surface's points start
after the first's), no chart text is clipped by its SVG, and the side-by-side
diff gives its width to the two sides, not to the marker column.

The test skips, saying why, only where Chromium is not installed; ``.ci/run``
installs it with apt, so CI always runs it. ``DIFFFUZZ_SCREENSHOT=path.png``
keeps the screenshot for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from difffuzz import Corpus, load_config, run_campaign
from difffuzz._cli import cli
from difffuzz._reporting import write_html
from difffuzz._results import CampaignResult
from tests.support.chromium import HeadlessChromium, chromium_path
from tests.support.json_echo import echo_json, echo_json_dropping_short_keys
from tests.support.loopback import LoopbackServer

CHROMIUM = chromium_path()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed here (.ci/run installs Debian's chromium with apt-get)",
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML report of a two-surface campaign that finds something on each."""
    folder = tmp_path_factory.mktemp("html-report")
    with (
        LoopbackServer(echo_json) as left,
        LoopbackServer(echo_json_dropping_short_keys) as right,
    ):
        written = CliRunner().invoke(
            cli,
            ["init", "http", "--left", left.url, "--right", right.url,
             "-o", str(folder / "difffuzz.toml"), "-q"],
        )  # fmt: skip
        assert written.exit_code == 0, written.output
        text = (folder / "difffuzz.toml").read_text(encoding="utf-8")
        # A second surface, the same endpoints: the charts then have two series.
        second = text[text.index("[surfaces.api]") :].replace("surfaces.api", "surfaces.api_again")
        (folder / "difffuzz.toml").write_text(text + "\n" + second, encoding="utf-8")
        config = load_config(folder / "difffuzz.toml").override(max_examples=60, seed=7)
        result: CampaignResult = run_campaign(config, corpus=Corpus(folder / "corpus"))
    assert [s.surface for s in result.surfaces] == ["api", "api_again"]
    assert all(s.findings for s in result.surfaces)
    return write_html(result, folder / "report.html")


@pytest.fixture(scope="module")
def page(report: Path) -> Iterator[HeadlessChromium]:
    assert CHROMIUM is not None
    with HeadlessChromium(CHROMIUM) as browser:
        browser.load(report)
        yield browser


def test_the_page_renders_without_console_messages(
    page: HeadlessChromium, report: Path, tmp_path: Path
) -> None:
    shot = page.screenshot(tmp_path / "report.png")
    assert shot.stat().st_size > 10_000  # a page with charts, not a blank one
    keep = os.environ.get("DIFFFUZZ_SCREENSHOT")
    if keep:  # for a person to look at after the run
        shutil.copyfile(shot, keep)
    assert page.console == []
    assert page.evaluate("document.title").startswith("difffuzz report")


def _series_points(page: HeadlessChromium, chart: int) -> dict[str, list[float]]:
    """The x (seconds) of every point of the ``chart``-th line chart, by series name."""
    titles: list[str] = page.evaluate(
        f"""[...document.querySelectorAll('.chart')[{chart}].querySelectorAll('circle.point')]
            .map(c => c.querySelector('title').textContent)"""
    )
    points: dict[str, list[float]] = {}
    for title in titles:
        name, rest = title.split(": ", 1)
        points.setdefault(name, []).append(float(rest.rsplit(" at ", 1)[1].removesuffix("s")))
    return points


@pytest.mark.parametrize("chart", [0, 1])
def test_the_line_charts_have_points_on_campaign_time(page: HeadlessChromium, chart: int) -> None:
    points = _series_points(page, chart)
    assert set(points) == {"api", "api_again"}
    assert all(len(xs) >= 2 for xs in points.values())
    # The second surface ran after the first: on campaign time its points come later.
    assert min(points["api_again"]) >= max(points["api"]) - 0.5
    drawn: list[dict[str, float]] = page.evaluate(
        f"""[...document.querySelectorAll('.chart')[{chart}].querySelectorAll('circle.point')]
            .map(c => {{ const r = c.getBoundingClientRect();
                         return {{w: r.width, h: r.height}}; }})"""
    )
    assert all(p["w"] > 0 and p["h"] > 0 for p in drawn)


def test_no_chart_text_is_clipped(page: HeadlessChromium) -> None:
    clipped: list[Any] = page.evaluate(
        """[...document.querySelectorAll('svg')].flatMap(svg => {
             const box = svg.getBoundingClientRect();
             return [...svg.querySelectorAll('text')].filter(t => {
               const r = t.getBoundingClientRect();
               return r.left < box.left - 0.5 || r.right > box.right + 0.5
                   || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5;
             }).map(t => t.textContent);
           })"""
    )
    assert clipped == []
    labels: list[str] = page.evaluate(
        "[...document.querySelectorAll('svg text.axis')].map(t => t.textContent)"
    )
    assert "campaign time (s)" in labels
    # Readable: no chart text is drawn smaller than 10 px on a 1280 px wide window.
    heights: list[float] = page.evaluate(
        "[...document.querySelectorAll('svg text')].map(t => t.getBoundingClientRect().height)"
    )
    assert min(heights) >= 10


def test_the_diff_gives_its_width_to_the_two_sides(page: HeadlessChromium) -> None:
    widths: list[float] = page.evaluate(
        """(() => { const table = document.querySelector('table.diff');
                    const row = [...table.rows].find(r => r.cells.length === 3
                                                       && r.cells[0].tagName === 'TD');
                    return [table.getBoundingClientRect().width,
                            ...[...row.cells].map(c => c.getBoundingClientRect().width)]; })()"""
    )
    table, marker, left, right = widths
    assert marker < 0.05 * table
    assert left > 0.4 * table
    assert right > 0.4 * table
