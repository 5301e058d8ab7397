"""TOML: ``tomllib`` (CPython 3.11, TOML 1.0) vs ``tomlkit`` (which reads TOML 1.1).

tomlkit 0.13+ implements TOML 1.1's relaxations: inline tables may have a
trailing comma and span lines, basic strings know the ``\\e`` and ``\\xHH``
escapes, and seconds are optional in times. tomllib is TOML 1.0 and refuses all
five. Each side answers the parsed document, dates and times as tagged ISO
strings.

The strategy writes documents line by line: ``key = value`` pairs and
``[table]`` headers, values of every TOML type (integers in several notations,
floats, booleans, basic strings with escapes, literal strings, dates, times,
date-times with offsets, arrays, inline tables), with the variations people write
(spacing, trailing commas, an inline table closed on its own line, a time without
seconds, the new escapes). Simplest parts first, so shrunk documents are short.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from typing import Any

import tomlkit
from hypothesis import strategies as st

import difffuzz
from tests.quality.pairs import Cause, Pair, answer

__all__ = ["PAIR", "toml_documents", "tomlkit_parse", "tomllib_loads"]


def _dates_tagged(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _dates_tagged(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_dates_tagged(item) for item in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return {type(value).__name__: value.isoformat()}
    return value


def tomllib_loads(value: str) -> str:
    return answer(lambda text: _dates_tagged(tomllib.loads(text)), value)


def tomlkit_parse(value: str) -> str:
    return answer(lambda text: _dates_tagged(tomlkit.parse(text).unwrap()), value)


_KEYS = st.sampled_from(["a", "b", "c", "name", "x-y", '"q k"'])


def _time() -> st.SearchStrategy[str]:
    hours = st.integers(0, 23).map("{:02d}".format)
    minutes = st.integers(0, 59).map("{:02d}".format)
    seconds = st.sampled_from(["", ":00", ":59", ":30.5", ":01.123456"])
    return st.tuples(hours, minutes, seconds).map(lambda p: f"{p[0]}:{p[1]}{p[2]}")


def _date() -> st.SearchStrategy[str]:
    return st.tuples(st.integers(1, 9999), st.integers(1, 12), st.integers(1, 28)).map(
        lambda p: f"{p[0]:04d}-{p[1]:02d}-{p[2]:02d}"
    )


def _scalars() -> st.SearchStrategy[str]:
    integers = st.integers(0, 99).map(str) | st.sampled_from(
        ["-0", "+1", "1_000", "0x1f", "0o17", "0b101", "9223372036854775807"]
    )
    floats = st.sampled_from(["1.0", "1e3", "-0.0", "3.14", "inf", "-inf", "nan", "6.02e+23"])
    piece = st.sampled_from(
        ["a", "é", " ", "\\n", "\\t", '\\"', "\\\\", "\\u00e9", "\\U0001F600", "\\e", "\\x41"]
    )
    basic = st.lists(piece, max_size=4).map(lambda parts: '"' + "".join(parts) + '"')
    literal = st.text(st.sampled_from('ab \\é"'), max_size=4).map(lambda text: f"'{text}'")
    offset = st.sampled_from(["", "Z", "+01:00", "-05:30"])
    datetimes = st.tuples(_date(), st.sampled_from(["T", " "]), _time(), offset).map("".join)
    return st.one_of(
        integers,
        floats,
        st.sampled_from(["true", "false"]),
        basic,
        literal,
        _time(),
        _date(),
        datetimes,
    )


def _values() -> st.SearchStrategy[str]:
    def containers(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        array = st.tuples(st.lists(children, max_size=3), st.sampled_from(["", ","])).map(
            lambda p: "[" + ", ".join(p[0]) + (p[1] if p[0] else "") + "]"
        )
        entries = st.lists(st.tuples(_KEYS, children), max_size=3, unique_by=lambda e: e[0])
        inline = st.tuples(entries, st.sampled_from(["", ","]), st.sampled_from(["", "\n"])).map(
            lambda p: (
                "{"
                + ", ".join(f"{key} = {value}" for key, value in p[0])
                + (p[1] if p[0] else "")
                + p[2]
                + "}"
            )
        )
        return array | inline

    return st.recursive(_scalars(), containers, max_leaves=6)


@st.composite
def _document(draw: st.DrawFn) -> str:
    lines: list[str] = []
    seen: set[str] = set()
    for _ in range(draw(st.integers(1, 4))):
        if lines and draw(st.integers(0, 4)) == 4:
            lines.append(f"[{draw(st.sampled_from(['t', 'server', 't.sub']))}]")
            seen = set()
            continue
        key = draw(_KEYS)
        if key in seen:
            continue
        seen.add(key)
        lines.append(key + draw(st.sampled_from(["=", " = "])) + draw(_values()))
    return "\n".join(lines)


@difffuzz.strategy(
    "pairs_toml",
    description="TOML documents line by line, every value type, the variations people write",
    examples=['name = "lakehouse"\n[server]\nport = 8080'],
)
def toml_documents() -> st.SearchStrategy[str]:
    return _document()


def _code(text: str) -> str:
    """``text`` with every string's content blanked, so syntax is matched outside strings."""
    out: list[str] = []
    quote = ""
    index = 0
    while index < len(text):
        char = text[index]
        if quote:
            if quote == '"' and char == "\\":
                out.append("__")
                index += 2
                continue
            out.append(char if char == quote else "_")
            quote = "" if char == quote else quote
        else:
            quote = char if char in "\"'" else ""
            out.append(char)
        index += 1
    return "".join(out)


