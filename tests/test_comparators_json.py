"""The ``bytes`` and ``json`` rules: invariants over generated JSON, then examples."""

from __future__ import annotations

import copy
import json
import math
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import difffuzz._comparators  # noqa: F401  (registers the built-in rules)
from difffuzz import CompareSpec, Comparison, ConfigError, DiffKind, Outcome, RegistryError
from difffuzz._comparators.base import compile_compare, get_comparator
from difffuzz._comparators.json_rules import collect
from difffuzz._comparators.numeric import Tolerance, ulp_distance
from difffuzz._comparators.structure import mirror_qualifier
from difffuzz._pointer import find, join, parse, resolve
from tests.json_values import json_values, keys

MIRROR = {DiffKind.MISSING: DiffKind.EXTRA, DiffKind.EXTRA: DiffKind.MISSING}


def outcome(value: Any, status: int = 200) -> Outcome:
    return Outcome(status=status, body=json.dumps(value).encode())


def compare(
    left: Any, right: Any, rule: str = "json", status: tuple[int, int] = (200, 200), **spec: Any
) -> Comparison:
    return get_comparator(rule)(
        outcome(left, status[0]), outcome(right, status[1]), CompareSpec(rule=rule, **spec)
    )


def parts(comparison: Comparison) -> list[tuple[str, str, str, str]]:
    """What identifies a difference, without values (NaN never equals itself)."""
    return sorted((d.kind.value, d.path, d.location, d.qualifier) for d in comparison.differences)


def mirrored(comparison: Comparison) -> list[tuple[str, str, str, str]]:
    return sorted(
        (MIRROR.get(d.kind, d.kind).value, d.path, d.location, mirror_qualifier(d.qualifier))
        for d in comparison.differences
    )


def replace_at(value: Any, pointer: str, new: Any) -> Any:
    tokens = parse(pointer)
    if not tokens:
        return new
    root = copy.deepcopy(value)
    parent_pointer = ""
    for token in tokens[:-1]:
        parent_pointer = join(parent_pointer, token)
    parent = resolve(root, parent_pointer)
    parent[int(tokens[-1]) if isinstance(parent, list) else tokens[-1]] = new
    return root


@st.composite
def mutated(draw: st.DrawFn, value: Any) -> Any:
    """``value`` with one to three places replaced, removed or added to."""
    for _ in range(draw(st.integers(1, 3))):
        pointer, found = draw(st.sampled_from(find(value, "/**")))
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "add" and isinstance(found, dict | list):
            grown = copy.deepcopy(found)
            if isinstance(grown, dict):
                grown[draw(keys)] = draw(json_values)
            else:
                grown.append(draw(json_values))
            value = replace_at(value, pointer, grown)
        elif action == "remove" and pointer:
            parent_pointer = pointer.rsplit("/", 1)[0]
            parent = copy.deepcopy(resolve(value, parent_pointer))
            key = parse(pointer)[-1]
            del parent[int(key) if isinstance(parent, list) else key]
            value = replace_at(value, parent_pointer, parent)
        else:
            value = replace_at(value, pointer, draw(json_values))
    return value


def pairs_of_values() -> st.SearchStrategy[tuple[Any, Any]]:
    related = json_values.flatmap(lambda x: st.tuples(st.just(x), mutated(x)))
    return related | st.tuples(json_values, json_values)


# --- invariants ----------------------------------------------------------------------------


@given(json_values)
def test_every_value_equals_itself(value: Any) -> None:
    for rule in ("json", "http", "bytes"):
        result = compare(value, value, rule)
        assert result.equal, result
        assert result.rule == rule
        assert result.distance in (None, 0.0)


@given(json_values)
def test_key_order_and_formatting_do_not_matter(value: Any) -> None:
    left = Outcome(status=200, body=json.dumps(value).encode())
    right = Outcome(status=200, body=json.dumps(value, sort_keys=True, indent=2).encode())
    assert get_comparator("json")(left, right, CompareSpec()).equal


