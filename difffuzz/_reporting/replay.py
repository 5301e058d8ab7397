"""The ``replay`` report: one line per fixture, a summary line, the new diffs, the exit code.

A replay sends each saved fixture to both runtimes again (see
:mod:`difffuzz._replay`). The report says, per fixture, whether its divergence is
still there, gone, or different, and for a divergence that is still there it
draws the *new* observation side by side, because the runtimes may have changed
since the fixture was saved.

The pieces used by the CI gate report (:mod:`difffuzz._reporting.gate`) live here
too: :func:`fixture_location`, :func:`observation_diff` and :func:`gap_closed_hint`.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from difffuzz._corpus import Fixture
from difffuzz._replay import ReplayCase, ReplayResult, ReplayVerdict
from difffuzz._reporting.diffview import DiffView, build_diff, diff_renderable, escape_text
from difffuzz._reporting.json_report import dumps_report, with_exit_code, write_text_atomic

__all__ = [
    "fixture_location",
    "gap_closed_hint",
    "observation_diff",
    "render_replay",
    "replay_summary",
    "write_replay_json",
]

_VERDICT_STYLE = {
    ReplayVerdict.STILL_DIVERGENT: "red",
    ReplayVerdict.DIVERGES_DIFFERENTLY: "bold red",
    ReplayVerdict.FIXED: "green",
    ReplayVerdict.FLAKY: "yellow",
    ReplayVerdict.BOTH_FAILING: "yellow",
    ReplayVerdict.UNREACHABLE: "bold magenta",
    ReplayVerdict.NOT_CONFIGURED: "yellow",
}

#: The verdicts whose new observation is worth drawing: the runtimes still disagree.
_DRAWN = (ReplayVerdict.STILL_DIVERGENT, ReplayVerdict.DIVERGES_DIFFERENTLY)


def gap_closed_hint() -> str:
    """What to do when a known gap replays as fixed (the same words in every report)."""
    return (
        "gap closed: remove its known_gaps entry from the config, "
        "or the known_gap of the fixture file"
    )


def fixture_location(fixture: Fixture) -> str:
    """The fixture's file path (escaped), or its id when it was never saved.

    A path under the working directory is shown relative to it: shorter in a
    table, and the same path a user types to replay it.
    """
    if fixture.path is None:
        return fixture.id
    path = fixture.path
    with contextlib.suppress(ValueError):  # not under the working directory
        path = path.absolute().relative_to(Path.cwd())
    return escape_text(str(path))


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _verdict_words(verdict: ReplayVerdict) -> str:
    return verdict.value.replace("_", " ")


def replay_summary(result: ReplayResult) -> str:
    """``replay: 7 fixtures — 5 still divergent, 1 fixed, 1 diverges differently``.

    Verdicts that no fixture got are left out; known gaps are counted at the end.
    """
    text = f"replay: {_plural(len(result.cases), 'fixture')}"
    counts = [
        f"{result.count(verdict)} {_verdict_words(verdict)}"
        for verdict in ReplayVerdict
        if result.count(verdict)
    ]
    if counts:
        text += " — " + ", ".join(counts)
    gaps = sum(case.is_gap for case in result.cases)
    if gaps:
        text += f" ({_plural(gaps, 'known gap')})"
    if result.problems:
        text += f"; {_plural(len(result.problems), 'corpus problem')}"
    return text


def observation_diff(case: ReplayCase) -> DiffView | None:
    """The side-by-side view of the case's *new* observation, if it has one.

    The fixture's saved spec supplies the ``select`` pointers that place the
    markers; when the case was judged by another rule (``--by-config``) those
    pointers may not apply, so none are used.
    """
    observation = case.observation
    if observation is None:
        return None
    fixture = case.fixture
    spec = fixture.compare if fixture.compare.rule == observation.comparison.rule else None
    return build_diff(
        observation.left, observation.right, observation.comparison, fixture.runtimes, spec
    )


def _case_notes(case: ReplayCase) -> list[tuple[str, str]]:
    """(text, style) lines shown under a case's headline."""
    notes = [(f"fixture {fixture_location(case.fixture)}", "dim")]
    if case.gap_closed:
        notes.append((gap_closed_hint(), "bold yellow"))
    elif case.is_gap:
        notes.append(
            (f"known gap: {escape_text(case.gap_reason or case.fixture.known_gap)}", "yellow")
        )
    if case.verdict is ReplayVerdict.DIVERGES_DIFFERENTLY:
        notes.append((f"changed: {escape_text(case.detail)}", "red"))
    elif case.detail:
        notes.append((escape_text(case.detail), ""))
    if case.verdict is ReplayVerdict.STILL_DIVERGENT and case.fixture.fixed_at:
        fixed_at = escape_text(case.fixture.fixed_at)
        notes.append((f"was fixed at {fixed_at}: it diverges again", "bold red"))
    return notes


def _case_text(case: ReplayCase) -> Text:
    fixture = case.fixture
    style = _VERDICT_STYLE[case.verdict]
    if case.is_gap and case.verdict in _DRAWN:
        style = "yellow"  # a known gap never fails a replay: not red
    line = Text.assemble(
        (f"{_verdict_words(case.verdict):<21}", style),
        (escape_text(fixture.surface), "bold"),
        " ",
        (fixture.signature.id, "dim"),
        " ",
        escape_text(fixture.signature.label),
    )
    for note, note_style in _case_notes(case):
        line.append("\n    ")
        line.append(note, style=note_style)
    return line


def render_replay(result: ReplayResult, console: Console, *, quiet: bool = False) -> None:
    """Print every replayed fixture, the summary and the corpus problems (the exit
    line after them is the CLI's, :mod:`difffuzz._exit`).

    ``quiet`` leaves out the fixtures that did not fail: the failing ones, the
    problems and the summary are what a quiet run is for.

    >>> import io
    >>> console = Console(record=True, width=100, file=io.StringIO())
    >>> render_replay(ReplayResult(), console)
    >>> console.export_text().splitlines()
    ['replay: 0 fixtures']
    """
    for case in result.cases:
        if quiet and not case.fails and case.verdict is not ReplayVerdict.UNREACHABLE:
            continue
        console.print(_case_text(case), soft_wrap=True)
        view = observation_diff(case) if case.verdict in _DRAWN else None
        if view is not None:
            console.print(Padding(diff_renderable(view), (0, 0, 1, 4)))
    console.print(Text(replay_summary(result), style="bold"), soft_wrap=True)
    if result.problems:
        console.print(Text("corpus problems:", style="bold red"))
        for problem in result.problems:
            console.print(Text(f"  {escape_text(str(problem))}", style="red"), soft_wrap=True)


def write_replay_json(
    result: ReplayResult, path: str | os.PathLike[str], *, exit_code: int | None = None
) -> Path:
    """Write ``result.to_json()`` (with the CLI's exit code, if given) to ``path``:
    pretty, strict JSON, atomic; returns the path."""
    return write_text_atomic(path, dumps_report(with_exit_code(result.to_json(), exit_code)))
