"""The exception that tells Hypothesis "this example diverged", one type per key.

Hypothesis tells failures apart by exception type and location (its
"interesting origin") and shrinks each origin separately, never accepting a
shrink that turns one failure into another. A bare ``assert left == right``
would give every divergence the same origin, so all of them would be merged and
shrunk towards whichever is easiest. The engine raises instead, for each key it
wants shrunk on its own, a subclass of :class:`DivergenceFound` created once per
key and cached here.

This is engine-internal: a divergence is data (an ``Observation``), never an
exception outside the engine.
"""

from __future__ import annotations

import re

from difffuzz._results import Observation

__all__ = ["DivergenceFound", "exception_for"]


class DivergenceFound(AssertionError):
    """The two runtimes disagreed on one input (raised inside Hypothesis tests only)."""

    def __init__(self, observation: Observation) -> None:
        super().__init__(observation.signature.label if observation.signature else "divergence")
        self.observation = observation


_TYPES: dict[str, type[DivergenceFound]] = {}


def exception_for(key: str, name: str) -> type[DivergenceFound]:
    """The one exception type for ``key``; ``name`` only makes tracebacks readable."""
    if key not in _TYPES:
        safe = re.sub(r"\W", "_", name)
        _TYPES[key] = type(f"Divergence_{safe}", (DivergenceFound,), {})
    return _TYPES[key]
