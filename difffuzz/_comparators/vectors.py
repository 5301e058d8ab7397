"""The ``cosine`` rule: two embedding vectors must point the same way.

The embed surface cannot be compared by value: Rust returns unit vectors in
64-bit floats, Go the raw model output (norm around 20) round-tripped through
32-bit floats. Direction is what callers rely on, so the rule is cosine
similarity at or above ``min`` (default 0.99999). Cosine is undefined for a
zero vector or one holding NaN or an infinity; those are reported as VALUE
differences with a qualifier naming each side's condition (``zero/ok``),
except two zero vectors, which agree.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from difffuzz._comparators.base import (
    Compare,
    CompareSpec,
    Comparison,
    Difference,
    DiffKind,
    Rule,
)
from difffuzz._comparators.json_rules import (
    check_pointers,
    collect,
    max_differences,
    parse_and_select,
    refuse_ignore,
)
from difffuzz._comparators.numeric import is_number
from difffuzz._comparators.params import check_names, flag_param, number_param
from difffuzz._comparators.structure import display, json_type
from difffuzz._outcome import Outcome
from difffuzz._pointer import join

if TYPE_CHECKING:
    import numpy as np

__all__ = ["COSINE", "COSINE_PARAMS", "compile_cosine", "cosine", "vector_differences"]

COSINE_PARAMS = frozenset({"min", "batch", "max_differences"})
DEFAULT_MIN = 0.99999

_CONDITION_DETAIL = {
    "nan": "NaN in {side} vector",
    "inf": "infinite value in {side} vector",
    "zero": "zero vector on {side}",
}


def _as_floats(vector: list[Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
    import numpy as np  # deferred: only the embed surface pays for it

    # Integers beyond the float range become infinities rather than raising.
    values = []
    for item in vector:
        try:
            values.append(float(item))
        except OverflowError:
            values.append(math.inf if item > 0 else -math.inf)
    return np.asarray(values, dtype=np.float64)


def _condition(vector: np.ndarray[Any, np.dtype[np.float64]]) -> str:
    import numpy as np

    if np.isnan(vector).any():
        return "nan"
    if np.isinf(vector).any():
        return "inf"
    if not vector.any():
        return "zero"
    return "ok"


def cosine(left: list[Any], right: list[Any]) -> float:
    """Cosine similarity of two equal-length, finite, non-zero vectors, in [-1, 1].

    Each vector is first divided by its largest magnitude, which leaves the
    cosine unchanged and keeps huge components from overflowing the norm.

    >>> round(cosine([1.0, 0.0], [20.0, 0.0]), 12)
    1.0
    """
    import numpy as np

    a, b = _as_floats(left), _as_floats(right)
    a = a / np.abs(a).max()
    b = b / np.abs(b).max()
    value = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
    return min(1.0, max(-1.0, value))


def _describe(value: Any) -> str:
    if isinstance(value, list) and all(is_number(item) for item in value):
        return "vector"
    return json_type(value)


def vector_differences(
    left: Any, right: Any, minimum: float, location: str = "", path: str = ""
) -> tuple[list[Difference], float | None]:
    """Differences between two selected vectors, and ``1 - cosine`` when defined.

    >>> differences, distance = vector_differences([1.0, 0.0], [0.0, 0.0], 0.99999)
    >>> differences[0].detail, distance
    ('zero vector on right', None)
    """
    where, at = display(path), display(location)
    kinds = (_describe(left), _describe(right))
    if kinds != ("vector", "vector"):
        detail = "both sides must be arrays of numbers"
        return [
            Difference(DiffKind.TYPE, where, at, left, right, detail, f"{kinds[0]}/{kinds[1]}")
        ], None
    if len(left) != len(right):
        detail = f"{len(left)} dimensions on the left, {len(right)} on the right"
        return [Difference(DiffKind.LENGTH, where, at, len(left), len(right), detail)], None
    conditions = (_condition(_as_floats(left)), _condition(_as_floats(right)))
    if conditions == ("zero", "zero"):
        return [], 0.0
    if conditions != ("ok", "ok"):
        detail = "; ".join(
            _CONDITION_DETAIL[condition].format(side=side)
            for condition, side in zip(conditions, ("left", "right"), strict=True)
            if condition != "ok"
        )
        qualifier = f"{conditions[0]}/{conditions[1]}"
        return [Difference(DiffKind.VALUE, where, at, left, right, detail, qualifier)], None
    similarity = cosine(left, right)
    distance = 1.0 - similarity
    if similarity < minimum:
        detail = f"cosine {similarity:.9f} is below min {minimum}"
        return [Difference(DiffKind.VALUE, where, at, left, right, detail, "cosine")], distance
    return [], distance


def compile_cosine(spec: CompareSpec) -> Compare:
    """Selected vectors must have cosine similarity >= ``min``.

    Parameters: ``min`` (default 0.99999), ``batch`` (the selections are
    arrays of vectors compared pairwise; different counts are a LENGTH
    difference), ``max_differences``. ``distance`` is ``1 - cosine`` (the
    largest over a batch).

    >>> compare = compile_cosine(
    ...     CompareSpec("cosine", select_left="/embeddings/0", select_right="/vectors/0"))
    >>> rust = Outcome(200, b'{"embeddings": [[0.6, 0.8]], "dimensions": 2}')
    >>> go = Outcome(200, b'{"vectors": [[12.0, 16.0]], "dimension": 2}')
    >>> compare(rust, go).equal
    True
    """
    check_names("cosine", spec.params, COSINE_PARAMS)
    found = number_param("cosine", spec.params, "min", DEFAULT_MIN, low=-1.0, high=1.0)
    minimum = DEFAULT_MIN if found is None else found
    batch = flag_param("cosine", spec.params, "batch", False)
    cap = max_differences("cosine", spec.params)
    refuse_ignore("cosine", spec, "whole vectors", "use select to pick the vectors instead")
    check_pointers(spec)

    def compare(left: Outcome, right: Outcome) -> Comparison:
        selected = parse_and_select("cosine", left, right, spec)
        if isinstance(selected, Comparison):
            return selected
        if _identical(selected.left, selected.right):
            # Reflexive by construction: two identical answers agree, even when the
            # cosine is undefined (both sides answered a vector of nulls).
            return Comparison(rule="cosine", distance=0.0)
        if not batch:
            differences, distance = vector_differences(selected.left, selected.right, minimum)
            return Comparison(rule="cosine", differences=tuple(differences), distance=distance)
        return _compare_batch(selected.left, selected.right, minimum, cap)

    return compare


def _identical(left: Any, right: Any) -> bool:
    """Same JSON value, NaN included (``nan != nan`` would hide an identical answer)."""
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


def _compare_batch(left: Any, right: Any, minimum: float, cap: int) -> Comparison:
    if not isinstance(left, list) or not isinstance(right, list):
        qualifier = f"{json_type(left)}/{json_type(right)}"
        detail = "with batch = true both selections must be arrays of vectors"
        return Comparison(
            rule="cosine",
            differences=(Difference(DiffKind.TYPE, "/", "/", left, right, detail, qualifier),),
        )
    differences: list[Difference] = []
    if len(left) != len(right):
        detail = f"{len(left)} vectors on the left, {len(right)} on the right"
        differences.append(Difference(DiffKind.LENGTH, "/", "/", len(left), len(right), detail))
    distances: list[float] = []
    for index, (a, b) in enumerate(zip(left, right, strict=False)):
        found, distance = vector_differences(a, b, minimum, join("", index), "/*")
        differences.extend(found)
        if distance is not None:
            distances.append(distance)
    return Comparison(
        rule="cosine",
        differences=collect(differences, cap),
        distance=max(distances) if distances else None,
    )


#: The rule of this module, as the registry holds it.
COSINE = Rule("cosine", compile_cosine)
