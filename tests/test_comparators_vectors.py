"""The ``cosine`` rule, against the embed surface's real differences."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import difffuzz._comparators  # noqa: F401  (registers the built-in rules)
from difffuzz import CompareSpec, Comparison, ConfigError, DiffKind, Outcome
from difffuzz._comparators.base import Difference, get_comparator
from difffuzz._comparators.vectors import cosine

components = st.floats(min_value=-1e3, max_value=1e3, allow_subnormal=False)
vectors = st.lists(components, min_size=1, max_size=64).filter(
    lambda v: math.sqrt(sum(x * x for x in v)) > 1e-3
)


def outcome(value: Any, status: int = 200) -> Outcome:
    return Outcome(status=status, body=json.dumps(value).encode())


def compare(left: Any, right: Any, **spec: Any) -> Comparison:
    return get_comparator("cosine")(outcome(left), outcome(right), CompareSpec("cosine", **spec))


def parts(comparison: Comparison) -> list[tuple[str, str, str, str]]:
    return sorted((d.kind.value, d.path, d.location, d.qualifier) for d in comparison.differences)


def unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector]


def through_float32(vector: list[float]) -> list[float]:
    return [float(x) for x in np.asarray(vector, dtype=np.float32)]


@given(vectors, st.floats(min_value=1e-3, max_value=1e3))
def test_cosine_ignores_positive_scaling(vector: list[float], scale: float) -> None:
    result = compare(vector, [x * scale for x in vector])
    assert result.equal, result
    assert result.distance is not None
    assert 0.0 <= result.distance < 1e-12


@given(vectors, st.floats(min_value=20.0, max_value=23.0))
def test_rust_unit_vectors_match_go_raw_float32_vectors(vector: list[float], norm: float) -> None:
    rust = {"embeddings": [unit(vector)], "dimensions": len(vector), "model": "m"}
    go = {"vectors": [through_float32([x * norm for x in unit(vector)])], "dimension": len(vector)}
    result = compare(rust, go, select_left="/embeddings/0", select_right="/vectors/0")
    assert result.equal, result


@given(vectors)
def test_a_sign_flip_is_a_divergence(vector: list[float]) -> None:
    result = compare(vector, [-x for x in vector])
    assert parts(result) == [("value", "/", "/", "cosine")]
    assert result.distance == pytest.approx(2.0)


@given(vectors, st.data())
def test_swapping_two_distinct_components_is_a_divergence(
    vector: list[float], data: st.DataObject
) -> None:
    assume(len(vector) >= 2)
    i = data.draw(st.integers(0, len(vector) - 1))
    j = data.draw(st.integers(0, len(vector) - 1))
    norm = math.sqrt(sum(x * x for x in vector))
    # 1 - cos = (v_i - v_j)^2 / |v|^2 for a swap: make it clearly above 1e-5.
    assume(abs(vector[i] - vector[j]) > 0.01 * norm)
    swapped = list(vector)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    result = compare(vector, swapped)
    assert parts(result) == [("value", "/", "/", "cosine")]
    expected = (vector[i] - vector[j]) ** 2 / norm**2
    assert result.distance == pytest.approx(expected, rel=1e-6)


def same_length_pair(size: int) -> st.SearchStrategy[tuple[list[float], list[float]]]:
    vector = st.lists(components, min_size=size, max_size=size).filter(lambda v: any(v))
    return st.tuples(vector, vector)


@given(st.integers(1, 32).flatmap(same_length_pair))
def test_cosine_is_symmetric_and_exact_enough(pair: tuple[list[float], list[float]]) -> None:
    left, right = pair
    # Exact arithmetic as the reference: float norms of tiny vectors underflow.
    dot = sum(Fraction(x) * Fraction(y) for x, y in zip(left, right, strict=True))
    squares = sum(Fraction(x) ** 2 for x in left) * sum(Fraction(y) ** 2 for y in right)
    expected = math.copysign(math.sqrt(dot**2 / squares), dot)
    assert cosine(left, right) == pytest.approx(expected, abs=1e-12)
    assert cosine(left, right) == cosine(right, left)


def test_cosine_does_not_overflow_on_huge_components() -> None:
    assert cosine([1e300, 1e300], [2e300, 2e300]) == pytest.approx(1.0)
    assert compare([10**400, 1], [10**400, 1]).equal  # identical answers agree
    assert compare([10**400, 1], [10**400, 2]).differences[0].qualifier == "inf/inf"


def test_zero_nan_and_infinite_vectors() -> None:
    (zero,) = compare([1.0, 0.0], [0.0, 0.0]).differences
    assert (zero.kind, zero.detail, zero.qualifier) == (
        DiffKind.VALUE,
        "zero vector on right",
        "ok/zero",
    )
    assert compare([0.0, 0.0], [0.0, -0.0]).equal  # both zero: agreement
    (nan,) = compare([math.nan, 1.0], [1.0, 1.0]).differences
    assert (nan.detail, nan.qualifier) == ("NaN in left vector", "nan/ok")
    # Cosine is undefined for NaN, but identical answers agree (the rule is reflexive,
    # as json's NaN == NaN is); a NaN on both sides in different places still differs.
    assert compare([math.nan], [math.nan]).equal
    (both,) = compare([math.nan, 1.0], [1.0, math.nan]).differences
    assert both.qualifier == "nan/nan"
    (inf,) = compare([1.0, math.inf], [0.0, 0.0]).differences
    assert (inf.detail, inf.qualifier) == (
        "infinite value in left vector; zero vector on right",
        "inf/zero",
    )
    assert compare([1.0], [0.0]).distance is None


def test_vectors_must_be_arrays_of_numbers_of_one_length() -> None:
    assert parts(compare([1.0, 2.0], [1.0, 2.0, 3.0])) == [("length", "/", "/", "")]
    assert parts(compare([1.0, 2.0], {"v": [1.0, 2.0]})) == [("type", "/", "/", "vector/object")]
    assert parts(compare([1.0, True], [1.0, 1.0])) == [("type", "/", "/", "array/vector")]
    assert parts(compare([1.0, "2"], [1.0, 2.0])) == [("type", "/", "/", "array/vector")]
    assert compare([], []).equal


def test_min_threshold() -> None:
    assert compare([1.0, 0.0], [1.0, 0.001]).equal  # 1 - cosine = 5e-7
    result = compare([1.0, 0.0], [1.0, 0.01])  # 1 - cosine = 5e-5
    assert parts(result) == [("value", "/", "/", "cosine")]
    assert "below min 0.99999" in result.differences[0].detail
    assert compare([1.0, 0.0], [1.0, 0.01], params={"min": 0.999}).equal


def test_batches_compare_pairwise() -> None:
    left = {"embeddings": [[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]]}
    right = {"vectors": [[20.0, 0.0], [16.0, 12.0]]}
    result = compare(
        left, right, select_left="/embeddings", select_right="/vectors", params={"batch": True}
    )
    assert parts(result) == [("length", "/", "/", ""), ("value", "/*", "/1", "cosine")]
    assert result.distance == pytest.approx(1 - 0.96)
    same = compare(
        left, left, select_left="/embeddings", select_right="/embeddings", params={"batch": True}
    )
    assert same.equal
    assert parts(compare({"v": 1}, [[1.0]], params={"batch": True})) == [
        ("type", "/", "/", "object/array")
    ]


def test_selection_and_gates() -> None:
    embed = {"embeddings": [[0.6, 0.8]]}
    result = compare(
        embed, {"error": "model not loaded"}, select_left="/embeddings/0", select_right="/vectors/0"
    )
    assert parts(result) == [("missing", "/vectors/0", "/vectors/0", "")]
    rule = get_comparator("cosine")
    (parse,) = rule(Outcome(500, b"oops"), outcome([1.0]), CompareSpec("cosine")).differences
    assert (parse.kind, parse.qualifier) == (DiffKind.PARSE, "not-json/json")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"params": {"min": 2}}, "rule 'cosine' parameter 'min' is 2; it must lie in [-1.0, 1.0]"),
        (
            {"params": {"min": "high"}},
            "rule 'cosine' parameter 'min' must be a finite number, got 'high'",
        ),
        ({"params": {"batch": 1}}, "rule 'cosine' parameter 'batch' must be true or false, got 1"),
        (
            {"params": {"max_differences": 0}},
            "rule 'cosine' parameter 'max_differences' must be an integer >= 1, got 0",
        ),
        (
            {"params": {"threshold": 0.9}},
            "rule 'cosine' got unknown parameter(s) 'threshold'; "
            "it accepts: batch, max_differences, min",
        ),
        (
            {"ignore": ("/0",)},
            "rule 'cosine' compares whole vectors and cannot ignore parts of them "
            "(got ignore=['/0']); use select to pick the vectors instead",
        ),
    ],
)
def test_a_bad_configuration_is_named_with_its_rule_and_fix(
    spec: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        compare([1.0], [1.0], **spec)
    assert str(caught.value) == message


def cosine_detail(similarity: float, minimum: str = "0.99999") -> str:
    return f"cosine {similarity:.9f} is below min {minimum}"


INF = math.inf


@pytest.mark.parametrize(
    ("left", "right", "params", "expected"),
    [
        (
            [1.0, 2.0],
            {"v": [1.0, 2.0]},
            {},
            [
                Difference(
                    DiffKind.TYPE,
                    "/",
                    "/",
                    [1.0, 2.0],
                    {"v": [1.0, 2.0]},
                    "both sides must be arrays of numbers",
                    "vector/object",
                )
            ],
        ),
        (
            [1.0, "2"],
            [1.0, 2.0],
            {},
            [
                Difference(
                    DiffKind.TYPE,
                    "/",
                    "/",
                    [1.0, "2"],
                    [1.0, 2.0],
                    "both sides must be arrays of numbers",
                    "array/vector",
                )
            ],
        ),
        (
            [1.0, 2.0],
            [1.0, 2.0, 3.0],
            {},
            [
                Difference(
                    DiffKind.LENGTH, "/", "/", 2, 3, "2 dimensions on the left, 3 on the right"
                )
            ],
        ),
        (
            [1.0, 0.0],
            [0.0, 0.0],
            {},
            [
                Difference(
                    DiffKind.VALUE,
                    "/",
                    "/",
                    [1.0, 0.0],
                    [0.0, 0.0],
                    "zero vector on right",
                    "ok/zero",
                )
            ],
        ),
        (
            [0.0, 0.0],
            [-INF, 1.0],
            {},
            [
                Difference(
                    DiffKind.VALUE,
                    "/",
                    "/",
                    [0.0, 0.0],
                    [-INF, 1.0],
                    "zero vector on left; infinite value in right vector",
                    "zero/inf",
                )
            ],
        ),
        (
            [1.0, 0.0],
            [1.0, 0.01],
            {},
            [
                Difference(
                    DiffKind.VALUE,
                    "/",
                    "/",
                    [1.0, 0.0],
                    [1.0, 0.01],
                    cosine_detail(1 / math.sqrt(1.0001)),
                    "cosine",
                )
            ],
        ),
        (
            [1.0, 0.0],
            [0.0, 1.0],
            {"min": 0.5},
            [
                Difference(
                    DiffKind.VALUE,
                    "/",
                    "/",
                    [1.0, 0.0],
                    [0.0, 1.0],
                    cosine_detail(0.0, "0.5"),
                    "cosine",
                )
            ],
        ),
        (
            {"v": 1},
            [[1.0]],
            {"batch": True},
            [
                Difference(
                    DiffKind.TYPE,
                    "/",
                    "/",
                    {"v": 1},
                    [[1.0]],
                    "with batch = true both selections must be arrays of vectors",
                    "object/array",
                )
            ],
        ),
        (
            [[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]],
            [[20.0, 0.0], [16.0, 12.0]],
            {"batch": True},
            [
                Difference(
                    DiffKind.LENGTH, "/", "/", 3, 2, "3 vectors on the left, 2 on the right"
                ),
                Difference(
                    DiffKind.VALUE,
                    "/*",
                    "/1",
                    [0.6, 0.8],
                    [16.0, 12.0],
                    cosine_detail(0.96),
                    "cosine",
                ),
            ],
        ),
        (
            [[1.0], [1.0, 2.0], [0.0]],
            [[1.0], [1.0], [1.0]],
            {"batch": True},
            [
                Difference(
                    DiffKind.LENGTH, "/*", "/1", 2, 1, "2 dimensions on the left, 1 on the right"
                ),
                Difference(
                    DiffKind.VALUE, "/*", "/2", [0.0], [1.0], "zero vector on left", "zero/ok"
                ),
            ],
        ),
    ],
    ids=[
        "not-a-vector",
        "string-component",
        "dimensions",
        "zero",
        "zero-and-infinite",
        "below-min",
        "below-a-set-min",
        "batch-not-arrays",
        "batch-count-and-pair",
        "batch-element-records",
    ],
)
def test_each_divergence_says_where_what_each_side_has_and_why(
    left: Any, right: Any, params: dict[str, Any], expected: list[Difference]
) -> None:
    # What a report shows of a cosine finding: the place, both sides' values, the words.
    comparison = compare(left, right, params=params)
    assert list(comparison.differences) == expected
    assert comparison.rule == "cosine"


@pytest.mark.parametrize(
    ("left", "right", "params", "distance"),
    [
        ([1.0, 0.0], [1.0, 0.0], {}, 0.0),  # identical answers
        ([1.0, 0.0], [20.0, 0.0], {}, 0.0),  # the same direction
        ([0.0, 0.0], [0.0, -0.0], {}, 0.0),  # two zero vectors
        ([1.0, 0.0], [0.0, 0.0], {}, None),  # undefined
        ([[1.0]], [[2.0], [3.0]], {"batch": True}, 0.0),
        ([[0.0]], [[1.0]], {"batch": True}, None),  # no pair has a cosine
    ],
)
def test_every_comparison_is_named_for_the_cosine_rule_with_its_distance(
    left: Any, right: Any, params: dict[str, Any], distance: float | None
) -> None:
    comparison = compare(left, right, params=params)
    assert comparison.rule == "cosine"
    assert comparison.distance == distance


def test_integers_beyond_the_float_range_are_infinite_values_on_either_sign() -> None:
    (huge,) = compare([-(10**400), 1], [1.0, 1.0]).differences
    assert (huge.detail, huge.qualifier) == ("infinite value in left vector", "inf/ok")
    assert compare([10**400, 1], [1.0, 1.0]).differences[0].qualifier == "inf/ok"


def test_a_cosine_at_the_minimum_agrees() -> None:
    # "at or above min": orthogonal vectors have cosine 0.0 exactly.
    assert compare([1.0, 0.0], [0.0, 1.0], params={"min": 0.0}).equal
    assert not compare([1.0, 0.0], [-0.001, 1.0], params={"min": 0.0}).equal


ROUNDS_PAST_ONE = [138.40774964442448, 604.530122336367, -873.7863562245814]


@example(
    ROUNDS_PAST_ONE
)  # its float cosine with itself is 1 + 2**-52, with its negation -1 - 2**-52
@given(vectors)
def test_cosine_stays_within_minus_one_and_one(vector: list[float]) -> None:
    assert cosine(vector, vector) <= 1.0
    assert cosine(vector, [-x for x in vector]) >= -1.0
    distance = compare(vector, [-x for x in vector]).distance
    assert distance is not None
    assert distance <= 2.0


def test_identical_answers_agree_whatever_their_key_order() -> None:
    # Not vectors at all, but the same JSON value: the rule is reflexive.
    one, other = {"b": [1.0], "a": None}, {"a": None, "b": [1.0]}
    for left, right in ((one, other), (other, one)):
        comparison = compare(left, right)
        assert comparison.equal, comparison
        assert (comparison.rule, comparison.distance) == ("cosine", 0.0)


def test_a_batch_keeps_max_differences_records_then_one_per_new_kind() -> None:
    left = [[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 0.0]]
    right = [[0.0, 1.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0]]
    comparison = compare(left, right, params={"batch": True, "max_differences": 2})
    assert [(d.location, d.qualifier) for d in comparison.differences] == [
        ("/0", "cosine"),
        ("/1", "cosine"),
        ("/3", "zero/ok"),
    ]
    assert comparison.distance == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("left", "right", "select"),
    [
        (Outcome(502, b"bad gateway"), Outcome(502, b"Bad Gateway"), ""),
        (Outcome(500, b"oops"), outcome([1.0]), ""),
        (outcome({"v": [1.0]}), outcome({"w": [1.0]}), "/v"),
    ],
    ids=["neither-json", "one-not-json", "selection-missing"],
)
def test_what_the_gates_decide_is_named_for_the_cosine_rule(
    left: Outcome, right: Outcome, select: str
) -> None:
    spec = CompareSpec("cosine", select_left=select, select_right=select)
    comparison = get_comparator("cosine")(left, right, spec)
    assert not comparison.equal
    assert comparison.rule == "cosine"
