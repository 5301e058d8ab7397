"""The structural walk behind the ``json`` rule: each record as a report shows it.

``test_comparators_json.py`` checks the walk's invariants and which differences it
finds by kind and place; here each kind of difference is checked whole (both
sides' values and the words a report prints), and the ``unordered`` multiset
matching on the values that stress it: nulls, NaNs, huge integers, tolerances,
arrays nested in listed arrays.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import difffuzz._comparators  # noqa: F401  (registers the built-in rules)
from difffuzz import CompareSpec, Comparison, DiffKind, Outcome
from difffuzz._comparators.base import Difference, get_comparator
from difffuzz._comparators.numeric import Tolerance
from difffuzz._comparators.structure import DiffOptions, Walk, json_type

ORDER = "same elements in a different order"


def compare(left: Any, right: Any, **params: Any) -> Comparison:
    spec = CompareSpec("json", params=params)
    return get_comparator("json")(
        Outcome(200, json.dumps(left).encode()), Outcome(200, json.dumps(right).encode()), spec
    )


@pytest.mark.parametrize(
    ("left", "right", "params", "expected"),
    [
        (
            {"a": 1},
            {"a": "1"},
            {},
            [Difference(DiffKind.TYPE, "/a", "/a", 1, "1", qualifier="number/string")],
        ),
        (
            {"r": [0, 1.5]},
            {"r": [0, 1.25]},
            {},
            [Difference(DiffKind.VALUE, "/r/*", "/r/1", 1.5, 1.25, "differs by 0.25")],
        ),
        (
            {"ok": True},
            {"ok": False},
            {},
            [Difference(DiffKind.VALUE, "/ok", "/ok", True, False)],
        ),
        (
            {"s": "ab"},
            {"s": "abc"},
            {},
            [
                Difference(
                    DiffKind.VALUE,
                    "/s",
                    "/s",
                    "ab",
                    "abc",
                    "first difference at character 2 (lengths 2/3)",
                )
            ],
        ),
        (
            {"a": 1, "b": [2]},
            {"a": 1, "c": {"d": None}},
            {},
            [
                Difference(DiffKind.MISSING, "/b", "/b", [2], None),
                Difference(DiffKind.EXTRA, "/c", "/c", None, {"d": None}),
            ],
        ),
        (
            {"r": [1, 2, 3]},
            {"r": [1, 2]},
            {},
            [
                Difference(
                    DiffKind.LENGTH, "/r", "/r", 3, 2, "3 elements on the left, 2 on the right"
                )
            ],
        ),
        (
            {"r": [1, 2, 3]},
            {"r": [3, 1, 2]},
            {"unordered": ["/r"]},
            [Difference(DiffKind.ORDER, "/r", "/r", [1, 2, 3], [3, 1, 2], ORDER)],
        ),
        (
            {"r": [1, 2, "x"]},
            {"r": [2, 1]},
            {"unordered": ["/r"]},
            [
                Difference(
                    DiffKind.LENGTH, "/r", "/r", 3, 2, "3 elements on the left, 2 on the right"
                ),
                Difference(DiffKind.MISSING, "/r/*", "/r/2", "x", None),
            ],
        ),
        (
            {"r": [1, 2]},
            {"r": [2, 1, {"k": 3}]},
            {"unordered": ["/r"]},
            [
                Difference(
                    DiffKind.LENGTH, "/r", "/r", 2, 3, "2 elements on the left, 3 on the right"
                ),
                Difference(DiffKind.EXTRA, "/r/*", "/r/2", None, {"k": 3}),
            ],
        ),
    ],
    ids=[
        "type",
        "number",
        "boolean",
        "string-prefix",
        "missing-and-extra-keys",
        "length",
        "order",
        "unordered-missing",
        "unordered-extra",
    ],
)
def test_each_difference_says_where_what_each_side_has_and_why(
    left: Any, right: Any, params: dict[str, Any], expected: list[Difference]
) -> None:
    comparison = compare(left, right, **params)
    assert list(comparison.differences) == expected
    assert comparison.rule == "json"


@pytest.mark.parametrize("inner", ["/r/*", "/r/0"])
def test_arrays_nested_in_a_listed_array_are_matched_by_their_own_pattern(inner: str) -> None:
    # The first inner array is a multiset too: with ignore_order, [1, 2] and [2, 1]
    # are one element, and each place whose order was ignored is listed once.
    options = {"unordered": ["/r", inner], "ignore_order": True}
    in_place = compare({"r": [[1, 2], [3]]}, {"r": [[2, 1], [3]]}, **options)
    assert (in_place.differences, in_place.ignored) == ((), ("/r/0",))
    moved = compare({"r": [[1, 2], [3]]}, {"r": [[3], [2, 1]]}, **options)
    assert (moved.differences, moved.ignored) == ((), ("/r", "/r/0"))
    changed = compare({"r": [[1, 2], [3]]}, {"r": [[3], [2, 2]]}, **options)
    assert [(d.kind, d.location) for d in changed.differences] == [
        (DiffKind.MISSING, "/r/0"),
        (DiffKind.EXTRA, "/r/1"),
    ]


@pytest.mark.parametrize(
    ("left", "right", "tolerance"),
    [
        ([None, 1], [1, None], Tolerance()),
        ([10**400, 1], [1, 10**400], Tolerance()),
        ([1.0, 2.0], [2.05, 1.0], Tolerance(abs_tol=0.1)),
        ([float("nan"), 1], [1, float("nan")], Tolerance()),  # two NaN objects, not one
    ],
    ids=["nulls", "huge-integers", "within-tolerance", "nans"],
)
def test_a_permuted_listed_array_of_any_values_is_one_order_difference(
    left: list[Any], right: list[Any], tolerance: Tolerance
) -> None:
    walk = Walk(DiffOptions(tolerance=tolerance, unordered=("/r",)))
    (difference,) = walk.differences({"r": left}, {"r": right})
    assert (difference.kind, difference.location, difference.detail) == (
        DiffKind.ORDER,
        "/r",
        ORDER,
    )


def test_a_walk_started_inside_a_document_names_its_places_from_there() -> None:
    walk = Walk(DiffOptions(unordered=("/items/*/tags",)))
    (value,) = walk.differences(1, 2, "/items/10/a~1b")
    assert (value.path, value.location) == ("/items/*/a~1b", "/items/10/a~1b")
    # The patterns apply to where the values sit: "/items/3/tags" is listed.
    (order,) = walk.differences(["x", "y"], ["y", "x"], "/items/3/tags")
    assert (order.kind, order.path, order.location) == (
        DiffKind.ORDER,
        "/items/*/tags",
        "/items/3/tags",
    )
    # Only ASCII digits are indices; a key of other digits stays a key.
    (key,) = walk.differences(1, 2, "/\u0661/k")
    assert key.path == "/\u0661/k"


def test_equal_without_a_location_starts_at_the_document() -> None:
    walk = Walk(DiffOptions(unordered=("/**",)))
    assert walk.equal([[1, 2]], [[1, 2]])
    assert not walk.equal([[1, 2]], [[1, 3]])


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (None, "null"),
        (True, "boolean"),
        (1.5, "number"),
        (10**400, "number"),
        ("s", "string"),
        ([], "array"),
        ({}, "object"),
        ((1, 2), "tuple"),  # not JSON: named by its Python type, for the error message
    ],
)
def test_json_type_names_each_json_type(value: Any, name: str) -> None:
    assert json_type(value) == name