def _basic_escapes(text: str) -> list[str]:
    """The escape letters (with what follows) used in the document's basic strings."""
    escapes: list[str] = []
    quote = ""
    index = 0
    while index < len(text):
        char = text[index]
        if quote == '"' and char == "\\":
            escapes.append(text[index + 1 : index + 4])
            index += 2
            continue
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        index += 1
    return escapes


def _escape_e(value: Any) -> bool:
    return isinstance(value, str) and any(e.startswith("e") for e in _basic_escapes(value))


def _escape_x(value: Any) -> bool:
    return isinstance(value, str) and any(
        re.fullmatch(r"x[0-9A-Fa-f]{2}", e) for e in _basic_escapes(value)
    )


def _inline_trailing_comma(value: Any) -> bool:
    return isinstance(value, str) and re.search(r",\s*\}", _code(value)) is not None


def _inline_newline(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    opened: list[str] = []
    for char in _code(value):
        if char in "[{":
            opened.append(char)
        elif char in "]}" and opened:
            opened.pop()
        elif char == "\n" and opened and opened[-1] == "{":
            return True
    return False


def _time_without_seconds(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    # Not an offset: "+01:00" is hours and minutes by design.
    return re.search(r"(?<![\d:+-])\d{2}:\d{2}(?![:\d])", _code(value)) is not None


PAIR = Pair(
    name="toml",
    left="tomllib.loads",
    right="tomlkit.parse",
    left_target="tests.quality.pairs.toml_documents:tomllib_loads",
    right_target="tests.quality.pairs.toml_documents:tomlkit_parse",
    strategy="pairs_toml",
    module="tests.quality.pairs.toml_documents",
    causes=(
        Cause(
            "inline-trailing-comma",
            "an inline table with a trailing comma (TOML 1.1): tomlkit reads it, tomllib refuses",
            "a={a=1,}",
            _inline_trailing_comma,
        ),
        Cause(
            "inline-newline",
            "a newline inside an inline table (TOML 1.1): tomlkit reads it, tomllib refuses",
            "a={\n}",
            _inline_newline,
        ),
        Cause(
            "escape-e",
            "the \\e escape (ESC, TOML 1.1) in a basic string: tomlkit reads it, tomllib refuses",
            'a="\\e"',
            _escape_e,
        ),
        Cause(
            "escape-x",
            "a \\xHH escape (TOML 1.1) in a basic string: tomlkit reads it, tomllib refuses",
            'a="\\x41"',
            _escape_x,
        ),
        Cause(
            "time-without-seconds",
            "a time or date-time without seconds (HH:MM, TOML 1.1): tomlkit reads it, tomllib "
            "refuses",
            "a=00:00",
            _time_without_seconds,
        ),
    ),
)
