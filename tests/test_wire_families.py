"""Each wire family produces what it says: checked on the bytes, with real JSON readers.

A duplicate-key document really has the key twice; invalid UTF-8 really fails
strict decoding; a value-keeping number spelling really reads as the same
number; a comment really is refused by the stdlib and read by a JSON5 reader.
Every test draws documents and mutations with Hypothesis and decodes the bytes
again, so a family that quietly sent something else would fail here.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

import json5
import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from difffuzz._wire import FAMILIES
from difffuzz._wire.document import Document, Mutation, get_at
from difffuzz._wire.documents import json_values
from difffuzz._wire.families import IMPLEMENTATIONS
from difffuzz._wire.numbers import BOUNDARIES
from difffuzz._wire.size import DEPTHS

FAMILY_TESTS = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)

#: Objects with the keys APIs use, nested a little: what request bodies look like.
objects = st.dictionaries(
    st.sampled_from(("kind", "to", "count", "id", "payload", "Skip")) | st.text(max_size=4),
    json_values(6),
    min_size=1,
    max_size=4,
)
documents = objects | json_values(8)
#: Documents that surely hold what a family needs, so that few draws are thrown away.
with_number = st.builds(
    lambda o, n: {**o, "count": n}, objects, st.integers() | st.floats(-1e9, 1e9)
)
with_integer = st.builds(lambda o, n: {**o, "count": n}, objects, st.integers())
with_string = st.builds(lambda o, t: {**o, "to": t}, objects, st.text(max_size=6))
with_key = objects.map(lambda o: {"kind": "sms", **o})


@st.composite
def mutated(
    draw: st.DrawFn, family: str, values: st.SearchStrategy[Any] = documents
) -> tuple[Any, Document, Mutation]:
    value = draw(values)
    document = Document(value)
    mutation = IMPLEMENTATIONS[family](draw, document)
    assume(mutation is not None)
    assert mutation is not None
    return value, document, mutation


def spelled(value: Any) -> str:
    """A strict comparison key: types apart (true is not 1), key order kept."""
    return json.dumps(value, allow_nan=True)


def differences(old: Any, new: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The places where ``new`` differs from ``old``, as small as they can be named."""
    if spelled(old) == spelled(new):
        return []
    if isinstance(old, dict) and isinstance(new, dict) and old:
        old_keys, new_keys = list(old), list(new)
        if old_keys == new_keys:
            return [d for k in old for d in differences(old[k], new[k], (*path, k))]
        if len(old_keys) == len(new_keys):
            renamed = [(a, b) for a, b in zip(old_keys, new_keys, strict=True) if a != b]
            if len(renamed) == 1 and spelled(list(old.values())) == spelled(list(new.values())):
                return [("renamed", path, *renamed[0])]
        if set(new_keys) < set(old_keys) and len(old_keys) - len(new_keys) == 1:
            return [("removed", path, next(k for k in old_keys if k not in new))]
        if new_keys[:-1] == old_keys:
            return [("added", path, new_keys[-1], new[new_keys[-1]])]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            d
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for d in differences(a, b, (*path, i))
        ]
    return [("replaced", path, old, new)]


