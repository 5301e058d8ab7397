"""The report-ready view of one finding, shared by every reporter.

Each format draws a finding from a :class:`FindingView`, so a later replay
report (one fixture, two fresh outcomes) reuses the rendering by building the
same view from its own record.
"""

from __future__ import annotations

from dataclasses import dataclass

from difffuzz._inputs import FileTree, Input, WireInput, input_literal
from difffuzz._reporting.diffview import DiffView, build_diff, escape_text
from difffuzz._repro import Reproduction, RequestRenderer, pytest_example, reproductions
from difffuzz._results import Finding, FindingStatus
from difffuzz._transports.shell import quote_word

__all__ = ["FindingView", "describe_input", "view_finding"]

#: Longer commands and @example lines are replaced by a note: shrunk inputs are
#: small, and a report that embeds megabytes helps nobody (the fixture has it all).
MAX_COMMAND_CHARS = 50_000


@dataclass(frozen=True)
class FindingView:
    """Everything a reporter shows for one finding, already escaped as text."""

    surface: str
    signature_id: str
    label: str
    category: str
    status: str  # "new", "known", "known gap: <reason>"
    input_type: str
    input_text: str
    diff: DiffView
    fixture: str | None
    reproductions: tuple[Reproduction, ...]
    replay: str | None
    example: str
    notes: tuple[str, ...]


def describe_input(value: Input, limit: int = 4000) -> tuple[str, str]:
    """(type description, Python-literal preview) of an input, cut at ``limit`` chars.

    >>> describe_input(b"\\xff<")
    ('bytes, 2 bytes, not UTF-8', "b'\\\\xff<'")

    A mutated input leads with its family and what the mutation did.
    """
    if isinstance(value, WireInput):
        kind, text = describe_input(value.sent, limit)
        said = escape_text(value.mutation)
        return f"wire mutation {value.family}: {said}; {kind}", text
    if isinstance(value, FileTree):
        kind = f"FileTree, {len(value)} file{'s' if len(value) != 1 else ''}"
        text = "\n".join(f"{path!r}: {content!r}" for path, content in value) or "(empty folder)"
    else:
        text = input_literal(value)
        kind = type(value).__name__
        if isinstance(value, str):
            kind += f", {len(value)} characters"
        elif isinstance(value, bytes | bytearray):
            kind += f", {len(value)} bytes"
            kind += "" if _is_utf8(bytes(value)) else ", not UTF-8"
        elif isinstance(value, list | tuple | dict):
            kind += f", {len(value)} {'keys' if isinstance(value, dict) else 'items'}"
    if len(text) > limit:
        text = text[:limit] + f"… (+{len(text) - limit} characters)"
    return kind, escape_text(text, keep_newlines=True)


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def view_finding(finding: Finding, render: RequestRenderer | None = None) -> FindingView:
    """Build the :class:`FindingView` of a finding (``render`` adds shell commands)."""
    status = finding.status.value.replace("_", " ")
    if finding.status is FindingStatus.KNOWN_GAP:
        status += f": {finding.gap_reason or '(no reason given)'}"
    notes = []
    if finding.flaky:
        times, sent = finding.reproduced
        rate = f"came back {times} of {sent} times" if sent else "did not reproduce on every call"
        notes.append(f"flaky: {rate}; kept apart from the regression fixtures")
    if finding.save_error:
        notes.append("not saved: the corpus could not take it (printed in full below)")
    if not finding.shrunk and finding.status is FindingStatus.NEW:
        notes.append("not shrunk: the shrinker did not finish on this signature")
    if finding.occurrences > 1:
        notes.append(f"seen {finding.occurrences} times")
    if finding.found_at:
        since = "first found" if finding.status is not FindingStatus.NEW else "found"
        notes.append(f"{since} {finding.found_at}")
    if finding.seed is not None:
        notes.append(f"seed {finding.seed}")
    input_type, input_text = describe_input(finding.input)
    commands = reproductions(finding.surface, finding.input, finding.runtimes, render)
    return FindingView(
        surface=escape_text(finding.surface),
        signature_id=finding.signature.id,
        label=escape_text(finding.signature.label),
        category=finding.signature.category,
        status=escape_text(status),
        input_type=input_type,
        input_text=input_text,
        diff=build_diff(
            finding.left, finding.right, finding.comparison, finding.runtimes, finding.compare_spec
        ),
        fixture=escape_text(finding.fixture_path) if finding.fixture_path else None,
        reproductions=tuple(
            Reproduction(r.runtime, _bounded(r.command, "the command")) for r in commands
        ),
        replay=(
            f"difffuzz replay --config {quote_word(finding.config_path or 'difffuzz.toml')} "
            f"{quote_word(finding.fixture_path)}"
        )
        if finding.fixture_path
        else None,
        example=_bounded(escape_text(pytest_example(finding)), "the @example line"),
        notes=tuple(notes),
    )


def _bounded(text: str, what: str) -> str:
    if len(text) <= MAX_COMMAND_CHARS:
        return text
    return (
        f"# {what} is {len(text)} characters long, too long for a report; "
        "use `difffuzz replay` on the fixture, or build it with difffuzz._repro"
    )
