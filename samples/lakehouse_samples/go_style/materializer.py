"""The evidence materializer as the Go port's helper builds it.

Run as ``python -m lakehouse_samples.go_style.materializer SRC_DIR OUT_FILE``. Every
``*.jsonl`` file under SRC_DIR becomes evidence rows in OUT_FILE, one per non-blank line::

    {"source":"a/b.jsonl","provenance":{"line_offset":0,"recorded_at":"..."},"record":{...}}

``line_offset`` is the 0-based index of the line in its file (blank lines count). The
struct field is ``LineOffset int `json:"line_offset"``` -- *without* ``omitempty``: the
old tag dropped offset 0 from the first row of every file, and that bug stays fixed.

Each step is what an idiomatic Go port does, so every divergence from the Rust-style
helper comes from a language habit:

- **Files**: ``filepath.Walk`` -- lexical order *within each directory*, depth first,
  so ``a/b.jsonl`` (inside directory ``a``) comes before ``a.jsonl``; Rust sorts whole
  path strings. Kept when ``filepath.Ext(path) == ".jsonl"``, which is true for a file
  named just ``.jsonl`` (Rust's ``Path::extension`` says it has none).
- **Names** are Go strings of raw bytes; ``json.Marshal`` writes each invalid UTF-8
  byte as U+FFFD (Rust's ``to_string_lossy`` writes one per maximal invalid subpart).
- **Lines**: ``bufio.Scanner`` with ``ScanLines``: split on ``\\n``, a trailing ``\\r``
  dropped (also on a last line without ``\\n``), and a line of 64 KiB or more stops the
  scan with ``bufio.Scanner: token too long``, which fails the run.
- **Blank lines** (``bytes.TrimSpace`` empty) are skipped.
- **Records**: ``json.Unmarshal(line, &rec)`` with ``rec map[string]any``. A line that
  does not decode is logged to stderr and skipped (the run goes on); ``null`` decodes
  to a nil map without error and is written as ``"record":null``. Numbers become
  ``float64`` (2^53+1 loses precision), invalid UTF-8 and lone surrogate escapes
  become U+FFFD.
- **Output**: ``json.NewEncoder(w).Encode(row)`` per row (HTML-escaped, map keys
  sorted, ES6 floats), into a buffer written to OUT_FILE when every file was read;
  nothing is written on failure. ``recorded_at`` is ``time.Now()`` per row, RFC3339Nano.

Running: ``python -m lakehouse_samples.go_style.materializer``. Every call is a new process, so
what it imports is its start-up time: the package imports neither difffuzz nor
Hypothesis, and the helper itself imports only the stdlib and the Go JSON codec in
its sibling ``extract_json``.
"""

from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Iterator
from typing import Any

from lakehouse_samples.go_style.extract_json import (
    GO_SPACE,
    GoStruct,
    UnmarshalError,
    allow_go_depth,
    decode_bytes,
    marshal,
    unmarshal_any,
)

__all__ = ["MAX_SCAN_TOKEN_SIZE", "ScanError", "evidence_rows", "main", "materialize"]

#: ``bufio.MaxScanTokenSize``: the Scanner's buffer never grows beyond this.
MAX_SCAN_TOKEN_SIZE = 64 * 1024

_GO_KINDS = {list: "array", str: "string", float: "number", bool: "bool"}


class ScanError(Exception):
    """An error that ends the run (``log.Fatal``): nothing is written."""


def _walk(directory: bytes) -> Iterator[bytes]:
    """``filepath.Walk`` order: names sorted per directory, directories entered in place."""
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        mode = os.lstat(path).st_mode
        if stat.S_ISDIR(mode):
            yield from _walk(path)
        else:
            yield path


def _scan_lines(data: bytes, source: str) -> Iterator[bytes]:
    """``bufio.Scanner`` with ``ScanLines`` and the default 64 KiB token limit."""
    start = 0
    while start < len(data):
        newline = data.find(b"\n", start)
        end = len(data) if newline < 0 else newline
        # The token and its newline must fit the 64 KiB buffer; a final line without
        # newline fails as soon as it fills the buffer, so the bound is the same.
        if end - start >= MAX_SCAN_TOKEN_SIZE:
            raise ScanError(f"{source}: bufio.Scanner: token too long")
        line = data[start:end]
        yield line[:-1] if line.endswith(b"\r") else line
        start = end + 1


def _timestamp() -> str:
    seconds, nanos = divmod(time.time_ns(), 1_000_000_000)
    whole = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    fraction = f"{nanos:09d}".rstrip("0")
    return f"{whole}.{fraction}Z" if fraction else f"{whole}Z"


def evidence_rows(root: bytes) -> list[GoStruct]:
    """Every evidence row of the ``*.jsonl`` files under ``root``, in output order."""
    rows: list[GoStruct] = []
    for path in _walk(root):
        if not path.endswith(b".jsonl"):  # filepath.Ext(path) == ".jsonl"
            continue
        source = decode_bytes(os.path.relpath(path, root))
        with open(path, "rb") as file:
            content = file.read()
        for offset, line in enumerate(_scan_lines(content, source)):
            if not decode_bytes(line).strip(GO_SPACE):
                continue
            try:
                record: Any = unmarshal_any(line)
            except UnmarshalError as error:
                print(f"skip {source}:{offset + 1}: {error}", file=sys.stderr)
                continue
            if record is not None and not isinstance(record, dict):
                kind = _GO_KINDS[type(record)]
                print(
                    f"skip {source}:{offset + 1}: json: cannot unmarshal {kind} "
                    "into Go value of type map[string]interface {}",
                    file=sys.stderr,
                )
                continue
            provenance = GoStruct([("line_offset", offset), ("recorded_at", _timestamp())])
            rows.append(
                GoStruct([("source", source), ("provenance", provenance), ("record", record)])
            )
    return rows


def materialize(src_dir: str, out_file: str) -> int:
    """Write the evidence rows of ``src_dir`` to ``out_file``; returns the row count."""
    root = os.fsencode(src_dir)
    if not os.path.isdir(root):
        raise ScanError(f"lstat {src_dir}: no such directory (give the folder of *.jsonl files)")
    rows = evidence_rows(root)
    encoded = b"".join(marshal(row).encode("utf-8") + b"\n" for row in rows)
    with open(out_file, "wb") as out:
        out.write(encoded)
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: materializer SRC_DIR OUT_FILE", file=sys.stderr)
        return 2
    allow_go_depth()
    try:
        materialize(args[0], args[1])
    except (ScanError, OSError) as error:
        print(f"materialize: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
