"""The ``topk`` rule and rank-biased overlap, for the search surface."""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import difffuzz._comparators  # noqa: F401  (registers the built-in rules)
from difffuzz import CompareSpec, Comparison, ConfigError, DiffKind, Outcome
from difffuzz._comparators.base import Difference, get_comparator
from difffuzz._comparators.ranked import TOPK, rank_biased_overlap
from difffuzz._comparators.structure import mirror_qualifier

worker_ids = st.sampled_from([f"w{n}" for n in range(12)])
rankings = st.lists(worker_ids, max_size=12, unique=True)
MIRROR = {DiffKind.MISSING: DiffKind.EXTRA, DiffKind.EXTRA: DiffKind.MISSING}


def results(ids: Sequence[Any], score: float = 0.9) -> dict[str, Any]:
    return {"results": [{"id": i, "score": score - n * 0.01} for n, i in enumerate(ids)]}


def topk(left: Any, right: Any, **spec: Any) -> Comparison:
    rule = get_comparator("topk")
    return rule(
        Outcome(200, json.dumps(left).encode()),
        Outcome(200, json.dumps(right).encode()),
        CompareSpec("topk", **spec),
    )


def parts(comparison: Comparison) -> list[tuple[str, str, str]]:
    return sorted((d.kind.value, d.path, d.qualifier) for d in comparison.differences)


# --- rank-biased overlap -------------------------------------------------------------------


def rbo_by_series(
    left: Sequence[Hashable], right: Sequence[Hashable], p: float, terms: int = 4000
) -> float:
    """RBO as its defining sum (1 - p) * sum p^(d-1) * A_d, with the agreement A_d
    extrapolated past the lists' ends as the paper prescribes; summed far out."""
    short, long = (left, right) if len(left) <= len(right) else (right, left)
    s, n = len(short), len(long)

    def overlap(depth: int) -> int:
        return len(set(short[:depth]) & set(long[:depth]))

    x_s, x_l = overlap(s), overlap(n)
    total = 0.0
    for depth in range(1, terms + 1):
        if depth <= s:
            agreement = overlap(depth) / depth
        elif depth <= n:
            agreement = (overlap(depth) + x_s * (depth - s) / s) / depth
        else:
            agreement = (x_l - x_s) / n + x_s / s
        total += p ** (depth - 1) * agreement
    return (1 - p) * total


@given(rankings.filter(bool))
def test_rbo_of_a_ranking_with_itself_is_one(ranking: list[str]) -> None:
    assert rank_biased_overlap(ranking, ranking) == pytest.approx(1.0, abs=1e-12)


@given(rankings, rankings)
def test_rbo_is_symmetric_and_between_zero_and_one(left: list[str], right: list[str]) -> None:
    forward = rank_biased_overlap(left, right)
    assert 0.0 <= forward <= 1.0
    assert forward == pytest.approx(rank_biased_overlap(right, left), abs=1e-12)


@settings(max_examples=60)
@given(rankings.filter(bool), rankings.filter(bool), st.sampled_from([0.5, 0.9, 0.98]))
def test_rbo_equals_its_defining_series(left: list[str], right: list[str], p: float) -> None:
    assert rank_biased_overlap(left, right, p) == pytest.approx(
        rbo_by_series(left, right, p), abs=1e-9
    )


@given(rankings.filter(bool), rankings.filter(bool))
def test_rbo_of_disjoint_rankings_is_zero(left: list[str], right: list[str]) -> None:
    right = [f"other-{item}" for item in right]
    assert rank_biased_overlap(left, right) == 0.0


def test_rbo_weighs_the_top_more_than_the_bottom() -> None:
    ranking = [f"w{n}" for n in range(10)]
    top_swapped = [ranking[1], ranking[0], *ranking[2:]]
    bottom_swapped = [*ranking[:8], ranking[9], ranking[8]]
    assert (
        rank_biased_overlap(ranking, top_swapped)
        < rank_biased_overlap(ranking, bottom_swapped)
        < 1.0
    )
    assert rank_biased_overlap(["a", "b", "c"], ["b", "a", "c"]) == pytest.approx(0.9)


def test_rbo_edge_cases() -> None:
    assert rank_biased_overlap([], []) == 1.0
    assert rank_biased_overlap(["a"], []) == 0.0
    assert rank_biased_overlap(["a", "a", "b"], ["a", "b"]) == pytest.approx(
        1.0
    )  # repeats count once
    # A prefix of a ranking agrees with it, as far as anyone can tell.
    assert rank_biased_overlap(["a", "b"], ["a", "b", "c", "d"]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="persistence p must lie strictly between 0 and 1"):
        rank_biased_overlap(["a"], ["a"], p=1.0)
    with pytest.raises(ValueError, match="persistence p must lie strictly between 0 and 1"):
        rank_biased_overlap(["a"], ["a"], p=0.0)


# --- topk --------------------------------------------------------------------------------


@given(rankings)
def test_topk_is_reflexive_whatever_the_scores(ranking: list[str]) -> None:
    result = topk(results(ranking, 0.9), results(ranking, 0.5))
    assert result.equal
    assert result.distance == pytest.approx(0.0, abs=1e-12)


