"""Sorting a finding into new / known / known gap: a pure function of what is known."""

from __future__ import annotations

from dataclasses import dataclass

from difffuzz._config import SurfaceSpec
from difffuzz._corpus import Fixture
from difffuzz._results import FindingStatus
from difffuzz._signature import Signature

__all__ = ["Classification", "classify"]


@dataclass(frozen=True)
class Classification:
    status: FindingStatus
    #: Why a known gap is accepted ("" otherwise).
    reason: str = ""
    #: The corpus fixture the finding matches, if any.
    fixture: Fixture | None = None


def classify(signature: Signature, surface: SurfaceSpec, fixture: Fixture | None) -> Classification:
    """``fixture`` is the corpus fixture holding the same cause, if any.

    A gap in the config wins over a fixture; a fixture marked as a gap is a gap too.
    """
    gap = surface.known_gap(signature)
    if gap is not None:
        return Classification(FindingStatus.KNOWN_GAP, gap.reason, fixture)
    if fixture is not None and fixture.known_gap:
        return Classification(FindingStatus.KNOWN_GAP, fixture.known_gap, fixture)
    if fixture is not None:
        return Classification(FindingStatus.KNOWN, "", fixture)
    return Classification(FindingStatus.NEW)
