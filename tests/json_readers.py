"""Real JSON readers of different lineages, as in-process runtimes for the wire quality test.

Each function reads the request body (bytes) with one library and answers the
value it read, or raises what the library raised (the python transport turns
that into a crashed outcome). Nothing here changes what a library accepts: the
differences the quality test finds are the libraries' own. Verified behaviour,
by hand, is tabled in tests/test_wire_quality.py.
"""

from __future__ import annotations

import json
from typing import Any

import json5
import orjson
import rapidjson
import simdjson
import ujson

__all__ = [
    "json5_reader",
    "orjson_reader",
    "rapidjson_reader",
    "simdjson_lookup",
    "stdlib",
    "ujson_reader",
]


def _answer(value: Any) -> bytes:
    # The answer is compared as JSON: write what was read, losslessly enough to compare
    # (a lone surrogate escaped, NaN as the JSON extension every reader here writes).
    return json.dumps({"read": value}, allow_nan=True).encode("utf-8")


def stdlib(body: bytes) -> bytes:
    """Python's ``json`` (bytes in: it detects UTF-8/16/32 and skips a UTF-8 BOM)."""
    return _answer(json.loads(body))


def rapidjson_reader(body: bytes) -> bytes:
    return _answer(rapidjson.loads(body))


def orjson_reader(body: bytes) -> bytes:
    return _answer(orjson.loads(body))


def ujson_reader(body: bytes) -> bytes:
    return _answer(ujson.loads(body))


def json5_reader(body: bytes) -> bytes:
    """JSON5 reads text; bytes that are not UTF-8 are refused as UTF-8 decoding refuses them."""
    return _answer(json5.loads(body.decode("utf-8")))


def simdjson_lookup(body: bytes) -> bytes:
    """pysimdjson's own access API: ``obj[key]`` finds the *first* member with that key."""
    document = simdjson.Parser().parse(body)
    return _answer(_native(document))


def _native(node: Any) -> Any:
    if isinstance(node, simdjson.Object):
        return {key: _native(node[key]) for key in node}
    if isinstance(node, simdjson.Array):
        return [_native(item) for item in node]
    return node
