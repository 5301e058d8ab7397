"""JSON pointers and pointer patterns (difffuzz._pointer)."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from difffuzz._pointer import (
    MISSING,
    compile_pattern,
    delete_matching,
    escape,
    find,
    join,
    matches,
    normalise,
    parse,
    resolve,
)
from tests.json_values import json_scalars, json_values, keys


def all_places(value: Any) -> list[tuple[str, Any]]:
    return find(value, "/**")


# --- parse, escape, join -------------------------------------------------------------------


def test_parse_examples() -> None:
    assert parse("") == ()
    assert parse("/") == ("",)
    assert parse("/a~1b/m~0n/0") == ("a/b", "m~n", "0")
    # ~01 is "~1" unescaped once, not "/": the order of replacement matters.
    assert parse("/~01") == ("~1",)


@given(st.lists(keys, max_size=5))
def test_join_then_parse_round_trips_any_keys(tokens: list[str]) -> None:
    pointer = ""
    for token in tokens:
        pointer = join(pointer, token)
    assert parse(pointer) == tuple(tokens)
    assert "".join("/" + escape(t) for t in tokens) == pointer


@pytest.mark.parametrize(
    ("text", "needle"),
    [("a/b", "must start with '/'"), ("/a~2", "'~' not followed by '0' or '1'"), ("/a~", "~0")],
)
def test_parse_errors_name_the_pointer_and_the_fix(text: str, needle: str) -> None:
    with pytest.raises(ValueError, match="JSON pointer") as caught:
        parse(text)
    assert repr(text) in str(caught.value)
    assert needle in str(caught.value)


# --- resolve -----------------------------------------------------------------------------


def test_resolve_examples() -> None:
    document = {"results": [{"id": "w1"}, {"id": "w2"}], "": {"": 5}, "a/b": 1}
    assert resolve(document, "") is document
    assert resolve(document, "/results/1/id") == "w2"
    assert resolve(document, "//") == 5
    assert resolve(document, "/a~1b") == 1
    assert resolve(document, "/results/2") is MISSING
    assert resolve(document, "/results/-") is MISSING
    assert resolve(document, "/results/01") is MISSING  # no leading zeros (RFC 6901)
    assert resolve(document, "/results/0/id/x") is MISSING
    assert resolve(document, "/nope") is MISSING
    assert resolve([1, 2], "/١") is MISSING  # a non-ASCII digit is not an index


@given(json_values)
def test_every_place_found_resolves_to_itself(value: Any) -> None:
    for pointer, found in all_places(value):
        assert resolve(value, pointer) is found


def test_missing_is_falsy_and_reads_well() -> None:
    assert not MISSING
    assert repr(MISSING) == "MISSING"


# --- patterns ----------------------------------------------------------------------------


def reference_match(pattern: Sequence[str], tokens: Sequence[str]) -> bool:
    """A direct recursive reading of the wildcard rules, to check the fast matcher."""
    if not pattern:
        return not tokens
    if pattern[0] == "**":
        return reference_match(pattern[1:], tokens) or (
            bool(tokens) and reference_match(pattern, tokens[1:])
        )
    if not tokens:
        return False
    return pattern[0] in ("*", tokens[0]) and reference_match(pattern[1:], tokens[1:])


@pytest.mark.parametrize(
    ("pattern", "pointer", "expected"),
    [
        ("/a", "/a", True),
        ("/a", "/a/b", False),
        ("/*", "/anything", True),
        ("/*", "", False),
        ("/*", "/a/b", False),
        ("/results/*/score", "/results/12/score", True),
        ("/**", "", True),
        ("/**", "/a/b/c", True),
        ("/**/ts", "/ts", True),
        ("/**/ts", "/a/0/ts", True),
        ("/**/ts", "/a/0/ts/x", False),
        ("/a/**/z", "/a/z", True),
        ("/a/**/z", "/a/b/c/z", True),
        ("/a/**", "/a", True),
        ("/**/b/**/d", "/x/b/y/d", True),
        ("/**/b/**/d", "/x/d/b", False),
        ("/a~1b/*", "/a~1b/0", True),
        ("", "", True),
        ("", "/a", False),
    ],
)
def test_matches_examples(pattern: str, pointer: str, expected: bool) -> None:
    assert matches(pattern, pointer) is expected


@given(
    st.lists(st.sampled_from(["a", "b", "*", "**"]), max_size=5),
    st.lists(st.sampled_from(["a", "b", "c"]), max_size=6),
)
def test_matcher_agrees_with_the_reference(pattern: list[str], tokens: list[str]) -> None:
    text = "".join("/" + t for t in pattern)
    pointer = "".join("/" + t for t in tokens)
    assert matches(text, pointer) is reference_match(pattern, tokens)


@pytest.mark.parametrize(
    ("pattern", "needle"),
    [
        ("results/*", "must start with '/'"),
        ("/results/a*", "a wildcard must be a whole segment"),
        ("/***", "a wildcard must be a whole segment"),
        ("/a~x", "'~0' for a literal '~'"),
    ],
)
def test_pattern_errors_name_the_pattern_and_the_fix(pattern: str, needle: str) -> None:
    with pytest.raises(ValueError, match="pointer") as caught:
        compile_pattern(pattern)
    assert repr(pattern) in str(caught.value)
    assert needle in str(caught.value)


# --- normalise and find --------------------------------------------------------------------


def test_normalise_without_a_document_takes_digits_for_indices() -> None:
    assert normalise("") == ""
    assert normalise("/results/3/id") == "/results/*/id"
    assert normalise("/a~1b/10") == "/a~1b/*"


def test_normalise_with_a_document_knows_which_segments_are_indices() -> None:
    document = {"by_year": {"2024": [{"n": 1}, {"n": 2}]}}
    assert normalise("/by_year/2024/1/n", document) == "/by_year/2024/*/n"
    # Beyond the document it falls back to the digit rule.
    assert normalise("/by_year/2024/1/n/7", document) == "/by_year/2024/*/n/*"


def test_find_returns_places_in_document_order() -> None:
    document = {"embeddings": [[1.0], [2.0]], "model": "m"}
    assert find(document, "/embeddings/*") == [("/embeddings/0", [1.0]), ("/embeddings/1", [2.0])]
    assert find(document, "/**/0") == [
        ("/embeddings/0", [1.0]),
        ("/embeddings/0/0", 1.0),
        ("/embeddings/1/0", 2.0),
    ]
    assert find(document, "/nothing") == []
    assert [p for p, _ in find(document, "/**")] == [
        "",
        "/embeddings",
        "/embeddings/0",
        "/embeddings/0/0",
        "/embeddings/1",
        "/embeddings/1/0",
        "/model",
    ]


def deep(levels: int) -> Any:
    value: Any = {"leaf": 1}
    for _ in range(levels):
        value = {"k": [value]}
    return value


def test_walks_survive_documents_as_deep_as_the_parser_allows() -> None:
    value = json.loads(json.dumps(deep(450)))  # 900 levels of nesting
    assert len(find(value, "/**/leaf")) == 1
    pruned, removed = delete_matching(value, ["/**/leaf"])
    assert len(removed) == 1
    assert find(pruned, "/**/leaf") == []


# --- delete_matching ---------------------------------------------------------------------


def test_delete_matching_examples() -> None:
    document = {"rows": [{"t": 1, "v": 2}, {"t": 3, "v": 4}], "ts": 9}
    pruned, removed = delete_matching(document, ["/rows/*/t", "/ts"])
    assert pruned == {"rows": [{"v": 2}, {"v": 4}]}
    assert removed == ("/rows/0/t", "/rows/1/t", "/ts")
    assert document == {"rows": [{"t": 1, "v": 2}, {"t": 3, "v": 4}], "ts": 9}


def test_delete_matching_removes_array_elements_from_the_back() -> None:
    pruned, removed = delete_matching({"a": [0, 1, 2, 3]}, ["/a/1", "/a/3"])
    assert pruned == {"a": [0, 2]}
    assert removed == ("/a/1", "/a/3")


def test_delete_matching_never_removes_the_document_itself() -> None:
    assert delete_matching({"a": 1, "b": {"c": 2}}, ["/**"]) == ({}, ("/a", "/b"))
    assert delete_matching(5, ["/**"]) == (5, ())
    assert delete_matching([1], [""]) == ([1], ())


def test_delete_matching_returns_the_same_value_when_nothing_matches() -> None:
    document = {"a": [1, 2]}
    pruned, removed = delete_matching(document, ["/b"])
    assert pruned is document
    assert removed == ()


dict_values = st.recursive(
    json_scalars,
    lambda inner: st.dictionaries(st.sampled_from("abc"), inner, max_size=3),
    max_leaves=10,
)
dict_patterns = st.lists(st.sampled_from(["a", "b", "*", "**"]), min_size=1, max_size=3).map(
    lambda tokens: "".join("/" + t for t in tokens)
)


@settings(max_examples=200)
@given(dict_values, st.lists(dict_patterns, max_size=3))
def test_delete_matching_removes_exactly_the_matching_places(
    value: Any, patterns: list[str]
) -> None:
    before = copy.deepcopy(value)
    pruned, removed = delete_matching(value, patterns)
    assert repr(value) == repr(before)  # pure: the input is untouched (repr: NaN != NaN)
    for pointer in removed:
        assert any(matches(pattern, pointer) for pattern in patterns)
        assert resolve(value, pointer) is not MISSING
        assert resolve(pruned, pointer) is MISSING
    for pointer, found in all_places(pruned):
        assert pointer == "" or not any(matches(pattern, pointer) for pattern in patterns)
        if not isinstance(found, dict):
            assert resolve(value, pointer) is found
    # Every original place is either kept or under a removed place.
    for pointer, _ in all_places(value):
        kept = resolve(pruned, pointer) is not MISSING
        under_removed = any(pointer == r or pointer.startswith(r + "/") for r in removed)
        assert kept != under_removed
