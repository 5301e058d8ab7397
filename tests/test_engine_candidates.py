"""Candidates (``_engine/candidates.py``): what a known cause accounts for, and how
candidates in a known bucket are told apart.

These are pure functions of inputs, so each rule is pinned here with the cases
that motivated it; the engine-level behaviour is in ``test_engine_identity.py``
and, on real libraries, in ``tests/quality/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

import difffuzz._polish
from difffuzz._comparators.base import Comparison
from difffuzz._engine import candidates
from difffuzz._engine.candidates import (
    WALK_CHARACTERS,
    Exemplars,
    candidate_key,
    contains,
    embeds,
    explained,
    features,
    is_variant,
    padding_of,
)
from difffuzz._inputs import FileTree, Input, WireInput, input_sort_key
from difffuzz._outcome import Outcome
from difffuzz._results import Observation, Verdict

texts = st.text(max_size=12)


@pytest.mark.parametrize(
    ("value", "part", "held"),
    [
        ("[NaN]", "NaN", True),
        (b'{"a":NaN}', b"NaN", True),
        ("NaN", "NaN", True),
        ("NaN", b"NaN", False),  # text and bytes never hold each other
        ("abc", "", False),  # the empty input holds nothing
        ([1, 13, 2], 13, True),
        ([1, [13]], [13], True),
        ([1, 13, 2], [13, 2], True),  # a list holds a list whose items it has in order
        ([2, 13], [13, 2], False),
        ({"k": [13]}, 13, True),
        ({"0<": 0, "b": 1}, {"<": 0}, True),  # a key holds a key, with its value
        ({"0<": 1}, {"<": 0}, False),
        (13, 113, False),  # numbers are values, not text
        (WireInput(b"[NaN]", "f", "m"), b"NaN", True),
    ],
)
def test_what_an_input_holds(value: Input, part: Input, held: bool) -> None:
    assert contains(value, part) is held


@given(texts)
def test_an_input_holds_itself(text: str) -> None:
    assert contains(text, text)
    assert is_variant(text, text)
    assert Exemplars(forms=[text]).explains(text)


def _wire(sent: bytes, family: str) -> WireInput:
    return WireInput(sent, family, f"a {family} mutation")


@pytest.mark.parametrize(
    ("value", "exemplar", "variant"),
    [
        ("\\z", "\\h", True),  # letters for letters
        ("0002", "0001", True),  # digits for digits
        ("(?f)1", "(?b)a", True),  # letters and digits stand for each other
        ("\t", " ", True),  # blanks for blanks, even alone
        ("-{e}", "a{e}", True),  # one character changed, whatever it is
        ("&", "#", False),  # but a lone sign is not a variant of another
        ("00010101T00 Z", "00010101T00.0", False),  # a sign changed and a digit too
        ("0002001", "0001", False),  # another length
        (b"\xef\xbb\xbf1", b"\xef\xbb\xbf0", True),
        ("1", b"1", False),
        (11, 10, True),  # a number by its digits
        (100, 10, False),
        ({"<": 1}, {"<": 0}, True),  # a record by its JSON text
        (True, False, False),
        # One wire-mutation family, whatever the bytes: the malformation is the cause.
        (_wire(b"[]", "document_replaced"), _wire(b"0", "document_replaced"), True),
        (_wire(b'{"a":1}x', "trailing_data"), _wire(b'{"a":1}{}', "trailing_data"), True),
        (_wire(b'{"a":1}x', "trailing_data"), _wire(b'{"a":1}/**/', "comment"), False),
        (_wire(b"[]", "document_replaced"), b"{}", False),  # beside plain bytes: by its bytes
    ],
)
def test_what_a_variant_is(value: Input, exemplar: Input, variant: bool) -> None:
    assert is_variant(value, exemplar) is variant


@given(texts, texts)
def test_being_a_variant_is_symmetric(one: str, other: str) -> None:
    assert is_variant(one, other) == is_variant(other, one)


def test_a_padded_input_is_held_but_never_the_base_of_a_variant() -> None:
    known = Exemplars(forms=["<"])
    known.add("0<")  # found to be "<" with padding: it holds the form
    assert known.padded == ["0<"]
    assert known.explains("a0<b")
    assert not known.explains("0#")  # a variant of "0<", which is padded: another cause
    known.add(">x")  # holds no known input: a form of its own
    assert known.forms == ["<", ">x"]
    known.add(">x")
    assert known.inputs == ["<", ">x", "0<"]


def test_a_smaller_input_a_form_holds_is_the_same_cause() -> None:
    known = Exemplars(forms=["[NaN]"])
    assert not known.explains("NaN")  # a candidate may be the smaller one ...
    assert known.relates("NaN")  # ... and is then the same cause
    assert not known.relates("Infinity")


@pytest.mark.parametrize(
    ("value", "form", "embedded"),
    [
        (b'{"":0,"\\ud800":0}', b'{"\\ud800":0}', True),  # a key before it
        ("0001-01-01T00.0", "00010101T00.0", True),  # separators between its characters
        ("a=0001-01-01T00:00", "a=00:00", True),
        ("xaybzc", "abc", True),
        ("abc", "abc", False),  # the same input is identity's business, not padding
        ("ab", "a", False),  # a form of one or two characters occurs anywhere by chance
        ("a" * 9 + "b" + "c", "abc", False),  # padding past three times the form
        ("acb", "abc", False),  # out of order
        ("abc", b"abc", False),  # text and bytes
        ([1, 2, 3], [1, 3], False),  # not text
    ],
)
def test_what_an_input_with_padding_between_its_characters_is(
    value: Input, form: Input, embedded: bool
) -> None:
    assert embeds(value, form) is embedded


@given(
    st.text(min_size=3, max_size=8),
    st.lists(st.tuples(st.integers(0, 8), st.text(min_size=1, max_size=2)), min_size=1, max_size=4),
)
def test_a_form_with_characters_inserted_is_embedded(
    form: str, insertions: list[tuple[int, str]]
) -> None:
    value = form
    for at, piece in insertions:
        value = value[:at] + piece + value[at:]
    assert embeds(value, form) is (len(value) <= 3 * len(form))


def test_a_shrunk_input_that_embeds_a_form_is_that_cause_but_no_example_is_explained_by_it() -> (
    None
):
    exemplars = Exemplars(forms=["00010101T00.0"])
    assert exemplars.relates("0001-01-01T00.0")
    assert not exemplars.explains("0001-01-01T00.0")


def test_while_shrinking_only_holding_a_known_input_keeps_an_example_out() -> None:
    known = [Exemplars(forms=["00010101T00.0"])]
    assert explained("00010101T00,0", known)  # a variant: no candidate spent on it
    assert not explained("00010101T00,0", known, variants=False)
    assert explained("x00010101T00.0", known, variants=False)


def test_explained_by_any_known_cause() -> None:
    known = [Exemplars(forms=["NaN"]), Exemplars(forms=["1e309"])]
    assert explained("[1e309]", known)
    assert explained("2e309", known)
    assert not explained('"\\ud800"', known)
    assert not explained("x", [])


def test_features_are_the_kinds_of_characters_and_values_an_input_carries() -> None:
    assert features("a1 ") == {"Ll", "Nd", "Zs"}
    assert features(b"\xef\xbb\xbf0") == {"non-ascii byte", "Nd"}
    assert features({"k": [1, 2.5, None, True]}) == {"Ll", "int", "float", "null", "bool"}
    assert features(FileTree.of({"a.json": b"{}"})) == {"Ll", "Po", "Ps", "Pe"}
    assert features(WireInput(b"[]", "f", "m")) == {"Ps", "Pe"}


def observation(value: Input) -> Observation:
    answer = Outcome(status=0, body=json.dumps({"ok": True}).encode())
    return Observation(
        surface="s",
        input=value,
        left=answer,
        right=answer,
        comparison=Comparison(rule="json"),
        verdict=Verdict.DIVERGENCE,
    )


def test_a_candidate_raises_for_the_first_kind_of_character_no_known_cause_carries() -> None:
    known = [Exemplars(forms=["#"])]  # punctuation (Po)
    assert candidate_key(observation("&"), known) == ""  # nothing new: the peeling origin
    assert candidate_key(observation("<"), known) == "Sm"
    assert candidate_key(observation("a<"), known) == "Ll"  # sorted: one key per example
    assert candidate_key(observation("a<"), [*known, Exemplars(forms=["a"])]) == "Sm"


def test_the_padding_test_meets_a_known_cause_before_it_slides_past_it() -> None:
    # The bucket holds every text with "{e" (a regex fuzzy constraint, closed or not).
    calls: list[object] = []

    def stays(value: object) -> bool:
        calls.append(value)
        return isinstance(value, str) and "{e" in value

    fuzzy, other = Exemplars(forms=["a{e}*"]), Exemplars(forms=["(*F)"])
    # "1{e}*" is a variant of "a{e}*"; '{e' is in the bucket too, and smaller.
    assert padding_of("1{e}*?", [other, fuzzy], stays, budget=80) is fuzzy
    assert padding_of("[{e]", [other], stays, budget=80) is None  # reaches "{e": no known cause
    calls.clear()
    assert padding_of("xxxxxxxx{e", [fuzzy], stays, budget=5) is None
    assert len(calls) <= 5


def test_the_padding_test_unwraps_and_lowers_numbers() -> None:
    def diverges(value: object) -> bool:
        return "NaN" in str(value) or (isinstance(value, int) and value >= 10)

    assert padding_of("[[NaN]]", [Exemplars(forms=["NaN"])], diverges, budget=20) is not None
    assert padding_of(4711, [Exemplars(forms=[10])], diverges, budget=40) is not None


def test_a_corpus_fixture_may_hold_the_reduction_a_shrunk_cause_may_not() -> None:
    def stays(value: object) -> bool:
        return isinstance(value, str) and "<" in value

    stored = Exemplars(forms=["a<"])  # a fixture with padding
    assert padding_of("< ", [stored], stays, budget=20, loose=[stored]) is stored
    assert padding_of("< ", [stored], stays, budget=20) is None


def test_the_padding_test_looks_at_a_bounded_amount_of_reductions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A list of thousands of ids has tens of thousands of reductions, each a copy of
    # it: the walk looks at no more of them than its share of characters, however
    # many calls it may still make.
    looked: list[Input] = []
    reductions = difffuzz._polish.reductions

    def counted(value: Input) -> Iterator[Input]:
        for option in reductions(value):
            looked.append(option)
            yield option

    monkeypatch.setattr(candidates, "reductions", counted)
    ids = [f"W-{n:05d}" for n in range(2000)]
    assert padding_of(ids, [Exemplars(forms=["<"])], lambda value: False, budget=80) is None
    size = input_sort_key(ids[1:])[0]
    assert 1 <= len(looked) <= WALK_CHARACTERS // size + 1
    # A short input's walk is not cut: it still finds its cause many steps down.
    looked.clear()
    padded = "[[[[" + "x" * 40 + "NaN" + "y" * 20 + "]]]]"
    found = padding_of(padded, [Exemplars(forms=["NaN"])], lambda v: "NaN" in str(v), budget=80)
    assert found is not None
