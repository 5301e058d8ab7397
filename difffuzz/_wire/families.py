"""Every family's implementation, by the name :data:`~difffuzz._wire.catalog.FAMILIES` gives it."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from difffuzz._wire import numbers, size, structure, text
from difffuzz._wire.catalog import FAMILIES
from difffuzz._wire.choice import Family
from difffuzz._wire.http import http

__all__ = ["IMPLEMENTATIONS"]

IMPLEMENTATIONS: Mapping[str, Family] = MappingProxyType(
    {
        "missing_field": structure.missing_field,
        "extra_field": structure.extra_field,
        "duplicate_key": structure.duplicate_key,
        "key_case": structure.key_case,
        "key_lookalike": structure.key_lookalike,
        "value_type": structure.value_type,
        "document_replaced": structure.document_replaced,
        "enum_value": structure.enum_value,
        "number_spelling": numbers.number_spelling,
        "integer_boundary": numbers.integer_boundary,
        "non_finite": numbers.non_finite,
        "string_escape": text.string_escape,
        "invalid_utf8": text.invalid_utf8,
        "overlong_utf8": text.overlong_utf8,
        "bom": text.bom,
        "trailing_data": text.trailing_data,
        "truncation": text.truncation,
        "nesting_depth": size.nesting_depth,
        "long_string": size.long_string,
        "long_key": size.long_key,
        "long_line": size.long_line,
        "whitespace": text.whitespace,
        "comment": text.comment,
        "single_quotes": text.single_quotes,
        "http": http,
    }
)
assert list(IMPLEMENTATIONS) == list(FAMILIES), "every catalogued family needs its code"
