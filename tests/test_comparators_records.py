"""The comparison records as fixtures and reports store them (``_comparators.base``).

A fixture keeps its differences and the compare spec it was judged with; a replay
and a report read them back. Each record is checked whole: what is written, and
that reading it back gives the record that was written.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from difffuzz import comparator
from difffuzz._comparators.base import (
    COMPARATORS,
    CompareSpec,
    Comparison,
    Difference,
    DiffKind,
    compile_compare,
    get_comparator,
)
from difffuzz._normalize.spec import StepSpec
from difffuzz._outcome import Outcome

texts = st.text(max_size=12)
plain_values = st.none() | st.booleans() | st.integers() | texts
differences = st.builds(
    Difference,
    kind=st.sampled_from(DiffKind),
    path=texts,
    location=texts,
    left=plain_values,
    right=plain_values,
    detail=texts,
    qualifier=texts,
)


@given(differences)
def test_a_difference_reads_back_as_it_was_written(difference: Difference) -> None:
    read = Difference.from_json(difference.to_json())
    # An empty location is the path's own: it is not written, and reads back as the path.
    expected_location = difference.location or difference.path
    assert read == Difference(
        difference.kind,
        difference.path,
        expected_location,
        difference.left,
        difference.right,
        difference.detail,
        difference.qualifier,
    )


@pytest.mark.parametrize(
    ("difference", "record"),
    [
        (
            Difference(DiffKind.VALUE, "/r/*", "/r/1", 1, 2, "differs by 1", "int/int"),
            {
                "kind": "value",
                "path": "/r/*",
                "location": "/r/1",
                "qualifier": "int/int",
                "detail": "differs by 1",
                "left": 1,
                "right": 2,
            },
        ),
        (
            Difference(DiffKind.MISSING, "/a", "/a", [1]),
            {"kind": "missing", "path": "/a", "left": [1], "right": None},
        ),
        (
            Difference(DiffKind.TYPE, "/a"),
            {"kind": "type", "path": "/a", "left": None, "right": None},
        ),
    ],
    ids=["every-field", "location-is-the-path", "bare"],
)
def test_a_difference_is_written_with_only_the_fields_it_has(
    difference: Difference, record: dict[str, Any]
) -> None:
    assert difference.to_json() == record


def test_a_difference_written_without_its_optional_fields_reads_with_their_defaults() -> None:
    assert Difference.from_json({"kind": "order"}) == Difference(DiffKind.ORDER, "", "")
    with pytest.raises(ValueError, match="difference has an unknown kind: 'gone'"):
        Difference.from_json({"kind": "gone", "path": "/"})


@pytest.mark.parametrize(
    ("value", "excerpt"),
    [
        ("x" * 200, "x" * 200),
        ("x" * 201, "x" * 200 + "…"),
        (b"\xffab", "\ufffdab"),
        (math.nan, "NaN"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (1.5, 1.5),
        (list(range(20)), list(range(20))),
        (list(range(21)), [*range(20), "… 1 more"]),
        (list(range(23)), [*range(20), "… 3 more"]),
        ({1: ["y" * 201]}, {"1": ["y" * 200 + "…"]}),
        ([[[1]]], [[[1]]]),
    ],
    ids=[
        "string-at-limit",
        "long-string",
        "bytes",
        "nan",
        "infinity",
        "minus-infinity",
        "float",
        "list-at-limit",
        "list-one-over",
        "long-list",
        "nested",
        "shallow",
    ],
)
def test_a_stored_value_is_an_excerpt_in_strict_json(value: Any, excerpt: Any) -> None:
    record = Difference(DiffKind.VALUE, "/", left=value, right=[value]).to_json()
    assert record["left"] == excerpt
    assert record["right"] == [excerpt]


def nested(depth: int, innermost: Any = 1) -> Any:
    value: Any = innermost
    for _ in range(depth):
        value = [value]
    return value


def nested_objects(depth: int, innermost: Any = 1) -> Any:
    value: Any = innermost
    for _ in range(depth):
        value = {"k": value}
    return value


def test_a_value_nested_past_twenty_levels_is_elided_there() -> None:
    record = Difference(DiffKind.VALUE, "/", left=nested(20), right=nested(25)).to_json()
    assert record["left"] == nested(20)
    assert record["right"] == nested(20, "…")
    objects = Difference(
        DiffKind.VALUE, "/", left=nested_objects(20), right=nested_objects(21)
    ).to_json()
    assert objects["left"] == nested_objects(20)
    assert objects["right"] == nested_objects(20, "…")


STEP = StepSpec.from_json({"step": "rename_keys", "case": "lower", "gap": "go capitalises"})


@pytest.mark.parametrize(
    ("spec", "record"),
    [
        (CompareSpec(), {"rule": "json"}),
        (
            CompareSpec(
                "cosine",
                ignore=("/t",),
                select_left="/embeddings/0",
                select_right="",
                params={"min": 0.9, "batch": False},
                normalize_right=(STEP,),
            ),
            {
                "rule": "cosine",
                "ignore": ["/t"],
                "select": {"left": "/embeddings/0", "right": ""},
                "params": {"batch": False, "min": 0.9},
                "normalize": {
                    "left": [],
                    "right": [{"step": "rename_keys", "case": "lower", "gap": "go capitalises"}],
                },
            },
        ),
        (
            CompareSpec("topk", select_right="/hits"),
            {"rule": "topk", "select": {"left": "", "right": "/hits"}},
        ),
    ],
    ids=["default", "every-field", "one-select"],
)
def test_a_compare_spec_is_written_whole_and_reads_back(
    spec: CompareSpec, record: dict[str, Any]
) -> None:
    assert spec.to_json() == record
    assert CompareSpec.from_json(record) == spec


def test_a_compare_spec_record_without_its_optional_fields_is_the_default() -> None:
    assert CompareSpec.from_json({}) == CompareSpec()
    empty = {"rule": "json", "select": None, "params": None, "normalize": {"left": None}}
    assert CompareSpec.from_json(empty) == CompareSpec()
    message = "compare 'normalize' must be an object, got ['rename_keys']"
    with pytest.raises(ValueError, match=r"^compare 'normalize' must be") as error:
        CompareSpec.from_json({"normalize": ["rename_keys"]})
    assert str(error.value) == message


#: A fresh name per call: a registered name cannot be registered again in one process.
names = itertools.count()


def test_a_plain_comparator_is_probed_once_on_two_nulls_then_gets_every_pair() -> None:
    seen: list[tuple[bytes, bytes, CompareSpec]] = []
    name = f"test-records-by-length-{next(names)}"

    @comparator(name)
    def by_length(left: Outcome, right: Outcome, spec: CompareSpec) -> Comparison:
        """A user's plain comparator: it reads its spec on every call."""
        seen.append((left.body, right.body, spec))
        same = len(left.body) == len(right.body)
        return Comparison("by-length", () if same else (Difference(DiffKind.LENGTH, "/"),))

    spec = CompareSpec(name, params={"k": 1})
    compare = compile_compare(spec)
    probe = (b"null", b"null", spec)
    assert seen == [probe]
    assert not compare(Outcome(0, b"ab"), Outcome(0, b"abc")).equal
    assert seen[1:] == [(b"ab", b"abc", spec)]
    rule = get_comparator(name)
    assert rule.name == name
    assert rule(Outcome(0, b"a"), Outcome(0, b"bc"), spec).differences == (
        Difference(DiffKind.LENGTH, "/"),
    )
    assert seen[-1] == (b"a", b"bc", spec)
    expected_origin = f"{__name__}.{by_length.__qualname__}"
    assert COMPARATORS.origin(name) == expected_origin