@settings(max_examples=200)
@given(pairs_of_values())
def test_swapping_sides_mirrors_the_differences(pair: tuple[Any, Any]) -> None:
    left, right = pair
    forward, backward = compare(left, right), compare(right, left)
    assert mirrored(forward) == parts(backward)
    assert forward.distance == backward.distance


def places_without_wildcard_keys(value: Any) -> list[str]:
    return [p for p, _ in find(value, "/**") if p and "*" not in p]


@settings(max_examples=150)
@given(st.data(), json_values)
def test_an_ignored_difference_disappears_and_is_listed(data: st.DataObject, value: Any) -> None:
    places = places_without_wildcard_keys(value)
    assume(places)
    pointer = data.draw(st.sampled_from(places))
    changed = replace_at(value, pointer, data.draw(json_values))
    assume(not compare(value, changed).equal)
    exact = compare(value, changed, ignore=(pointer,))
    assert exact.equal, exact
    assert exact.ignored == (pointer,)
    siblings = pointer.rsplit("/", 1)[0] + "/*"
    wildcard = compare(value, changed, ignore=(siblings,))
    assert wildcard.equal
    assert wildcard.ignored == (pointer,)  # siblings were removed too, but did not differ


def disjoint(a: str, b: str) -> bool:
    return not (a == b or a.startswith(b + "/") or b.startswith(a + "/"))


@settings(max_examples=150)
@given(st.data(), json_values)
def test_ignoring_one_place_keeps_differences_elsewhere(data: st.DataObject, value: Any) -> None:
    places = places_without_wildcard_keys(value)
    ignored = data.draw(st.sampled_from(places)) if places else "/"
    others = [p for p in places if disjoint(p, ignored)]
    assume(others)
    kept = data.draw(st.sampled_from(others))
    only_kept = replace_at(value, kept, data.draw(json_values))
    both = replace_at(only_kept, ignored, data.draw(json_values))
    assume(not compare(value, only_kept).equal)
    with_both, with_kept = (
        compare(value, both, ignore=(ignored,)),
        compare(value, only_kept, ignore=(ignored,)),
    )
    assert parts(with_both) == parts(with_kept)
    assert not with_both.equal
    assert with_kept.ignored == ()
    ignored_differs = not compare(resolve(value, ignored), resolve(both, ignored)).equal
    assert with_both.ignored == ((ignored,) if ignored_differs else ())


@given(pairs_of_values())
def test_select_compares_the_selected_values_only(pair: tuple[Any, Any]) -> None:
    left, right = pair
    direct = compare(left, right)
    selected = compare(
        {"rust": left, "noise": 1},
        {"go": right, "noise": 2},
        select_left="/rust",
        select_right="/go",
    )
    assert parts(selected) == parts(direct)
    assert selected.distance == direct.distance


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
numbers = finite | st.integers(min_value=-(2**70), max_value=2**70)
tolerances = st.floats(min_value=0, max_value=1e6, allow_nan=False)


near_pairs = st.tuples(st.floats(-1e3, 1e3), st.floats(-10, 10)).map(lambda t: (t[0], t[0] + t[1]))


@given(
    near_pairs | st.tuples(numbers, numbers),
    tolerances,
    tolerances,
    st.sampled_from(["abs_tol", "rel_tol"]),
)
def test_a_wider_tolerance_never_turns_equal_into_different(
    pair: tuple[float, float], t1: float, t2: float, name: str
) -> None:
    a, b = pair
    narrow, wide = sorted((t1, t2))
    if Tolerance.from_params("json", {name: narrow}).close(a, b):
        assert Tolerance.from_params("json", {name: wide}).close(a, b)
    if compare([a], [b], params={name: narrow}).equal:
        assert compare([a], [b], params={name: wide}).equal