@given(rankings, rankings, st.none() | st.integers(1, 12))
def test_topk_swapping_sides_mirrors_the_differences(
    left: list[str], right: list[str], k: int | None
) -> None:
    params = {} if k is None else {"k": k}
    forward, backward = (
        topk(results(left), results(right), params=params),
        topk(results(right), results(left), params=params),
    )
    mirrored = sorted(
        (MIRROR.get(d.kind, d.kind).value, d.path, mirror_qualifier(d.qualifier))
        for d in forward.differences
    )
    assert mirrored == parts(backward)
    assert forward.distance == pytest.approx(backward.distance)


@given(rankings, rankings)
def test_topk_distance_is_one_minus_rbo(left: list[str], right: list[str]) -> None:
    result = topk(results(left), results(right))
    assert result.distance == pytest.approx(1.0 - rank_biased_overlap(left, right))


def test_top_one_differs() -> None:
    result = topk(results(["w1", "w2", "w3", "w4", "w5"]), results(["w2", "w1", "w3", "w4", "w5"]))
    assert parts(result) == [("value", "/results/0/id", "")]
    (difference,) = result.differences
    assert (difference.left, difference.right) == ("w1", "w2")


def test_overlap_below_the_threshold() -> None:
    left, right = ["w1", "w2", "w3", "w4", "w5"], ["w1", "w2", "w3", "w8", "w9"]
    assert parts(topk(results(left), results(right))) == [("value", "/results", "overlap")]
    assert topk(results(left), results(right), params={"min_overlap": 0.6}).equal
    assert topk(results(left), results(right), params={"k": 3}).equal  # only the top 3 count


def test_lengths_compared_within_the_top_k() -> None:
    left, right = ["w1", "w2", "w3", "w4", "w5"], ["w1", "w2", "w3", "w4"]
    assert parts(topk(results(left), results(right))) == [("length", "/results", "")]
    assert topk(results(left), results(right), params={"k": 4}).equal
    # Fewer results than k on both sides, the same ones: agreement.
    assert topk(results(["w1", "w2"]), results(["w1", "w2"]), params={"k": 10}).equal
    assert parts(topk(results([]), results(["w1"]))) == [
        ("length", "/results", ""),
        ("value", "/results", "overlap"),
    ]


NO_ID = {"results": [{"id": "w1"}, {"score": 0.5}]}
FIVE = ["w1", "w2", "w3", "w4", "w5"]


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (
            results(FIVE),
            results(FIVE[:4]),
            Difference(
                DiffKind.LENGTH,
                "/results",
                "/results",
                5,
                4,
                "5 results on the left, 4 on the right (top 5)",
            ),
        ),
        (
            results(["w1", "w2"]),
            results(["w2", "w1"]),
            Difference(
                DiffKind.VALUE, "/results/0/id", "/results/0/id", "w1", "w2", "top-1 differs"
            ),
        ),
        (
            results(FIVE),
            results(["w1", "w2", "w3", "w8", "w9"]),
            Difference(
                DiffKind.VALUE,
                "/results",
                "/results",
                FIVE,
                ["w1", "w2", "w3", "w8", "w9"],
                "top-5 overlap 0.600 is below min_overlap 0.8",
                qualifier="overlap",
            ),
        ),
        (
            {"results": {"w1": 1}},
            results(["w1"]),
            Difference(
                DiffKind.TYPE,
                "/results",
                "/results",
                {"w1": 1},
                results(["w1"])["results"],
                "'/results' must be an array of results on both sides",
                qualifier="object/array",
            ),
        ),
        (
            NO_ID,
            results(["w1", "w2"]),
            Difference(
                DiffKind.TYPE,
                "/results/*/id",
                "/results/1/id",
                {"score": 0.5},
                None,
                "left result 1 has no string or integer id at '/id': missing",
                qualifier="missing/id",
            ),
        ),
        (
            results(["w1"]),
            {"results": [{"id": 1.5}]},
            Difference(
                DiffKind.TYPE,
                "/results/*/id",
                "/results/0/id",
                None,
                {"id": 1.5},
                "right result 0 has no string or integer id at '/id': number",
                qualifier="id/number",
            ),
        ),
        (
            results(["w1"]),
            {"error": "k must be >= 0"},
            Difference(
                DiffKind.MISSING,
                "/results",
                "/results",
                results(["w1"])["results"],
                None,
                "select pointer '/results' names nothing in the right body",
            ),
        ),
    ],
    ids=["length", "top-1", "overlap", "not-an-array", "no-id-left", "float-id-right", "no-list"],
)
def test_each_divergence_says_where_what_each_side_has_and_why(
    left: Any, right: Any, expected: Difference
) -> None:
    # What a report shows of a topk finding: the place, both sides' values, the words.
    comparison = topk(left, right)
    assert comparison.differences == (expected,)
    assert comparison.rule == "topk"


def test_answers_that_are_not_json_are_compared_as_text_under_the_topk_rule() -> None:
    comparison = TOPK(
        Outcome(502, b"bad gateway"), Outcome(502, b"Bad Gateway"), CompareSpec("topk")
    )
    assert not comparison.equal
    assert comparison.rule == "topk"


