"""The deep structural diff behind the ``json`` rule.

Two parsed JSON values are walked side by side; every place where they differ
becomes a :class:`Difference` with the normalised path (indices as ``*``), the
concrete location and both values. Object key order never matters, numbers are
compared as numbers (see :mod:`numeric`), arrays position by position unless an
``unordered`` pattern lists them. The walk uses an explicit stack because
documents can nest as deep as the JSON parser accepts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from difffuzz._comparators.base import Difference, DiffKind
from difffuzz._comparators.numeric import Tolerance, is_number
from difffuzz._pointer import compile_pattern, escape, join, parse

__all__ = ["DiffOptions", "Walk", "display", "json_type", "mirror_qualifier"]


def json_type(value: Any) -> str:
    """The JSON type name of a parsed value: ``number``, ``string``, ``object``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def display(pointer: str) -> str:
    """The path a difference carries: the document itself is shown as ``/``.

    (RFC 6901 spells the document ``""``; ``/`` would be the key ``""`` at the top,
    a collision accepted for the sake of readable reports.)
    """
    return pointer or "/"


def mirror_qualifier(qualifier: str) -> str:
    """``"422/200"`` -> ``"200/422"``: what a qualifier reads as with the sides swapped."""
    left, slash, right = qualifier.partition("/")
    return f"{right}/{left}" if slash else qualifier


@dataclass(frozen=True)
class DiffOptions:
    """How the walk compares: numeric tolerance and arrays compared as multisets."""

    tolerance: Tolerance = field(default_factory=Tolerance)
    #: Patterns of arrays compared as multisets; a permutation is one ORDER difference.
    unordered: tuple[str, ...] = ()
    #: Drop those ORDER differences (their locations are reported as ignored instead).
    ignore_order: bool = False