@given(finite, finite, st.integers(0, 2**62), st.integers(0, 2**62))
def test_a_wider_ulps_bound_never_turns_equal_into_different(
    a: float, b: float, u1: int, u2: int
) -> None:
    narrow, wide = sorted((u1, u2))
    if Tolerance(ulps=narrow).close(a, b):
        assert Tolerance(ulps=wide).close(a, b)


def numeric_gaps(left: Any, right: Any) -> list[float]:
    """Every |a - b| over numbers in the same place of both documents (a plain walk:
    objects by key, arrays by index), NaN against NaN 0, against a number infinite."""
    if is_json_number(left) and is_json_number(right):
        if math.isnan(left) or math.isnan(right):
            return [0.0 if math.isnan(left) and math.isnan(right) else math.inf]
        if left == right:
            return [0.0]
        if math.isinf(left) or math.isinf(right):
            return [math.inf]
        try:
            return [float(abs(Fraction(left) - Fraction(right)))]
        except OverflowError:
            return [math.inf]
    if isinstance(left, dict) and isinstance(right, dict):
        return [gap for key in left if key in right for gap in numeric_gaps(left[key], right[key])]
    if isinstance(left, list) and isinstance(right, list):
        return [gap for a, b in zip(left, right, strict=False) for gap in numeric_gaps(a, b)]
    return []


def is_json_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@given(json_values, json_values)
@example({"a": 1, "b": [2.0, 3]}, {"a": 1, "b": [2.5, 7]})
@example([1, [2, {"x": 10}]], [1, [2, {"x": -10}]])
@example([math.nan, 1], [0.0, 1])
def test_distance_is_none_or_the_largest_numeric_gap(left: Any, right: Any) -> None:
    gaps = numeric_gaps(left, right)
    assert compare(left, right).distance == (max(gaps) if gaps else None)


# --- numbers -----------------------------------------------------------------------------


def test_numbers_compare_as_numbers_but_booleans_are_not_numbers() -> None:
    assert compare({"n": 1}, {"n": 1.0}).equal
    assert compare({"n": 0.0}, {"n": -0.0}).equal
    assert compare([math.nan], [math.nan]).equal
    assert compare([math.inf, -math.inf], [math.inf, -math.inf]).equal
    assert parts(compare([True], [1])) == [("type", "/*", "/0", "boolean/number")]
    assert parts(compare([math.inf], [1e308], params={"rel_tol": 1.0})) == [
        ("value", "/*", "/0", "")
    ]
    assert parts(compare([math.nan], [0.0], params={"abs_tol": 1e9})) == [("value", "/*", "/0", "")]


def test_big_integers_are_compared_exactly() -> None:
    assert not compare([2**64], [2**64 + 1]).equal
    assert not compare([2**53 + 1], [float(2**53)]).equal
    assert compare([10**400], [10**400 + 5], params={"abs_tol": 5}).equal
    assert compare([10**400], [10**400 + 10**394], params={"rel_tol": 1e-6}).equal
    assert compare([2**53 + 1], [float(2**53)], params={"ulps": 0}).equal  # same double


def test_tolerances_each_suffice_alone() -> None:
    assert compare([1.0], [1.05], params={"abs_tol": 0.1}).equal
    assert compare([1000.0], [1001.0], params={"rel_tol": 1e-3}).equal
    assert not compare([1000.0], [1001.0], params={"rel_tol": 1e-4}).equal
    nearby = math.nextafter(math.nextafter(1.0, 2.0), 2.0)
    assert compare([1.0], [nearby], params={"ulps": 2}).equal
    assert not compare([1.0], [nearby], params={"ulps": 1}).equal
    assert compare([1.0], [nearby], params={"ulps": 0, "abs_tol": 1e-9}).equal
    assert ulp_distance(-0.0, 0.0) == 0
    assert ulp_distance(-5e-324, 5e-324) == 2