def nesting(text: bytes) -> int:
    """The deepest bracket nesting of a JSON text, strings skipped."""
    deepest = level = 0
    for token in re.findall(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', text):
        if token in (b"[", b"{"):
            level += 1
            deepest = max(deepest, level)
        elif token in (b"]", b"}"):
            level -= 1
    return deepest


def test_every_family_has_a_test_here() -> None:
    tested = {name.removeprefix("test_").split("_really")[0] for name in globals()}
    assert set(FAMILIES) <= tested | {"http"}, set(FAMILIES) - tested


@FAMILY_TESTS
@given(mutated("duplicate_key", with_key))
def test_duplicate_key_really_has_the_key_twice(case: tuple[Any, Document, Mutation]) -> None:
    value, _, mutation = case
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        names = [name for name, _ in items]
        repeated.extend(name for name in set(names) if names.count(name) > 1)
        return dict(items)

    json.loads(mutation.sent, object_pairs_hook=pairs)
    assert len(repeated) == 1
    # The stdlib keeps the last: read that way, only that key's value changed (or none).
    found = differences(value, json.loads(mutation.sent))
    assert len(found) <= 1


@FAMILY_TESTS
@given(mutated("missing_field", with_key))
def test_missing_field_really_leaves_one_field_out(case: tuple[Any, Document, Mutation]) -> None:
    value, _, mutation = case
    ((kind, _path, key),) = differences(value, json.loads(mutation.sent))
    assert kind == "removed"
    assert json.dumps(key, ensure_ascii=False) in mutation.description


@FAMILY_TESTS
@given(mutated("extra_field"))
def test_extra_field_really_adds_one_unknown_field(case: tuple[Any, Document, Mutation]) -> None:
    value, _, mutation = case
    ((kind, path, *change),) = differences(value, json.loads(mutation.sent))
    if kind == "replaced":  # an empty object got its first field
        assert change[0] == {}
        assert len(change[1]) == 1
        return
    assert kind == "added"
    assert change[0] not in get_at(value, path)


@FAMILY_TESTS
@given(mutated("key_case", with_key))
def test_key_case_really_respells_one_key(case: tuple[Any, Document, Mutation]) -> None:
    value, _, mutation = case
    ((kind, _, old, new),) = differences(value, json.loads(mutation.sent))
    assert kind == "renamed"
    assert old != new
    assert old.casefold() == new.casefold()


@FAMILY_TESTS
@given(mutated("key_lookalike", with_key))
def test_key_lookalike_really_changes_one_key_into_a_lookalike(
    case: tuple[Any, Document, Mutation],
) -> None:
    value, _, mutation = case
    ((kind, _, old, new),) = differences(value, json.loads(mutation.sent))
    assert kind == "renamed"
    assert old != new
    assert new.strip().replace("\u200b", "") != new or not new.isascii() or new == old + " "


@FAMILY_TESTS
@given(mutated("value_type"))
def test_value_type_really_changes_one_value_type(case: tuple[Any, Document, Mutation]) -> None:
    value, _, mutation = case
    ((kind, path, old, new),) = differences(value, json.loads(mutation.sent))
    assert kind == "replaced"
    assert path != ()
    wrapped = new == [old] or new == {"value": old}
    assert wrapped or new is None or type(new) is not type(old)


@FAMILY_TESTS
@given(mutated("document_replaced"))
def test_document_replaced_really_replaces_the_whole_document(
    case: tuple[Any, Document, Mutation],
) -> None:
    value, _, mutation = case
    new = json.loads(mutation.sent)
    assert spelled(new) != spelled(value)
    assert new in (None, [], {}, "", 0, True, "text") or new == [value]


@FAMILY_TESTS
@given(mutated("enum_value", objects.map(lambda o: {**o, "kind": "sms"})))
def test_enum_value_really_replaces_one_string(case: tuple[Any, Document, Mutation]) -> None:
    value, _, mutation = case
    ((kind, _, old, new),) = differences(value, json.loads(mutation.sent))
    assert kind == "replaced"
    assert isinstance(old, str)
    assert isinstance(new, str)
    assert old != new


def test_enum_value_prefers_the_strategys_own_alternatives() -> None:
    document = Document({"to": "x", "kind": "sms"}, enums=frozenset({"sms", "email"}))
    mutation = IMPLEMENTATIONS["enum_value"](lambda strategy: 0, document)  # type: ignore[arg-type]
    assert mutation is not None
    assert "one of the strategy's alternatives" in mutation.description
    assert json.loads(mutation.sent)["kind"] == "SMS"


@FAMILY_TESTS
@given(mutated("number_spelling", with_number))
def test_number_spelling_really_respells_one_number(case: tuple[Any, Document, Mutation]) -> None:
    value, _, mutation = case
    spelling = mutation.description.split(" spelled ")[1].split(" (was")[0]
    assert spelling.encode() in mutation.sent
    try:
        alone = json.loads(spelling)
    except json.JSONDecodeError:  # a leading + or zero: not JSON, and so neither is the body
        with pytest.raises(json.JSONDecodeError):
            json.loads(mutation.sent)
        return
    found = differences(value, json.loads(mutation.sent))
    assert len(found) <= 1  # "1.0" for 1 is the same document to the stdlib
    old = get_at(value, found[0][1]) if found else alone
    if spelling in ("1e400", "-1e400", "1e-400"):
        assert alone in (math.inf, -math.inf, 0.0)
    else:  # every other spelling is the same float64
        assert float(alone) == float(old)


@FAMILY_TESTS
@given(mutated("integer_boundary", with_integer))
def test_integer_boundary_really_sets_an_integer_to_a_width_edge(
    case: tuple[Any, Document, Mutation],
) -> None:
    value, _, mutation = case
    ((kind, _, old, new),) = differences(value, json.loads(mutation.sent))
    assert kind == "replaced"
    assert isinstance(old, int)
    assert new in BOUNDARIES


@FAMILY_TESTS
@given(mutated("non_finite"))
def test_non_finite_really_writes_a_literal_strict_readers_refuse(
    case: tuple[Any, Document, Mutation],
) -> None:
    _, _, mutation = case
    literal = mutation.description.split(" ")[0]
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(mutation.sent)
    if literal in ("NaN", "Infinity", "-Infinity"):
        json.loads(mutation.sent)  # the stdlib's extension reads these three
    else:
        with pytest.raises(json.JSONDecodeError):
            json.loads(mutation.sent)


#: What the stdlib reads at the end of the string, per escape variant (None: refused).
ESCAPE_TAILS: dict[str, str | None] = {
    "lone high": "\ud800",
    "lone low": "\udc00",
    "reversed": "\ude00\ud83d",
    "escaped NUL": "\x00",
    "escaped slash": "/",
    "escaped non-ASCII \\u00e9": "é",
    "raw control": None,
    "raw tab": None,
    "raw newline": None,
    "invalid escape": None,
    "short escape": None,
}


@FAMILY_TESTS
@given(mutated("string_escape", with_string))
def test_string_escape_really_writes_the_escape(case: tuple[Any, Document, Mutation]) -> None:
    value, _, mutation = case
    if "non-ASCII characters escaped" in mutation.description:
        assert json.loads(mutation.sent) == value
        return
    (tail,) = [t for key, t in ESCAPE_TAILS.items() if key in mutation.description]
    if tail is None:
        with pytest.raises(json.JSONDecodeError):
            json.loads(mutation.sent)
        return
    ((_, _, old, new),) = differences(value, json.loads(mutation.sent))
    assert new == old + tail


@FAMILY_TESTS
@given(mutated("invalid_utf8"))
def test_invalid_utf8_really_fails_strict_decoding(case: tuple[Any, Document, Mutation]) -> None:
    _, document, mutation = case
    with pytest.raises(UnicodeDecodeError):
        mutation.sent.decode("utf-8")
    assert len(mutation.sent) > len(document.text)


@FAMILY_TESTS
@given(mutated("overlong_utf8"))
def test_overlong_utf8_really_fails_strict_decoding(case: tuple[Any, Document, Mutation]) -> None:
    _, _, mutation = case
    with pytest.raises(UnicodeDecodeError):
        mutation.sent.decode("utf-8")


@FAMILY_TESTS
@given(mutated("bom"))
def test_bom_really_marks_or_reencodes_the_same_document(
    case: tuple[Any, Document, Mutation],
) -> None:
    _, document, mutation = case
    text = document.text.decode("utf-8")
    sent = mutation.sent
    if "UTF-16BE" in mutation.description:
        assert sent.decode("utf-16-be") == text
    elif "UTF-16LE" in mutation.description:
        assert sent.startswith(b"\xff\xfe")
        assert sent.decode("utf-16") == text
    else:
        assert sent.startswith(b"\xef\xbb\xbf")
        assert sent.lstrip(b"\xef\xbb\xbf") == document.text


@FAMILY_TESTS
@given(mutated("trailing_data"))
def test_trailing_data_really_follows_the_whole_document(
    case: tuple[Any, Document, Mutation],
) -> None:
    value, document, mutation = case
    assert mutation.sent.startswith(document.text)
    assert len(mutation.sent) > len(document.text)
    suffix = mutation.sent[len(document.text) :]
    if json.detect_encoding(mutation.sent) != "utf-8":
        return  # "0\x00" looks like UTF-16 to the stdlib, which then reads it as "0"
    if suffix.strip() == b"":
        assert spelled(json.loads(mutation.sent)) == spelled(value)
    else:
        with pytest.raises(json.JSONDecodeError):
            json.loads(mutation.sent)


@FAMILY_TESTS
@given(mutated("truncation"))
def test_truncation_really_cuts_the_document_short(case: tuple[Any, Document, Mutation]) -> None:
    _, document, mutation = case
    assert 0 < len(mutation.sent) < len(document.text)
    assert document.text.startswith(mutation.sent)


@FAMILY_TESTS
@given(mutated("nesting_depth"))
def test_nesting_depth_really_nests_that_deep(case: tuple[Any, Document, Mutation]) -> None:
    _, _, mutation = case
    depth = int(mutation.description.split(" nested in ")[1].split()[0])
    assert depth in DEPTHS
    _, document, _ = case
    assert depth <= nesting(mutation.sent) <= depth + nesting(document.text)
    if depth < 1000:
        orjson.loads(mutation.sent)  # still JSON, just deep: orjson reads 1024 levels


@FAMILY_TESTS
@given(mutated("long_string", with_string))
def test_long_string_really_is_that_long(case: tuple[Any, Document, Mutation]) -> None:
    value, _, mutation = case
    length = int(mutation.description.split(" of ")[1].split()[0])
    ((_, _, _, new),) = differences(value, json.loads(mutation.sent))
    assert isinstance(new, str)
    assert len(new) == len(new.encode()) == length


@FAMILY_TESTS
@given(mutated("long_key", with_key))
def test_long_key_really_is_that_long(case: tuple[Any, Document, Mutation]) -> None:
    value, _, mutation = case
    ((kind, _, old, new),) = differences(value, json.loads(mutation.sent))
    assert kind == "renamed"
    assert new.startswith(old)
    assert len(new) >= 4095


@FAMILY_TESTS
@given(mutated("long_line"))
def test_long_line_really_is_one_long_line_of_the_same_document(
    case: tuple[Any, Document, Mutation],
) -> None:
    value, _, mutation = case
    assert b"\n" not in mutation.sent
    assert len(mutation.sent) > 4 * 1024 - 2
    assert spelled(json.loads(mutation.sent)) == spelled(value)


@FAMILY_TESTS
@given(mutated("whitespace"))
def test_whitespace_really_inserts_whitespace_json_does_not_allow(
    case: tuple[Any, Document, Mutation],
) -> None:
    value, _document, mutation = case
    # \r is JSON whitespace, and U+FEFF first is a BOM (the stdlib skips one).
    if "carriage return" in mutation.description or mutation.description.endswith(
        "U+FEFF at byte 0"
    ):
        assert spelled(json.loads(mutation.sent)) == spelled(value)
        return
    with pytest.raises((json.JSONDecodeError, UnicodeDecodeError)):
        json.loads(mutation.sent)
    if any(name in mutation.description for name in ("form feed", "vertical tab", "no-break")):
        assert spelled(json5.loads(mutation.sent.decode())) == spelled(value)


@FAMILY_TESTS
@given(mutated("comment"))
def test_comment_really_is_refused_by_json_and_read_by_json5(
    case: tuple[Any, Document, Mutation],
) -> None:
    value, _, mutation = case
    with pytest.raises(json.JSONDecodeError):
        json.loads(mutation.sent)
    if "/* note */" in mutation.description or "//" in mutation.description:
        assert spelled(json5.loads(mutation.sent.decode())) == spelled(value)


@FAMILY_TESTS
@given(mutated("single_quotes", with_string))
def test_single_quotes_really_quote_one_string_json5_reads_back(
    case: tuple[Any, Document, Mutation],
) -> None:
    value, _, mutation = case
    with pytest.raises(json.JSONDecodeError):
        json.loads(mutation.sent)
    assert spelled(json5.loads(mutation.sent.decode())) == spelled(value)


@pytest.mark.parametrize(
    ("choice", "check"),
    [
        (0, lambda m: m.sent == b"" and not m.headers),
        (1, lambda m: m.chunked and m.sent == b"[]"),
        (2, lambda m: m.headers == (("content-type", None),)),
        (7, lambda m: m.headers == (("content-type", "text/plain"),)),
    ],
)
def test_http_variants_change_the_request_not_the_document(
    choice: int, check: Callable[[Mutation], bool]
) -> None:
    mutation = IMPLEMENTATIONS["http"](lambda strategy: choice, Document([]))  # type: ignore[arg-type]
    assert mutation is not None
    assert check(mutation)
    assert mutation.variant
