"""What a campaign shows while it runs: one line per surface.

On a terminal each surface is one live rich line (a bar, examples N/M, what it
found, whether it is shrinking). In a log (no TTY: CI) each surface prints a
line when it starts, a line every ``log_every`` seconds while it works, shrinking
included (the engine's :class:`~difffuzz._events.ShrinkCalled` events keep a
slow shrink from looking like a hang), and a line when it is done. Findings are
counted on those lines, never printed one by one here: the end of the run shows
each new one as a block (:mod:`difffuzz._reporting.console`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from difffuzz._events import (
    Event,
    ExampleObserved,
    FindingRecorded,
    ShrinkCalled,
    SurfaceFinished,
    SurfaceStarted,
)
from difffuzz._reporting.diffview import escape_text
from difffuzz._results import SurfaceResult, Verdict

__all__ = ["LOG_EVERY", "ProgressReporter"]

#: Seconds between two log lines of one surface when the output is not a terminal.
LOG_EVERY = 5.0


@dataclass
class _Tally:
    budget: int
    examples: int = 0
    divergent: int = 0
    findings: int = 0
    both_failed: int = 0
    infra: int = 0
    shrink_calls: int = 0
    started: float = 0.0
    last_line: float = 0.0
    task: TaskID | None = None


class ProgressReporter:
    """Live progress for a campaign; plain log lines when the console is not a terminal.

    Feed it the engine's events (it is a listener: ``reporter(event)``) or call
    the methods directly.

    >>> import io
    >>> console = Console(record=True, width=100, file=io.StringIO())
    >>> with ProgressReporter(console) as progress:
    ...     progress.surface_started("embed", budget=2)
    ...     progress.example_done("embed", Verdict.MATCH)
    ...     progress.surface_finished("embed")
    >>> print(console.export_text().splitlines()[-1].split(" in ")[0])
    embed: done, 1/2 examples, 0 kinds of divergence, 0 both failed, 0 infra errors
    """

    def __init__(
        self,
        console: Console,
        *,
        log_every: float = LOG_EVERY,
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
            self.finding(event.surface)
        elif isinstance(event, ShrinkCalled):
            self.shrinking(event.surface, event.calls)
        elif isinstance(event, SurfaceFinished):
            self.surface_finished(event.surface, event.result)

    def surface_started(self, name: str, budget: int) -> None:
        now = self.clock()
        tally = _Tally(budget=budget, started=now, last_line=now)
        self.tallies[name] = tally
        if self.live:
            tally.task = self.progress.add_task(escape_text(name), total=budget, counts="")
        else:
            self._line(name, f"started, {budget} examples")

    def example_done(self, name: str, verdict: Verdict) -> None:
        tally = self._tally(name)
        tally.examples += 1
        tally.divergent += verdict is Verdict.DIVERGENCE
        tally.both_failed += verdict is Verdict.BOTH_FAILED
        tally.infra += verdict is Verdict.INFRA_ERROR
        self._update(name, tally)

    def finding(self, name: str) -> None:
        """A kind of divergence seen for the first time: counted, shown at the end."""
        tally = self._tally(name)
        tally.findings += 1
        self._update(name, tally)

    def shrinking(self, name: str, calls: int) -> None:
        tally = self._tally(name)
        tally.shrink_calls = calls
        self._update(name, tally)

    def surface_finished(self, name: str, result: SurfaceResult | None = None) -> None:
        if result is not None and name not in self.tallies and result.aborted:
            # Never started (a runtime was unreachable): the reason was printed first.
            self.console.print(
                Text(f"{escape_text(name)}: not run: {escape_text(result.aborted)}", style="red"),
                soft_wrap=True,
            )
            return
        tally = self._tally(name)
        elapsed = max(self.clock() - tally.started, 0.0)
        rate = tally.examples / elapsed if elapsed > 0 else 0.0
        if self.live and tally.task is not None:
            self.progress.update(
                tally.task,
                completed=tally.examples,
                total=max(tally.budget, tally.examples),
                counts=self._counts(tally, done=True),
            )
            return
        self._line(
            name,
            f"done, {self._progress(tally, done=True)} in {elapsed:.1f}s ({rate:.1f} examples/s)",
        )

    # -- lines ---------------------------------------------------------------

    def _update(self, name: str, tally: _Tally) -> None:
        if self.live and tally.task is not None:
            self.progress.update(tally.task, completed=tally.examples, counts=self._counts(tally))
            return
        now = self.clock()
        if now - tally.last_line >= self.log_every:
            tally.last_line = now
            self._line(name, self._progress(tally))

    def _line(self, name: str, text: str) -> None:
        self.console.print(Text(f"{escape_text(name)}: {text}"), soft_wrap=True)

    def _tally(self, name: str) -> _Tally:
        if name not in self.tallies:  # an event for a surface we were not told about
            self.surface_started(name, budget=0)
        return self.tallies[name]

    @staticmethod
    def _counts(tally: _Tally, *, done: bool = False) -> str:
        text = (
            f"{tally.findings} kind{_plural(tally.findings)} of divergence, "
            f"{tally.both_failed} both failed, {tally.infra} infra error{_plural(tally.infra)}"
        )
        if tally.shrink_calls and not done:
            text += f", shrinking ({tally.shrink_calls} calls)"
        return text

    def _progress(self, tally: _Tally, *, done: bool = False) -> str:
        return f"{tally.examples}/{tally.budget} examples, {self._counts(tally, done=done)}"


def _plural(count: int) -> str:
    return "" if count == 1 else "s"
