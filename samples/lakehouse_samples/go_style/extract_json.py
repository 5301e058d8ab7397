"""extract_json as the Go port's ``extract_json_helper`` does it; also the Go-side JSON codec.

Run as ``python -m lakehouse_samples.go_style.extract_json < llm_output.txt``; prints one
line, ``{"matched":true,"value":{...}}`` or ``{"matched":false,"value":null}``.

Each step is what an idiomatic Go port of the contract does, so every divergence from
the Rust-style helper comes from a language habit, never from a planted input:

- **Input as bytes.** Go reads stdin into a ``[]byte`` and never decodes it as a whole.
  Invalid UTF-8 only matters where ``encoding/json`` meets it inside a string literal,
  and there ``decodeState.unquote`` replaces it *one U+FFFD per invalid byte*
  (``utf8.DecodeRune`` reports width 1). Rust's ``String::from_utf8_lossy`` replaces
  each maximal invalid subpart, so a truncated 4-byte emoji is three U+FFFD here and
  one on the Rust side.
- **Fences by lines.** The text is split on ``\\n``; a fence opens on a line for which
  ``strings.HasPrefix(line, "```json")`` holds (case-sensitive, not indented) and
  closes on the next line whose ``strings.TrimSpace`` starts with ```` ``` ````. The Rust
  side uses a case-insensitive regex that is not anchored to a line start, so
  ```` ```JSON ````, an indented fence or a fence closed mid-line differ.
- **A byte scanner** finds the first balanced ``{...}``, skipping string literals.
- **``json.Unmarshal`` into ``interface{}``**: every number becomes a ``float64``
  (2^53+1 loses its last digit; a number out of float64 range is an
  ``UnmarshalTypeError``), a lone surrogate escape becomes U+FFFD, NaN/Infinity are
  syntax errors, nesting deeper than 10000 is an error.
- **``json.Marshal`` output**: map keys sorted, floats formatted like ES6 (``1``, not
  ``1.0``; ``1e+21``), and ``<``, ``>``, ``&``, U+2028, U+2029 escaped as ``\\u003c``...
  because ``Marshal`` HTML-escapes by default.

The codec functions here (:func:`unmarshal_any`, :func:`marshal`, :func:`decode_bytes`)
are shared by the other Go-style helpers.

Running: ``python -m lakehouse_samples.go_style.extract_json``. Every call is a new process, so
what it imports is its start-up time: the package imports neither difffuzz nor
Hypothesis, and the helper itself imports only the stdlib.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import sys
from collections.abc import Iterable
from typing import Any

from lakehouse_samples.lines import run_helper

__all__ = [
    "GO_SPACE",
    "GoStruct",
    "UnmarshalError",
    "allow_go_depth",
    "answer",
    "decode_bytes",
    "extract",
    "format_float64",
    "main",
    "marshal",
    "nesting_depth",
    "parse_go_json",
    "replace_surrogates",
    "unmarshal_any",
]

#: Go's ``unicode.IsSpace``, used by ``strings.TrimSpace`` / ``bytes.TrimSpace``.
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

#: ``encoding/json``'s ``maxNestingDepth``.
MAX_NESTING_DEPTH = 10_000

_GO_REPLACE = "difffuzz-go-replace"


def _replace_one_byte(error: UnicodeError) -> tuple[str, int]:
    # Resume right after the first offending byte: utf8.DecodeRune reports width 1 for
    # any invalid sequence, so each byte of a truncated sequence gets its own U+FFFD.
    assert isinstance(error, UnicodeDecodeError)
    return "\ufffd", error.start + 1


codecs.register_error(_GO_REPLACE, _replace_one_byte)

_SURROGATE = re.compile("[\ud800-\udfff]")


class UnmarshalError(ValueError):
    """What ``json.Unmarshal`` returns as ``err``: a syntax or type error."""


def decode_bytes(data: bytes) -> str:
    """Bytes as a Go string reads them: each invalid UTF-8 byte is one U+FFFD.

    >>> decode_bytes(b"\\xf0\\x9f\\x98!")
    '���!'
    """
    return data.decode("utf-8", _GO_REPLACE)


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


def _float64(literal: str) -> float:
    number = float(literal)
    if math.isinf(number):
        # strconv.ParseFloat reports ErrRange and encoding/json turns it into a type error.
        raise UnmarshalError(
            f"json: cannot unmarshal number {literal} into Go value of type float64"
        )
    return number


def _reject_constant(name: str) -> Any:
    raise UnmarshalError(f"invalid character {name[0]!r} looking for beginning of value")


def replace_surrogates(text: str) -> str:
    """Lone surrogates (from ``\\ud800`` escapes) as U+FFFD, as Go's ``unquote`` writes them.

    Python's json keeps such an escape as a lone surrogate code point.
    """
    return _SURROGATE.sub("\ufffd", text)


def _without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return replace_surrogates(value)
    if isinstance(value, list):
        items = []
        for item in value:  # plain loops: deep values recurse in Python frames only
            items.append(_without_surrogates(item))
        return items
    if isinstance(value, dict):
        fields = {}
        for key, item in value.items():
            fields[replace_surrogates(key)] = _without_surrogates(item)
        return fields
    return value


def parse_go_json(text: str, *, first_value_only: bool = False, **hooks: Any) -> Any:
    """``json.loads`` with Go's literal rules: no NaN/Infinity, depth limit 10000.

    ``first_value_only`` reads like ``json.Decoder.Decode``: one value, and whatever
    follows it is left unread (``json.Unmarshal`` rejects it).
    """
    if text.count("{") + text.count("[") > MAX_NESTING_DEPTH and (
        nesting_depth(text) > MAX_NESTING_DEPTH
    ):
        raise UnmarshalError("exceeded max depth")
    try:
        if first_value_only:
            decoder = json.JSONDecoder(parse_constant=_reject_constant, **hooks)
            return decoder.raw_decode(text)[0]
        return json.loads(text, parse_constant=_reject_constant, **hooks)
    except json.JSONDecodeError as error:
        raise UnmarshalError(f"invalid JSON: {error}") from None
    except RecursionError:
        # Only reachable when the caller did not call allow_go_depth() first.
        raise UnmarshalError("exceeded max depth (raise the recursion limit)") from None


def allow_go_depth() -> None:
    """Let this process parse and marshal values nested as deep as Go accepts (10000).

    Python's default recursion limit (1000) would refuse depths Go handles; a helper
    calls this once in ``main``.
    """
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 3 * MAX_NESTING_DEPTH))


def unmarshal_any(data: bytes) -> Any:
    """``json.Unmarshal(data, &v)`` with ``v interface{}``.

    >>> unmarshal_any(b'{"n": 9007199254740993, "s": "\\\\ud800"}')
    {'n': 9007199254740992.0, 's': '�'}
    """
    value = parse_go_json(decode_bytes(data), parse_int=_float64, parse_float=_float64)
    return _without_surrogates(value)


# -- json.Marshal ------------------------------------------------------------------


class GoStruct:
    """A Go struct value: fields marshal in declaration order (maps sort their keys).

    A plain class rather than a dataclass: ``dataclasses`` pulls in ``inspect``, and
    every helper call is a new process.
    """

    __slots__ = ("fields",)

    def __init__(self, fields: Iterable[tuple[str, Any]]) -> None:
        self.fields: tuple[tuple[str, Any], ...] = tuple(fields)

    def __repr__(self) -> str:
        return f"GoStruct({list(self.fields)!r})"


_HTML_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_HTML_UNSAFE = re.compile("[<>&\u2028\u2029]")


def _quote(text: str) -> str:
    # json.dumps escapes exactly the control characters Go escapes (\b \f \n \r \t and
    # \u00XX, lower-case hex); Marshal's HTML escaping is added on top.
    quoted = json.dumps(text, ensure_ascii=False)
    return _HTML_UNSAFE.sub(lambda m: _HTML_ESCAPES[m.group()], quoted)


def _shortest_digits(value: float) -> tuple[str, int]:
    """Shortest round-trip digits of ``abs(value)`` and ``point``: value = 0.DIGITS e point."""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)
    significant = digits.lstrip("0")
    point -= len(digits) - len(significant)
    return significant.rstrip("0"), point


def format_float64(value: float) -> str:
    """A float64 as ``encoding/json`` writes it (ES6 number-to-string, Go's exponents).

    >>> [format_float64(x) for x in (1.0, -0.0, 0.1, 1e21, 1.5e-7, 123456789.0)]
    ['1', '-0', '0.1', '1e+21', '1.5e-7', '123456789']
    """
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"json: unsupported value: {value!r}")
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    digits, point = _shortest_digits(value)
    if not digits:
        return sign + "0"
    magnitude = abs(value)
    if magnitude < 1e-6 or magnitude >= 1e21:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        exponent = point - 1
        return f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent)}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def marshal(value: Any) -> str:
    """``json.Marshal``: dicts are Go maps (sorted keys), :class:`GoStruct` keeps its order.

    >>> marshal({"b": 1.0, "a": "<x>"})
    '{"a":"\\\\u003cx\\\\u003e","b":1}'
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float64(value)
    if isinstance(value, str):
        return _quote(value)
    # Plain loops rather than generator expressions: str.join over a generator would
    # recurse through C frames, and a 10000-deep value must not overflow the C stack.
    if isinstance(value, GoStruct | dict):
        pairs = value.fields if isinstance(value, GoStruct) else sorted(value.items())
        members = []
        for key, item in pairs:
            members.append(f"{_quote(key)}:{marshal(item)}")
        return "{" + ",".join(members) + "}"
    if isinstance(value, list | tuple):
        elements = []
        for item in value:
            elements.append(marshal(item))
        return "[" + ",".join(elements) + "]"
    raise TypeError(f"json: unsupported type: {type(value).__name__}")


# -- the helper ---------------------------------------------------------------------


def _fenced(lines: list[bytes], opening: bytes) -> bytes | None:
    for index, line in enumerate(lines):
        if not line.startswith(opening):
            continue
        for end in range(index + 1, len(lines)):
            if decode_bytes(lines[end]).lstrip(GO_SPACE).startswith("```"):
                return b"\n".join(lines[index + 1 : end])
        return None  # an unclosed fence is not a fence; fall through
    return None


def _first_balanced(data: bytes) -> bytes | None:
    start = data.find(b"{")
    if start < 0:
        return None
    depth = 0
    in_string = escaped = False
    for index in range(start, len(data)):
        byte = data[index]
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte == 0x7B:  # {
            depth += 1
        elif byte == 0x7D:  # }
            depth -= 1
            if depth == 0:
                return data[start : index + 1]
    return None


def extract(raw: bytes) -> tuple[bool, Any]:
    """The first JSON object in LLM output, as ``(matched, value)``.

    >>> extract(b'Sure: {"count": 3} hope it helps')
    (True, {'count': 3.0})
    """
    lines = raw.split(b"\n")
    body = _fenced(lines, b"```json")
    if body is None:
        body = _fenced(lines, b"```")
    candidate = _first_balanced(raw if body is None else body)
    if candidate is None:
        return False, None
    try:
        value = unmarshal_any(candidate)
    except UnmarshalError:
        return False, None
    return True, value


def answer(raw: bytes) -> tuple[int, bytes]:
    """One input's exit status and output line."""
    matched, value = extract(raw)
    line = marshal(GoStruct([("matched", matched), ("value", value)]))
    return 0, line.encode("utf-8") + b"\n"


def main(argv: list[str] | None = None) -> int:
    """One input from stdin, or one per line with ``--lines`` (``lakehouse_samples.lines``)."""
    allow_go_depth()
    return run_helper(answer, argv)


if __name__ == "__main__":
    raise SystemExit(main())
