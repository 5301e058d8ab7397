"""Confirming a finding: does its minimal input diverge every time, or was it a fault?

Before a finding is saved its minimal input is sent again ``confirmations``
times. One resend is not enough: an input-independent fault (a random 500, a
helper that crashes on one call in ten) reproduces once about one time in ten.
Counting alone is not enough either, since the resends can meet faults of
their own, and a fault on a resend must not cost a real divergence its
confirmation.

What tells them apart is whether a side *answered* (the judge's word: no
failure, a status that counts as an answer, output from a helper). A fault is a
side that did not: a crash, a 5xx, a cut body, no output. A real bug that shows
as a fault (a runtime that crashes on ``'é'``) is deterministic; a fault that
struck by chance is not, and once both runtimes have answered the same input,
the failure cannot be the input's doing. So, per resend:

=============================================  ==============================
the resend                                     counts as
=============================================  ==============================
the same signature                             reproduced
the runtimes agree                             contradicting
a divergence where both sides answered,        contradicting: the input has an
  when the finding is a fault                  answer; the fault came on top
a divergence where both sides answered,        another answer: outvotes the
  when the finding is one too                  finding if it comes back more
another fault, when the finding is one too     another answer (likewise)
another fault, when the finding answered       nothing (a fault of its own)
no answer at all (timeout), both failing alike nothing
=============================================  ==============================

A finding is flaky when a resend contradicted it, another answer came back
more often, or no resend reproduced it at all (nothing confirms it).

A fault that came back on every resend is still in doubt when another finding
of its bucket, the same fault on another input, turned out flaky: the runtime
has been seen failing that way by chance. With random 500s on 30% of calls,
three resends in a row come back 2.7% of the time, so among seven findings of
one such bucket one in six passed. Such a finding is resent ``DOUBT_FACTOR``
times as often again (:func:`doubt_chance_faults`); a fault the input causes
comes back every time, however often it is asked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from difffuzz._bucket import Bucket
from difffuzz._inputs import Input
from difffuzz._results import Observation, Verdict
from difffuzz._signature import Signature

__all__ = [
    "DOUBT_FACTOR",
    "Confirmation",
    "confirm",
    "doubt_chance_faults",
    "is_fault",
    "judge_resends",
    "unconfirmable",
]

#: How many times as many resends a fault in doubt gets (module docstring).
DOUBT_FACTOR = 4


@dataclass(frozen=True)
class Confirmation:
    """How often a finding's input came back with its divergence, and the verdict."""

    reproduced: int
    sent: int
    flaky: bool


def confirm(
    observation: Observation, observe: Callable[[Input], Observation], *, times: int
) -> Confirmation:
    """Send the minimal input ``times`` times more, and judge the resends."""
    return judge_resends(observation, [observe(observation.input) for _ in range(times)])


def is_fault(observation: Observation) -> bool:
    """Is this divergence a side failing to answer (a crash, a 5xx, no output)?"""
    return observation.bucket is not None and observation.bucket.failed != ""


def judge_resends(finding: Observation, resends: Sequence[Observation]) -> Confirmation:
    """The verdict of ``resends`` (observations of ``finding``'s input) on ``finding``
    (see the module docstring); a pure function."""
    if not resends:
        return Confirmation(0, 0, flaky=False)  # confirmations are off: nothing was asked
    fault = is_fault(finding)
    reproduced = contradicted = 0
    others: dict[Signature, int] = {}
    for resend in resends:
        if resend.verdict is Verdict.MATCH:
            contradicted += 1
        elif resend.verdict is not Verdict.DIVERGENCE or resend.signature is None:
            continue  # no answer to judge (infra error, both failing alike)
        elif resend.signature == finding.signature:
            reproduced += 1
        elif not is_fault(resend):
            if fault:
                contradicted += 1
            else:
                others[resend.signature] = others.get(resend.signature, 0) + 1
        elif fault:
            others[resend.signature] = others.get(resend.signature, 0) + 1
    outvoted = any(count > reproduced for count in others.values())
    flaky = contradicted > 0 or outvoted or reproduced == 0
    return Confirmation(reproduced, len(resends), flaky)


def unconfirmable(observation: Observation) -> Confirmation:
    """The verdict when the surface stopped early and nothing can be resent.

    A divergence found on a runtime that then went down, whose answer was a
    failure, is flaky: the fault may be all it shows.
    """
    failed = observation.left.failure is not None or observation.right.failure is not None
    return Confirmation(0, 0, failed)


def doubt_chance_faults(
    judged: Sequence[tuple[Observation, Confirmation]],
    again: Callable[[Observation], Confirmation],
) -> list[Confirmation]:
    """The verdicts of ``judged`` (findings and their confirmations), with each fault in
    doubt (module docstring) resent by ``again`` and judged on every resend."""
    chance: set[Bucket] = {
        observation.bucket
        for observation, confirmation in judged
        if confirmation.flaky and is_fault(observation) and observation.bucket is not None
    }
    verdicts = []
    for observation, confirmation in judged:
        if confirmation.flaky or confirmation.sent == 0 or observation.bucket not in chance:
            verdicts.append(confirmation)
            continue
        more = again(observation)
        verdicts.append(
            Confirmation(
                confirmation.reproduced + more.reproduced,
                confirmation.sent + more.sent,
                more.flaky,
            )
        )
    return verdicts
