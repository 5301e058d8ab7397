"""The lossless input codec: every generated input survives a fixture file unchanged.

A fixture is only a regression gate if the input read back from it is *the same
value* that was found: same types (a tuple stays a tuple, ``1`` never becomes
``True``, ``-0.0`` keeps its sign), same lone surrogates, same invalid UTF-8.
The strategies here build every kind of input the module docstring promises;
:func:`same_input` is the type-strict, NaN-aware equality the properties use
(and is itself tested, so a property cannot pass by comparing loosely).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from random import Random
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from difffuzz._comparators.base import CompareSpec, Difference, DiffKind
from difffuzz._corpus import Fixture, fixture_text
from difffuzz._inputs import (
    FileTree,
    Input,
    decode_input,
    encode_input,
    input_sort_key,
    input_to_bytes,
    json_bytes,
)
from difffuzz._outcome import Outcome
from difffuzz._signature import Signature
from tests.support.records import fixture_of

# -- strategies --------------------------------------------------------------


def surrogate_text() -> st.SearchStrategy[str]:
    """Text with lone surrogates, built from pieces (``st.text()`` may never draw one)."""
    surrogate = st.integers(0xD800, 0xDFFF).map(chr)
    piece = st.one_of(st.text(max_size=4), surrogate, st.sampled_from(["\\", "\\u", '"', "$"]))
    return st.lists(piece, min_size=1, max_size=6).map("".join)


def any_text() -> st.SearchStrategy[str]:
    return st.one_of(st.text(max_size=8), surrogate_text())


def floats() -> st.SearchStrategy[float]:
    specials = st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 0.0, 1e308, 5e-324])
    return st.one_of(st.floats(allow_nan=True, allow_infinity=True), specials)


def dict_keys() -> st.SearchStrategy[Any]:
    """Plain keys, keys that look like the codec's tags, and non-string keys."""
    return st.one_of(
        st.text(max_size=6),
        st.text(max_size=6).map(lambda k: "$" + k),
        st.sampled_from(["$bytes_utf8", "$float", "$tuple", "$object", "$tree"]),
        surrogate_text(),
        st.integers(-5, 5),
        st.none(),
        st.tuples(st.integers(0, 3), st.text(max_size=2)),
    )


_SEGMENT = st.text(
    alphabet=st.characters(blacklist_characters="/", blacklist_categories=["Cs"]),
    min_size=1,
    max_size=6,
).filter(lambda s: s not in (".", ".."))


def file_trees() -> st.SearchStrategy[FileTree]:
    paths = st.lists(_SEGMENT, min_size=1, max_size=3).map("/".join)
    return st.dictionaries(paths, st.binary(max_size=12), max_size=4).map(FileTree.of)


def scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        floats(),
        any_text(),
        st.binary(max_size=12),
        file_trees(),
    )


def inputs() -> st.SearchStrategy[Any]:
    """Every kind of value a strategy may generate, nested."""
    return st.recursive(
        scalars(),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.lists(children, max_size=4).map(tuple),
            st.dictionaries(dict_keys(), children, max_size=4),
        ),
        max_leaves=12,
    )


def same_input(left: Any, right: Any) -> bool:
    """Type-strict equality: NaN equals NaN, ``-0.0`` is not ``0.0``, dict order counts."""
    if type(left) is not type(right):
        return False
    if isinstance(left, float):
        if math.isnan(left):
            return math.isnan(right)
        return left == right and math.copysign(1.0, left) == math.copysign(1.0, right)
    if isinstance(left, list | tuple):
        return len(left) == len(right) and all(map(same_input, left, right))
    if isinstance(left, dict):
        pairs = list(zip(left.items(), right.items(), strict=False))
        return len(left) == len(right) and all(
            same_input(lk, rk) and same_input(lv, rv) for (lk, lv), (rk, rv) in pairs
        )
    return bool(left == right)


# -- the equality the properties rely on -------------------------------------


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (1, True),
        (0, False),
        (1, 1.0),
        (0.0, -0.0),
        ([1], (1,)),
        ("a", b"a"),
        ({1: "x"}, {True: "x"}),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),
        ([math.nan], [0.0]),
        (FileTree.of({"a": b"1"}), FileTree.of({"a": b"2"})),
    ],
)
def test_same_input_tells_apart_what_the_codec_must_keep_apart(left: Any, right: Any) -> None:
    assert not same_input(left, right)
    assert not same_input(right, left)


