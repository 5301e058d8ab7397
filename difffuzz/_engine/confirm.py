"""Confirming a finding: its minimal input sent again, and the verdict on flakiness."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from difffuzz._inputs import Input
from difffuzz._results import Observation, Verdict
from difffuzz._signature import Signature

__all__ = ["Confirmation", "confirm", "unconfirmable"]


@dataclass(frozen=True)
class Confirmation:
    """How often a finding's input came back with its divergence, and the verdict."""

    reproduced: int
    sent: int
    flaky: bool


def confirm(
    observation: Observation, observe: Callable[[Input], Observation], *, times: int
) -> Confirmation:
    """Send the minimal input ``times`` times more.

    One resend is not enough: an input-independent fault (a random 500 on one call
    in ten) reproduces once about one time in ten. Only a resend on which the
    runtimes *agree* speaks against the divergence; a resend that hits a fault of
    its own (a 500, a crash, a cut body: another signature, or no answer) says
    nothing either way. A divergence is flaky when some resend contradicted it, or
    another divergence came back more often (the input's usual answer, with a
    fault on top the first time).
    """
    reproduced = contradicted = 0
    others: dict[Signature | None, int] = {}
    for _ in range(times):
        repeated = observe(observation.input)
        if repeated.verdict is Verdict.MATCH:
            contradicted += 1
        elif repeated.signature == observation.signature:
            reproduced += 1
        elif repeated.verdict is Verdict.DIVERGENCE:
            others[repeated.signature] = others.get(repeated.signature, 0) + 1
    outvoted = any(count > reproduced for count in others.values())
    return Confirmation(reproduced, times, contradicted > 0 or outvoted)


def unconfirmable(observation: Observation) -> Confirmation:
    """The verdict when the surface stopped early and nothing can be resent.

    A divergence found on a runtime that then went down, whose answer was a
    failure, is flaky: the fault may be all it shows.
    """
    failed = observation.left.failure is not None or observation.right.failure is not None
    return Confirmation(0, 0, failed)
