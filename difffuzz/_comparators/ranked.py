"""The ``topk`` rule: two ranked result lists must recommend the same things.

Search answers ``{"results": [{"id": .., "score": ..}, ...]}`` come from an
approximate index and differ in float width, so exact equality is too strict.
What a coordinator sees is the recommendation: the same top result, and most
of the top K shared. Scores are not compared.

``distance`` is ``1 - RBO``: rank-biased overlap (Webber, Moffat & Zobel,
"A similarity measure for indefinite rankings", TOIS 2010), extrapolated, with
persistence ``p = 0.9`` (the top 10 carry about 86% of the weight).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
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
    parse_and_select,
    refuse_ignore,
    select_pair,
)
from difffuzz._comparators.params import check_names, int_param, number_param, pointer_param
from difffuzz._comparators.structure import display, json_type
from difffuzz._exceptions import ConfigError
from difffuzz._outcome import Outcome
from difffuzz._pointer import MISSING, join, resolve

__all__ = ["TOPK", "TOPK_PARAMS", "compile_topk", "rank_biased_overlap", "result_ids"]

TOPK_PARAMS = frozenset({"k", "min_overlap", "list", "id", "unranked"})
UNRANKED = ("agree", "json")
DEFAULT_MIN_OVERLAP = 0.8


def _distinct(items: Sequence[Hashable]) -> list[Hashable]:
    return list(dict.fromkeys(items))


def rank_biased_overlap(
    left: Sequence[Hashable], right: Sequence[Hashable], p: float = 0.9
) -> float:
    """Extrapolated rank-biased overlap of two rankings, in [0, 1].

    1 for identical rankings, 0 for disjoint ones, symmetric; rankings of
    different lengths are handled as in the paper's equation 32 (the shorter
    one is assumed to keep agreeing at the rate it had). Repeated items count
    at their first rank only. Two empty rankings agree (1.0); an empty and a
    non-empty one do not (0.0).

    >>> rank_biased_overlap(["a", "b", "c"], ["a", "b", "c"])
    1.0
    >>> round(rank_biased_overlap(["a", "b", "c"], ["b", "a", "c"]), 4)
    0.9
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"RBO persistence p must lie strictly between 0 and 1, got {p!r}")
    a, b = _distinct(left), _distinct(right)
    if not a or not b:
        return 1.0 if not a and not b else 0.0
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    s, length = len(short), len(long)
    seen_short: set[Hashable] = set()
    seen_long: set[Hashable] = set()
    overlap = 0  # X_d: items shared by the two prefixes of depth d
    overlap_at_s = 0
    weighted = 0.0
    for depth in range(1, length + 1):
        if depth <= s:
            item = short[depth - 1]
            seen_short.add(item)
            overlap += item in seen_long
        item = long[depth - 1]
        seen_long.add(item)
        overlap += item in seen_short
        if depth == s:
            overlap_at_s = overlap
        weight = p**depth
        weighted += overlap / depth * weight
        if depth > s:
            # The shorter ranking's unseen part is assumed to agree at rate X_s / s.
            weighted += overlap_at_s * (depth - s) / (s * depth) * weight
    tail = ((overlap - overlap_at_s) / length + overlap_at_s / s) * p**length
    value = (1.0 - p) / p * weighted + tail
    return min(1.0, max(0.0, value))  # only rounding can leave [0, 1]


def _usable_id(value: Any) -> bool:
    # Floats and booleans make poor ids: 1, 1.0 and True would be one set member.
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def result_ids(results: list[Any], id_pointer: str) -> tuple[list[Hashable], int | None]:
    """The ids of a result list, and the index of the first result without a usable id.

    >>> result_ids([{"id": "w1"}, {"id": "w2"}], "/id")
    (['w1', 'w2'], None)
    """
    ids: list[Hashable] = []
    for index, result in enumerate(results):
        value = resolve(result, id_pointer)
        if not _usable_id(value):
            return ids, index
        ids.append(value)
    return ids, None