def test_same_input_holds_for_nan_and_equal_trees() -> None:
    assert same_input([math.nan, {"k": (1, b"x")}], [math.nan, {"k": (1, b"x")}])


# -- round trip --------------------------------------------------------------


@settings(max_examples=300)
@given(inputs())
@example("\ud83d\ude00")  # a surrogate *pair* written as two lone code points: must stay two
@example({"$bytes_utf8": "x"})  # a user object that looks exactly like a tag
@example({"$float": "nan", "a": 1})
@example(-0.0)
@example(bytearray(b"\xff"))
def test_decode_of_encode_is_the_identical_value(value: Input) -> None:
    decoded = decode_input(encode_input(value))
    expected = bytes(value) if isinstance(value, bytearray) else value
    assert same_input(decoded, expected), (value, encode_input(value), decoded)


@settings(max_examples=300)
@given(inputs())
def test_the_stored_form_is_plain_strict_json(value: Input) -> None:
    encoded = encode_input(value)
    text = json.dumps(encoded, allow_nan=False, ensure_ascii=False)
    # No lone surrogate may reach the file: strict UTF-8 must accept the text.
    text.encode("utf-8")
    assert same_input(decode_input(json.loads(text)), value)


@settings(max_examples=150)
@given(inputs())
@example({"b": {"z": 1, "y": 2}, "a": None})  # key order is part of what was sent
def test_the_whole_fixture_file_round_trips(value: Input) -> None:
    difference = Difference(DiffKind.VALUE, "/text", left="a\ud800", right=math.nan)
    fixture = fixture_of(
        surface="planted",
        signature=Signature.of("planted", (200, 200), [difference]),
        input=value,
        runtimes=("rust", "go"),
        left=Outcome(200, b'{"text": "\\ud800"}'),
        right=Outcome(200, b"\xff\xfe not utf-8"),
        differences=(difference,),
        compare=CompareSpec(),
    )
    text = fixture_text(fixture)
    text.decode("utf-8")  # the file is valid UTF-8 whatever the input held
    again = Fixture.from_json(json.loads(text), path=Path("x.json"))
    assert same_input(again.input, value)
    assert again.right.body == b"\xff\xfe not utf-8"
    assert again.signature == fixture.signature
    assert fixture_text(again) == text


