"""What the JSON-reading rules write into a difference: fields a report shows.

``test_comparators_json.py`` checks kinds and paths; mutation testing found the
rest unchecked: where two byte strings first differ, both values, the location,
what a select pointer that names nothing says, the validity gate's difference,
the rule a comparison decided early is reported under, what is listed as
ignored, and what a bad spec's message names.
"""

from __future__ import annotations

import pytest

from difffuzz._comparators.base import (
    CompareSpec,
    Comparison,
    Difference,
    DiffKind,
    compile_compare,
    get_comparator,
)
from difffuzz._comparators.json_rules import byte_differences, compile_json, select_pair
from difffuzz._exceptions import ConfigError
from difffuzz._outcome import Outcome
from difffuzz._pointer import MISSING


def compare_json(left: Outcome, right: Outcome, spec: CompareSpec) -> Comparison:
    """The json rule compiled for ``spec``, applied once."""
    return compile_json(spec)(left, right)


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (b"abc", b"abc", ()),
        (
            b"abcd",
            b"abxd",
            (Difference(DiffKind.VALUE, "/", "/", b"abcd", b"abxd", "first difference at byte 2"),),
        ),
        (
            b"ab",
            b"abc",
            (
                Difference(
                    DiffKind.LENGTH,
                    "/",
                    "/",
                    b"ab",
                    b"abc",
                    "2 bytes on the left, 3 on the right; first difference at byte 2",
                ),
            ),
        ),
        (
            b"xbc",
            b"a",
            (
                Difference(
                    DiffKind.LENGTH,
                    "/",
                    "/",
                    b"xbc",
                    b"a",
                    "3 bytes on the left, 1 on the right; first difference at byte 0",
                ),
            ),
        ),
    ],
)
def test_a_byte_difference_says_where_the_bytes_first_differ(
    left: bytes, right: bytes, expected: tuple[Difference, ...]
) -> None:
    assert byte_differences(left, right) == expected


def test_a_select_pointer_that_names_nothing_is_a_difference_saying_so() -> None:
    spec = CompareSpec(rule="json", select_left="/a", select_right="/b")
    missing = select_pair({"a": 1}, {}, spec)
    assert (missing.left, missing.right, missing.stop) == (1, MISSING, True)
    assert missing.differences == (
        Difference(
            DiffKind.MISSING, "/b", "/b", 1, None,
            detail="select pointer '/b' names nothing in the right body",
        ),
    )  # fmt: skip
    extra = select_pair({}, {"b": 2}, spec)
    assert (extra.left, extra.right, extra.stop) == (MISSING, 2, True)
    assert extra.differences == (
        Difference(
            DiffKind.EXTRA, "/a", "/a", None, 2,
            detail="select pointer '/a' names nothing in the left body",
        ),
    )  # fmt: skip
    neither = select_pair({}, {}, spec)
    assert (neither.left, neither.right, neither.stop, neither.differences) == (
        MISSING,
        MISSING,
        True,
        (),
    )
    both = select_pair({"a": 1}, {"b": 2}, spec)
    assert (both.left, both.right, both.stop, both.differences) == (1, 2, False, ())


# -- the validity gate and the rule each early answer is reported under -------------------


@pytest.mark.parametrize(
    ("left", "right", "side", "qualifier"),
    [
        (b'{"a": 1}', b"<html>", "right", "json/not-json"),
        (b"oops", b"[1]", "left", "not-json/json"),
    ],
)
def test_a_body_that_is_not_json_is_one_parse_difference_naming_its_side(
    left: bytes, right: bytes, side: str, qualifier: str
) -> None:
    comparison = compare_json(Outcome(0, left), Outcome(0, right), CompareSpec())
    assert comparison.differences == (
        Difference(
            DiffKind.PARSE, "/", "/", left, right,
            detail=f"the {side} body is not JSON", qualifier=qualifier,
        ),
    )  # fmt: skip


@pytest.mark.parametrize("rule", ["json", "cosine", "topk"])
@pytest.mark.parametrize(
    ("left", "right", "select"),
    [
        (b"not json", b"not json either", ""),  # both not JSON: their bytes
        (b'{"a": 1}', b"<html>", ""),  # the validity gate
        (b'{"a": [1]}', b'{"b": [1]}', "/a"),  # a select pointer that names nothing
    ],
    ids=["bytes", "gate", "select"],
)
def test_a_comparison_decided_before_the_rule_ran_is_reported_under_that_rule(
    rule: str, left: bytes, right: bytes, select: str
) -> None:
    # Replay reads the rule of the comparison to pick the spec it shows.
    spec = CompareSpec(rule, select_left=select, select_right=select)
    comparison = get_comparator(rule)(Outcome(200, left), Outcome(200, right), spec)
    assert not comparison.equal
    assert comparison.rule == rule


# -- what the ignore and order rules list as ignored ----------------------------------


