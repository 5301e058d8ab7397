"""Answers kept for inputs sent again while shrinking.

Half of the inputs Hypothesis's shrinker tries on a surface have been sent
before (measured on the sample runtimes: 40-58% of shrink calls): different
choice sequences that produce the same value. Shrinking already rests on the
runtimes answering the same input the same way (a divergence that comes and
goes cannot be shrunk), so while shrinking an input sent before is judged from
its first answers instead of being sent again. Nothing else reuses them: while
exploring, a repeated input is a free check that the runtimes are
deterministic, and each finding's confirmations are always sent afresh, so a
flaky divergence is still reported as flaky.

Only small answers are kept, and only the most recent ones: the point is the
shrinker's tight loops, not a copy of the campaign.
"""

from __future__ import annotations

from collections import OrderedDict

from difffuzz._engine.causes import identity_of
from difffuzz._inputs import Input
from difffuzz._results import Observation, Verdict

__all__ = ["AnswerMemory"]

#: Observations kept, the most recently used.
CAPACITY = 1024
#: Answers larger than this (both sides together) are not kept.
MAX_BODY_BYTES = 64 * 1024


class AnswerMemory:
    """The observations of recent inputs, by the input's canonical form."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._kept: OrderedDict[str, Observation] = OrderedDict()
        #: Observations answered from memory instead of the runtimes.
        self.reused = 0

    def recall(self, value: Input) -> Observation | None:
        key = identity_of(value)
        observation = self._kept.get(key)
        if observation is not None:
            self._kept.move_to_end(key)
            self.reused += 1
        return observation

    def keep(self, observation: Observation) -> None:
        """Remember ``observation`` unless it is large or says nothing about the input."""
        if observation.verdict is Verdict.INFRA_ERROR:
            return  # a timeout or a refused connection must be tried again
        if len(observation.left.body) + len(observation.right.body) > MAX_BODY_BYTES:
            return
        key = identity_of(observation.input)
        self._kept[key] = observation
        self._kept.move_to_end(key)
        while len(self._kept) > self.capacity:
            self._kept.popitem(last=False)
