"""Search buckets (``_bucket.py``): what splits two divergences, and what must not.

A bucket decides which examples Hypothesis shrinks together, so each part of it
is pinned here: the error text each side gives (normalised), the top-level
fields, which side failed, and the record a report shows.
"""

from __future__ import annotations

import json

import pytest

from difffuzz._bucket import Bucket, echo_text, error_text, input_keys, normalise_error
from difffuzz._comparators.base import Difference, DiffKind
from difffuzz._inputs import FileTree, WireInput
from difffuzz._outcome import Failure, Outcome


def answer(document: object, status: int = 200) -> Outcome:
    return Outcome(status=status, body=json.dumps(document).encode())


# -- error texts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("Invalid escape at line 1 column 7", "invalid escape at line N column N"),
        ("bad  value\t'x\"y' at 0xFF", "bad value '…' at N"),
        ('Unknown field "zone"', "unknown field '…'"),
        ("got `a` and «b»", "got '…' and '…'"),
        ("number -1.5e+10 out of range", "number N out of range"),
        ("x" * 100, "x" * 80),
    ],
)
def test_an_error_text_loses_what_varies_with_the_input(text: str, normal: str) -> None:
    assert normalise_error(text) == normal


@pytest.mark.parametrize(
    ("text", "echo", "normal"),
    [
        ("bad escape \\h at position 0", "\\h", "bad escape … at position N"),
        ("unknown extension ?<n at position 1", "(?<n>a)", "unknown extension … at position N"),
        (
            "bad character range \\s-a at position 1.",
            "[\\s-a]",
            "bad character range … at position N.",
        ),
        # Plain words and numbers are the message's own, even when the input has them.
        ("invalid value at line 2", "value 2", "invalid value at line N"),
        ("bad escape \\h", "\\z", "bad escape \\h"),  # not an echo: kept
    ],
)
def test_an_error_text_loses_the_pieces_of_the_input_it_echoes(
    text: str, echo: str, normal: str
) -> None:
    assert normalise_error(text, echo) == normal


def test_an_error_text_found_whole_in_the_input_is_echoed_data() -> None:
    # A session record's own "error" field sent back: data, not the runtime's reason.
    for message in ("timeout after 30s", "|", 'quote " inside'):
        assert normalise_error(message, echo_text({"error": message, "n": 1})) == "…"
    # A message that only holds a piece of the input keeps its words.
    assert normalise_error("timeout after 30s!", echo_text({"error": "timeout after 30s"})) == (
        "timeout after Ns!"
    )
    assert normalise_error("timeout after 30s") == "timeout after Ns"  # no input to echo


def test_the_echo_of_an_input_is_its_text() -> None:
    assert echo_text("a\\h") == "a\\h"
    assert echo_text(b"\xffab") == "\ufffdab"
    assert echo_text(WireInput(b"?w", "f", "m")) == "?w"
    assert echo_text({"k": "?w"}) == '{"k": "?w"}'
    assert echo_text(FileTree.of({"a": b"?w", "b/c.jsonl": b"{"})) == "a\n?w\nb/c.jsonl\n{"


def test_a_helper_naming_the_file_it_failed_on_is_one_bucket_whatever_the_file() -> None:
    # The materializer's helpers say "error: <path>:<line>: <reason>": the path is the
    # input's, so one reason met in two files gave two buckets (4 of one reason in a
    # one-minute demo, none of them shrunk).
    texts = {
        "a/.rows.jsonl": "error: a/.rows.jsonl:3: unexpected end of data: line 1 column 8",
        "b.jsonl": "error: b.jsonl:1: unexpected end of data: line 1 column 2",
    }
    normalised = {
        normalise_error(text, echo_text(FileTree.of({path: b'{"n": 0', "x.jsonl": b""})))
        for path, text in texts.items()
    }
    assert normalised == {"error: …:N: unexpected end of data: line N column N"}
    # A file the input does not hold is part of the message.
    assert "other.jsonl" in normalise_error(texts["b.jsonl"].replace("b.jsonl", "other.jsonl"))


def test_one_cause_echoed_through_different_inputs_is_one_bucket() -> None:
    def refusal(pattern: str) -> Bucket:
        message = f"bad escape {pattern} at position 0"
        right = answer({"ok": False, "error": message})
        return Bucket.of(
            "s", answer({"ok": True}), right, [difference(DiffKind.VALUE, "/ok")],
            answered=(True, True), echo=pattern,
        )  # fmt: skip

    assert refusal("\\h") == refusal("\\z")
    assert refusal("\\h").errors == ("", "bad escape … at position N")


def test_a_failed_side_speaks_through_its_failure_its_stderr_or_its_body() -> None:
    assert error_text(Outcome(status=None, failure=Failure.CRASHED), answered=False) == "crashed"
    traceback = b"Traceback (most recent call last):\n  ...\nValueError: bad at 3\n\n"
    assert error_text(Outcome(status=1, stderr=traceback), answered=False) == "valueerror: bad at N"
    body = Outcome(status=500, body=b'{"error": "Boom at 12"}')
    assert error_text(body, answered=False) == "boom at N"
    plain = Outcome(status=500, body=b"first line\nlast line 7\n")
    assert error_text(plain, answered=False) == "last line N"
    assert error_text(Outcome(status=500, body=b"  \n"), answered=False) == ""


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"ok": False, "error": "Bad Input"}, "bad input"),
        ({"message": "m"}, "m"),
        ({"Error": {"Message": "nested 1"}}, "nested N"),
        ({"error": {"code": 1, "kind": 2}}, "code kind"),  # no text inside: its keys
        ({"error": 7, "detail": "the detail"}, "the detail"),
        ({"ok": True}, ""),
        (["error"], ""),
    ],
)
def test_an_answer_may_carry_its_error_message(document: object, message: str) -> None:
    assert error_text(answer(document), answered=True) == message


