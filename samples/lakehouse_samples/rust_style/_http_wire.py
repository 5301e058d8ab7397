"""How the Rust gateway reads and writes JSON bodies (serde_json habits, via orjson).

- Bodies are parsed the way ``axum::Json<serde_json::Value>`` parses them:
  strict UTF-8, no lone surrogate escapes, no NaN/Infinity literals, no byte
  order mark, nothing after the document, at most 128 levels of nesting
  (serde_json's recursion limit), integers beyond 64 bits read as f64 and
  ``1e400`` refused as out of range. orjson agrees with serde_json on all of
  these except the depth limit (1024), which is checked here.
- Typed fields are read the way ``serde_json::from_value`` into a derived struct
  reads them: ``null`` is not a string, ``3.0`` is not an integer, a negative
  number is not a ``usize``, and the error names the type serde expected.
- Errors are one enum, serialised externally tagged:
  ``{"Schema": {"field": "to", "reason": "..."}}``.
- Responses are written with orjson: compact, UTF-8, non-finite floats as
  ``null`` (what serde_json does with NaN).
"""

from __future__ import annotations

from typing import Any

import orjson

__all__ = [
    "ApiError",
    "decode_body",
    "encode",
    "read_bool",
    "read_str",
    "read_str_list",
    "read_uint",
    "schema_error",
    "serde_type",
    "trim",
]

MAX_DEPTH = 128
U32_MAX = 2**32 - 1
U64_MAX = 2**64 - 1

# The White_Space property: what `str::trim` strips (unlike Python's `str.strip()`,
# which also strips the ASCII separators U+001C..U+001F).
WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def trim(text: str) -> str:
    """``str::trim``: strip Unicode White_Space from both ends.

    >>> trim("\u3000 forklift\\n")
    'forklift'
    """
    return text.strip(WHITE_SPACE)


class ApiError(Exception):
    """One variant of the gateway's error enum, with the HTTP status it maps to.

    >>> ApiError(422, "Schema", field="to", reason="not an email").body()
    b'{"Schema":{"field":"to","reason":"not an email"}}'
    """

    def __init__(self, status: int, variant: str, **fields: Any) -> None:
        super().__init__(f"{variant}: {fields}")
        self.status = status
        self.variant = variant
        self.fields = fields

    def body(self) -> bytes:
        return encode({self.variant: self.fields})


def schema_error(field: str, reason: str) -> ApiError:
    return ApiError(422, "Schema", field=field, reason=reason)


def decode_body(raw: bytes) -> Any:
    """Parse a request body like serde_json; :class:`ApiError` (400) when it is not JSON."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, "Parse", reason=str(exc)) from None
    if _depth(value) > MAX_DEPTH:
        raise ApiError(400, "Parse", reason="recursion limit exceeded")
    return value


def _depth(value: Any) -> int:
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item)
    return deepest


def encode(value: Any) -> bytes:
    """Serialise a response body (orjson writes NaN as ``null``, like serde_json)."""
    return orjson.dumps(value)


def serde_type(value: Any) -> str:
    """How serde names an unexpected value in ``invalid type: ..., expected ...``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean `{str(value).lower()}`"
    if isinstance(value, int):
        return f"integer `{value}`"
    if isinstance(value, float):
        return f"floating point `{value!r}`"
    if isinstance(value, str):
        return f"string {orjson.dumps(value).decode()}"
    if isinstance(value, list):
        return "sequence"
    return "map"


def _invalid(field: str, value: Any, expected: str) -> ApiError:
    return schema_error(field, f"invalid type: {serde_type(value)}, expected {expected}")


def read_str(record: dict[str, Any], field: str, default: str | None = None) -> str:
    """A ``String`` field (``#[serde(default)]`` when ``default`` is given)."""
    if field not in record:
        if default is None:
            raise schema_error(field, f"missing field `{field}`")
        return default
    value = record[field]
    if not isinstance(value, str):
        raise _invalid(field, value, "a string")
    return value


def read_bool(record: dict[str, Any], field: str) -> bool:
    if field not in record:
        raise schema_error(field, f"missing field `{field}`")
    value = record[field]
    if not isinstance(value, bool):
        raise _invalid(field, value, "a boolean")
    return value


def read_uint(
    record: dict[str, Any], field: str, *, maximum: int, type_name: str, default: int | None = None
) -> int:
    """An unsigned integer field (``u32``, ``usize``): floats and negatives are refused."""
    if field not in record:
        if default is None:
            raise schema_error(field, f"missing field `{field}`")
        return default
    value = record[field]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(field, value, type_name)
    if isinstance(value, float):
        # serde_json keeps 3.0 (and integers past u64, read as f64) as floats.
        raise _invalid(field, value, type_name)
    if value < 0 or value > maximum:
        raise schema_error(field, f"invalid value: integer `{value}`, expected {type_name}")
    return value


def read_str_list(record: dict[str, Any], field: str, *, required: bool = True) -> list[str]:
    """A ``Vec<String>`` field; ``null`` is not a sequence and ``null`` items are not strings."""
    if field not in record:
        if required:
            raise schema_error(field, f"missing field `{field}`")
        return []
    value = record[field]
    if not isinstance(value, list):
        raise _invalid(field, value, "a sequence")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise _invalid(f"{field}[{index}]", item, "a string")
    return value
