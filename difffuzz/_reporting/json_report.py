"""The machine-readable report: ``CampaignResult.to_json()``, pretty-printed, atomic.

The schema is documented in ``docs/report-schema.md``. Two things JSON cannot
hold are written in a form any strict parser reads: non-finite floats become the
strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"`` (as difference excerpts
already do), and lone surrogates inside strings become ``\\uXXXX`` escapes.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from difffuzz._results import CampaignResult

__all__ = ["dumps_report", "with_exit_code", "write_json", "write_text_atomic"]

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _finite(value: Any) -> Any:
    """Replace NaN and infinities, anywhere in the tree, by their string names."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def dumps_report(record: Any) -> str:
    """Strict, readable JSON text (non-ASCII kept, surrogates escaped).

    >>> dumps_report({"distance": float("nan"), "body": "caf\\u00e9\\udc80"})
    '{\\n  "distance": "NaN",\\n  "body": "café\\\\udc80"\\n}\\n'
    """
    text = json.dumps(_finite(record), indent=2, ensure_ascii=False, allow_nan=False)
    # A lone surrogate can only sit inside a string literal, where its escape is valid JSON.
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 text to ``path`` via a temporary file and ``os.replace``.

    A reader never sees a half-written report, and a crash leaves the old one.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(
            handle, "w", encoding="utf-8", errors="backslashreplace", newline="\n"
        ) as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes 0600; a report is meant to be read
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def write_json(
    result: CampaignResult, path: str | os.PathLike[str], *, exit_code: int | None = None
) -> Path:
    """Write ``result.to_json()`` to ``path`` (parents created), with ``"exit_code"``
    after the schema when the CLI gives it one; returns the path."""
    return write_text_atomic(path, dumps_report(with_exit_code(result.to_json(), exit_code)))


def with_exit_code(record: dict[str, Any], code: int | None) -> dict[str, Any]:
    """A report's record with the exit code the command chose (none: left out)."""
    if code is None:
        return record
    return {"schema": record.get("schema"), "exit_code": code, **record}
