"""Families that change the document's structure: its keys, fields and value types.

These are where typed decoders part: Go's ``encoding/json`` matches keys to
struct fields case-insensitively (with simple folding, so the Kelvin sign is a
``k``) and lets the last duplicate win; serde refuses a duplicate field and, by
default, ignores unknown ones; a dynamic-language decoder accepts any of it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from hypothesis import strategies as st

from difffuzz._inputs import json_bytes
from difffuzz._wire.choice import pick
from difffuzz._wire.document import (
    Document,
    Mutation,
    Path,
    get_at,
    placeholder,
    quoted,
    render,
    replace_at,
    where,
)

__all__ = [
    "document_replaced",
    "duplicate_key",
    "enum_value",
    "extra_field",
    "key_case",
    "key_lookalike",
    "missing_field",
    "value_type",
]


def _with_object(value: Any, path: Path, members: list[tuple[str, Any]]) -> Any:
    return replace_at(value, path, dict(members))


def missing_field(draw: st.DrawFn, doc: Document) -> Mutation | None:
    if not doc.sites.members:
        return None
    path, key = pick(draw, doc.sites.members)
    members = [(k, v) for k, v in get_at(doc.value, path).items() if k != key]
    new = _with_object(doc.value, path, members)
    return Mutation(json_bytes(new), f"field {quoted(key)} left out {where(path)}")


_EXTRA_NAMES = ("extra", "unknown", "", "__proto__", "$schema", "id")
_EXTRA_VALUES: tuple[Any, ...] = (None, 1, "x", True, {}, [])


def extra_field(draw: st.DrawFn, doc: Document) -> Mutation | None:
    if not doc.sites.objects:
        return None
    path = pick(draw, doc.sites.objects)
    current = get_at(doc.value, path)
    near_misses = [f"{key}_" for key in list(current)[:4]]
    names = [name for name in (*_EXTRA_NAMES, *near_misses) if name not in current]
    name = pick(draw, names)
    extra = pick(draw, _EXTRA_VALUES)
    new = _with_object(doc.value, path, [*current.items(), (name, extra)])
    return Mutation(
        json_bytes(new), f"unknown field {quoted(name)}: {quoted(extra)} added {where(path)}"
    )


def _other_values(value: Any) -> list[Any]:
    """Values unlike ``value``: first of its own type, then of the others."""
    same: list[Any] = []
    if isinstance(value, bool):
        same = [not value]
    elif isinstance(value, int | float):
        same = [value + 1]
    elif isinstance(value, str):
        same = [value + "x", ""]
    others: list[Any] = [None, "", 0, True, [], {}]
    return [v for v in (*same, *others) if v != value or type(v) is not type(value)]


def duplicate_key(draw: st.DrawFn, doc: Document) -> Mutation | None:
    if not doc.sites.members:
        return None
    path, key = pick(draw, doc.sites.members)
    original = get_at(doc.value, (*path, key))
    other = pick(draw, _other_values(original))
    first, last = (original, other) if not draw(st.booleans()) else (other, original)
    marker = placeholder(doc)
    # The member's value becomes `first,"key":last`: the key appears twice in a row.
    raw = json_bytes(first) + b"," + json_bytes(key) + b":" + json_bytes(last)
    sent = render(replace_at(doc.value, (*path, key), marker), {marker: raw})
    return Mutation(
        sent, f"key {quoted(key)} twice {where(path)}: first {quoted(first)}, then {quoted(last)}"
    )


def _renamed(doc: Document, path: Path, old: str, new: str) -> bytes:
    members = [(new if k == old else k, v) for k, v in get_at(doc.value, path).items()]
    return json_bytes(_with_object(doc.value, path, members))


def key_case(draw: st.DrawFn, doc: Document) -> Mutation | None:
    candidates = []
    for path, key in doc.sites.members:
        taken = get_at(doc.value, path)
        spellings = [
            s
            for s in dict.fromkeys((key.upper(), key.capitalize(), key.swapcase(), key.lower()))
            if s != key and s not in taken
        ]
        if spellings:
            candidates.append((path, key, spellings))
    if not candidates:
        return None
    path, key, spellings = pick(draw, candidates)
    new = pick(draw, spellings)
    return Mutation(_renamed(doc, path, key, new), f"key {quoted(key)} spelled {quoted(new)}")


# Go's simple folding maps the Kelvin sign to k and the long s to s: a Go struct
# field "kind" is filled by "\u212aind"; byte-exact decoders see an unknown key.
_FOLDS_IN_GO = {"k": "\u212a", "K": "\u212a", "s": "\u017f", "S": "\u017f"}
_CYRILLIC = {"a": "а", "c": "с", "e": "е", "i": "і", "o": "о", "p": "р", "x": "х", "y": "у"}


def _lookalikes(key: str) -> list[tuple[str, str]]:
    found = []
    for table, what in ((_FOLDS_IN_GO, "a letter Go folds"), (_CYRILLIC, "a Cyrillic letter")):
        index = next((i for i, char in enumerate(key) if char in table), None)
        if index is not None:
            found.append((key[:index] + table[key[index]] + key[index + 1 :], what))
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in key)
    if wide != key:
        found.append((wide, "fullwidth letters"))
    decomposed = unicodedata.normalize("NFD", key)
    if decomposed != key:
        found.append((decomposed, "decomposed (NFD)"))
    if key:
        found.append((key[:1] + "\u200b" + key[1:], "a zero-width space"))
        found.append((key + " ", "a trailing space"))
    return found


def key_lookalike(draw: st.DrawFn, doc: Document) -> Mutation | None:
    candidates = []
    for path, key in doc.sites.members:
        taken = get_at(doc.value, path)
        spellings = [(s, what) for s, what in _lookalikes(key) if s not in taken]
        if spellings:
            candidates.append((path, key, spellings))
    if not candidates:
        return None
    path, key, spellings = pick(draw, candidates)
    new, what = pick(draw, spellings)
    return Mutation(
        _renamed(doc, path, key, new), f"key {quoted(key)} spelled {quoted(new)} ({what})"
    )


def _retyped(value: Any) -> list[tuple[Any, str]]:
    other: Any
    if isinstance(value, bool):
        other = int(value)
    elif isinstance(value, int | float):
        other = json_bytes(value).decode("ascii")
    elif isinstance(value, str):
        other = 1
    elif isinstance(value, dict):
        other = list(value.values())
    elif isinstance(value, list):
        other = {str(i): v for i, v in enumerate(value)}
    else:
        other = 0
    options = [(None, "null"), (other, "another type"), ([value], "an array of it")]
    options.append(({"value": value}, "an object holding it"))
    return [(v, what) for v, what in options if v is not value]


def value_type(draw: st.DrawFn, doc: Document) -> Mutation | None:
    # The whole document is document_replaced's; here a field or an item changes.
    sites = doc.sites.values[1:]
    if not sites:
        return None
    path = pick(draw, sites)
    current = get_at(doc.value, path)
    options = [(v, what) for v, what in _retyped(current) if current is not None or v is not None]
    new, what = pick(draw, options)
    sent = json_bytes(replace_at(doc.value, path, new))
    return Mutation(sent, f"value {where(path)}: {quoted(current)} → {quoted(new)} ({what})")


_DOCUMENTS: tuple[Any, ...] = (None, [], {}, "", 0, True, "text")


def document_replaced(draw: st.DrawFn, doc: Document) -> Mutation | None:
    options = [
        v for v in (*_DOCUMENTS, [doc.value]) if v != doc.value or type(v) is not type(doc.value)
    ]
    new = pick(draw, options)
    return Mutation(json_bytes(new), f"the document replaced by {quoted(new)}")


# Without known alternatives, a string that looks like an enum value: a short
# lower-case or upper-case identifier ("sms", "infra_error", "GET").
_ENUM_LIKE = re.compile(r"[a-z][a-z0-9_.-]{0,39}|[A-Z][A-Z0-9_]{0,39}")


def _unknown_spellings(value: str, enums: frozenset[str]) -> list[str]:
    """Near misses of ``value`` that are none of the known alternatives.

    (The other alternatives may be this very field's valid values: which
    ``sampled_from`` fills which field is not known, so none of them is used.)
    """
    near = [value.upper() if value != value.upper() else value.lower(), value.capitalize()]
    near += [value + " ", " " + value, value[:-1], value + "_v2", "unknown", ""]
    return [s for s in dict.fromkeys(near) if s != value and s not in enums]


def enum_value(draw: st.DrawFn, doc: Document) -> Mutation | None:
    strings = [(p, get_at(doc.value, p)) for p in doc.sites.strings]
    known = [(p, s, True) for p, s in strings if s in doc.enums]
    looks = [(p, s, False) for p, s in strings if s not in doc.enums and _ENUM_LIKE.fullmatch(s)]
    if not known and not looks:
        return None
    path, current, is_known = pick(draw, known + looks)
    new = pick(draw, _unknown_spellings(current, doc.enums))
    origin = "one of the strategy's alternatives" if is_known else "enum-like"
    sent = json_bytes(replace_at(doc.value, path, new))
    return Mutation(
        sent, f"value {where(path)} ({origin}) {quoted(current)} replaced by {quoted(new)}"
    )