def test_distance_is_the_largest_numeric_gap() -> None:
    assert compare({"a": "x"}, {"a": "x"}).distance is None
    assert compare({"a": 1, "b": [2.0, 3]}, {"a": 1, "b": [2.5, 7]}).distance == 4.0
    assert compare([1.0], [1.05], params={"abs_tol": 0.1}).distance == pytest.approx(0.05)
    assert compare([1], [math.nan]).distance == math.inf


# --- every difference kind ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "spec", "expected"),
    [
        ({"a": 1}, {"a": "1"}, {}, [("type", "/a", "/a", "number/string")]),
        ({"a": [1]}, {"a": {"0": 1}}, {}, [("type", "/a", "/a", "array/object")]),
        ({"a": 1, "b": 2}, {"a": 1}, {}, [("missing", "/b", "/b", "")]),
        ({"a": 1}, {"a": 1, "c/d": None}, {}, [("extra", "/c~1d", "/c~1d", "")]),
        (
            {"r": [{"s": 1}, {"s": 2}]},
            {"r": [{"s": 1}, {"s": 3}]},
            {},
            [("value", "/r/*/s", "/r/1/s", "")],
        ),
        (
            {"r": [1, 2, 3]},
            {"r": [1, 5]},
            {},
            [("length", "/r", "/r", ""), ("value", "/r/*", "/r/1", "")],
        ),
        ("text", "texts", {}, [("value", "/", "/", "")]),
        (
            {"r": [1, 2, 3]},
            {"r": [3, 1, 2]},
            {"params": {"unordered": ["/r"]}},
            [("order", "/r", "/r", "")],
        ),
        (
            {"r": [1, 2, 2]},
            {"r": [2, 1, 4, 5]},
            {"params": {"unordered": ["/r"]}},
            [
                ("extra", "/r/*", "/r/2", ""),
                ("extra", "/r/*", "/r/3", ""),
                ("length", "/r", "/r", ""),
                ("missing", "/r/*", "/r/2", ""),
            ],
        ),
        ({"a": 1}, {"b": 1}, {"select_left": "/a", "select_right": "/b"}, []),
        (
            {"a": 1},
            {"b": 1},
            {"select_left": "/a", "select_right": "/a"},
            [("missing", "/a", "/a", "")],
        ),
        (
            {"b": 1},
            {"a": 1},
            {"select_left": "/a", "select_right": "/a"},
            [("extra", "/a", "/a", "")],
        ),
        ({"b": 1}, {"b": 2}, {"select_left": "/a", "select_right": "/a"}, []),
    ],
)
def test_difference_examples(
    left: Any, right: Any, spec: dict[str, Any], expected: list[tuple[str, ...]]
) -> None:
    assert parts(compare(left, right, **spec)) == sorted(expected)


def test_string_differences_say_where_they_start() -> None:
    (difference,) = compare({"s": "abcdef"}, {"s": "abXdef"}).differences
    assert difference.detail == "first difference at character 2 (lengths 6/6)"


def test_unordered_arrays_only_when_listed() -> None:
    assert parts(compare({"r": [1, 2]}, {"r": [2, 1]})) == [
        ("value", "/r/*", "/r/0", ""),
        ("value", "/r/*", "/r/1", ""),
    ]
    assert parts(
        compare(
            {"r": [math.nan, {"a": 1}]}, {"r": [{"a": 1.0}, math.nan]}, params={"unordered": ["/r"]}
        )
    ) == [("order", "/r", "/r", "")]
    in_order = compare(
        {"r": [[1, 2], [3]]}, {"r": [[1, 2], [3]]}, params={"unordered": ["/r", "/r/*"]}
    )
    assert in_order.equal


