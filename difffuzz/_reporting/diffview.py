"""A side-by-side view of two outcomes: plain text for Markdown and JUnit, rich for consoles.

The diff is a list of :class:`DiffRow`: JSON bodies are
pretty-printed with sorted keys, each line tagged with its JSON pointer, the two
sides aligned line by line, and each row marked:

* ``!`` a path the comparator reported as different,
* ``~`` text that differs but the rule ignored or tolerated (a timestamp, 1 vs 1.0),
* ``…`` unchanged rows left out around the differences.

When the compare spec normalises the answers, the rows show the *normalised*
answers (what the rule compared, where its pointers point) and the view keeps
the raw answers too: one line per side in text, a toggle in HTML.

All text that came from a runtime or an input passes through :func:`escape_text`,
so control characters, bidi overrides and invalid UTF-8 show as escapes.
"""

from __future__ import annotations

import contextlib
import difflib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice, zip_longest
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from difffuzz._comparators.base import CompareSpec, Comparison, Difference, DiffKind
from difffuzz._normalize import StepSpec, compile_pipeline, normalize_outcome
from difffuzz._outcome import Outcome

__all__ = [
    "DiffRow",
    "DiffView",
    "build_diff",
    "diff_renderable",
    "diff_text",
    "escape_text",
]

_MAX_LINES = 3000  # per side, before aligning: difflib is quadratic at worst
_CUT = f"⋯ body cut after {_MAX_LINES} lines ⋯"
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def escape_text(text: str, *, keep_newlines: bool = False) -> str:
    """Make text safe to show: non-printable characters and lone surrogates escaped.

    >>> escape_text("a\\x00b\\u202e\\udcff")
    'a\\\\x00b\\\\u202e\\\\udcff'
    """
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char.isprintable() or (keep_newlines and char == "\n"):
            out.append(char)
        elif char in _NAMED:
            out.append(_NAMED[char])
        else:
            code = ord(char)
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else f"\\u{code:04x}"
                if code < 0x10000
                else f"\\U{code:08x}"
            )
    return "".join(out)


def _bytes_text(raw: bytes) -> str:
    """Bytes as text, invalid UTF-8 shown as ``\\xNN``, newlines kept."""
    return escape_text(raw.decode("utf-8", "backslashreplace"), keep_newlines=True)


@dataclass(frozen=True)
class DiffRow:
    marker: str  # "!", "~", " " or "…"
    left: str | None
    right: str | None


@dataclass(frozen=True)
class DiffView:
    """Two outcomes side by side, ready to draw as text, rich or HTML."""

    runtimes: tuple[str, str]
    status_marker: str
    statuses: tuple[str, str]
    rows: tuple[DiffRow, ...]
    differences: tuple[str, ...]
    ignored: tuple[str, ...]
    notes: tuple[str, ...]
    #: The raw answers side by side, when ``rows`` show normalised ones; else empty.
    raw_rows: tuple[DiffRow, ...] = ()
    #: One line per side: the raw answer, compact (with ``raw_rows``).
    raw_lines: tuple[str, ...] = ()


def _scalar(value: Any) -> str:
    return escape_text(json.dumps(value, ensure_ascii=False))


