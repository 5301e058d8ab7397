"""The wire-mutation families by name, and a surface's ``wire`` settings.

This module is plain data, so the config reader can validate a ``wire`` table
(family names, weights) without loading the mutation code. Each family is one
way two JSON libraries are known to part on a document that is *almost* the
one a strategy meant; the mutation code for each lives in
:mod:`difffuzz._wire.structure`, :mod:`~difffuzz._wire.numbers`,
:mod:`~difffuzz._wire.text` and :mod:`~difffuzz._wire.http`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

__all__ = [
    "DEFAULT_RATE",
    "FAMILIES",
    "HTTP_FAMILY",
    "WireMode",
    "WireSettings",
]

#: Family name -> what it sends. The order is the shrink order: a mutation shrinks
#: towards "no mutation" first, then towards families earlier in this table.
FAMILIES: Mapping[str, str] = MappingProxyType(
    {
        "missing_field": "a required field left out",
        "extra_field": "an unknown extra field",
        "duplicate_key": "a key twice in one object (first vs last wins)",
        "key_case": "a key in another letter case",
        "key_lookalike": "a key with a Unicode look-alike (Kelvin sign, long s, Cyrillic)",
        "value_type": "a field's value as null, another JSON type, an array or object of it",
        "document_replaced": "the whole document replaced by null, [], {} or a scalar",
        "enum_value": "an enum-like string replaced by an unknown spelling",
        "number_spelling": "a number spelled 1.0, 1e2, 1E+2, -0, 17+ digits, 1e400, +1, 01",
        "integer_boundary": "an integer at ±2^31, 2^32, 2^53±1, 2^63, 2^64 and past, or -1",
        "non_finite": "NaN or Infinity literals",
        "string_escape": "lone or reversed surrogate escapes, \\u0000, \\/, raw controls, \\x41",
        "invalid_utf8": "invalid UTF-8 bytes inside or outside strings, encoded surrogates",
        "overlong_utf8": "overlong UTF-8 encodings inside strings",
        "bom": "a byte order mark, or the document in UTF-16",
        "trailing_data": "whitespace, a second document, garbage or NUL after the document",
        "truncation": "the document cut short",
        "nesting_depth": "a value nested 100, 128, 1000 or 10000 levels deep",
        "long_string": "a string past 4 KiB, 64 KiB or 1 MiB",
        "long_key": "a key past 4 KiB or 64 KiB",
        "long_line": "the document padded past 4 KiB, 64 KiB or 1 MiB on one line",
        "whitespace": "\\f, \\v, NBSP and other non-JSON whitespace between tokens",
        "comment": "/* */, // and # comments",
        "single_quotes": "a key or string in single quotes",
        "http": "HTTP level (opt-in): empty body, missing or odd Content-Type, chunked body",
    }
)

#: The opt-in family: it changes the request, not the document, and a team may not care.
HTTP_FAMILY = "http"

#: Share of examples that get one mutation, unless the surface says otherwise.
DEFAULT_RATE = 0.5

WireMode = Literal["auto", "on", "off"]


@dataclass(frozen=True)
class WireSettings:
    """A surface's ``wire`` key, validated.

    ``mode`` "auto" turns the layer on where the runtimes read JSON (HTTP
    ``body = "json"`` or ``"template"`` surfaces and command surfaces), "on"
    everywhere (a ``python`` surface then receives bytes), "off" nowhere.
    ``families`` (when not empty) are the only ones used; ``weights`` are
    relative per family (default 1, 0 turns one off); the ``http`` family is
    off unless ``http`` is true, it has a weight, or ``families`` names it.

    >>> WireSettings().weight("duplicate_key"), WireSettings().weight("http")
    (1.0, 0.0)
    """

    mode: WireMode = "auto"
    rate: float = DEFAULT_RATE
    weights: Mapping[str, float] = field(default_factory=dict)
    http: bool = False
    families: tuple[str, ...] = ()

    def weight(self, family: str) -> float:
        if self.families and family not in self.families:
            return 0.0
        if family in self.weights:
            return float(self.weights[family])
        if family == HTTP_FAMILY:
            return 1.0 if self.http or family in self.families else 0.0
        return 1.0