def compile_topk(spec: CompareSpec) -> Compare:
    """Same top-1 and enough top-K overlap.

    Parameters: ``k`` (compare the first k results; default all), ``min_overlap``
    (shared fraction of the top k, default 0.8), ``list`` (pointer to the
    results, default ``/results``), ``id`` (pointer to an id inside one result,
    default ``/id``), ``unranked`` (``agree``, or ``json``: when neither side
    ranked anything, under one status, their bodies must agree as JSON).
    Lengths are compared within the top k.

    >>> a = Outcome(200, b'{"results": [{"id": "w1", "score": 0.91}, {"id": "w2", "score": 0.8}]}')
    >>> b = Outcome(200, b'{"results": [{"id": "w1", "score": 0.9}, {"id": "w2", "score": 0.81}]}')
    >>> compile_topk(CompareSpec("topk"))(a, b).equal
    True
    """
    params = spec.params
    check_names("topk", params, TOPK_PARAMS)
    k = int_param("topk", params, "k", None, low=1)
    min_overlap = number_param(
        "topk", params, "min_overlap", DEFAULT_MIN_OVERLAP, low=0.0, high=1.0
    )
    min_overlap = DEFAULT_MIN_OVERLAP if min_overlap is None else min_overlap
    list_pointer = pointer_param("topk", params, "list", "/results")
    id_pointer = pointer_param("topk", params, "id", "/id")
    unranked = params.get("unranked", "agree")
    if unranked not in UNRANKED:
        raise ConfigError(
            f"rule 'topk' parameter 'unranked' must be one of {', '.join(UNRANKED)}, "
            f"got {unranked!r}"
        )
    refuse_ignore("topk", spec, "result ids", "point 'list' and 'id' at what to compare")
    check_pointers(spec)
    listing = CompareSpec(select_left=list_pointer, select_right=list_pointer)
    # Neither side ranked anything (an error body on both, of one status): with
    # unranked = "json" what they say instead must agree, or a 422 hides what
    # differs inside it.
    plain = JSONRule.of(
        "topk", CompareSpec(select_left=spec.select_left, select_right=spec.select_right)
    )

    def compare(left: Outcome, right: Outcome) -> Comparison:
        selected = parse_and_select("topk", left, right, spec)
        if isinstance(selected, Comparison):
            return selected
        listed = select_pair(selected.left, selected.right, listing)
        if listed.stop:
            if not listed.differences and unranked == "json" and left.status == right.status:
                # Under different statuses the status is the finding; the bodies
                # differ anyway.
                return plain(left, right)
            return Comparison(rule="topk", differences=listed.differences)
        where = display(list_pointer)
        if not isinstance(listed.left, list) or not isinstance(listed.right, list):
            qualifier = f"{json_type(listed.left)}/{json_type(listed.right)}"
            difference = Difference(
                DiffKind.TYPE,
                where,
                where,
                listed.left,
                listed.right,
                detail=f"{list_pointer!r} must be an array of results on both sides",
                qualifier=qualifier,
            )
            return Comparison(rule="topk", differences=(difference,))
        id_problems = _id_differences(listed.left, listed.right, list_pointer, id_pointer)
        if id_problems:
            return Comparison(rule="topk", differences=id_problems)
        left_ids, _ = result_ids(listed.left, id_pointer)
        right_ids, _ = result_ids(listed.right, id_pointer)
        return _rank_comparison(left_ids, right_ids, k, min_overlap, list_pointer, id_pointer)

    return compare


def _id_differences(
    left: list[Any], right: list[Any], list_pointer: str, id_pointer: str
) -> tuple[Difference, ...]:
    differences = []
    for side, results in (("left", left), ("right", right)):
        _, bad = result_ids(results, id_pointer)
        if bad is None:
            continue
        found = resolve(results[bad], id_pointer)
        kind = "missing" if found is MISSING else json_type(found)
        location = join(list_pointer, bad) + id_pointer
        differences.append(
            Difference(
                DiffKind.TYPE,
                f"{list_pointer}/*{id_pointer}",
                location,
                results[bad] if side == "left" else None,
                results[bad] if side == "right" else None,
                detail=f"{side} result {bad} has no string or integer id at {id_pointer!r}: {kind}",
                qualifier=f"{kind}/id" if side == "left" else f"id/{kind}",
            )
        )
    return tuple(differences)


def _rank_comparison(
    left_ids: list[Hashable],
    right_ids: list[Hashable],
    k: int | None,
    min_overlap: float,
    list_pointer: str,
    id_pointer: str,
) -> Comparison:
    depth = k if k is not None else max(len(left_ids), len(right_ids))
    top_left, top_right = left_ids[:depth], right_ids[:depth]
    where = display(list_pointer)
    differences: list[Difference] = []
    if len(top_left) != len(top_right):
        detail = f"{len(top_left)} results on the left, {len(top_right)} on the right (top {depth})"
        differences.append(
            Difference(DiffKind.LENGTH, where, where, len(top_left), len(top_right), detail)
        )
    if top_left and top_right and top_left[0] != top_right[0]:
        first = join(list_pointer, 0) + id_pointer
        differences.append(
            Difference(
                DiffKind.VALUE, first, first, top_left[0], top_right[0], detail="top-1 differs"
            )
        )
    shared, larger = set(top_left) & set(top_right), max(len(set(top_left)), len(set(top_right)))
    overlap = len(shared) / larger if larger else 1.0
    if overlap < min_overlap:
        detail = f"top-{depth} overlap {overlap:.3f} is below min_overlap {min_overlap}"
        differences.append(
            Difference(
                DiffKind.VALUE, where, where, top_left, top_right, detail, qualifier="overlap"
            )
        )
    distance = 1.0 - rank_biased_overlap(top_left, top_right)
    return Comparison(rule="topk", differences=tuple(differences), distance=distance)


#: The rule of this module, as the registry holds it.
TOPK = Rule("topk", compile_topk)
