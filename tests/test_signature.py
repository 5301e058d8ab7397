"""Divergence signatures: what makes two divergences one finding, and the id fixtures carry.

The id is a compatibility promise: corpus files are named ``<id>-<digest>.json``
and known gaps may name it, so the hard-coded ids below must only change with a
deliberate, announced migration of every corpus.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from difffuzz._comparators.base import Difference, DiffKind
from difffuzz._signature import SIBLING_FOLD, Signature, collapse_path

SHAPE_422 = Signature("validator", (422, 422), (("extra", "/Kind", ""), ("missing", "/Schema", "")))


def diff(kind: DiffKind, path: str, qualifier: str = "", **values: Any) -> Difference:
    return Difference(kind, path, location=path, qualifier=qualifier, **values)


# -- the id -------------------------------------------------------------------


def test_the_id_of_a_fixed_signature_never_changes() -> None:
    assert SHAPE_422.canonical == (
        '{"parts":[["extra","/Kind",""],["missing","/Schema",""]],'
        '"statuses":[422,422],"surface":"validator"}'
    )
    assert SHAPE_422.id == "490f06310b"
    failed = Signature("embed", (200, None), (("status", "", "answered/failed"),))
    assert failed.id == "e38ee3d301"


def test_the_id_is_the_same_in_a_fresh_interpreter() -> None:
    # Hash randomisation (PYTHONHASHSEED) must not reach the id: set ordering is
    # the usual way it would.
    code = (
        "from difffuzz._signature import Signature\n"
        "from difffuzz._comparators.base import Difference, DiffKind\n"
        "d = [Difference(DiffKind.MISSING, '/Schema'), Difference(DiffKind.EXTRA, '/Kind')]\n"
        "print(Signature.of('validator', (422, 422), d).id)\n"
    )
    ids = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert ids == {SHAPE_422.id}


def test_values_and_locations_do_not_enter_the_signature() -> None:
    first = Signature.of(
        "validator", (422, 422), [diff(DiffKind.MISSING, "/Schema", left={"reason": "a"})]
    )
    second = Signature.of(
        "validator",
        (422, 422),
        [Difference(DiffKind.MISSING, "/Schema", location="/Schema", left={"reason": "zz"})],
    )
    assert first == second
    assert first.id == second.id


def test_order_and_repetition_of_differences_do_not_matter() -> None:
    a, b = diff(DiffKind.MISSING, "/Schema"), diff(DiffKind.EXTRA, "/Kind")
    assert Signature.of("v", (422, 422), [a, b]) == Signature.of("v", (422, 422), [b, a, b])


@pytest.mark.parametrize(
    "other",
    [
        Signature("validator", (422, 400), SHAPE_422.parts),
        Signature("search", (422, 422), SHAPE_422.parts),
        Signature("validator", (422, 422), (("extra", "/Kind", "x"), ("missing", "/Schema", ""))),
        Signature("validator", (422, 422), (("missing", "/Schema", ""),)),
    ],
)
def test_status_surface_qualifier_and_parts_each_make_a_new_signature(other: Signature) -> None:
    assert other != SHAPE_422
    assert other.id != SHAPE_422.id


def test_the_same_differences_on_two_surfaces_are_two_signatures() -> None:
    # Fixtures are named by the id: one found on each surface must never share a name.
    differences = [diff(DiffKind.EXTRA, "/Kind"), diff(DiffKind.MISSING, "/Schema")]
    validator = Signature.of("validator", (422, 422), differences)
    search = Signature.of("search", (422, 422), differences)
    assert validator == SHAPE_422
    assert (search.surface, search.parts) == ("search", SHAPE_422.parts)
    assert search.id != validator.id


# -- collapse and sibling folding -----------------------------------------------


@pytest.mark.parametrize(
    ("path", "prefixes", "expected"),
    [
        ("/value/a/0", ["/value"], "/value/**"),
        ("/value", ["/value"], "/value"),
        ("/value/", ["/value/"], "/value/**"),
        ("/values/a", ["/value"], "/values/a"),  # a prefix is a whole segment, not text
        ("/*/record/x", ["/*/record"], "/*/record/**"),
        ("/other", ["/value"], "/other"),
    ],
)
def test_collapse_path(path: str, prefixes: list[str], expected: str) -> None:
    assert collapse_path(path, prefixes) == expected


def test_collapse_makes_generated_keys_one_signature() -> None:
    one = Signature.of("x", (0, 0), [diff(DiffKind.VALUE, "/value/aé")], collapse=["/value"])
    two = Signature.of("x", (0, 0), [diff(DiffKind.VALUE, "/value/b/c")], collapse=["/value"])
    assert one == two
    assert one.parts == (("value", "/value/**", ""),)


def test_many_siblings_of_one_kind_fold_into_parent_star() -> None:
    leaves = [diff(DiffKind.MISSING, f"/record/{k}") for k in "abcdef"[:SIBLING_FOLD]]
    other_leaves = [diff(DiffKind.MISSING, f"/record/{k}") for k in "uvwxyz"]
    folded = Signature.of("s", (0, 0), leaves)
    assert folded.parts == (("missing", "/record/*", ""),)
    # Any set of generated keys that differ gives the same finding.
    assert Signature.of("s", (0, 0), other_leaves) == folded


def test_fewer_siblings_than_the_fold_threshold_stay_apart() -> None:
    leaves = [diff(DiffKind.MISSING, f"/record/{k}") for k in "ab"[: SIBLING_FOLD - 1]]
    assert Signature.of("s", (0, 0), leaves).parts == tuple(
        ("missing", f"/record/{k}", "") for k in "ab"[: SIBLING_FOLD - 1]
    )


def test_folding_keeps_kinds_qualifiers_and_the_root_apart() -> None:
    differences = [
        diff(DiffKind.STATUS, "/", "200/422"),
        diff(DiffKind.STATUS, "", "answered/failed"),
        diff(DiffKind.VALUE, "/a"),
        diff(DiffKind.VALUE, "/b"),
        diff(DiffKind.TYPE, "/c", "number/string"),
        diff(DiffKind.VALUE, "/d", "x"),
    ]
    signature = Signature.of("s", (200, 422), differences)
    # Three top-level paths, but of three different (kind, qualifier) groups:
    # nothing folds, and the two ways of writing the root stay as written.
    assert signature.parts == tuple(
        sorted(
            [
                ("status", "/", "200/422"),
                ("status", "", "answered/failed"),
                ("value", "/a", ""),
                ("value", "/b", ""),
                ("type", "/c", "number/string"),
                ("value", "/d", "x"),
            ]
        )
    )


def test_the_validator_shape_gap_is_one_signature_whatever_the_fields() -> None:
    # Go writes exported struct fields: more of them, or fewer, is still the same bug.
    def shape(*go_fields: str) -> Signature:
        differences = [diff(DiffKind.MISSING, "/Schema")]
        differences += [diff(DiffKind.EXTRA, f"/{name}") for name in go_fields]
        return Signature.of("validator", (422, 422), differences)

    assert shape("Kind", "Field", "Reason") == shape("Kind", "Field", "Reason", "Hint")
    assert shape("Kind", "Field", "Reason").label == "shape: extra /*, missing /Schema [422/422]"


# -- category and label ------------------------------------------------------


@pytest.mark.parametrize(
    ("kinds", "category"),
    [
        (["value", "missing", "status"], "status"),
        (["value", "property"], "property"),
        (["value", "type"], "shape"),
        (["value", "parse"], "shape"),
        (["extra"], "shape"),
        (["value", "length", "order"], "value"),
    ],
)
def test_category_is_the_headline_kind(kinds: list[str], category: str) -> None:
    parts = tuple((kind, f"/{index}", "") for index, kind in enumerate(kinds))
    assert Signature("s", (200, 200), parts).category == category


def test_label_is_short_and_counts_what_it_leaves_out() -> None:
    parts = tuple(("value", f"/f{index}", "") for index in range(8))
    label = Signature("s", (200, None), parts).label
    assert label.startswith("value: value /f0, value /f1")
    assert label.endswith("+2 more [200/None]")
    assert Signature("s", (0, 0), (("parse", "", "json/not-json"),)).label == (
        "shape: parse / (json/not-json) [0/0]"
    )


# -- to_json / from_json --------------------------------------------------------


@given(
    st.text(min_size=1, max_size=5),
    st.tuples(st.none() | st.integers(0, 599), st.none() | st.integers(0, 599)),
    st.sets(
        st.tuples(
            st.sampled_from([k.value for k in DiffKind]),
            st.text(max_size=6),
            st.text(max_size=4),
        ),
        max_size=5,
    ),
)
def test_to_json_from_json_round_trip(
    surface: str, statuses: tuple[int | None, int | None], parts: set[tuple[str, str, str]]
) -> None:
    signature = Signature(surface, statuses, tuple(sorted(parts)))
    assert Signature.from_json(signature.to_json()) == signature


def test_from_json_rejects_an_edited_id() -> None:
    record = SHAPE_422.to_json()
    record["parts"] = [["missing", "/Schema", ""]]  # edited by hand, id left as it was
    with pytest.raises(ValueError, match="signature id '490f06310b' does not match its parts"):
        Signature.from_json(record)


def test_from_json_without_an_id_computes_it() -> None:
    record = SHAPE_422.to_json()
    del record["id"]
    assert Signature.from_json(record).id == SHAPE_422.id


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"statuses": [422]}, "malformed signature record"),
        ({"statuses": ["422", 422]}, "must be \\[int\\|null, int\\|null\\]"),
        ({"statuses": [True, 422]}, "must be \\[int\\|null, int\\|null\\]"),
        ({"statuses": [422, 422, 200]}, "must be \\[int\\|null, int\\|null\\]"),
        ({"parts": [["missing", "/Schema"]]}, "malformed signature record"),
        ({"parts": [["gone", "/Schema", ""]]}, "unknown kind 'gone'"),
        ({"surface": None, "parts": None}, "malformed signature record"),
    ],
)
def test_from_json_rejects_malformed_records(change: dict[str, Any], message: str) -> None:
    record = {**SHAPE_422.to_json(), **change}
    del record["id"]
    with pytest.raises(ValueError, match=message):
        Signature.from_json(record)


def test_from_json_rejects_a_missing_field() -> None:
    record = SHAPE_422.to_json()
    del record["statuses"]
    with pytest.raises(ValueError, match="malformed signature record"):
        Signature.from_json(record)
