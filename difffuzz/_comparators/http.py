"""The ``http`` and ``shape`` rules: the status first, then the body.

``http`` is the status plus the ``json`` rule on the bodies. ``shape`` is the
status plus the *structure* of the bodies only: which keys exist and which JSON
types sit at every path, with array elements merged and scalar values and array
lengths ignored. ``shape`` is the rule that shows a caller-breaking error body,
such as the validator's 422 (Rust ``{"Schema": {...}}`` against Go
``{"Kind": .., "Field": .., "Reason": ..}``), as MISSING and EXTRA keys however
the messages inside read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from difffuzz._comparators.base import (
    Compare,
    CompareSpec,
    Comparison,
    Difference,
    DiffKind,
    Rule,
)
from difffuzz._comparators.json_rules import (
    JSONRule,
    check_pointers,
    collect,
    ignore_pair,
    max_differences,
    select_pair,
    validity_gate,
)
from difffuzz._comparators.params import check_names
from difffuzz._comparators.structure import display, json_type
from difffuzz._outcome import NotJSON, Outcome
from difffuzz._pointer import MISSING, escape, join

__all__ = [
    "HTTP",
    "SHAPE",
    "compile_http",
    "compile_shape",
    "shape_differences",
    "status_differences",
]

SHAPE_PARAMS = frozenset({"max_differences"})


def status_differences(left: Outcome, right: Outcome) -> tuple[Difference, ...]:
    """A STATUS difference at ``/`` (qualifier ``"422/200"``) when statuses differ."""
    if left.status == right.status:
        return ()
    left_status, right_status = _status(left.status), _status(right.status)
    return (
        Difference(
            DiffKind.STATUS,
            "/",
            "/",
            left.status,
            right.status,
            detail=f"status {left_status} on the left, {right_status} on the right",
            qualifier=f"{left_status}/{right_status}",
        ),
    )


def _status(status: int | None) -> str:
    return "none" if status is None else str(status)


def compile_http(spec: CompareSpec) -> Compare:
    """Statuses must be equal and the bodies equal under the ``json`` rule.

    >>> compare = compile_http(CompareSpec("http"))
    >>> compare(Outcome(422, b'{"e": 1}'), Outcome(200, b'{"e": 1}')).differences[0].qualifier
    '422/200'
    """
    bodies = JSONRule.of("http", spec)

    def compare(left: Outcome, right: Outcome) -> Comparison:
        body = bodies(left, right)
        return Comparison(
            rule="http",
            differences=status_differences(left, right) + body.differences,
            distance=body.distance,
            ignored=body.ignored,
        )

    return compare


@dataclass
class _Slot:
    """What one normalised path holds across the document (array elements merged)."""

    types: set[str]
    location: str
    sample: Any


def _shape(value: Any) -> dict[str, _Slot]:
    shape: dict[str, _Slot] = {}
    stack: list[tuple[Any, str, str]] = [(value, "", "")]
    while stack:
        node, location, path = stack.pop()
        slot = shape.get(path)
        if slot is None:
            shape[path] = _Slot({json_type(node)}, location, node)
        else:
            slot.types.add(json_type(node))
        if isinstance(node, dict):
            below = [
                (child, join(location, key), f"{path}/{escape(key)}") for key, child in node.items()
            ]
        elif isinstance(node, list):
            below = [(child, join(location, i), f"{path}/*") for i, child in enumerate(node)]
        else:
            below = []
        stack.extend(reversed(below))
    return shape


def _types(slot: _Slot) -> str:
    return "|".join(sorted(slot.types))


def _reportable(path: str, own: dict[str, _Slot], other: dict[str, _Slot]) -> bool:
    # Only the topmost absent key is reported: under a missing /Schema, the
    # missing /Schema/field would be noise. Array elements are never "absent"
    # since lengths do not count.
    parent, _, last = path.rpartition("/")
    if last == "*" or parent not in other:
        return False
    return "object" in own[parent].types and "object" in other[parent].types


def shape_differences(left: Any, right: Any) -> list[Difference]:
    """MISSING, EXTRA and TYPE differences between the structures of two values.

    >>> [(d.kind.value, d.path) for d in shape_differences({"a": [1, 2]}, {"a": [3], "b": 0})]
    [('extra', '/b')]
    """
    left_shape, right_shape = _shape(left), _shape(right)
    differences: list[Difference] = []
    for path, slot in left_shape.items():
        other = right_shape.get(path)
        if other is not None:
            if slot.types != other.types:
                qualifier = f"{_types(slot)}/{_types(other)}"
                differences.append(
                    Difference(
                        DiffKind.TYPE,
                        display(path),
                        display(slot.location),
                        slot.sample,
                        other.sample,
                        qualifier=qualifier,
                    )
                )
        elif _reportable(path, left_shape, right_shape):
            differences.append(Difference(DiffKind.MISSING, path, slot.location, slot.sample, None))
    for path, slot in right_shape.items():
        if path not in left_shape and _reportable(path, right_shape, left_shape):
            differences.append(Difference(DiffKind.EXTRA, path, slot.location, None, slot.sample))
    return differences


def compile_shape(spec: CompareSpec) -> Compare:
    """Statuses must be equal and the bodies have the same structure.

    Two bodies that are both not JSON have no structure to disagree on.

    >>> rust = Outcome(422, b'{"Schema": {"field": "to", "reason": "not an email"}}')
    >>> go = Outcome(422, b'{"Kind": "schema", "Field": "to", "Reason": "bad"}')
    >>> compare = compile_shape(CompareSpec("shape"))
    >>> [(d.kind.value, d.path) for d in compare(rust, go).differences]
    [('missing', '/Schema'), ('extra', '/Kind'), ('extra', '/Field'), ('extra', '/Reason')]
    """
    check_names("shape", spec.params, SHAPE_PARAMS)
    cap = max_differences("shape", spec.params)
    check_pointers(spec)

    def differs(a: Any, b: Any, pointer: str) -> bool:
        if a is MISSING or b is MISSING:
            return a is not b
        return bool(shape_differences(a, b))

    def compare(left: Outcome, right: Outcome) -> Comparison:
        status = status_differences(left, right)
        if isinstance(left.json, NotJSON) and isinstance(right.json, NotJSON):
            return Comparison(rule="shape", differences=status)
        gate = validity_gate(left, right)
        if gate:
            return Comparison(rule="shape", differences=status + gate)
        selected = select_pair(left.json, right.json, spec)
        if selected.stop:
            return Comparison(rule="shape", differences=status + selected.differences)
        chosen_left, chosen_right, ignored = ignore_pair(
            selected.left, selected.right, spec.ignore, differs
        )
        differences = collect(shape_differences(chosen_left, chosen_right), cap)
        return Comparison(rule="shape", differences=status + differences, ignored=ignored)

    return compare


#: The rules of this module, as the registry holds them.
HTTP = Rule("http", compile_http)
SHAPE = Rule("shape", compile_shape)
