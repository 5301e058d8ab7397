"""The ``http`` and ``shape`` rules: status first, then the body or its structure."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import difffuzz._comparators  # noqa: F401  (registers the built-in rules)
from difffuzz import CompareSpec, Comparison, ConfigError, DiffKind, Outcome
from difffuzz._comparators.base import Difference, get_comparator
from difffuzz._comparators.structure import mirror_qualifier
from tests.json_values import json_values

MIRROR = {DiffKind.MISSING: DiffKind.EXTRA, DiffKind.EXTRA: DiffKind.MISSING}

RUST_422 = {"Schema": {"field": "to", "reason": "'bob' is not an email address"}}
GO_422 = {"Kind": "schema", "Field": "to", "Reason": "to: invalid email"}


def outcome(value: Any, status: int = 200) -> Outcome:
    return Outcome(status=status, body=json.dumps(value).encode())


def parts(comparison: Comparison) -> list[tuple[str, str, str]]:
    return sorted((d.kind.value, d.path, d.qualifier) for d in comparison.differences)


def shape(left: Any, right: Any, statuses: tuple[int, int] = (200, 200), **spec: Any) -> Comparison:
    return get_comparator("shape")(
        outcome(left, statuses[0]), outcome(right, statuses[1]), CompareSpec("shape", **spec)
    )


# --- http --------------------------------------------------------------------------------


def test_http_reports_the_status_then_the_body() -> None:
    http = get_comparator("http")
    result = http(
        outcome({"valid": True}, 200), outcome({"valid": False}, 422), CompareSpec("http")
    )
    assert result.rule == "http"
    assert parts(result) == [("status", "/", "200/422"), ("value", "/valid", "")]
    status = next(d for d in result.differences if d.kind is DiffKind.STATUS)
    assert (status.left, status.right) == (200, 422)
    assert status.detail == "status 200 on the left, 422 on the right"


def test_http_applies_the_json_rule_options_to_the_body() -> None:
    http = get_comparator("http")
    spec = CompareSpec("http", ignore=("/timestamp",), params={"abs_tol": 0.01})
    result = http(outcome({"x": 1.0, "timestamp": 1}), outcome({"x": 1.001, "timestamp": 2}), spec)
    assert result.equal
    assert result.ignored == ("/timestamp",)
    assert result.distance == pytest.approx(0.001)
    with pytest.raises(ConfigError, match="rule 'http' got unknown parameter"):
        http(outcome(1), outcome(1), CompareSpec("http", params={"min": 1}))


def test_http_parse_gate_and_failed_calls() -> None:
    http = get_comparator("http")
    result = http(outcome({"ok": 1}, 200), Outcome(400, b"bad request"), CompareSpec("http"))
    assert parts(result) == [("parse", "/", "json/not-json"), ("status", "/", "200/400")]
    crashed = http(Outcome(None, b""), outcome({}, 200), CompareSpec("http"))
    assert ("status", "/", "none/200") in parts(crashed)


@given(json_values, st.sampled_from([200, 400, 422, 500]))
def test_http_is_reflexive(value: Any, status: int) -> None:
    http = get_comparator("http")
    assert http(outcome(value, status), outcome(value, status), CompareSpec("http")).equal


# --- shape -------------------------------------------------------------------------------


def test_the_validator_error_body_is_a_shape_divergence() -> None:
    result = shape(RUST_422, GO_422, (422, 422))
    assert parts(result) == [
        ("extra", "/Field", ""),
        ("extra", "/Kind", ""),
        ("extra", "/Reason", ""),
        ("missing", "/Schema", ""),
    ]
    assert all(d.kind.is_shape for d in result.differences)
    # Same shape, different messages: agreement.
    other_reason = {"Schema": {"field": "body", "reason": "too long"}}
    assert shape(RUST_422, other_reason, (422, 422)).equal


def test_shape_ignores_values_and_array_lengths() -> None:
    assert shape({"a": [1, 2, 3], "b": "x"}, {"a": [9], "b": "y"}).equal
    assert shape({"a": []}, {"a": [{"deep": 1}]}).equal  # an empty array has no element shape
    assert shape([{"id": "a"}, {"id": "b", "n": 1}], [{"id": "c", "n": 2}]).equal


def test_shape_reports_types_with_merged_elements() -> None:
    assert parts(shape({"a": 1}, {"a": "1"})) == [("type", "/a", "number/string")]
    assert parts(shape({"a": [1, "x"]}, {"a": [2]})) == [("type", "/a/*", "number|string/number")]
    assert parts(shape({"value": None}, {"value": {"k": 1}})) == [("type", "/value", "null/object")]
    # Children of a place whose type already differs are not reported again.
    mixed = {"r": [{"a": [1]}, {"a": {"k": 1}}]}
    assert parts(shape(mixed, {"r": [{"a": {"k": 2}}]})) == [
        ("type", "/r/*/a", "array|object/object")
    ]
    assert parts(shape({"a": {"b": {"c": 1}}}, {"a": "gone"})) == [("type", "/a", "object/string")]


def test_shape_reports_the_status_and_the_parse_gate() -> None:
    assert parts(shape({"valid": True}, RUST_422, (200, 422))) == [
        ("extra", "/Schema", ""),
        ("missing", "/valid", ""),
        ("status", "/", "200/422"),
    ]
    shape_rule = get_comparator("shape")
    both_text = shape_rule(Outcome(500, b"a"), Outcome(500, b"b"), CompareSpec("shape"))
    assert both_text.equal  # no structure to disagree on
    one_text = shape_rule(Outcome(200, b"{}"), Outcome(200, b"<html>"), CompareSpec("shape"))
    assert parts(one_text) == [("parse", "/", "json/not-json")]


def test_shape_select_and_ignore() -> None:
    result = shape(
        {"error": RUST_422, "at": 1},
        {"err": GO_422},
        select_left="/error",
        select_right="/err",
        ignore=("/Schema", "/Kind", "/Field", "/Reason"),
    )
    assert result.equal
    assert result.ignored == ("/Schema", "/Kind", "/Field", "/Reason")
    partly = shape({"a": {"b": 1}, "c": 1}, {"a": {"b": "x"}, "c": 2}, ignore=("/a",))
    assert partly.equal
    assert partly.ignored == ("/a",)  # its shape differed; /c only differed in value
    with pytest.raises(ConfigError, match="rule 'shape' got unknown parameter"):
        shape(1, 1, params={"abs_tol": 1})


@pytest.mark.parametrize(
    ("left", "right", "statuses", "expected"),
    [
        (
            RUST_422,
            GO_422,
            (422, 422),
            [
                Difference(DiffKind.MISSING, "/Schema", "/Schema", RUST_422["Schema"], None),
                Difference(DiffKind.EXTRA, "/Kind", "/Kind", None, "schema"),
                Difference(DiffKind.EXTRA, "/Field", "/Field", None, "to"),
                Difference(DiffKind.EXTRA, "/Reason", "/Reason", None, "to: invalid email"),
            ],
        ),
        (
            {"a": {"b": 1}},
            {"a": {"b": "1"}},
            (200, 200),
            [Difference(DiffKind.TYPE, "/a/b", "/a/b", 1, "1", qualifier="number/string")],
        ),
        (
            # Array elements are merged in the path; the location is a real place.
            {"r": [{"a": 1}]},
            {"r": [{"a": "x"}]},
            (200, 200),
            [Difference(DiffKind.TYPE, "/r/*/a", "/r/0/a", 1, "x", qualifier="number/string")],
        ),
        (
            1,
            "one",
            (200, 200),
            [Difference(DiffKind.TYPE, "/", "/", 1, "one", qualifier="number/string")],
        ),
        (
            {"valid": True},
            {"valid": True},
            (200, 422),
            [
                Difference(
                    DiffKind.STATUS,
                    "/",
                    "/",
                    200,
                    422,
                    "status 200 on the left, 422 on the right",
                    "200/422",
                )
            ],
        ),
    ],
    ids=["validator-422", "type", "type-in-array", "type-at-root", "status"],
)
def test_each_shape_difference_says_where_and_what_each_side_has(
    left: Any, right: Any, statuses: tuple[int, int], expected: list[Difference]
) -> None:
    # What a report shows of a shape finding: the path, a real location, both sides.
    comparison = shape(left, right, statuses)
    assert list(comparison.differences) == expected
    assert comparison.rule == "shape"


def test_every_shape_comparison_is_reported_under_the_shape_rule() -> None:
    shape_rule = get_comparator("shape")
    texts = shape_rule(Outcome(500, b"a"), Outcome(502, b"b"), CompareSpec("shape"))
    assert [d.kind for d in texts.differences] == [DiffKind.STATUS]
    gated = shape_rule(Outcome(200, b"{}"), Outcome(200, b"<html>"), CompareSpec("shape"))
    unselected = shape({"error": {"a": 1}}, {"err": 1}, select_left="/error", select_right="/no")
    assert unselected.differences == (
        Difference(
            DiffKind.MISSING,
            "/no",
            "/no",
            {"a": 1},
            None,
            "select pointer '/no' names nothing in the right body",
        ),
    )
    assert {c.rule for c in (texts, gated, unselected)} == {"shape"}


def test_an_ignored_place_is_listed_only_when_its_shape_differed() -> None:
    # ``ignored`` tells a user what the ignore hid: a value change under it hid nothing.
    assert shape({"a": {"b": 1}}, {"a": {"b": 2}}, ignore=("/a",)).ignored == ()
    assert shape({"a": {"b": 1}}, {"a": {"b": "2"}}, ignore=("/a",)).ignored == ("/a",)


def test_a_bad_max_differences_names_the_shape_rule() -> None:
    with pytest.raises(ConfigError) as caught:
        shape(1, 1, params={"max_differences": 0})
    assert (
        str(caught.value)
        == "rule 'shape' parameter 'max_differences' must be an integer >= 1, got 0"
    )


@given(json_values)
def test_shape_is_reflexive(value: Any) -> None:
    assert shape(value, value).equal


@given(json_values, json_values)
def test_shape_swapping_sides_mirrors_the_differences(left: Any, right: Any) -> None:
    forward, backward = shape(left, right), shape(right, left)
    mirrored = sorted(
        (MIRROR.get(d.kind, d.kind).value, d.path, mirror_qualifier(d.qualifier))
        for d in forward.differences
    )
    assert mirrored == parts(backward)


def other_values(value: Any) -> Any:
    """The same structure with every scalar changed (but kept to its JSON type)."""
    if isinstance(value, dict):
        return {key: other_values(child) for key, child in value.items()}
    if isinstance(value, list):
        return [other_values(child) for child in reversed(value)]
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return 7.5
    if isinstance(value, str):
        return value + "!"
    return value


@given(json_values)
def test_changing_only_scalar_values_keeps_the_shape(value: Any) -> None:
    assert shape(value, other_values(value)).equal
