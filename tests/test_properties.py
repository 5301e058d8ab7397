"""The built-in single-runtime properties (difffuzz._builtin_properties)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from difffuzz import ConfigError, Outcome
from difffuzz._properties import PROPERTIES, get_property


def outcome(value: Any, status: int = 200) -> Outcome:
    return Outcome(status=status, body=json.dumps(value).encode())


def check(name: str, answer: Outcome, request: Any = None, **params: Any) -> str | None:
    return get_property(name)(answer, request, params)


def search_answer(*ids: Any) -> Outcome:
    return outcome({"results": [{"id": i, "score": 0.5} for i in ids]})


def test_every_builtin_property_is_registered() -> None:
    expected = {"parses", "excludes-honoured", "at-most-k", "dimension", "status-in"}
    assert expected <= set(PROPERTIES)


# --- parses ------------------------------------------------------------------------------


def test_parses() -> None:
    assert check("parses", outcome({"matched": False, "value": None})) is None
    assert check("parses", Outcome(200, b"  [1, 2]\n")) is None
    assert check("parses", Outcome(200, b"<html>")) == "the body is not JSON: '<html>'"
    assert check("parses", Outcome(200, b"")) == "the body is not JSON: ''"
    assert check("parses", outcome({"value": None}), pointer="/value") is None
    assert (
        check("parses", outcome({"value": 1}), pointer="/matched")
        == "the body has nothing at '/matched'"
    )


# --- excludes-honoured ---------------------------------------------------------------------


def test_excludes_honoured() -> None:
    request = {"query": "Need 3 Welders in Detroit MI", "k": 5, "exclude_ids": ["w2", "w9"]}
    assert check("excludes-honoured", search_answer("w1", "w3"), request) is None
    message = check("excludes-honoured", search_answer("w1", "w9"), request)
    assert message == "result 1 has id 'w9', which the request excluded"


def test_excludes_honoured_compares_types_too() -> None:
    request = {"exclude_ids": [1, {"odd": "unhashable"}]}
    assert check("excludes-honoured", search_answer("1", True), request) is None
    assert check("excludes-honoured", search_answer(1), request) is not None


_IDS = st.one_of(
    st.integers(-3, 3),
    st.booleans(),
    st.sampled_from(["w1", "w2", "1", ""]),
    st.floats(allow_nan=False, min_value=-3, max_value=3),
    st.none(),
    st.lists(st.integers(0, 2), max_size=2),
    st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 1), max_size=1),
)


@given(st.lists(_IDS, max_size=6), st.lists(_IDS, max_size=8))
def test_excludes_honoured_finds_exactly_an_excluded_id_of_the_same_type(
    ids: list[Any], excluded: list[Any]
) -> None:
    answer = outcome({"results": [{"id": identifier} for identifier in ids]})
    first = next(
        (
            index
            for index, identifier in enumerate(ids)
            if any(identifier == item and type(identifier) is type(item) for item in excluded)
        ),
        None,
    )
    message = check("excludes-honoured", answer, {"exclude_ids": excluded})
    if first is None:
        assert message is None
    else:
        assert message == f"result {first} has id {ids[first]!r}, which the request excluded"


def test_excludes_honoured_holds_when_it_cannot_apply() -> None:
    assert check("excludes-honoured", search_answer("w1"), {"query": "q", "k": 1}) is None
    assert check("excludes-honoured", search_answer("w1"), b"raw bytes") is None
    assert check("excludes-honoured", Outcome(422, b"bad"), {"exclude_ids": ["w1"]}) is None
    assert check("excludes-honoured", outcome({"error": "x"}), {"exclude_ids": ["w1"]}) is None


def test_excludes_honoured_with_custom_pointers() -> None:
    answer = outcome({"hits": [{"worker": {"ref": "w4"}}]})
    request = {"filters": {"not": ["w4"]}}
    message = check(
        "excludes-honoured", answer, request, list="/hits", id="/worker/ref", exclude="/filters/not"
    )
    assert message == "result 0 has id 'w4', which the request excluded"


@given(
    st.lists(st.sampled_from(["w1", "w2", "w3", "w4"]), unique=True),
    st.lists(st.sampled_from(["w1", "w2", "w3", "w4"])),
)
def test_excludes_honoured_fails_exactly_when_an_excluded_id_is_returned(
    returned: list[str], excluded: list[str]
) -> None:
    message = check("excludes-honoured", search_answer(*returned), {"exclude_ids": excluded})
    assert (message is None) == (not set(returned) & set(excluded))


# --- at-most-k ---------------------------------------------------------------------------


def test_at_most_k() -> None:
    assert check("at-most-k", search_answer("w1", "w2"), {"k": 2}) is None
    assert check("at-most-k", search_answer("w1", "w2", "w3"), {"k": 2}) == "3 results for k = 2"
    assert check("at-most-k", search_answer("w1"), {"k": 0}) == "1 results for k = 0"
    # No limit to check against: negative k (a 422 case), a boolean, or no k at all.
    assert check("at-most-k", search_answer("w1"), {"k": -1}) is None
    assert check("at-most-k", search_answer("w1"), {"k": True}) is None
    assert check("at-most-k", search_answer("w1"), {"query": "q"}) is None
    assert check("at-most-k", outcome({"error": "k"}, 422), {"k": 0}) is None
    assert check(
        "at-most-k", outcome({"hits": [1, 2]}), {"limit": {"n": 1}}, list="/hits", limit="/limit/n"
    ) == ("2 results for k = 1")


@given(st.integers(0, 6), st.integers(0, 6))
def test_at_most_k_fails_exactly_when_there_are_too_many(count: int, k: int) -> None:
    answer = search_answer(*[f"w{n}" for n in range(count)])
    assert (check("at-most-k", answer, {"k": k}) is None) == (count <= k)


# --- dimension ---------------------------------------------------------------------------


RUST_EMBED = {"embeddings": [[0.6, 0.8], [1.0, 0.0]], "dimensions": 2, "model": "m"}


def test_dimension_from_the_answer() -> None:
    params = {"pointer": "/embeddings/*", "dimension_pointer": "/dimensions"}
    assert check("dimension", outcome(RUST_EMBED), **params) is None
    wrong = {**RUST_EMBED, "embeddings": [[0.6, 0.8], [1.0, 0.0, 0.0]]}
    assert check("dimension", outcome(wrong), **params) == (
        "the vector at '/embeddings/1' has 3 entries, expected 2 (from '/dimensions')"
    )
    no_dimension = {"embeddings": [[0.6, 0.8]]}
    assert check("dimension", outcome(no_dimension), **params) == (
        "the answer states no integer dimension at '/dimensions' (found nothing)"
    )
    assert check("dimension", outcome({**RUST_EMBED, "dimensions": "2"}), **params) == (
        "the answer states no integer dimension at '/dimensions' (found '2')"
    )


def test_dimension_fixed() -> None:
    go = {"vectors": [[1.0, 2.0, 3.0]], "dimension": 3}
    assert check("dimension", outcome(go), pointer="/vectors/0", dimension=3) is None
    assert check("dimension", outcome(go), pointer="/vectors/0", dimension=768) == (
        "the vector at '/vectors/0' has 3 entries, expected 768 (fixed)"
    )
    assert check("dimension", outcome({"vectors": [["x"]]}), pointer="/vectors/*", dimension=1) == (
        "the value at '/vectors/0' is not an array of numbers"
    )
    # Nothing at the pointer (an error answer, no texts): nothing to check.
    assert check("dimension", outcome({"error": "x"}), pointer="/vectors/*", dimension=3) is None
    assert check("dimension", Outcome(500, b"oops"), pointer="/vectors/*", dimension=3) is None


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"dimension": 3}, "needs parameter 'pointer'"),
        ({"pointer": "/v"}, "exactly one of 'dimension'"),
        (
            {"pointer": "/v", "dimension": 3, "dimension_pointer": "/d"},
            "exactly one of 'dimension'",
        ),
        ({"pointer": "v", "dimension": 3}, "must start with '/'"),
        ({"pointer": "/v", "dimension": -3}, "'dimension' must be an integer >= 0"),
    ],
)
def test_dimension_configuration_errors(params: dict[str, Any], needle: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check("dimension", outcome({"v": [1.0]}), **params)
    assert needle in str(caught.value)
    assert "property 'dimension'" in str(caught.value)


# --- status-in ---------------------------------------------------------------------------


def test_status_in() -> None:
    assert check("status-in", outcome({}, 422), statuses=[200, 422]) is None
    assert (
        check("status-in", outcome({}, 500), statuses=[200, 422])
        == "status 500 is not one of [200, 422]"
    )
    assert check("status-in", Outcome(None), statuses=[0]) == "status None is not one of [0]"
    for bad in (None, [], ["200"], 200, [True]):
        with pytest.raises(ConfigError, match="non-empty list of integers"):
            check("status-in", outcome({}), statuses=bad)


@pytest.mark.parametrize("name", ["parses", "excludes-honoured", "at-most-k", "status-in"])
def test_unknown_parameters_are_rejected(name: str) -> None:
    with pytest.raises(ConfigError, match=f"property '{name}' got unknown parameter"):
        check(name, outcome({}), {}, statuses=[200], typo=1)
