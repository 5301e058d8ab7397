"""What the JSON-reading rules write into a difference: fields a report shows.

``test_comparators_json.py`` checks kinds and paths; mutation testing found the
rest unchecked: where two byte strings first differ, both values, the location,
and what a select pointer that names nothing says.
"""

from __future__ import annotations

import pytest

from difffuzz._comparators.base import CompareSpec, Difference, DiffKind
from difffuzz._comparators.json_rules import byte_differences, select_pair
from difffuzz._pointer import MISSING


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
