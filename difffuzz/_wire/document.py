"""One JSON document being mutated: where its parts are, and how raw bytes get into it.

A mutation changes one place of a document. Structural mutations (a key left
out, a value of another type) are edits of the Python value, serialised as the
transports would (:func:`~difffuzz._inputs.json_bytes`). Mutations that no JSON
serialiser can write (a key twice, ``NaN``, a lone surrogate escape, invalid
UTF-8 inside a string) put a *placeholder* string where the raw bytes go,
serialise the value with the fast C encoder, and swap the placeholder's text for
the bytes: the rest of the document stays exactly what the strategy meant.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeAlias

from difffuzz._inputs import json_bytes

__all__ = [
    "Document",
    "Mutation",
    "Path",
    "Sites",
    "get_at",
    "pointer",
    "render",
    "replace_at",
    "where",
]

Path: TypeAlias = tuple[str | int, ...]

#: Sites listed per kind; a document bigger than this is mutated in its first parts.
SITE_LIMIT = 256

# Placeholder markers: private-use characters, tried in turn until one is not
# already in the document (unicode strategies do generate private-use text).
_MARKERS = ("\ue000", "\U000f0000", "\U0010fffd", "\ufdd0")

# A JSON string, or one structural character outside strings.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[{}\[\],:]')


@dataclass(frozen=True)
class Mutation:
    """What one family did: the bytes to send and a sentence saying what changed."""

    sent: bytes
    description: str
    headers: tuple[tuple[str, str | None], ...] = ()
    chunked: bool = False
    #: The HTTP family reports its own variants ("wire-http:<variant>").
    variant: str = ""


@dataclass
class Sites:
    """The places of a document a family can mutate, in document order, root first."""

    values: list[Path] = field(default_factory=list)
    objects: list[Path] = field(default_factory=list)
    members: list[tuple[Path, str]] = field(default_factory=list)
    strings: list[Path] = field(default_factory=list)
    numbers: list[Path] = field(default_factory=list)
    integers: list[Path] = field(default_factory=list)


def survey(value: Any) -> Sites:
    """Walk ``value`` once (iteratively, so a deep document cannot overflow the stack)."""
    sites = Sites()
    stack: list[tuple[Path, Any]] = [((), value)]
    while stack and len(sites.values) < SITE_LIMIT:
        path, node = stack.pop()
        sites.values.append(path)
        if isinstance(node, dict):
            sites.objects.append(path)
            children = []
            for key, item in node.items():
                if len(sites.members) < SITE_LIMIT:
                    sites.members.append((path, key))
                children.append(((*path, key), item))
            stack.extend(reversed(children))
        elif isinstance(node, list | tuple):
            stack.extend(reversed([((*path, i), item) for i, item in enumerate(node)]))
        elif isinstance(node, str):
            sites.strings.append(path)
        elif isinstance(node, bool) or node is None:
            continue
        elif isinstance(node, int):
            sites.numbers.append(path)
            sites.integers.append(path)
        elif isinstance(node, float):
            sites.numbers.append(path)
    return sites


@dataclass
class Document:
    """A JSON value with its serialised text and its sites, each computed once on demand."""

    value: Any
    #: String values the strategy draws from fixed alternatives (``sampled_from``).
    enums: frozenset[str] = frozenset()

    @cached_property
    def text(self) -> bytes:
        return json_bytes(self.value)

    @cached_property
    def sites(self) -> Sites:
        return survey(self.value)

    @cached_property
    def offsets(self) -> list[int]:
        """Byte offsets between tokens (outside strings): where whitespace may go."""
        found = [0]
        for match in _TOKENS.finditer(self.text):
            if len(match.group()) == 1:
                found.append(match.end())
                if len(found) >= SITE_LIMIT:
                    break
        if found[-1] != len(self.text):
            found.append(len(self.text))
        return found

    def insert(self, offset: int, raw: bytes) -> bytes:
        return self.text[:offset] + raw + self.text[offset:]


def get_at(value: Any, path: Path) -> Any:
    for step in path:
        value = value[step]
    return value


def replace_at(value: Any, path: Path, new: Any) -> Any:
    """A copy of ``value`` with the node at ``path`` replaced (only the spine is copied)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: (replace_at(v, rest, new) if k == head else v) for k, v in value.items()}
    assert isinstance(head, int)
    items = list(value)
    items[head] = replace_at(items[head], rest, new)
    return items


def render(value: Any, raw: Mapping[str, bytes]) -> bytes:
    """Serialise ``value``; each placeholder string (a key of ``raw``) becomes its bytes.

    A placeholder is replaced with its quotes, so it may stand for a key, a value
    or a whole member.
    """
    text = json_bytes(value)
    for placeholder, replacement in raw.items():
        quoted = json_bytes(placeholder)
        text = text.replace(quoted, replacement, 1)
    return text


def placeholder(document: Document, number: int = 0) -> str:
    """A string that occurs nowhere in ``document``, to mark where raw bytes go."""
    for marker in _MARKERS:
        if marker.encode("utf-8") not in document.text:
            return f"{marker}wire{number}{marker}"
    raise ValueError("the document holds every placeholder marker; it cannot be mutated")


def pointer(path: Path) -> str:
    """The JSON pointer of ``path`` (RFC 6901), ``""`` for the whole document."""
    return "".join("/" + str(step).replace("~", "~0").replace("/", "~1") for step in path)


def where(path: Path) -> str:
    """``at /payload/to``, or ``at the top level``, for descriptions."""
    return f"at {pointer(path)}" if path else "at the top level"


def quoted(value: Any, limit: int = 40) -> str:
    """A short JSON spelling of ``value`` for a description."""
    text = json_bytes(value).decode("utf-8", "backslashreplace")
    return text if len(text) <= limit else text[: limit - 1] + "…"
