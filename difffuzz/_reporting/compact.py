"""The end of a run, shown for people: a few lines per new finding, one per known one.

A full panel (the side-by-side diff, the reproduction commands, the ``@example``
line) is 20 to 40 lines; a campaign with a dozen findings buried its verdict
under them. So the console shows each *new* finding as a compact block (what
differs, on which input, where the fixture is, how to replay it), each finding
the corpus already holds or that is a known gap as one line, and leaves the full
panels to ``-v`` and to the reports, which always have them.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from difffuzz._reporting.diffview import escape_text
from difffuzz._reporting.finding import FindingView

__all__ = ["MAX_DIFFERENCES", "finding_block", "finding_line"]

#: Differences listed in a compact block; the fixture and the reports have them all.
MAX_DIFFERENCES = 3


def _one_line(text: str, width: int) -> str:
    flat = " ".join(escape_text(text).split())
    return flat if len(flat) <= width else flat[: max(1, width - 1)] + "…"


def finding_block(view: FindingView, console: Console) -> None:
    """A new finding in a few lines: the head, the input, the differences, the fixture."""
    width = max(40, console.width - 12)
    head = Text.assemble(
        ("new ", "bold red"),
        (f"{view.surface} ", "bold"),
        view.label,
        (f"  [{view.signature_id}]", "dim"),
    )
    notes = [note for note in view.notes if not note.startswith(("found ", "seed "))]
    if notes:
        head.append("  " + " · ".join(notes), style="yellow")
    console.print(head, soft_wrap=True)
    console.print(
        Text.assemble(
            ("  input    ", "bold"),
            (_one_line(view.input_text, width), "cyan"),
            (f"  ({view.input_type})", "dim"),
        ),
        soft_wrap=True,
    )
    for difference in view.diff.differences[:MAX_DIFFERENCES]:
        console.print(Text.assemble(("  differs  ", "bold"), _one_line(difference, width)))
    more = len(view.diff.differences) - MAX_DIFFERENCES
    if more > 0:
        console.print(Text(f"           … and {more} more (-v, or the reports)", style="dim"))
    if view.fixture:
        console.print(Text.assemble(("  fixture  ", "bold"), view.fixture), soft_wrap=True)
    if view.replay:
        console.print(Text.assemble(("  replay   ", "bold"), view.replay), soft_wrap=True)


def finding_line(view: FindingView, console: Console) -> None:
    """A finding already on the team's list (known, known gap) in one line."""
    status = view.status.split(":", 1)[0]
    style = "yellow" if status == "known gap" else "red"
    line = Text.assemble((f"{status} ", style), (f"{view.surface} ", "bold"), view.label)
    if status == "known gap":
        line.append(f" — {view.status.split(':', 1)[1].strip()}", style="dim")
    elif view.fixture:
        line.append(f" — {view.fixture}", style="dim")
    console.print(line, soft_wrap=True)
