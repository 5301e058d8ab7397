"""Families that push a document past the sizes where readers set limits.

Decoders cap nesting (serde_json at 128, orjson and simdjson at 1024, Python's
``json`` near its recursion limit of 1000, Go at 10000), and line readers cap a
line (4 KiB pipes and buffers, Go's ``bufio.Scanner`` at 64 KiB, 1 MiB request
limits). Each size is tried on both sides of its line.
"""

from __future__ import annotations

from hypothesis import strategies as st

from difffuzz._inputs import json_bytes
from difffuzz._wire.choice import pick
from difffuzz._wire.document import (
    Document,
    Mutation,
    get_at,
    placeholder,
    render,
    replace_at,
    where,
)

__all__ = ["long_key", "long_line", "long_string", "nesting_depth"]

DEPTHS = (100, 101, 127, 128, 129, 999, 1000, 1001, 1024, 1025, 10000, 10001)
KIB = 1024
LENGTHS = (4 * KIB - 1, 4 * KIB, 4 * KIB + 1, 64 * KIB - 1, 64 * KIB, 64 * KIB + 1, KIB * KIB + 1)


def nesting_depth(draw: st.DrawFn, doc: Document) -> Mutation | None:
    depth = pick(draw, DEPTHS)
    in_objects = draw(st.booleans())
    path = pick(draw, doc.sites.values)
    inner = json_bytes(get_at(doc.value, path))
    if in_objects:
        raw = b'{"a":' * depth + inner + b"}" * depth
    else:
        raw = b"[" * depth + inner + b"]" * depth
    marker = placeholder(doc)
    sent = render(replace_at(doc.value, path, marker), {marker: raw})
    kind = "objects" if in_objects else "arrays"
    return Mutation(sent, f"value {where(path)} nested in {depth} {kind}")


def long_string(draw: st.DrawFn, doc: Document) -> Mutation | None:
    length = pick(draw, LENGTHS)
    path = pick(draw, doc.sites.strings or doc.sites.values)
    current = get_at(doc.value, path)
    start = current if isinstance(current, str) and current.isascii() else ""
    new = (start + "a" * length)[:length] if len(start) < length else start[:length]
    sent = json_bytes(replace_at(doc.value, path, new))
    return Mutation(sent, f"string {where(path)} of {length} ASCII characters")


def long_key(draw: st.DrawFn, doc: Document) -> Mutation | None:
    if not doc.sites.members:
        return None
    length = pick(draw, LENGTHS[:-1])
    path, key = pick(draw, doc.sites.members)
    new = key + "k" * max(0, length - len(key))
    members = [(new if k == key else k, v) for k, v in get_at(doc.value, path).items()]
    sent = json_bytes(replace_at(doc.value, path, dict(members)))
    return Mutation(sent, f"key {json_bytes(key).decode()} {where(path)} padded to {len(new)}")


def long_line(draw: st.DrawFn, doc: Document) -> Mutation | None:
    length = pick(draw, LENGTHS)
    offset = pick(draw, doc.offsets)
    padding = b" " * max(1, length - len(doc.text))
    sent = doc.insert(offset, padding)
    return Mutation(sent, f"the document padded with spaces at byte {offset} to {len(sent)} bytes")
