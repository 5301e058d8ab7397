"""Answers kept for inputs sent again while shrinking (``reuse_answers = true``).

Half of the inputs Hypothesis's shrinker tries on a surface have been sent
before (measured on the sample runtimes: 40-58% of shrink calls): different
choice sequences that produce the same value. Shrinking already rests on the
runtimes answering the same input the same way (a divergence that comes and
goes cannot be shrunk), so while shrinking an input sent before is judged from
its first answers instead of being sent again. Nothing else reuses them: while
exploring, a repeated input is a free check that the runtimes are
deterministic, and each finding's confirmations are always sent afresh, so a
flaky divergence is still reported as flaky.

Reuse stops for the rest of the surface at the first failed call (a timeout, a
crash, a refused connection, a cut body): a runtime that fails may not answer an
input the same way twice, which is what reuse rests on; a runtime going down
mid-shrink would otherwise have its last good answers stand in for the calls it
can no longer answer. Only small answers are kept, and only the most recent:
the point is the shrinker's tight loops, not a copy of the campaign.

Off by default. The fault suite's "runtime dies mid-campaign" showed why: with
fewer calls, the runtime's last call landed on a known cause's minimal input,
the crash it gave was one more divergence for that very input, and the engine's
identity rule (the same minimal input is the same cause, :mod:`.causes`) filed
it under the first cause, so an announced finding was not saved. Whatever the
number of calls, a runtime that answers one input two ways can meet that rule;
reuse only makes it likelier, and it is for the lead to decide.
"""

from __future__ import annotations

from collections import OrderedDict

from difffuzz._engine.causes import identity_of
from difffuzz._inputs import Input
from difffuzz._results import Observation

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
        #: False once a runtime failed: from then on every input is sent.
        self.trusted = True

    def recall(self, value: Input) -> Observation | None:
        if not self.trusted:
            return None
        key = identity_of(value)
        observation = self._kept.get(key)
        if observation is not None:
            self._kept.move_to_end(key)
            self.reused += 1
        return observation

    def keep(self, observation: Observation) -> None:
        """Remember ``observation``; a failed call ends the reuse for good (see below)."""
        if observation.left.failure is not None or observation.right.failure is not None:
            # A timeout, a refused connection, a crash or a cut answer: the runtime
            # may not answer an input the same way twice (it may be going down), so
            # an answer from before says nothing about the next call.
            self.trusted = False
            self._kept.clear()
            return
        if len(observation.left.body) + len(observation.right.body) > MAX_BODY_BYTES:
            return
        key = identity_of(observation.input)
        self._kept[key] = observation
        self._kept.move_to_end(key)
        while len(self._kept) > self.capacity:
            self._kept.popitem(last=False)