def test_ignore_order_drops_order_differences_and_lists_them() -> None:
    result = compare(
        {"x": [{"r": [1, 2]}, {"r": [3, 4]}]},
        {"x": [{"r": [2, 1]}, {"r": [3, 4]}]},
        params={"unordered": ["/x/*/r"], "ignore_order": True},
    )
    assert result.equal
    assert result.ignored == ("/x/0/r",)
    # A different multiset is still a difference.
    assert not compare([1, 2], [1, 3], params={"unordered": ["/**"], "ignore_order": True}).equal


@given(st.lists(st.integers(0, 3) | st.floats(allow_infinity=False), max_size=6), st.randoms())
def test_a_permutation_of_a_listed_array_is_equal_or_one_order_difference(
    items: list[Any], random: Any
) -> None:
    shuffled = list(items)
    random.shuffle(shuffled)
    result = compare({"r": items}, {"r": shuffled}, params={"unordered": ["/r"]})
    assert parts(result) in ([], [("order", "/r", "/r", "")])


def test_ignored_lists_only_places_that_differed() -> None:
    left = {"trace_id": "t-1", "timestamp": "10:00", "daemon": "gw", "body": 1}
    right = {"trace_id": "t-1", "timestamp": "10:01", "body": 1}
    result = compare(left, right, ignore=("/timestamp", "/daemon", "/trace_id"))
    assert result.equal
    assert result.ignored == ("/timestamp", "/daemon")


def test_both_bodies_not_json_are_compared_as_bytes() -> None:
    json_rule = get_comparator("json")
    same = json_rule(Outcome(500, b"oops"), Outcome(500, b"oops"), CompareSpec())
    assert same.equal
    different = json_rule(Outcome(500, b"oops"), Outcome(500, b"oops!"), CompareSpec())
    assert [(d.kind, d.path) for d in different.differences] == [(DiffKind.LENGTH, "/")]


def test_one_body_not_json_is_a_parse_difference() -> None:
    json_rule = get_comparator("json")
    (difference,) = json_rule(
        Outcome(200, b"{}"), Outcome(200, b"<html>"), CompareSpec()
    ).differences
    assert (difference.kind, difference.path, difference.qualifier) == (
        DiffKind.PARSE,
        "/",
        "json/not-json",
    )
    assert difference.detail == "the right body is not JSON"
    (mirror,) = json_rule(Outcome(200, b""), Outcome(200, b"[]"), CompareSpec()).differences
    assert mirror.qualifier == "not-json/json"


def test_bytes_rule() -> None:
    bytes_rule = get_comparator("bytes")
    assert bytes_rule(Outcome(200, b"abc"), Outcome(200, b"abc"), CompareSpec("bytes")).equal
    (value,) = bytes_rule(
        Outcome(200, b"abc"), Outcome(200, b"abd"), CompareSpec("bytes")
    ).differences
    assert (value.kind, value.path, value.detail) == (
        DiffKind.VALUE,
        "/",
        "first difference at byte 2",
    )
    (length,) = bytes_rule(
        Outcome(200, b"{}"), Outcome(200, b"{} "), CompareSpec("bytes")
    ).differences
    assert (length.kind, length.path) == (DiffKind.LENGTH, "/")
    with pytest.raises(ConfigError, match="use rule 'json'"):
        bytes_rule(Outcome(200), Outcome(200), CompareSpec("bytes", ignore=("/ts",)))


def test_many_differences_are_capped_but_distinct_ones_kept() -> None:
    left = {"items": list(range(500)), "tail": 1}
    right = {"items": [n + 1 for n in range(500)], "tail": "1"}
    result = compare(left, right, params={"max_differences": 50})
    assert len(result.differences) == 51
    assert ("type", "/tail", "/tail", "number/string") in parts(result)
    assert result.distance == 1.0
    assert len(compare(left, right).differences) == 201


def test_collect_keeps_the_first_then_only_new_kinds() -> None:
    from difffuzz import Difference

    stream = [Difference(DiffKind.VALUE, "/a")] * 5 + [Difference(DiffKind.TYPE, "/a")] * 2
    assert [d.kind for d in collect(stream, 2)] == [DiffKind.VALUE, DiffKind.VALUE, DiffKind.TYPE]


