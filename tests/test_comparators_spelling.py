"""The lexical mode of the JSON rules: ``spelling = true`` (and ``key_order``).

The lexer must file every token under the pointer the parser puts its value
at; the mode must be reflexive and symmetric, report only equal values written
differently, and respect select, ignore rules and normalizers.
"""

from __future__ import annotations

import doctest
import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from difffuzz._comparators import spelling
from difffuzz._comparators.base import CompareSpec, Difference, DiffKind
from difffuzz._comparators.http import HTTP
from difffuzz._comparators.json_rules import JSON
from difffuzz._comparators.spelling import lex
from difffuzz._comparators.structure import mirror_qualifier
from difffuzz._exceptions import ConfigError
from difffuzz._normalize import StepSpec, compile_pipeline, normalize_outcome
from difffuzz._outcome import Outcome
from difffuzz._pointer import find
from difffuzz._signature import Signature
from tests.json_values import json_values

SPELLING = CompareSpec("json", params={"spelling": True})


def kinds(left: bytes, right: bytes, spec: CompareSpec = SPELLING) -> set[tuple[str, str, str]]:
    result = JSON(Outcome(0, left), Outcome(0, right), spec)
    return {(d.kind.value, d.path, d.qualifier) for d in result.differences}


def test_the_module_doctests_pass() -> None:
    assert doctest.testmod(spelling).failed == 0


def test_numbers_written_differently_are_number_spelling() -> None:
    assert kinds(b'{"latency_ms": 0.0}', b'{"latency_ms": 0}') == {
        ("number-spelling", "/latency_ms", "fraction/integer")
    }
    assert kinds(b"[100.0, 1.5]", b"[1e2, 1.50]") == {
        ("number-spelling", "/*", "fraction/exponent"),
        ("number-spelling", "/*", "fraction/fraction"),
    }
    # The json rule alone sees none of it.
    assert kinds(b'{"a": 0.0}', b'{"a": 0}', CompareSpec("json")) == set()


def test_strings_and_keys_escaped_differently_are_escape() -> None:
    assert kinds(b'{"prompt": "a<b"}', b'{"prompt": "a\\u003cb"}') == {
        ("escape", "/prompt", "raw/unicode-escape")
    }
    assert kinds(b'{"s": "\\n"}', b'{"s": "\\u000a"}') == {
        ("escape", "/s", "short-escape/unicode-escape")
    }
    assert kinds(b'{"\\u00e9": 1}', b'{"\xc3\xa9": 1}') == {
        ("escape", "/\u00e9", "key:unicode-escape/key:raw")
    }


KEY_ORDER = CompareSpec("json", params={"spelling": True, "key_order": True})


@pytest.mark.parametrize(
    ("left", "right", "spec", "expected"),
    [
        (
            b'{"r": [{"ms": 0.0}]}',
            b'{"r": [{"ms": 0}]}',
            SPELLING,
            Difference(
                DiffKind.NUMBER_SPELLING,
                "/r/*/ms",
                "/r/0/ms",
                "0.0",
                "0",
                "the same number, written 0.0 on the left and 0 on the right",
                "fraction/integer",
            ),
        ),
        (
            b"[1E2]",
            b"[100]",
            SPELLING,
            Difference(
                DiffKind.NUMBER_SPELLING,
                "/*",
                "/0",
                "1E2",
                "100",
                "the same number, written 1E2 on the left and 100 on the right",
                "exponent/integer",
            ),
        ),
        (
            b'{"r": [{"p": "a<b"}]}',
            b'{"r": [{"p": "a\\u003cb"}]}',
            SPELLING,
            Difference(
                DiffKind.ESCAPE,
                "/r/*/p",
                "/r/0/p",
                '"a<b"',
                '"a\\u003cb"',
                "the same string, written '<' on the left and '\\\\u003c' on the right",
                "raw/unicode-escape",
            ),
        ),
        (
            b'{"r": [{"a\\u003c": 1}]}',
            b'{"r": [{"a<": 1}]}',
            SPELLING,
            Difference(
                DiffKind.ESCAPE,
                "/r/*/a<",
                "/r/0/a<",
                '"a\\u003c"',
                '"a<"',
                "the same key, written '\\\\u003c' on the left and '<' on the right",
                "key:unicode-escape/key:raw",
            ),
        ),
        (
            b'{"r": [{"a": 1, "b": 2}]}',
            b'{"r": [{"b": 2, "a": 1}]}',
            KEY_ORDER,
            Difference(
                DiffKind.KEY_ORDER,
                "/r/*",
                "/r/0",
                ["a", "b"],
                ["b", "a"],
                "the same keys in another order",
            ),
        ),
    ],
    ids=["number", "exponent", "string-escape", "key-escape", "key-order"],
)
def test_each_lexical_difference_says_where_and_how_each_side_wrote_it(
    left: bytes, right: bytes, spec: CompareSpec, expected: Difference
) -> None:
    # What a report shows: a real location, each side's token as written, the words.
    assert JSON(Outcome(0, left), Outcome(0, right), spec).differences == (expected,)


def test_key_order_is_compared_only_when_asked() -> None:
    left, right = b'{"a": 1, "b": 2}', b'{"b": 2, "a": 1}'
    assert kinds(left, right) == set()
    ordered = CompareSpec("json", params={"spelling": True, "key_order": True})
    assert kinds(left, right, ordered) == {("key-order", "/", "")}


def test_key_order_without_spelling_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="set spelling = true as well"):
        JSON(Outcome(0, b"{}"), Outcome(0, b"{}"), CompareSpec("json", params={"key_order": True}))