def test_an_ignored_place_that_differs_only_in_a_permitted_order_is_not_listed() -> None:
    # Pointers in ``unordered`` are absolute in the answer, for ignored places too.
    spec = CompareSpec(ignore=("/tags",), params={"unordered": ["/tags"], "ignore_order": True})
    left, right = Outcome(0, b'{"tags": [1, 2], "x": 1}'), Outcome(0, b'{"tags": [2, 1], "x": 1}')
    assert compare_json(left, right, spec).ignored == ()
    changed = Outcome(0, b'{"tags": [2, 3], "x": 1}')
    assert compare_json(left, changed, spec).ignored == ("/tags",)


def test_a_permutation_of_the_whole_body_ignored_by_order_is_listed_as_the_root() -> None:
    spec = CompareSpec(params={"unordered": [""], "ignore_order": True})
    comparison = compare_json(Outcome(0, b"[1, 2, 3]"), Outcome(0, b"[3, 1, 2]"), spec)
    assert (comparison.equal, comparison.ignored) == (True, ("/",))


# -- the messages of a bad spec name the setting and the fix -------------------------------


def error_of(spec: CompareSpec) -> str:
    with pytest.raises(ConfigError) as caught:
        compile_compare(spec)  # a spec's mistakes are found when it is compiled
    return str(caught.value)


@pytest.mark.parametrize("side", ["left", "right"])
def test_a_malformed_select_pointer_names_its_side(side: str) -> None:
    spec = CompareSpec(**{f"select_{side}": "no-slash"})  # type: ignore[arg-type]
    assert error_of(spec).startswith(f"compare select.{side}: ")


def test_an_empty_ignore_pattern_says_it_would_ignore_everything_and_what_to_write() -> None:
    message = error_of(CompareSpec(ignore=("",)))
    assert message.startswith("ignore pattern '' names the whole body")
    assert message.endswith("'/**' for everything under the top level")


@pytest.mark.parametrize(
    "spec",
    [
        CompareSpec("bytes", ignore=("/a",)),
        CompareSpec("bytes", select_left="/a"),
        CompareSpec("bytes", select_right="/a"),
    ],
    ids=["ignore", "select left", "select right"],
)
def test_the_bytes_rule_refuses_select_and_ignore_and_points_to_json(spec: CompareSpec) -> None:
    message = error_of(spec)
    assert message.startswith("rule 'bytes' compares raw bodies and cannot apply select or ignore")
    assert message.endswith("use rule 'json' to select or ignore parts of a JSON body")


def test_the_bytes_rule_takes_no_parameters_and_says_so() -> None:
    assert error_of(CompareSpec("bytes", params={"abs_tol": 1})).startswith(
        "rule 'bytes' got unknown parameter(s) 'abs_tol'"
    )


@pytest.mark.parametrize("rule", ["json", "http"])
def test_a_rule_s_parameter_errors_name_that_rule(rule: str) -> None:
    assert error_of(CompareSpec(rule, params={"max_differences": 0})).startswith(
        f"rule {rule!r} parameter 'max_differences' must be an integer >= 1, got 0"
    )
    for flag in ("spelling", "key_order"):
        assert error_of(CompareSpec(rule, params={flag: "yes"})).startswith(
            f"rule {rule!r} parameter {flag!r} must be true or false"
        )
    message = error_of(CompareSpec(rule, params={"key_order": True}))
    assert message.startswith(f"rule {rule!r}: key_order = true compares how keys are written")
    assert message.endswith("; set spelling = true as well")


def test_one_difference_is_a_valid_cap() -> None:
    spec = CompareSpec(params={"max_differences": 1})
    comparison = compare_json(
        Outcome(0, b'{"a": 1, "b": 1}'), Outcome(0, b'{"a": 2, "b": 2}'), spec
    )
    assert [d.path for d in comparison.differences] == ["/a", "/b"]  # new paths are kept
    same_path = compare_json(Outcome(0, b"[1, 1, 1]"), Outcome(0, b"[2, 2, 2]"), spec)
    assert [d.location for d in same_path.differences] == ["/0"]


@pytest.mark.parametrize("rule", ["cosine", "topk"])
def test_rules_that_judge_whole_values_refuse_ignore_and_say_why(rule: str) -> None:
    message = error_of(CompareSpec(rule, ignore=("/a",)))
    assert message.startswith(f"rule {rule!r} compares ")
    assert "cannot ignore parts of them (got ignore=['/a']); " in message


def test_spelling_is_not_read_by_position_in_an_unordered_array() -> None:
    # Its elements are a multiset: [1, 1.0] and [1.0, 1] are written alike.
    left, right = Outcome(0, b'{"a": [1, 1.0]}'), Outcome(0, b'{"a": [1.0, 1]}')
    unordered = CompareSpec(params={"spelling": True, "unordered": ["/a"]})
    assert compare_json(left, right, unordered).equal
    ordered = compare_json(left, right, CompareSpec(params={"spelling": True}))
    assert [d.location for d in ordered.differences] == ["/a/0", "/a/1"]
