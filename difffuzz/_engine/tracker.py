"""The smallest input seen per signature, kept apart from Hypothesis.

Whatever happens to a Hypothesis run (a runtime going down, Ctrl-C, a flaky
replay), the tracker still holds the best input of every divergence seen, so
nothing already found is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from difffuzz._inputs import input_sort_key
from difffuzz._results import Observation
from difffuzz._signature import Signature

__all__ = ["Tracker"]


@dataclass
class Tracker:
    """The smallest input seen per signature, and how often each was hit."""

    best: dict[Signature, Observation] = field(default_factory=dict)
    counts: dict[Signature, int] = field(default_factory=dict)
    #: Signatures Hypothesis was asked to shrink (they raised at least once).
    raised: set[Signature] = field(default_factory=set)

    def record(self, observation: Observation, *, count: bool = True) -> bool:
        """Keep ``observation`` if it is the first or a smaller one; True when first.

        ``count`` is False for shrink calls: "seen N times" counts examples only.
        """
        signature = observation.signature
        assert signature is not None
        if count or signature not in self.counts:
            self.counts[signature] = self.counts.get(signature, 0) + 1
        current = self.best.get(signature)
        if current is None:
            self.best[signature] = observation
            return True
        if input_sort_key(observation.input) < input_sort_key(current.input):
            self.best[signature] = observation
        return False
