"""The evidence materializer as the Rust gateway's helper builds it.

Run as ``python -m lakehouse_samples.rust_style.materializer SRC_DIR OUT_FILE``. Every
``*.jsonl`` file under SRC_DIR becomes evidence rows in OUT_FILE, one per non-blank line::

    {"source": "a/b.jsonl", "provenance": {"line_offset": 0, "recorded_at": "..."},
     "record": {...}}

``line_offset`` is the 0-based index of the line in its file (blank lines count, so
it points at the line an operator opens); 0 is a real offset and is always written.

Each step is what an idiomatic Rust port does, so every divergence from the Go-style
helper comes from a language habit:

- **Files**: ``walkdir`` (symlinks not followed), kept when ``Path::extension()`` is
  ``"jsonl"`` -- so a file named just ``.jsonl`` is *not* kept (a leading-dot name has
  no extension) --, then sorted by the relative path as a string. ``"a.jsonl"`` sorts
  before ``"a/b.jsonl"`` because ``.`` < ``/``; Go's ``filepath.Walk`` visits the
  directory ``a`` first.
- **Names**: ``strip_prefix(root)`` then ``to_string_lossy()``: a non-UTF-8 name gets
  one U+FFFD per maximal invalid subpart (Go: one per byte, from ``json.Marshal``).
- **Contents**: ``fs::read_to_string`` -- a file that is not UTF-8 fails the run.
- **Lines**: ``str::lines()``: split on ``\\n``, a ``\\r`` before it dropped (a final
  ``\\r`` without ``\\n`` is kept); no length limit (Go's ``bufio.Scanner`` stops at
  64 KiB).
- **Blank lines** (``line.trim().is_empty()``, Unicode White_Space) are skipped.
- **Records**: ``serde_json::from_str::<Map<String, Value>>(line)?`` -- the ``?`` makes
  any line that is not a JSON object (``null`` included) fail the whole run with exit
  status 1 and the file and line on stderr; Go logs such a line and skips it. Numbers
  keep u64/i64 precision; lone surrogate escapes and nesting >= 128 are errors.
- **Output**: rows are collected, then written with ``serde_json::to_writer`` (the
  record's keys sorted, as ``Map`` is a ``BTreeMap``); nothing is written on failure.
  ``recorded_at`` is one chrono timestamp per run, RFC 3339 with milliseconds.

Running: ``python -m lakehouse_samples.rust_style.materializer``. Every call is a new process, so
what it imports is its start-up time: the package imports neither difffuzz nor
Hypothesis, and the helper itself imports only the stdlib, orjson and regex.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from typing import Any

import orjson

# The gateway shares one serde_json recursion guard between its helpers.
from lakehouse_samples.rust_style.extract_json import nesting_depth

__all__ = ["MaterializeError", "evidence_rows", "main", "materialize"]

#: serde_json's default recursion limit.
_RECURSION_LIMIT = 128
#: ``char::is_whitespace`` (the White_Space property), which ``str::trim`` strips.
_RUST_WHITESPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


class MaterializeError(Exception):
    """What ``main`` returns as ``Err``: the run fails and writes nothing."""


def _has_jsonl_extension(name: bytes) -> bool:
    # Path::extension(): none for "..", for a name without a dot, or for a name whose
    # only dot is its first character (".jsonl" is a hidden file without extension).
    if name == b"..":
        return False
    dot = name.rfind(b".")
    return dot > 0 and name[dot + 1 :] == b"jsonl"


def _jsonl_files(root: bytes) -> list[tuple[str, bytes]]:
    """(relative path, absolute path) of every ``*.jsonl`` file, sorted by the path string."""
    found: list[tuple[str, bytes]] = []
    for directory, _, names in os.walk(root, followlinks=False):
        for name in names:
            path = os.path.join(directory, name)
            if _has_jsonl_extension(name) and os.path.isfile(path) and not os.path.islink(path):
                relative = os.path.relpath(path, root)
                found.append((relative.decode("utf-8", "replace"), path))
    found.sort()
    return found


def _lines(text: str) -> Iterator[str]:
    """``str::lines()``."""
    pieces = text.split("\n")
    if pieces[-1] == "":
        pieces.pop()  # a final line ending does not start another line
    last = len(pieces) - 1
    for index, piece in enumerate(pieces):
        terminated = index < last or text.endswith("\n")
        yield piece[:-1] if terminated and piece.endswith("\r") else piece


def _btree(value: Any) -> Any:
    """A ``serde_json::Value`` as it serialises: object keys in sorted order."""
    if isinstance(value, dict):
        return {key: _btree(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_btree(item) for item in value]
    return value


def _record(line: str, where: str) -> dict[str, Any]:
    if nesting_depth(line) >= _RECURSION_LIMIT:
        raise MaterializeError(f"{where}: recursion limit exceeded")
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise MaterializeError(f"{where}: {error}") from None
    if not isinstance(value, dict):
        kind = "null" if value is None else type(value).__name__
        raise MaterializeError(f"{where}: invalid type: {kind}, expected a map")
    record: dict[str, Any] = _btree(value)
    return record


def evidence_rows(root: bytes, recorded_at: str) -> list[dict[str, Any]]:
    """Every evidence row of the ``*.jsonl`` files under ``root``, in output order."""
    rows: list[dict[str, Any]] = []
    for source, path in _jsonl_files(root):
        with open(path, "rb") as file:
            content = file.read()
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            raise MaterializeError(f"{source}: stream did not contain valid UTF-8") from None
        for offset, line in enumerate(_lines(text)):
            if not line.strip(_RUST_WHITESPACE):
                continue
            record = _record(line, f"{source}:{offset + 1}")
            provenance = {"line_offset": offset, "recorded_at": recorded_at}
            rows.append({"source": source, "provenance": provenance, "record": record})
    return rows


def _timestamp() -> str:
    seconds, nanos = divmod(time.time_ns(), 1_000_000_000)
    whole = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{whole}.{nanos // 1_000_000:03d}Z"


def materialize(src_dir: str, out_file: str) -> int:
    """Write the evidence rows of ``src_dir`` to ``out_file``; returns the row count."""
    root = os.fsencode(src_dir)
    if not os.path.isdir(root):
        raise MaterializeError(f"{src_dir}: not a directory (give the folder of *.jsonl files)")
    rows = evidence_rows(root, _timestamp())
    with open(out_file, "wb") as out:
        for row in rows:
            out.write(orjson.dumps(row) + b"\n")
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: materializer SRC_DIR OUT_FILE", file=sys.stderr)
        return 2
    try:
        materialize(args[0], args[1])
    except (MaterializeError, OSError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