def test_ordinary_values_stay_readable() -> None:
    assert encode_input({"to": "a@b.c", "n": [1, 2.5, None, True]}) == {
        "to": "a@b.c",
        "n": [1, 2.5, None, True],
    }
    assert encode_input("Café résumé ⭐ 你好") == "Café résumé ⭐ 你好"
    assert encode_input(b"x\n") == {"$bytes_utf8": "x\n"}
    assert encode_input(b"\xff") == {"$bytes_base64": "/w=="}
    assert encode_input(FileTree.of({"b/x.jsonl": b"{}\n", "a.jsonl": b""})) == {
        "$tree": {"a.jsonl": {"$bytes_utf8": ""}, "b/x.jsonl": {"$bytes_utf8": "{}\n"}}
    }


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ({"$float": "NaN"}, "unknown $float value 'NaN'"),
        ({"$bytes_base64": "not base64!"}, "base64"),
        ({"$nope": 1}, "unknown input tag '$nope'"),
        ({"$tuple": [1], "x": 2}, "unknown input tag '$tuple'"),
        ({"$tree": {"../escape": {"$bytes_utf8": ""}}}, "must be relative"),
        # Only JSON is ever stored: a value no fixture file can hold is refused, named.
        ([1, {2, 3}], "a stored input holds JSON values only, got a set"),
    ],
)
def test_a_malformed_stored_input_is_a_value_error(stored: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        decode_input(stored)


def test_unsupported_values_are_refused_naming_the_type() -> None:
    with pytest.raises(TypeError, match="cannot store an input of type set"):
        encode_input({1, 2})  # type: ignore[arg-type]  # refused: that is the test


@pytest.mark.parametrize("path", ["", "/abs", "a//b", "a/../b", "./a", "a/."])
def test_file_tree_paths_must_be_relative(path: str) -> None:
    with pytest.raises(ValueError, match="must be relative"):
        FileTree.of({path: b""})


def test_bytes_on_the_wire() -> None:
    assert input_to_bytes(b"\xff\x00") == b"\xff\x00"
    assert input_to_bytes("a\ud800") == b"a\xed\xa0\x80"  # the invalid sequence, passed through
    assert input_to_bytes({"q": "é"}) == '{"q":"é"}'.encode()
    assert json_bytes(["\ud800"]) == b'["\\ud800"]'


# -- the order of simplicity -------------------------------------------------


@settings(max_examples=300)
@given(inputs(), inputs())
@example({"a": 1, "b": 2}, {"b": 2, "a": 1})  # key order reaches the wire
@example(1, True)
@example(0.0, -0.0)
@example([1], (1,))
@example(b"a", "a")
@example(FileTree.of({"a": b"x"}), {"$tree": {"a": "x"}})
@example("<", "<")
def test_sort_key_is_injective(a: Input, b: Input) -> None:
    # Equal keys for different inputs would let the tracker or the polisher swap
    # one fixture for another.
    assert (input_sort_key(a) == input_sort_key(b)) == same_input(a, b)


@given(st.dictionaries(dict_keys(), inputs(), min_size=2, max_size=4), st.randoms())
def test_the_sort_key_changes_exactly_when_the_key_order_does(
    record: dict[Any, Input], random: Random
) -> None:
    keys = list(record)
    random.shuffle(keys)
    reordered = {key: record[key] for key in keys}
    assert (input_sort_key(reordered) == input_sort_key(record)) == (keys == list(record))


@given(inputs())
def test_sort_key_measures_the_stored_form(value: Input) -> None:
    length, text = input_sort_key(value)
    assert length == len(text)
    assert input_sort_key(decode_input(encode_input(value))) == (length, text)


@given(inputs(), inputs(), inputs())
def test_sort_key_is_a_total_order(a: Input, b: Input, c: Input) -> None:
    ka, kb, kc = input_sort_key(a), input_sort_key(b), input_sort_key(c)
    assert (ka < kb) + (kb < ka) + (ka == kb) == 1
    if ka <= kb <= kc:
        assert ka <= kc


def _one_deletion(value: Input) -> list[Input]:
    """Values with exactly one part removed: an element, a key, a file, a char, a byte."""
    if isinstance(value, str):
        return [value[:i] + value[i + 1 :] for i in range(len(value))]
    if isinstance(value, bytes):
        return [value[:i] + value[i + 1 :] for i in range(len(value))]
    if isinstance(value, list | tuple):
        rebuild = type(value)
        return [rebuild([*value[:i], *value[i + 1 :]]) for i in range(len(value))]
    if isinstance(value, dict):
        return [{k: v for k, v in value.items() if k != key} for key in value]
    if isinstance(value, FileTree):
        files = dict(value.files)
        return [FileTree.of({p: c for p, c in files.items() if p != gone}) for gone in files]
    return []


@settings(max_examples=300)
@given(inputs())
@example(b"\xc3\xa9")  # UTF-8 bytes whose shorter prefix is only storable as base64
@example(b"\xff\xff\xff")  # base64 of 2 and 3 bytes has the same length
@example("a\ud800")  # dropping the surrogate changes the stored form entirely
def test_removing_any_part_makes_a_value_simpler(value: Input) -> None:
    key = input_sort_key(value)
    for smaller in _one_deletion(value):
        assert input_sort_key(smaller) < key, (smaller, value)


@given(inputs())
def test_every_part_is_simpler_than_its_container(value: Input) -> None:
    parts: list[Input] = []
    if isinstance(value, list | tuple):
        parts = list(value)
    elif isinstance(value, dict):
        parts = [*value.keys(), *value.values()]
    key = input_sort_key(value)
    assert all(input_sort_key(part) < key for part in parts)


@given(st.integers(), st.integers())
def test_a_smaller_magnitude_of_the_same_sign_is_simpler(a: int, b: int) -> None:
    assume(abs(a) != abs(b) and (a < 0) == (b < 0))
    small, large = sorted((a, b), key=abs)
    assert input_sort_key(small) < input_sort_key(large)
    assert input_sort_key(abs(large)) < input_sort_key(-abs(large))