def _pointer_token(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _json_lines(
    value: Any, pointer: str, indent: str, prefix: str, comma: str
) -> Iterator[tuple[str, str]]:
    """json.dumps(indent=2, sort_keys=True) line by line, each line with its pointer.

    A generator, so that a huge body costs only the lines that are shown.
    """
    if isinstance(value, dict) and value:
        yield f"{indent}{prefix}{{", pointer
        keys = sorted(value)
        for n, key in enumerate(keys):
            yield from _json_lines(
                value[key],
                f"{pointer}/{_pointer_token(key)}",
                indent + "  ",
                f"{_scalar(key)}: ",
                "," if n < len(keys) - 1 else "",
            )
        yield f"{indent}}}{comma}", pointer
    elif isinstance(value, list) and value:
        yield f"{indent}{prefix}[", pointer
        for n, item in enumerate(value):
            yield from _json_lines(
                item, f"{pointer}/{n}", indent + "  ", "", "," if n < len(value) - 1 else ""
            )
        yield f"{indent}]{comma}", pointer
    else:
        text = (
            "{}" if isinstance(value, dict) else "[]" if isinstance(value, list) else _scalar(value)
        )
        yield f"{indent}{prefix}{text}{comma}", pointer


def _body_lines(outcome: Outcome) -> list[tuple[str, str | None]]:
    """The body as (line, pointer) pairs, at most ``_MAX_LINES``; pointer None outside JSON."""
    if outcome.failure is not None and not outcome.body:
        return [(f"(no answer: {escape_text(outcome.summary())})", None)]
    if not outcome.body:
        return [("(empty body)", None)]
    lines: list[tuple[str, str | None]] | None = None
    if outcome.parses:
        with contextlib.suppress(RecursionError):  # absurdly deep JSON: shown as text below
            lines = list(islice(_json_lines(outcome.json, "", "", "", ""), _MAX_LINES + 1))
    if lines is None:
        text_lines = _bytes_text(outcome.body).split("\n", _MAX_LINES + 1)
        lines = [(line, None) for line in text_lines[: _MAX_LINES + 1]]
    if len(lines) > _MAX_LINES:
        lines[_MAX_LINES:] = [(_CUT, None)]
    return lines


def _under(pointer: str | None, locations: set[str]) -> bool:
    if pointer is None:
        return "" in locations  # a whole-body difference marks text lines too
    return any(pointer == loc or pointer.startswith(loc + "/") or loc == "" for loc in locations)


def _locations(differences: Sequence[Difference], select: str) -> set[str]:
    found = set()
    for difference in differences:
        if difference.kind is DiffKind.STATUS:
            continue
        location = difference.location or difference.path
        location = "" if location == "/" else location
        # The comparator saw the selected value: its pointers may be relative to it.
        if select and not location.startswith(select):
            found.add(select + location)
        if not select or location:
            found.add(location)
    return found


def _describe(difference: Difference, runtimes: tuple[str, str]) -> str:
    where = difference.location or difference.path or "/"
    head = f"{difference.kind.value} at {where}"
    if difference.qualifier:
        head += f" ({difference.qualifier})"
    left, right = (_excerpt(difference.left), _excerpt(difference.right))
    text = f"{head}: {runtimes[0]}={left} · {runtimes[1]}={right}"
    return escape_text(text + (f" — {difference.detail}" if difference.detail else ""))


def _excerpt(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr) if value is not None else "—"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_diff(
    left: Outcome,
    right: Outcome,
    comparison: Comparison,
    runtimes: tuple[str, str],
    spec: CompareSpec | None = None,
    *,
    context: int = 3,
    max_rows: int = 80,
) -> DiffView:
    """Align two outcomes and mark what the comparison reported.

    Long bodies are cut to ``context`` rows around each marked row and at most
    ``max_rows`` rows in all; the cut rows are counted in a ``…`` row. With
    normalize steps in ``spec`` the rows show the normalised answers.
    """
    raw = (left, right)
    extra_notes: list[str] = []
    if spec is not None and spec.normalizes:
        try:
            left = normalize_outcome(left, compile_pipeline(spec.normalize_left))
            right = normalize_outcome(right, compile_pipeline(spec.normalize_right))
        except Exception as exc:  # a report must still show something
            extra_notes.append(f"the normalize steps failed here ({exc}); raw answers shown")
        else:
            extra_notes.append(
                "normalized before comparing: "
                + " · ".join(
                    f"{name}: {_steps(steps)}"
                    for name, steps in zip(
                        runtimes, (spec.normalize_left, spec.normalize_right), strict=True
                    )
                )
            )
    left_lines, right_lines = _body_lines(left), _body_lines(right)
    marks = (
        _locations(comparison.differences, spec.select_left if spec else ""),
        _locations(comparison.differences, spec.select_right if spec else ""),
    )
    ignored = {("" if p == "/" else p) for p in comparison.ignored}
    matcher = difflib.SequenceMatcher(
        None,
        [t.rstrip(",") for t, _ in left_lines],
        [t.rstrip(",") for t, _ in right_lines],
        autojunk=False,
    )
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for lpair, rpair in zip_longest(left_lines[i1:i2], right_lines[j1:j2]):
            lptr = lpair[1] if lpair else None
            rptr = rpair[1] if rpair else None
            if _CUT in (lpair and lpair[0], rpair and rpair[0]):
                marker = "…"  # never elided: the reader must know the body goes on
            elif (lpair and _under(lptr, marks[0])) or (rpair and _under(rptr, marks[1])):
                marker = "!"
            elif tag != "equal" or (lpair and lptr in ignored) or (rpair and rptr in ignored):
                marker = "~"
            else:
                marker = " "
            rows.append(DiffRow(marker, lpair[0] if lpair else None, rpair[0] if rpair else None))
    status_marker = "!" if any(d.kind is DiffKind.STATUS for d in comparison.differences) else " "
    notes = [
        f"{name} stderr: {escape_text(outcome.stderr[:300].decode('utf-8', 'backslashreplace'))}"
        for name, outcome in zip(runtimes, (left, right), strict=True)
        if outcome.stderr
    ]
    notes.extend(escape_text(note) for note in extra_notes)
    if comparison.distance is not None:
        notes.append(f"distance ({comparison.rule}): {comparison.distance:.6g}")
    described = [_describe(d, runtimes) for d in comparison.differences[:20]]
    if len(comparison.differences) > 20:
        described.append(f"… {len(comparison.differences) - 20} more differences")
    return DiffView(
        runtimes=runtimes,
        status_marker=status_marker,
        statuses=(escape_text(left.summary()), escape_text(right.summary())),
        rows=tuple(_elide(rows, context, max_rows)),
        differences=tuple(described),
        ignored=tuple(escape_text(p) for p in comparison.ignored),
        notes=tuple(notes),
        raw_rows=_raw_rows(raw, context, max_rows)
        if left is not raw[0] or right is not raw[1]
        else (),
        raw_lines=(
            tuple(
                f"raw {name}: {_compact(outcome)}"
                for name, outcome in zip(runtimes, raw, strict=True)
            )
            if left is not raw[0] or right is not raw[1]
            else ()
        ),
    )


def _steps(steps: Sequence[StepSpec]) -> str:
    return "; ".join(step.describe for step in steps) or "(none)"


def _compact(outcome: Outcome, limit: int = 160) -> str:
    """A raw body on one line: compact JSON when it parses, else its text."""
    if outcome.parses:
        text = json.dumps(outcome.json, ensure_ascii=False, separators=(",", ":"), default=repr)
    else:
        text = _bytes_text(outcome.body).replace("\n", "\\n")
    text = escape_text(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _raw_rows(raw: tuple[Outcome, Outcome], context: int, max_rows: int) -> tuple[DiffRow, ...]:
    """The raw answers aligned, marked ``~`` where their text differs (no rule marks)."""
    left_lines, right_lines = _body_lines(raw[0]), _body_lines(raw[1])
    matcher = difflib.SequenceMatcher(
        None,
        [t.rstrip(",") for t, _ in left_lines],
        [t.rstrip(",") for t, _ in right_lines],
        autojunk=False,
    )
    rows = [
        DiffRow(
            " " if tag == "equal" else "~",
            lpair[0] if lpair else None,
            rpair[0] if rpair else None,
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        for lpair, rpair in zip_longest(left_lines[i1:i2], right_lines[j1:j2])
    ]
    return tuple(_elide(rows, context, max_rows))


def _elide(rows: list[DiffRow], context: int, max_rows: int) -> list[DiffRow]:
    interesting = [n for n, row in enumerate(rows) if row.marker != " "] or [0]
    keep = {
        n for i in interesting for n in range(i - context, i + context + 1) if 0 <= n < len(rows)
    }
    if interesting == [0]:
        keep |= set(range(min(len(rows), 2 * context + 6)))
    out: list[DiffRow] = []
    skipped = 0
    for n, row in enumerate(rows):
        if n in keep and len(out) < max_rows:
            if skipped:
                out.append(_gap(skipped))
                skipped = 0
            out.append(row)
        else:
            skipped += 1
    if skipped:
        out.append(_gap(skipped))
    return out


def _gap(count: int) -> DiffRow:
    text = f"⋯ {count} line{'s' if count != 1 else ''} not shown ⋯"
    return DiffRow("…", text, text)


def _wrap(text: str, width: int, max_lines: int = 6) -> list[str]:
    """Cut text into pieces of at most ``width`` terminal cells."""
    pieces, current, used = [], "", 0
    for char in text:
        size = cell_len(char)
        if used + size > width:
            pieces.append(current)
            current, used = "", 0
        current += char
        used += size
    pieces.append(current)
    if len(pieces) > max_lines:
        pieces = [*pieces[: max_lines - 1], f"… (+{sum(map(len, pieces[max_lines - 1 :]))} chars)"]
    return pieces


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_len(text))


def diff_text(view: DiffView, width: int = 120) -> str:
    """The diff as plain text, ``width`` columns wide (Markdown, JUnit, logs).

    >>> view = build_diff(Outcome(200, b'{"a": 1}'), Outcome(200, b'{"a": 2}'),
    ...                   Comparison("json", (Difference(DiffKind.VALUE, "/a", "/a", 1, 2),)),
    ...                   ("rust", "go"))
    >>> print(diff_text(view, width=60))
      rust: status 200, 8 bytes   │ go: status 200, 8 bytes
      {                           │ {
    !   "a": 1                    │   "a": 2
      }                           │ }
    differences:
      value at /a: rust=1 · go=2
    """
    column = max(10, (width - 5) // 2)
    (left_name, right_name), (left_status, right_status) = view.runtimes, view.statuses
    header = DiffRow(
        view.status_marker, f"{left_name}: {left_status}", f"{right_name}: {right_status}"
    )
    lines = []
    for row in (header, *view.rows):
        left = _wrap(row.left if row.left is not None else "", column)
        right = _wrap(row.right if row.right is not None else "", column)
        for n, (lpart, rpart) in enumerate(zip_longest(left, right, fillvalue="")):
            marker = row.marker if n == 0 else " "
            lines.append(f"{marker} {_pad(lpart, column)} │ {rpart}".rstrip())
    lines += _footer(view)
    return "\n".join(lines)


def _footer(view: DiffView) -> list[str]:
    lines = []
    if view.differences:
        lines += ["differences:", *(f"  {d}" for d in view.differences)]
    if view.ignored:
        lines.append("ignored by the rule: " + ", ".join(view.ignored))
    lines += view.notes
    lines += view.raw_lines
    return lines


_STYLES = {"!": "bold red", "~": "yellow", "…": "dim", " ": ""}


def diff_renderable(view: DiffView) -> RenderableType:
    """The diff as a rich renderable: a two-column table plus the difference list."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True)
    table.add_column("", width=1, no_wrap=True)
    for name, status in zip(view.runtimes, view.statuses, strict=True):
        table.add_column(
            Text(f"{name}: {status}", style=_STYLES[view.status_marker] or "bold"),
            overflow="fold",
            ratio=1,
        )
    for row in view.rows:
        style = _STYLES[row.marker]
        table.add_row(
            Text(row.marker, style=style),
            Text(row.left or "", style=style),
            Text(row.right or "", style=style),
        )
    footer = Text("\n".join(_footer(view)))
    return Group(table, footer) if footer.plain else table