def test_an_answer_that_is_not_json_carries_no_message() -> None:
    assert error_text(Outcome(status=200, body=b"plain text"), answered=True) == ""
    failed = Outcome(status=500, body=b"plain text")
    assert error_text(failed, answered=False) == "plain text"


# -- the bucket ------------------------------------------------------------------------


def difference(kind: DiffKind, path: str) -> Difference:
    return Difference(kind, path, path, left=1, right=2)


def test_the_fields_are_top_level_with_indices_folded() -> None:
    bucket = Bucket.of(
        "s",
        answer({}),
        answer({}),
        [
            difference(DiffKind.VALUE, "/a/b/c"),
            difference(DiffKind.TYPE, "/*/*/x"),
            difference(DiffKind.STATUS, ""),
            difference(DiffKind.PROPERTY, "/no-ssn"),
        ],
        answered=(True, True),
    )
    assert bucket.fields == ("/*/*/x", "/a", "property no-ssn", "status")


def test_three_sibling_fields_fold_into_one() -> None:
    paths = ["/a", "/b", "/c"]
    three = Bucket.of(
        "s", answer({}), answer({}), [difference(DiffKind.VALUE, p) for p in paths],
        answered=(True, True),
    )  # fmt: skip
    two = Bucket.of(
        "s", answer({}), answer({}), [difference(DiffKind.VALUE, p) for p in paths[:2]],
        answered=(True, True),
    )  # fmt: skip
    assert (three.fields, two.fields) == (("/*",), ("/a", "/b"))
    assert Bucket.of("s", answer({}), answer({}), [], answered=(True, True)).fields == ()


def test_a_field_named_after_a_key_of_the_input_is_data_and_folds() -> None:
    def bucket(key: str) -> Bucket:
        value = {key: None, "nested": [{"k": 1}]}
        missing = difference(DiffKind.MISSING, "/" + key.replace("/", "~1"))
        return Bucket.of(
            "s", answer({}), answer({}), [missing], answered=(True, True), keys=input_keys(value)
        )

    # An echo service dropping one-character keys: one bucket, whatever the key.
    assert bucket("0") == bucket("5") == bucket("a/b")
    assert bucket("0").fields == ("/*",)
    schema = Bucket.of(
        "s", answer({}), answer({}), [difference(DiffKind.MISSING, "/status")],
        answered=(True, True), keys=input_keys({"0": None}),
    )  # fmt: skip
    assert schema.fields == ("/status",)  # a field the input does not name stays


def test_the_keys_of_an_input_are_its_object_keys_at_any_depth() -> None:
    assert input_keys({"a": [{"b": 1}, {"c": {"d": 2}}], "e": "f"}) == {"a", "b", "c", "d", "e"}
    assert input_keys('{"a": 1}') == frozenset()  # text: no keys of its own
    assert input_keys(b'{"a": 1}') == frozenset()
    assert input_keys(WireInput(b'{"a": 1}', "duplicate_key", "")) == {"a"}  # what parses
    assert input_keys(WireInput(b'{"a": 1', "truncated", "cut")) == frozenset()


@pytest.mark.parametrize(
    ("answered", "failed"),
    [
        ((True, True), ""),
        ((False, True), "left"),
        ((True, False), "right"),
        ((False, False), "both"),
    ],
)
def test_the_bucket_says_which_side_failed(answered: tuple[bool, bool], failed: str) -> None:
    left, right = Outcome(status=200, body=b"{}"), Outcome(status=500, body=b"down 3")
    bucket = Bucket.of("s", left, right, [], answered=answered)
    assert bucket.failed == failed
    assert bucket.statuses == (200, 500)
    assert bucket.surface == "s"
    assert bucket.errors == (
        error_text(left, answered=answered[0]),
        error_text(right, answered=answered[1]),
    )


def test_the_bucket_record_and_label() -> None:
    left, right = answer({"Schema": {}}, 422), Outcome(status=400, body=b'{"error": "json: x"}')
    bucket = Bucket.of(
        "validator", left, right, [difference(DiffKind.STATUS, "")], answered=(True, False)
    )
    assert bucket.label == "422/400, right failed: status (- | json: x)"
    assert bucket.to_json() == {
        "id": bucket.id,
        "statuses": [422, 400],
        "failed": "right",
        "kinds": ["status"],
        "errors": ["", "json: x"],
        "label": "422/400, right failed: status (- | json: x)",
    }
    quiet = Bucket.of("v", answer({}), answer({}), [], answered=(True, True))
    assert quiet.label == "200/200: -"
    assert quiet.key == '["v",[200,200],"",[],["",""]]'
    assert len(quiet.id) == 10
    assert quiet.id != bucket.id
