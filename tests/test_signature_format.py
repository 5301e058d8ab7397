"""A signature as a fixture stores it, and the numeric tolerance at its edges.

Each test here kills mutants that ``benchmarks/mutation.py`` found surviving
``test_signature.py`` and ``test_comparators_json.py``: the stored record's keys
(a reviewer reads ``category`` and ``label``; nothing reads them back), the
messages of a hand-edited record, and ``Tolerance`` where its branches meet.
"""

from __future__ import annotations

import math

import pytest

from difffuzz._comparators.base import Difference, DiffKind
from difffuzz._comparators.numeric import Tolerance
from difffuzz._exceptions import ConfigError
from difffuzz._signature import Signature, collapse_path

SIGNATURE = Signature.of(
    "planted", (200, 422), [Difference(DiffKind.VALUE, "/text", left="<", right="&lt;")]
)


def test_the_stored_record_names_every_field_a_reviewer_reads() -> None:
    assert SIGNATURE.surface == "planted"
    assert SIGNATURE.to_json() == {
        "surface": "planted",
        "statuses": [200, 422],
        "id": SIGNATURE.id,
        "category": "value",
        "parts": [["value", "/text", ""]],
        "label": "value: value /text [200/422]",
    }


def test_a_hand_edited_record_is_refused_with_what_is_wrong() -> None:
    record = SIGNATURE.to_json()
    with pytest.raises(ValueError, match="expected one of ") as error:
        Signature.from_json({**record, "parts": [["valeu", "/text", ""]], "id": None})
    assert ", ".join(sorted(kind.value for kind in DiffKind)) in str(error.value)
    with pytest.raises(ValueError, match="does not match its parts") as error:
        Signature.from_json({**record, "id": "0000000000"})
    assert str(error.value).endswith(
        "the fixture was edited by hand or written by an incompatible difffuzz"
    )


def test_a_collapse_prefix_loses_only_its_trailing_slash() -> None:
    assert collapse_path("/rowX/a", ["/rowX/"]) == "/rowX/**"
    assert collapse_path("/row/a", ["/rowX/"]) == "/row/a"


# -- Tolerance where its branches meet ------------------------------------------------


def test_the_numeric_gap_of_special_values() -> None:
    exact = Tolerance()
    assert exact.delta(math.nan, math.nan) == 0.0
    assert exact.delta(math.nan, 1.0) == math.inf
    assert exact.delta(1, math.inf) == math.inf
    assert exact.delta(math.inf, 1) == math.inf
    assert exact.delta(2**1100, 1.0) == math.inf  # too large for a float subtraction
    assert exact.delta(3, 1.5) == 1.5


def test_a_tolerance_never_makes_nan_or_infinity_close_to_a_number() -> None:
    wide = Tolerance(abs_tol=1e308, rel_tol=1.0, ulps=10**6)
    assert not wide.close(1.0, math.nan)
    assert not wide.close(math.nan, 1.0)
    assert not wide.close(1.0, math.inf)
    assert not wide.close(math.inf, 1.0)


def test_rel_tol_includes_its_bound_and_ulps_refuses_what_no_float_holds() -> None:
    assert Tolerance(rel_tol=0.5).close(1, 2)  # the gap 1 is exactly half of 2
    assert not Tolerance(rel_tol=0.49).close(1, 2)
    assert not Tolerance(ulps=5).close(10**400, 10**400 + 1)


@pytest.mark.parametrize("name", ["abs_tol", "rel_tol"])
def test_a_negative_tolerance_is_refused(name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Tolerance.from_params("json", {name: -1.0})