def test_documents_as_deep_as_the_parser_allows() -> None:
    depth = 900
    left = json.loads("[" * depth + "1" + "]" * depth)
    right = json.loads("[" * depth + "2" + "]" * depth)
    (difference,) = compare(left, right).differences
    assert difference.path == "/*" * depth
    assert compare(left, left).equal


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"abs_tol": -1}, "'abs_tol' is -1"),
        ({"rel_tol": "1e-6"}, "must be a finite number"),
        ({"ulps": 1.5}, "must be an integer"),
        ({"unordered": "results"}, "must start with '/'"),
        ({"ignore_order": "yes"}, "must be true or false"),
        ({"rel_tl": 0.1}, "unknown parameter(s) 'rel_tl'; it accepts: abs_tol"),
    ],
)
def test_bad_parameters_are_config_errors_that_say_the_fix(
    params: dict[str, Any], needle: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        compare(1, 1, params=params)
    assert needle in str(caught.value)
    assert "rule 'json'" in str(caught.value)


@pytest.mark.parametrize(
    ("rule", "params", "message"),
    [
        ("bytes", {"x": 1}, "rule 'bytes' got unknown parameter(s) 'x'; it accepts: (none)"),
        (
            "cosine",
            {"x": 1, "y": 2},
            "rule 'cosine' got unknown parameter(s) 'x', 'y'; "
            "it accepts: batch, max_differences, min",
        ),
        (
            "json",
            {"unordered": ["/r", 3]},
            "rule 'json' parameter 'unordered' must be a list of pointer patterns such as "
            "[\"/results\"], got ['/r', 3]",
        ),
        (
            "json",
            {"unordered": 5},
            "rule 'json' parameter 'unordered' must be a list of pointer patterns such as "
            '["/results"], got 5',
        ),
        ("topk", {"list": 5}, "rule 'topk' parameter 'list' must be a JSON pointer string, got 5"),
    ],
    ids=["no-parameters", "two-unknown", "not-all-patterns", "not-a-list", "not-a-pointer"],
)
def test_a_bad_parameter_s_whole_message_names_the_rule_and_what_it_takes(
    rule: str, params: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        compile_compare(CompareSpec(rule, params=params))
    assert str(caught.value) == message


def test_one_pattern_may_be_given_as_a_string() -> None:
    assert compare({"r": [1, 2]}, {"r": [2, 1]}, params={"unordered": "/r"}).differences[
        0
    ].kind is (DiffKind.ORDER)


def test_bad_ignore_and_select_pointers_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="whole segment"):
        compare(1, 1, ignore=("/a*",))
    with pytest.raises(ConfigError, match="names the whole body"):
        compare(1, 1, ignore=("",))
    with pytest.raises(ConfigError, match="must start with '/'"):
        compare(1, 1, select_left="results")


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        (CompareSpec("json", ignore=("ts",)), ConfigError),
        (CompareSpec("json", select_left="/x", select_right="y"), ConfigError),
        (CompareSpec("shape", ignore=("/a*",)), ConfigError),
        (CompareSpec("cosine", select_left="embeddings"), ConfigError),
        (CompareSpec("topk", params={"k": -1}), ConfigError),
        (CompareSpec("http", params={"unordered": ["/r/x*"]}), ConfigError),
        (CompareSpec("nope"), RegistryError),
    ],
)
def test_compiling_a_spec_finds_configuration_errors_before_any_body(
    spec: CompareSpec, error: type[Exception]
) -> None:
    with pytest.raises(error):
        compile_compare(spec)


@pytest.mark.parametrize("rule", ["bytes", "json", "http", "shape", "cosine", "topk"])
def test_compiling_accepts_good_specs(rule: str) -> None:
    compile_compare(CompareSpec(rule))
