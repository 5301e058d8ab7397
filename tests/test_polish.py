"""The polisher: a bounded, value-level last shrink that can only improve a fixture."""

from __future__ import annotations

import zlib
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from difffuzz._inputs import FileTree, Input, input_sort_key
from difffuzz._polish import deletions, polish, reductions, simpler_values
from tests.test_inputs import inputs


class Counted:
    """A ``reproduces`` predicate that counts its calls."""

    def __init__(self, predicate: Callable[[Input], bool]) -> None:
        self.predicate = predicate
        self.calls: list[Input] = []

    def __call__(self, value: Input) -> bool:
        self.calls.append(value)
        return self.predicate(value)


def arbitrary(salt: int) -> Callable[[Input], bool]:
    """A deterministic predicate with no structure: about half of all values hold."""
    return lambda value: zlib.crc32(f"{salt}:{input_sort_key(value)}".encode()) % 2 == 0


@settings(max_examples=150)
@given(inputs(), st.integers(0, 1000), st.integers(0, 60))
def test_never_returns_something_larger_and_the_result_reproduces(
    value: Input, salt: int, budget: int
) -> None:
    reproduces = Counted(arbitrary(salt))
    result = polish(value, reproduces, budget=budget)
    assert input_sort_key(result) <= input_sort_key(value)
    if result is not value:
        assert reproduces.predicate(result)
        assert input_sort_key(result) < input_sort_key(value)
    assert len(reproduces.calls) <= budget
    # Only candidates smaller than the value are ever sent to the runtimes.
    assert all(input_sort_key(c) < input_sort_key(value) for c in reproduces.calls)


@given(inputs())
def test_returns_the_value_itself_when_nothing_reproduces(value: Input) -> None:
    assert polish(value, lambda _: False) is value


def test_respects_the_budget_exactly() -> None:
    never = Counted(lambda _: False)
    assert polish("abcdefgh" * 4, never, budget=7) == "abcdefgh" * 4
    assert len(never.calls) == 7
    always = Counted(lambda _: True)
    polish(list(range(50)), always, budget=12)
    assert len(always.calls) == 12
    idle = Counted(lambda _: True)
    assert polish(-49, idle, budget=0) == -49
    assert idle.calls == []


def test_finds_minus_seven_from_minus_forty_nine() -> None:
    # Not monotone: -48 ... -8 do not reproduce, so a choice-level shrinker can stall.
    def negative_multiple_of_seven(value: Input) -> bool:
        return isinstance(value, int) and value < 0 and value % 7 == 0

    assert polish(-49, negative_multiple_of_seven) == -7
    assert polish(-7 * 123_456, negative_multiple_of_seven, budget=1000) == -7


def test_shrinks_a_file_tree_by_dropping_files() -> None:
    tree = FileTree.of(
        {
            "a.jsonl": b'{"x": 1}\n{"x": 2}\n',
            "b/bad.jsonl": b'{"offset": 0}\n',
            "c.jsonl": b"{}\n",
        }
    )

    def has_bad_file(value: Input) -> bool:
        return isinstance(value, FileTree) and "b/bad.jsonl" in value.paths()

    assert polish(tree, has_bad_file) == FileTree.of({"b/bad.jsonl": b""})


def test_shrinks_file_contents_that_matter() -> None:
    tree = FileTree.of({"a.jsonl": b'{"x": 1}\n{"x": 2}\n', "b.jsonl": b"{}\n"})

    def two_lines(value: Input) -> bool:
        return isinstance(value, FileTree) and any(c.count(b"\n") >= 2 for _, c in value)

    assert polish(tree, two_lines) == FileTree.of({"a.jsonl": b"\n\n"})


def test_shrinks_text_to_its_trigger() -> None:
    assert polish("Need 3 <Forklift> operators", lambda v: "<" in str(v)) == "<"


def test_shrinks_containers_and_keeps_their_types() -> None:
    def holds_lt(value: Input) -> bool:
        return "<" in repr(value)

    record: Input = {"kind": "email", "payload": {"to": "a<b", "subject": "x"}, "n": 5}
    assert polish(record, holds_lt) == {"payload": {"to": "<"}}
    assert polish(("x", "<", 3), holds_lt) == ("<",)
    assert polish([b"abc", "<<"], holds_lt) == ["<"]


def test_simpler_values_of_atoms() -> None:
    assert list(simpler_values(True)) == []
    assert list(simpler_values(None)) == []
    assert list(simpler_values(0)) == []
    assert list(simpler_values(3)) == [0, 1, 2, 1]
    assert list(simpler_values(-3))[:3] == [0, -1, -2]
    assert 3 in list(simpler_values(-3))
    assert list(simpler_values(0.0)) == []
    assert 0.0 in list(simpler_values(2.5))
    assert "" in list(simpler_values("ab"))
    assert b"a" in list(simpler_values(b"ab"))


# -- the padding test's moves ------------------------------------------------------


@given(inputs())
def test_deletions_only_propose_smaller_values_and_reductions_keep_the_type(
    value: Input,
) -> None:
    size = input_sort_key(value)
    assert all(input_sort_key(smaller) < size for smaller in deletions(value))
    # Reductions are only proposals (a number may print longer, a key may need a
    # tag): the padding test keeps the smaller ones.
    assert all(type(reduced) is type(value) for reduced in reductions(value))


def test_a_group_is_dropped_unwrapped_or_replaced_by_one_of_its_items() -> None:
    assert "9e999" in set(deletions("[9e999]"))
    assert "//é@:80" in set(deletions("//é@[::1]:80"))
    assert {"-0", '"\\xff"', '"\\xff":-0'} <= set(deletions('{"\\xff":-0}'))
    assert b"NaN" in set(deletions(b"[NaN]"))
    # A group inside a group: each is its own move.
    assert {"(a)", "[a]"} <= set(deletions("[(a)]"))


def test_reductions_also_drop_short_runs_swap_a_group_for_zero_and_lower_numbers() -> None:
    assert "00010101T00.0" in set(reductions("00010101T0000.0"))
    assert b"\xef\xbb\xbf0" in set(reductions(b"\xef\xbb\xbf[]"))
    assert {10, 0} <= set(reductions(100))
    assert {"<": 0} in list(reductions({"0<": 0}))  # a generated key holds data too