def test_spelling_is_read_only_when_the_answers_agree_by_value() -> None:
    assert kinds(b'{"a": 1.0, "b": 1.0}', b'{"a": 2, "b": 1}') == {("value", "/a", "")}


def test_ignored_places_and_select_are_respected() -> None:
    spec = CompareSpec("json", ignore=("/timestamp",), params={"spelling": True})
    assert kinds(b'{"timestamp": 1.0, "a": "x"}', b'{"timestamp": 1, "a": "x"}', spec) == set()
    selected = CompareSpec(
        "json", select_left="/rows", select_right="/data", params={"spelling": True}
    )
    assert kinds(b'{"rows": [1.0]}', b'{"data": [1]}', selected) == {
        ("number-spelling", "/*", "fraction/integer")
    }


def test_arrays_compared_as_multisets_are_not_read_for_spelling() -> None:
    # An ``unordered`` array's elements are matched by value, not by position, so the
    # tokens at one index on each side need not be the same element.
    unordered = CompareSpec("json", params={"spelling": True, "unordered": ["/t"]})
    assert kinds(b'{"t": [1.0, 1], "u": [2]}', b'{"t": [1, 1.0], "u": [2]}', unordered) == set()
    assert kinds(b'{"t": [1], "u": [2.0]}', b'{"t": [1], "u": [2]}', unordered) == {
        ("number-spelling", "/u/*", "fraction/integer")
    }


def test_the_lexer_takes_any_depth_and_keeps_what_precedes_a_break() -> None:
    deep = b"[" * 5000 + b'"x"' + b"]" * 5000
    assert lex(deep).scalars == {"/0" * 5000: '"x"'}
    broken = lex(b'{"a": 1.0, "b": tru}')
    assert broken.scalars == {"/a": "1.0"}


def test_json_lines_are_read_line_by_line() -> None:
    left = b'{"offset": 0}\n{"offset": 1.0}\n'
    right = b'{"offset": 0}\n{"offset": 1}\n'
    assert kinds(left, right) == {("number-spelling", "/*/offset", "fraction/integer")}


def test_the_http_rule_has_the_mode_too() -> None:
    result = HTTP(Outcome(200, b"[1.0]"), Outcome(200, b"[1]"), SPELLING)
    assert [d.kind for d in result.differences] == [DiffKind.NUMBER_SPELLING]


def test_a_value_a_normalizer_moved_is_compared_by_value_only() -> None:
    rename = compile_pipeline([StepSpec("rename_keys", {"case": "lower"})])
    left = normalize_outcome(Outcome(0, b'{"A": 1.0, "b": 2.0}'), rename)
    right = Outcome(0, b'{"a": 1, "b": 2}')
    result = JSON(left, right, SPELLING)
    # /b is where the left runtime wrote it: its spelling still counts; /a was moved.
    assert [(d.kind.value, d.path) for d in result.differences] == [("number-spelling", "/b")]
    # Strings the same: one moved on the left only is not set against the right's escape.
    left = normalize_outcome(Outcome(0, b'{"A": "x<", "b": "y<"}'), rename)
    right = Outcome(0, b'{"a": "x\\u003c", "b": "y\\u003c"}')
    result = JSON(left, right, SPELLING)
    assert [(d.kind.value, d.path) for d in result.differences] == [("escape", "/b")]


def test_a_spelling_only_signature_has_its_own_category() -> None:
    result = JSON(Outcome(0, b"[0.0]"), Outcome(0, b"[0]"), SPELLING)
    signature = Signature.of("session_log", (0, 0), result.differences)
    assert signature.category == "spelling"


# -- properties --------------------------------------------------------------

encodings = st.sampled_from(
    [
        {"ensure_ascii": True},
        {"ensure_ascii": False},
        {"ensure_ascii": False, "indent": 2},
        {"ensure_ascii": True, "separators": (",", ":")},
    ]
)


@given(value=json_values, options=encodings)
def test_the_lexer_files_every_token_where_the_parser_puts_its_value(
    value: Any, options: dict[str, Any]
) -> None:
    body = json.dumps(value, **options).encode("utf-8", "surrogatepass")
    lexicon = lex(body)
    for pointer, node in find(value, "/**"):
        if isinstance(node, str) or (isinstance(node, int | float) and not isinstance(node, bool)):
            if isinstance(node, float) and (node != node or node in (math.inf, -math.inf)):
                continue  # NaN and Infinity are not JSON: the lexer leaves them out
            spelt = lexicon.scalars.get(pointer)
            assert spelt is not None, pointer
            read = json.loads(spelt)
            assert read == node or (read != read and node != node)


@given(value=json_values, left=encodings, right=encodings)
def test_the_mode_is_reflexive_and_symmetric(
    value: Any, left: dict[str, Any], right: dict[str, Any]
) -> None:
    a = Outcome(0, json.dumps(value, **left).encode("utf-8", "surrogatepass"))
    b = Outcome(0, json.dumps(value, **right).encode("utf-8", "surrogatepass"))
    assert JSON(a, a, SPELLING).differences == ()
    forward = JSON(a, b, SPELLING).differences
    backward = JSON(b, a, SPELLING).differences
    assert {(d.kind, d.path, mirror_qualifier(d.qualifier)) for d in forward} == {
        (d.kind, d.path, d.qualifier) for d in backward
    }
    assert all(d.kind.is_lexical or d.kind is DiffKind.VALUE for d in forward)