def test_custom_list_and_id_pointers() -> None:
    left = {"data": {"hits": [{"worker": {"id": 7}}, {"worker": {"id": 8}}]}}
    right = {"data": {"hits": [{"worker": {"id": 8}}, {"worker": {"id": 7}}]}}
    result = topk(
        left, right, params={"list": "/data/hits", "id": "/worker/id", "min_overlap": 1.0}
    )
    assert parts(result) == [("value", "/data/hits/0/worker/id", "")]


def test_result_lists_that_are_missing_or_malformed() -> None:
    error = {"error": "k must be >= 0"}
    assert topk(error, error).equal  # both answered without results: agreement here
    assert parts(topk(results(["w1"]), error)) == [("missing", "/results", "")]
    assert parts(topk(error, results(["w1"]))) == [("extra", "/results", "")]
    assert parts(topk({"results": {"w1": 1}}, results(["w1"]))) == [
        ("type", "/results", "object/array")
    ]
    no_id = {"results": [{"id": "w1"}, {"score": 0.5}]}
    (difference,) = topk(no_id, results(["w1", "w2"])).differences
    assert (difference.kind, difference.path, difference.location, difference.qualifier) == (
        DiffKind.TYPE,
        "/results/*/id",
        "/results/1/id",
        "missing/id",
    )
    float_id = {"results": [{"id": 1.5}]}
    assert parts(topk(results(["w1"]), float_id)) == [("type", "/results/*/id", "id/number")]


def test_select_before_the_list() -> None:
    left = {"rust": results(["w1", "w2"])}
    right = {"go": results(["w1", "w2"])}
    assert topk(left, right, select_left="/rust", select_right="/go").equal


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"params": {"k": 0}}, "rule 'topk' parameter 'k' must be an integer >= 1, got 0"),
        (
            {"params": {"min_overlap": 1.5}},
            "rule 'topk' parameter 'min_overlap' is 1.5; it must lie in [0.0, 1.0]",
        ),
        (
            {"params": {"min_overlap": -0.1}},
            "rule 'topk' parameter 'min_overlap' is -0.1; it must lie in [0.0, 1.0]",
        ),
        (
            {"params": {"list": "results"}},
            "rule 'topk' parameter 'list': JSON pointer 'results' must start with '/' "
            "(write '/results'), or be '' for the whole document",
        ),
        (
            {"params": {"id": "id"}},
            "rule 'topk' parameter 'id': JSON pointer 'id' must start with '/' "
            "(write '/id'), or be '' for the whole document",
        ),
        (
            {"params": {"top": 3}},
            "rule 'topk' got unknown parameter(s) 'top'; "
            "it accepts: id, k, list, min_overlap, unranked",
        ),
        (
            {"ignore": ("/results/*/score",)},
            "rule 'topk' compares result ids and cannot ignore parts of them "
            "(got ignore=['/results/*/score']); point 'list' and 'id' at what to compare",
        ),
    ],
)
def test_bad_configuration_names_the_rule_the_parameter_and_the_fix(
    spec: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        topk(results(["w1"]), results(["w1"]), **spec)
    assert str(caught.value) == message


def test_unranked_json_compares_two_answers_without_a_ranking() -> None:
    rust = Outcome(
        422, b'{"kind": "schema", "field": "k", "reason": "invalid value: integer `-1`"}'
    )
    go = Outcome(422, b'{"kind": "schema", "field": "k", "reason": "k must not be negative"}')
    assert TOPK(rust, go, CompareSpec("topk")).equal  # the default: they agree
    strict = TOPK(rust, go, CompareSpec("topk", params={"unranked": "json"}))
    assert [(d.kind.value, d.path) for d in strict.differences] == [("value", "/reason")]
    assert strict.rule == "topk"
    ranked = Outcome(200, b'{"results": [{"id": "w1"}]}')
    assert TOPK(ranked, ranked, CompareSpec("topk", params={"unranked": "json"})).equal
    # Under different statuses the status is the finding (the judge reports it).
    refused = Outcome(400, b'{"kind": "decode", "reason": "bad k"}')
    assert TOPK(rust, refused, CompareSpec("topk", params={"unranked": "json"})).equal


def test_unranked_json_compares_what_each_side_s_select_points_at() -> None:
    left = Outcome(422, b'{"rust": {"reason": "bad k"}}')
    right = Outcome(422, b'{"go": {"reason": "bad k"}}')
    spec = CompareSpec("topk", select_left="/rust", select_right="/go", params={"unranked": "json"})
    assert TOPK(left, right, spec).equal
    worse = Outcome(422, b'{"go": {"reason": "worse k"}}')
    assert [(d.path, d.left, d.right) for d in TOPK(left, worse, spec).differences] == [
        ("/reason", "bad k", "worse k")
    ]


def test_unranked_takes_agree_or_json_only() -> None:
    with pytest.raises(ConfigError, match="'unranked' must be one of agree, json"):
        TOPK(
            Outcome(200, b"{}"), Outcome(200, b"{}"), CompareSpec("topk", params={"unranked": "x"})
        )
