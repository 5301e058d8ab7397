"""Building findings and fixtures in tests from their parts, flat, as tests think of them.

A :class:`~difffuzz.Finding` and a :class:`~difffuzz.Fixture` each hold one
:class:`~difffuzz._divergence.Divergence`; these builders take its fields and
the record's own as keywords.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from difffuzz._comparators.base import CompareSpec, Comparison, Difference
from difffuzz._corpus import Fixture
from difffuzz._divergence import Divergence
from difffuzz._inputs import Input
from difffuzz._outcome import Outcome
from difffuzz._results import Finding
from difffuzz._signature import Signature

__all__ = ["changed", "finding_of", "fixture_of"]


def finding_of(
    surface: str,
    signature: Signature,
    input: Input,
    left: Outcome,
    right: Outcome,
    comparison: Comparison,
    compare_spec: CompareSpec,
    runtimes: tuple[str, str],
    **facts: Any,
) -> Finding:
    divergence = Divergence(
        surface, signature, input, runtimes, left, right, comparison, compare_spec
    )
    return Finding(divergence, **facts)


def fixture_of(
    surface: str,
    signature: Signature,
    input: Input,
    runtimes: tuple[str, str],
    left: Outcome,
    right: Outcome,
    differences: Sequence[Difference],
    compare: CompareSpec,
    **facts: Any,
) -> Fixture:
    # A fixture stores only the differences of its comparison, as Fixture.from_json reads it.
    comparison = Comparison(rule=compare.rule, differences=tuple(differences))
    divergence = Divergence(surface, signature, input, runtimes, left, right, comparison, compare)
    return Fixture(divergence, **facts)


_PARTS = {"surface", "signature", "input", "runtimes", "left", "right", "comparison", "compare"}


def changed(fixture: Fixture, **changes: Any) -> Fixture:
    """``fixture`` with some fields changed, its divergence's (``input``, ``left``,
    ``differences``, ...) and its own (``fixed_at``, ...) alike."""
    parts = {key: changes.pop(key) for key in list(changes) if key in _PARTS}
    if "differences" in changes:
        rule = parts.get("compare", fixture.compare).rule
        parts["comparison"] = Comparison(rule=rule, differences=tuple(changes.pop("differences")))
    return replace(fixture, divergence=replace(fixture.divergence, **parts), **changes)
