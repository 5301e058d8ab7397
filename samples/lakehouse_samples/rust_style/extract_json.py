"""extract_json as the Rust gateway's ``parity_extract_json`` helper does it.

Run as ``python -m lakehouse_samples.rust_style.extract_json < llm_output.txt``; prints
one line, ``{"matched":true,"value":{...}}`` or ``{"matched":false,"value":null}``.

Each step is what an idiomatic Rust port of the contract does, so every divergence
from the Go-style helper comes from a language habit, never from a planted input:

- **``String::from_utf8_lossy`` first.** The whole of stdin becomes a ``String``; each
  *maximal* invalid subpart becomes one U+FFFD (Python's ``"replace"`` handler
  follows the same Unicode recommendation). Go replaces per byte, inside JSON strings.
- **Fences with the ``regex`` crate**: ``(?is)```json[^\\n]*\\n(.*?)```````, then a
  bare ``(?s)```[^\\n]*\\n(.*?)``````. Case-insensitive (Unicode simple folding, so
  ```` ```JSON ```` and even ```` ```jſon ```` count) and not anchored to a line
  start; the lazy body stops at the first ```` ``` ````, even one inside a JSON
  string. Go's helper matches lines with ``strings.HasPrefix``.
- **A char scanner** finds the first balanced ``{...}``, skipping string literals.
- **``serde_json::from_str::<Value>``**: integers stay exact up to u64 (beyond that,
  f64), lone surrogate escapes are errors ("lone leading surrogate"), numbers out of
  f64 range are errors, and nesting beyond serde_json's recursion limit (128) is an
  error. orjson parses with the same number and surrogate rules; the depth limit is
  checked here because orjson's own is 1024.
- **``serde_json::to_string``**: ``Value`` objects are ``BTreeMap``s, so keys come out
  sorted; ``1.0`` stays ``1.0``; ``<`` and ``&`` are written as they are.

Running: ``python -m lakehouse_samples.rust_style.extract_json``. Every call is a new process, so
what it imports is its start-up time: the package imports neither difffuzz nor
Hypothesis, and the helper itself imports only the stdlib, orjson and regex.
"""

from __future__ import annotations

from typing import Any

import orjson
import regex  # type: ignore[import-untyped]  # no stubs bundled; types-regex would add them

from lakehouse_samples.lines import run_helper

__all__ = ["RECURSION_LIMIT", "answer", "extract", "main", "nesting_depth"]

#: serde_json's default recursion limit: the 128th nested ``[``/``{`` is an error.
RECURSION_LIMIT = 128

_JSON_FENCE = regex.compile(r"```json[^\n]*\n(.*?)```", regex.IGNORECASE | regex.DOTALL)
_BARE_FENCE = regex.compile(r"```[^\n]*\n(.*?)```", regex.DOTALL)


def nesting_depth(text: str) -> int:
    """The deepest ``{``/``[`` nesting outside string literals."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "}]":
            depth -= 1
    return deepest


def _first_balanced(text: str) -> str | None:
    start = text.find("{")
    if start < 0:
        return None
    depth = 0
    in_string = escaped = False
    for index, char in enumerate(text[start:], start):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start : index + 1]
    return None


def extract(raw: bytes) -> tuple[bool, Any]:
    """The first JSON object in LLM output, as ``(matched, value)``.

    >>> extract(b'Sure: {"count": 3} hope it helps')
    (True, {'count': 3})
    """
    text = raw.decode("utf-8", "replace")
    fence = _JSON_FENCE.search(text) or _BARE_FENCE.search(text)
    candidate = _first_balanced(fence.group(1) if fence else text)
    if candidate is None or nesting_depth(candidate) >= RECURSION_LIMIT:
        return False, None
    try:
        value = orjson.loads(candidate)
    except orjson.JSONDecodeError:
        return False, None
    return True, value


def answer(raw: bytes) -> tuple[int, bytes]:
    """One input's exit status and output line."""
    matched, value = extract(raw)
    line = orjson.dumps({"matched": matched, "value": value}, option=orjson.OPT_SORT_KEYS)
    return 0, line + b"\n"


def main(argv: list[str] | None = None) -> int:
    """One input from stdin, or one per line with ``--lines`` (``lakehouse_samples.lines``)."""
    return run_helper(answer, argv)


if __name__ == "__main__":
    raise SystemExit(main())
