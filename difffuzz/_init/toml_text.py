"""TOML values written by hand: the starter configs are text with comments, not a dump.

Only what the starters write is supported: strings, integers, floats, booleans,
lists and tables (written inline), enough to put a JSON Schema or an argv in a
config. A test reads every value back with :mod:`tomllib`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["toml_key", "toml_value"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it can be, quoted otherwise.

    >>> toml_key("max_examples"), toml_key("$ref")
    ('max_examples', '"$ref"')
    """
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def toml_value(value: Any) -> str:
    """``value`` as an inline TOML value.

    >>> toml_value({"texts": ["$input"], "n": 2, "ok": True})
    '{ texts = ["$input"], n = 2, ok = true }'
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = ", ".join(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }"
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if value is None:
        raise ValueError("TOML has no null; leave the key out instead")
    raise TypeError(f"no TOML form for {type(value).__name__} {value!r}")


def _string(text: str) -> str:
    # JSON's escapes are TOML's basic-string escapes, except that TOML also
    # refuses a raw DEL character.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
