"""JSON bytes: ``json.loads`` (CPython 3.11) vs ``orjson.loads``.

Both read RFC 8259 JSON from bytes, and each adds its own rules: the stdlib
reads ``NaN`` and ``Infinity``, keeps integers of any size, turns an overflowing
float into ``inf``, passes lone surrogates (escaped, or encoded in the bytes with
``surrogatepass``) and guesses UTF-16 and UTF-32 from the null bytes or a BOM;
orjson refuses non-finite numbers and surrogates, reads integers past 64 bits as
floats, and takes only UTF-8 without a BOM. Each side answers the parsed value,
floats tagged with their ``repr``. Sizes are counted in bytes.

The strategy writes JSON documents (objects, arrays, strings with escapes,
numbers in every notation) with the variations real producers emit: integers at
and past the 64-bit edges, huge exponents, non-finite literals, escaped and
encoded surrogates, a BOM, and the document re-encoded as UTF-16 or UTF-32.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson
from hypothesis import strategies as st

import difffuzz
from tests.quality.pairs import Cause, Pair, answer

__all__ = ["PAIR", "json_documents", "orjson_loads", "stdlib_loads"]


def stdlib_loads(value: bytes) -> str:
    return answer(json.loads, value)


def orjson_loads(value: bytes) -> str:
    return answer(orjson.loads, value)


def _numbers() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(0, 99).map(str),
        st.sampled_from(["-0", "1.5", "-2.25", "1e3", "1E-2", "0.1", "6.02e23"]),
        st.sampled_from(
            ["9223372036854775807", "-9223372036854775808", "18446744073709551615"]
        ),  # 64-bit edges both read
        st.sampled_from(
            ["18446744073709551616", "-9223372036854775809", "123456789012345678901234567890"]
        ),  # past them
        st.sampled_from(["1e309", "-1e400", "9e999"]),  # past float64
        st.sampled_from(["NaN", "Infinity", "-Infinity"]),
    )


def _strings() -> st.SearchStrategy[str]:
    lone_surrogates = ["\\ud800", "\\udc00\\ud800"]
    piece = st.sampled_from(
        [
            "a",
            "é",
            " ",
            "ok",
            "\\n",
            '\\"',
            "\\u00e9",
            "\\ud83d\\ude00",
            "id",
            "\\t",
            *lone_surrogates,
        ]
    )
    return st.lists(piece, max_size=3).map(lambda parts: '"' + "".join(parts) + '"')


def _values() -> st.SearchStrategy[str]:
    def containers(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        array = st.lists(children, max_size=3).map(lambda items: "[" + ",".join(items) + "]")
        members = st.lists(st.tuples(_strings(), children), max_size=3)
        record = members.map(lambda m: "{" + ",".join(f"{k}:{v}" for k, v in m) + "}")
        return array | record

    scalars = st.one_of(_numbers(), _strings(), st.sampled_from(["true", "false", "null"]))
    return st.recursive(scalars, containers, max_leaves=6)


@st.composite
def _document(draw: st.DrawFn) -> bytes:
    text = draw(_values())
    if draw(st.integers(0, 9)) == 9:  # a raw surrogate in a string, as a sloppy producer writes
        text = text.replace('"', '"\udfff', 1) if '"' in text else text
    encoding = "utf-8"
    if draw(st.integers(0, 5)) == 5:
        encoding = draw(
            st.sampled_from(["utf-8-sig", "utf-16-le", "utf-16", "utf-32-le", "utf-32-be"])
        )
    return text.encode(encoding, "surrogatepass")


@difffuzz.strategy(
    "pairs_json",
    description="JSON documents as bytes, with the edge numbers, surrogates and encodings "
    "producers emit",
    examples=[b'{"id": 1, "name": "\\u00e9"}'],
)
def json_documents() -> st.SearchStrategy[bytes]:
    return _document()


_NON_FINITE = re.compile(rb"(?<![\w.])-?(?:NaN|Infinity)(?!\w)")
_NUMBER = re.compile(rb"(?<![\w.\"])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])")


def _utf8(value: Any) -> bytes:
    """The document's bytes when they are UTF-8 (the causes below are about UTF-8 input)."""
    return value if isinstance(value, bytes) and not _other_encoding(value) else b""