class Walk:
    """One structural comparison; iterate :meth:`differences`, then read the measures.

    >>> walk = Walk(DiffOptions())
    >>> [(d.kind.value, d.path) for d in walk.differences({"a": [1, 2]}, {"a": [1, 3]})]
    [('value', '/a/*')]
    >>> walk.largest_delta
    1.0
    """

    def __init__(self, options: DiffOptions) -> None:
        self.options = options
        self._unordered = [compile_pattern(p) for p in options.unordered]
        #: Largest numeric difference seen, ``None`` until two numbers were compared.
        self.largest_delta: float | None = None
        #: Locations of ORDER differences dropped by ``ignore_order``.
        self.order_ignored: list[str] = []

    def equal(self, left: Any, right: Any, location: str = "") -> bool:
        """Whether the values are equal under the same options (measures untouched)."""
        probe = Walk(self.options)
        return next(probe.differences(left, right, location), None) is None

    def differences(self, left: Any, right: Any, location: str = "") -> Iterator[Difference]:
        """Every difference between ``left`` and ``right``, parents before children.

        ``location`` is where the two values sit in their documents (it decides
        which ``unordered`` patterns apply).
        """
        stack: list[tuple[Any, Any, str, str]] = [(left, right, location, _normal(location))]
        while stack:
            a, b, loc, norm = stack.pop()
            below: list[tuple[Any, Any, str, str]] = []
            yield from self._compare_node(a, b, loc, norm, below)
            stack.extend(reversed(below))

    def _compare_node(
        self, a: Any, b: Any, loc: str, norm: str, below: list[tuple[Any, Any, str, str]]
    ) -> Iterator[Difference]:
        type_a, type_b = json_type(a), json_type(b)
        if type_a != type_b:
            yield Difference(
                DiffKind.TYPE, display(norm), display(loc), a, b, qualifier=f"{type_a}/{type_b}"
            )
        elif type_a == "number":
            delta = self.options.tolerance.delta(a, b)
            if self.largest_delta is None or delta > self.largest_delta:
                self.largest_delta = delta
            if not self.options.tolerance.close(a, b):
                yield Difference(
                    DiffKind.VALUE,
                    display(norm),
                    display(loc),
                    a,
                    b,
                    detail=f"differs by {delta:.6g}",
                )
        elif type_a == "object":
            yield from self._compare_objects(a, b, loc, norm, below)
        elif type_a == "array":
            if any(pattern.matches(loc) for pattern in self._unordered):
                yield from self._compare_multisets(a, b, loc, norm, below)
            else:
                yield from _length(a, b, loc, norm)
                below.extend(
                    (x, y, join(loc, i), norm + "/*")
                    for i, (x, y) in enumerate(zip(a, b, strict=False))
                )
        elif a != b:
            detail = _first_change(a, b) if type_a == "string" else ""
            yield Difference(DiffKind.VALUE, display(norm), display(loc), a, b, detail=detail)

    def _compare_objects(
        self,
        a: dict[str, Any],
        b: dict[str, Any],
        loc: str,
        norm: str,
        below: list[tuple[Any, Any, str, str]],
    ) -> Iterator[Difference]:
        for key, value in a.items():
            child_loc, child_norm = join(loc, key), f"{norm}/{escape(key)}"
            if key in b:
                below.append((value, b[key], child_loc, child_norm))
            else:
                yield Difference(DiffKind.MISSING, child_norm, child_loc, value, None)
        for key, value in b.items():
            if key not in a:
                yield Difference(
                    DiffKind.EXTRA, f"{norm}/{escape(key)}", join(loc, key), None, value
                )

    def _compare_multisets(
        self,
        a: list[Any],
        b: list[Any],
        loc: str,
        norm: str,
        below: list[tuple[Any, Any, str, str]],
    ) -> Iterator[Difference]:
        yield from _length(a, b, loc, norm)
        if len(a) == len(b) and all(
            self.equal(x, y, join(loc, i)) for i, (x, y) in enumerate(zip(a, b, strict=True))
        ):
            below.extend(
                (x, y, join(loc, i), norm + "/*") for i, (x, y) in enumerate(zip(a, b, strict=True))
            )
            return
        pairs, unmatched_a, unmatched_b = self._match(a, b, loc)
        # Matched pairs are equal; walking them still records their numeric deltas.
        below.extend((a[i], b[j], join(loc, i), norm + "/*") for i, j in pairs)
        if not unmatched_a and not unmatched_b:
            if self.options.ignore_order:
                self.order_ignored.append(loc)
            else:
                yield Difference(
                    DiffKind.ORDER,
                    display(norm),
                    display(loc),
                    a,
                    b,
                    detail="same elements in a different order",
                )
            return
        for i in unmatched_a:
            yield Difference(DiffKind.MISSING, norm + "/*", join(loc, i), a[i], None)
        for j in unmatched_b:
            yield Difference(DiffKind.EXTRA, norm + "/*", join(loc, j), None, b[j])

    def _match(
        self, a: list[Any], b: list[Any], loc: str
    ) -> tuple[list[tuple[int, int]], list[int], list[int]]:
        """Greedy multiset matching; same position first, then the first equal partner.

        Exact equality is an equivalence, so greedy finds a largest matching; with
        a tolerance (not transitive) it may miss one, which can only over-report.
        """
        buckets: dict[Any, list[int]] = {}
        for j, y in enumerate(b):
            buckets.setdefault(self._bucket(y), []).append(j)
        taken: set[int] = set()
        pairs: list[tuple[int, int]] = []
        unmatched_a: list[int] = []
        for i, x in enumerate(a):
            candidates = buckets.get(self._bucket(x), [])
            ordered = ([i] if i in candidates else []) + [j for j in candidates if j != i]
            partner = next(
                (j for j in ordered if j not in taken and self.equal(x, b[j], join(loc, i))), None
            )
            if partner is None:
                unmatched_a.append(i)
            else:
                taken.add(partner)
                pairs.append((i, partner))
        unmatched_b = [j for j in range(len(b)) if j not in taken]
        return pairs, unmatched_a, unmatched_b

    def _bucket(self, value: Any) -> Any:
        """A cheap key that equal values always share (so only buckets are searched)."""
        kind = json_type(value)
        if kind == "number":
            if not self.options.tolerance.exact:
                return kind
            return (
                (kind, "nan") if isinstance(value, float) and math.isnan(value) else (kind, value)
            )
        if kind in ("string", "boolean"):
            return (kind, value)
        if kind == "array":
            return (kind, len(value))
        if kind == "object":
            return (kind, frozenset(value))
        return kind


def _normal(location: str) -> str:
    # Only used for a starting location given by a caller; digits are taken for indices.
    return "".join(
        "/" + ("*" if t.isascii() and t.isdigit() else escape(t)) for t in parse(location)
    )


def _length(a: list[Any], b: list[Any], loc: str, norm: str) -> Iterable[Difference]:
    if len(a) != len(b):
        yield Difference(
            DiffKind.LENGTH,
            display(norm),
            display(loc),
            len(a),
            len(b),
            detail=f"{len(a)} elements on the left, {len(b)} on the right",
        )


def _first_change(a: str, b: str) -> str:
    index = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    return f"first difference at character {index} (lengths {len(a)}/{len(b)})"
