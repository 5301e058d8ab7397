"""How the Go port reads and writes JSON bodies (``encoding/json`` habits, via stdlib json).

- Bodies are read with ``json.NewDecoder(r.Body).Decode(&req)``: the first JSON
  value is decoded and anything after it is ignored; invalid UTF-8 inside
  strings becomes U+FFFD, and so does a lone surrogate escape (``"\\ud800"``);
  NaN/Infinity literals and a byte order mark are syntax errors.
- Decoding into a struct matches keys to fields *case-insensitively*
  (``"KIND"`` and ``"Kind"`` fill ``Kind``; Go's simple folding also maps
  ``ſ`` to ``s`` and the Kelvin sign to ``k``), the last matching key wins,
  unknown keys are ignored, ``null`` leaves the field at its zero value, and a
  missing field is its zero value too (``""``, ``0``, a nil slice).
- An ``int`` field accepts only an integer literal within int64: ``1.0``,
  ``1e2`` and ``9223372036854775808`` are ``UnmarshalTypeError``s.
- Errors are a struct with exported fields and no tags:
  ``{"Kind":"schema","Field":"to","Reason":"..."}``.
- Responses are written with ``json.NewEncoder(w).Encode(v)``: a trailing
  newline, ``<``, ``>`` and ``&`` escaped as ``\\u003c`` etc. (HTML-safe by
  default), and NaN refused (``json: unsupported value: NaN``) with the error
  ignored, so the status goes out with an empty body.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = [
    "APIError",
    "GoObject",
    "decode_body",
    "encode",
    "field_value",
    "go_fold",
    "read_int",
    "read_string",
    "read_strings",
    "read_struct",
]

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
_SURROGATE = re.compile("[\ud800-\udfff]")
_HTML_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_HTML_UNSAFE = re.compile("[<>&\u2028\u2029]")


class APIError(Exception):
    """The Go port's error struct, with the HTTP status the handler writes.

    >>> APIError(422, "schema", "to", "not an email").body()
    b'{"Kind":"schema","Field":"to","Reason":"not an email"}\\n'
    """

    def __init__(self, status: int, kind: str, field: str, reason: str) -> None:
        super().__init__(f"{kind} {field}: {reason}")
        self.status = status
        self.kind = kind
        self.field = field
        self.reason = reason

    def body(self) -> bytes:
        return encode({"Kind": self.kind, "Field": self.field, "Reason": self.reason})


class GoObject(dict[str, Any]):
    """A decoded JSON object that remembers every key/value pair in order (duplicates too)."""

    pairs: list[tuple[str, Any]]


class _FloatLiteral(float):
    """A number written with a fraction or exponent; Go refuses it for an int field."""

    literal: str


def _object(pairs: list[tuple[str, Any]]) -> GoObject:
    cleaned = [(_valid_utf8(key), value) for key, value in pairs]
    obj = GoObject(cleaned)
    obj.pairs = cleaned
    return obj


def _float(text: str) -> float:
    value = _FloatLiteral(text)
    value.literal = text
    return value


def _refuse_constant(name: str) -> float:
    raise ValueError(f"invalid character {name[0]!r} looking for beginning of value")


def _valid_utf8(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _valid_utf8(value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, GoObject):
        return _object([(key, _clean(item)) for key, item in value.pairs])
    return value


_DECODER = json.JSONDecoder(
    object_pairs_hook=_object, parse_float=_float, parse_constant=_refuse_constant
)


def decode_body(raw: bytes) -> Any:
    """The first JSON value of a body, as Go's Decoder reads it; APIError (400) if none."""
    text = raw.decode("utf-8", "replace")
    start = len(text) - len(text.lstrip(" \t\r\n"))
    if start == len(text):
        raise APIError(400, "decode", "", "EOF")
    try:
        value, _end = _DECODER.raw_decode(text, start)
    except json.JSONDecodeError as exc:
        raise APIError(400, "decode", "", _syntax_error(exc)) from None
    except ValueError as exc:
        raise APIError(400, "decode", "", str(exc)) from None
    except RecursionError:
        raise APIError(400, "decode", "", "exceeded max depth") from None
    return _clean(value)


def _syntax_error(exc: json.JSONDecodeError) -> str:
    """The error text Go's scanner gives for the byte where stdlib json stopped."""
    if exc.pos >= len(exc.doc):
        return "unexpected EOF"
    return f"invalid character {exc.doc[exc.pos]!r} {_WHERE.get(exc.msg, 'in JSON text')}"


_WHERE = {
    "Expecting value": "looking for beginning of value",
    "Expecting property name enclosed in double quotes": (
        "looking for beginning of object key string"
    ),
    "Expecting ',' delimiter": "after object key:value pair",
    "Expecting ':' delimiter": "after object key",
    "Invalid control character at": "in string literal",
    "Invalid \\escape": "in string escape code",
}


def encode(value: Any) -> bytes:
    """Serialise like ``json.NewEncoder(w).Encode(v)`` in a handler that ignores its error.

    ``Encode`` refuses NaN and infinities (``json: unsupported value: NaN``)
    before writing anything, and handlers rarely check its error, so the
    client gets the status with an empty body.
    """
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        return b""
    text = _HTML_UNSAFE.sub(lambda match: _HTML_ESCAPES[match.group()], text)
    return (text + "\n").encode("utf-8")


def go_fold(name: str) -> str:
    """Go's simple case folding of a key, as used to match keys to struct fields."""
    folded = []
    for char in name:
        simple = char.casefold()
        if len(simple) != 1:
            simple = char.lower() if len(char.lower()) == 1 else char
        folded.append(simple)
    return "".join(folded)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_error(value: Any, struct: str, field: str, go_type: str) -> APIError:
    shown = "number " + value.literal if isinstance(value, _FloatLiteral) else _json_kind(value)
    if isinstance(value, int) and not isinstance(value, bool):
        shown = f"number {value}"
    reason = (
        f"json: cannot unmarshal {shown} into Go struct field {struct}.{field} of type {go_type}"
    )
    return APIError(400, "decode", field, reason)


def read_struct(value: Any, struct: str) -> GoObject:
    """A JSON value decoded into a struct: an object, or ``null`` (all zero values)."""
    if value is None:
        return _object([])
    if not isinstance(value, GoObject):
        reason = f"json: cannot unmarshal {_json_kind(value)} into Go value of type {struct}"
        raise APIError(400, "decode", "", reason)
    return value


def field_value(obj: GoObject, name: str) -> Any:
    """The value Go's decoder puts in field ``name``: the last key that folds to it."""
    found = None
    wanted = go_fold(name)
    for key, value in obj.pairs:
        if key == name or go_fold(key) == wanted:
            found = value
    return found


def read_string(obj: GoObject, struct: str, name: str) -> str:
    value = field_value(obj, name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _type_error(value, struct, name, "string")
    return value


def read_int(obj: GoObject, struct: str, name: str) -> int:
    value = field_value(obj, name)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not INT64_MIN <= value <= INT64_MAX:
        raise _type_error(value, struct, name, "int")
    return value


def read_strings(obj: GoObject, struct: str, name: str) -> list[str]:
    """A ``[]string`` field: ``null`` items become ``""`` (the zero value), not an error."""
    value = field_value(obj, name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _type_error(value, struct, name, "[]string")
    items = []
    for item in value:
        if item is None:
            items.append("")
        elif isinstance(item, str):
            items.append(item)
        else:
            raise _type_error(item, struct, name, "string")
    return items