def _outside_strings(value: bytes) -> bytes:
    return re.sub(rb'"(?:[^"\\]|\\.)*"', b'""', value)


def _non_finite(value: Any) -> bool:
    return _NON_FINITE.search(_outside_strings(_utf8(value))) is not None


def _numbers_in(value: Any) -> list[bytes]:
    return _NUMBER.findall(_outside_strings(_utf8(value)))


def _big_integer(value: Any) -> bool:
    return any(
        re.fullmatch(rb"-?\d+", n) and not -(2**63) <= int(n) <= 2**64 - 1
        for n in _numbers_in(value)
    )


def _float_overflow(value: Any) -> bool:
    return any(
        not re.fullmatch(rb"-?\d+", n) and float(n) in (float("inf"), float("-inf"))
        for n in _numbers_in(value)
    )


def _lone_surrogate_escape(value: Any) -> bool:
    text = _utf8(value).decode("utf-8", "surrogatepass") if _utf8(value) else ""
    text = re.sub("[\ud800-\udfff]", "x", text)  # encoded ones are the next cause
    for string in re.findall(r'"((?:[^"\\]|\\.)*)"', text):
        decoded = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), string).encode(
            "utf-16", "surrogatepass"
        )
        try:
            decoded.decode("utf-16")
        except UnicodeDecodeError:
            return True
    return False


def _encoded_surrogate(value: Any) -> bool:
    return re.search(rb"\xed[\xa0-\xbf][\x80-\xbf]", _utf8(value)) is not None


def _utf8_bom(value: Any) -> bool:
    return isinstance(value, bytes) and value.startswith(b"\xef\xbb\xbf")


def _other_encoding(value: Any) -> bool:
    """What ``json.detect_encoding`` reads as UTF-16 or UTF-32.

    A UTF-16 or UTF-32 BOM, or a null first or second byte.
    """
    if not isinstance(value, bytes):
        return False
    boms = (b"\xff\xfe", b"\xfe\xff")
    return value.startswith(boms) or (len(value) >= 2 and 0 in value[:2])


PAIR = Pair(
    name="json",
    left="json.loads",
    right="orjson.loads",
    left_target="tests.quality.pairs.json_texts:stdlib_loads",
    right_target="tests.quality.pairs.json_texts:orjson_loads",
    strategy="pairs_json",
    module="tests.quality.pairs.json_texts",
    size_unit="bytes",
    causes=(
        Cause(
            "non-finite-literal",
            "NaN, Infinity or -Infinity: the stdlib reads them, orjson refuses (not JSON)",
            b"NaN",
            _non_finite,
        ),
        Cause(
            "integer-past-64-bits",
            "an integer below -2**63 or above 2**64-1: the stdlib keeps it exact, orjson "
            "reads a float",
            b"18446744073709551616",
            _big_integer,
        ),
        Cause(
            "float-overflow",
            "a number too large for float64 (1e309): the stdlib reads inf, orjson refuses",
            b"1e309",
            _float_overflow,
        ),
        Cause(
            "lone-surrogate-escape",
            "an escaped lone surrogate (\\ud800): the stdlib makes a str holding it, orjson "
            "refuses",
            b'"\\ud800"',
            _lone_surrogate_escape,
        ),
        Cause(
            "encoded-surrogate",
            "a surrogate encoded in the UTF-8 bytes (ED A0 80): the stdlib decodes with "
            "surrogatepass, orjson refuses invalid UTF-8",
            b'"\xed\xbf\xbf"',
            _encoded_surrogate,
        ),
        Cause(
            "utf8-bom",
            "a UTF-8 byte order mark: the stdlib skips it, orjson refuses",
            b"\xef\xbb\xbf0",
            _utf8_bom,
        ),
        Cause(
            "utf16-or-utf32",
            "UTF-16 or UTF-32 input (a BOM, or a null first or second byte): the stdlib "
            "detects and decodes it, orjson reads only UTF-8",
            b"0\x00",
            _other_encoding,
        ),
    ),
)
