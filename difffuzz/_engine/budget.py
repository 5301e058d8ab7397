"""How much a surface may spend, and why it stopped: a value, not a cluster of flags.

A surface has an example budget, optionally a time box, and a shrink-call budget.
Exploring may use ``EXPLORE_SHARE`` of the time box; the rest is kept for
shrinking what was found, so a time-boxed run still saves small fixtures. One
round may shrink for at most ``ROUND_SHRINK_SHARE`` of the box: on a slow
surface (a helper process per call) the first bug found would otherwise take all
the shrinking time and leave nothing for exploring.

Like Hypothesis's ``ExitReason`` (``conjecture/engine.py``), the budget answers
with a :class:`StopReason`; the surface loop records the first one it meets.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "EXPLORE_SHARE",
    "FINDING_SHRINK_SHARE",
    "NOISE_SHARE",
    "ROUND_SHRINK_SHARE",
    "Budget",
    "StopReason",
]

#: Share of a surface's time budget spent exploring; the rest is for shrinking.
EXPLORE_SHARE = 0.6
#: Share of a time-boxed surface's budget one round may spend shrinking, and the
#: share per finding it shrinks when that is more (a round that met eight new
#: buckets shrinks eight findings).
ROUND_SHRINK_SHARE = 0.15
FINDING_SHRINK_SHARE = 0.05
#: Share of a time-boxed surface's budget noise learning may take (slow helpers
#: would otherwise spend the whole exploring share calibrating).
NOISE_SHARE = 0.1


class StopReason(StrEnum):
    """Why a surface (or one kind of call in it) stopped."""

    EXAMPLES = "the example budget is spent"
    EXPLORE_TIME = "the exploring share of the time box is spent"
    TIME = "the time box is spent"
    SHRINK_CALLS = "the shrink-call budget is spent"
    ROUND_SHRINK_TIME = "this round's share of shrinking time is spent"
    EXHAUSTED = "the strategy has no new inputs left"
    ABORTED = "a runtime is down or broken"
    INTERRUPTED = "interrupted"

    @property
    def cuts_shrinking(self) -> bool:
        """Does stopping for this reason leave findings possibly not minimal?"""
        return self in (StopReason.TIME, StopReason.SHRINK_CALLS, StopReason.ROUND_SHRINK_TIME)


@dataclass
class Budget:
    """Counts one surface's spending against its limits (time is monotonic seconds)."""

    max_examples: int
    max_seconds: float | None = None
    #: Shrink calls per finding.
    shrink_calls: int = 500
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    started: float = 0.0
    examples_used: int = 0
    shrink_calls_used: int = 0
    #: Shrink calls in this round, and the origins (findings) being shrunk in it.
    round_shrink_calls_used: int = 0
    _round_shrink_started: float | None = None

    def now(self) -> float:
        return self.clock()

    def start(self) -> None:
        self.started = self.now()

    @property
    def elapsed(self) -> float:
        return self.now() - self.started

    @property
    def examples_left(self) -> int:
        return max(0, self.max_examples - self.examples_used)

    def explore_stop(self) -> StopReason | None:
        """Why no further example may be explored, or None."""
        if self.examples_used >= self.max_examples:
            return StopReason.EXAMPLES
        if self.max_seconds is not None and self.elapsed > self.max_seconds * EXPLORE_SHARE:
            return StopReason.EXPLORE_TIME
        return None

    def shrink_stop(self) -> StopReason | None:
        """Why no further shrink (or polish) call may be made at all, or None."""
        if self.max_seconds is not None and self.elapsed > self.max_seconds:
            return StopReason.TIME
        return None

    def noise_spent(self) -> bool:
        """Has noise learning used its share of the time box?"""
        return self.max_seconds is not None and self.elapsed > self.max_seconds * NOISE_SHARE

    def round_shrink_stop(self, origins: int) -> StopReason | None:
        """Has this round spent what it may on shrinking its ``origins`` findings?

        The call budget is *per finding*: a round shrinking three origins may make
        three times ``shrink_calls``, so no finding is left unshrunk because
        another took the budget. On a time box the round may also shrink for
        ``ROUND_SHRINK_SHARE`` of the box (``FINDING_SHRINK_SHARE`` per finding when
        that is more), from its first shrink call on.
        """
        if self.round_shrink_calls_used >= self.shrink_calls * max(1, origins):
            return StopReason.SHRINK_CALLS
        if self.max_seconds is None:
            return None
        now = self.now()
        if self._round_shrink_started is None:
            self._round_shrink_started = now
        share = max(ROUND_SHRINK_SHARE, FINDING_SHRINK_SHARE * origins)
        if now - self._round_shrink_started > self.max_seconds * share:
            return StopReason.ROUND_SHRINK_TIME
        return None

    def new_round(self) -> None:
        """A round starts: its share of shrinking starts with its first shrink call."""
        self._round_shrink_started = None
        self.round_shrink_calls_used = 0
