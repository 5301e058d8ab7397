"""The two checks that stop a surface, at their edges: what they count, what they say.

``test_engine_parts.py`` has their main cases (both conditions of the broken-runtime
check, the limit in a row); these pin the boundaries and the messages a user reads.
"""

from __future__ import annotations

import pytest

from difffuzz._comparators.base import Comparison
from difffuzz._engine.health import (
    BROKEN_AFTER,
    MAX_INFRA_EVENTS,
    BrokenRuntimeCheck,
    InfraPolicy,
    SurfaceAborted,
)
from difffuzz._inputs import Input
from difffuzz._outcome import Failure, Outcome
from difffuzz._results import InfraEvent, Observation, Verdict

#: Each runtime's own rule for "answered": the left one exits 0, the right one says 200.
ANSWERS = {0: 0, 1: 200}


def observation(left: Outcome, right: Outcome, value: Input = "x") -> Observation:
    return Observation(
        surface="s",
        input=value,
        left=left,
        right=right,
        comparison=Comparison(rule="json"),
        verdict=Verdict.MATCH,
    )


def check(after: int = BROKEN_AFTER) -> BrokenRuntimeCheck:
    return BrokenRuntimeCheck(
        surface="s",
        runtimes=("left", "right"),
        answered=lambda index, outcome: outcome.status == ANSWERS[index],
        after=after,
    )


LEFT_ANSWERS = Outcome(status=0, body=b"{}")
RIGHT_ANSWERS = Outcome(status=200, body=b"{}")
LEFT_BROKEN = Outcome(status=1, body=b"", stderr=b"ModuleNotFoundError: x")
RIGHT_BROKEN = Outcome(status=500, body=b"no route")


def test_a_surface_aborted_for_a_runtime_down_is_not_a_broken_runtime() -> None:
    assert SurfaceAborted("down").broken_runtime is False
    assert SurfaceAborted("broken", broken_runtime=True).broken_runtime is True


# -- infrastructure failures ---------------------------------------------------------


def test_each_infra_failure_is_kept_with_where_and_what() -> None:
    down = Outcome(status=None, failure=Failure.TIMEOUT, detail="after 5.0s")
    policy = InfraPolicy(
        surface="s", runtimes=("rust", "go"), targets=("http://a", "http://b"), limit=10
    )
    policy.note(observation(LEFT_ANSWERS, down, value={"q": 1}))
    assert policy.events == [
        InfraEvent(
            surface="s",
            runtime="go",
            target="http://b",
            failure="timeout",
            detail="after 5.0s",
            input={"q": 1},
        )
    ]


def test_at_most_max_infra_events_are_kept() -> None:
    down = Outcome(status=None, failure=Failure.UNREACHABLE)
    policy = InfraPolicy(surface="s", runtimes=("l", "r"), targets=("a", "b"), limit=10**6)
    for _ in range(MAX_INFRA_EVENTS + 5):
        policy.note(observation(LEFT_ANSWERS, down))
    assert len(policy.events) == MAX_INFRA_EVENTS


@pytest.mark.parametrize(
    ("detail", "said"), [("connection refused", "connection refused"), ("", "no detail")]
)
def test_the_infra_limit_message_names_the_runtime_the_failure_and_the_fix(
    detail: str, said: str
) -> None:
    down = Outcome(status=None, failure=Failure.UNREACHABLE, detail=detail)
    policy = InfraPolicy(surface="s", runtimes=("l", "r"), targets=("a", "http://b"), limit=1)
    with pytest.raises(SurfaceAborted) as aborted:
        policy.note(observation(LEFT_ANSWERS, down))
    assert aborted.value.reason == (
        f"runtime 'r' failed 1 calls in a row (unreachable: {said}) at http://b; check "
        "that it is running and answers within the timeout, or raise [campaign] timeout "
        "/ infra_error_limit"
    )
    assert not aborted.value.broken_runtime


# -- a broken runtime ----------------------------------------------------------------


@pytest.mark.parametrize("broken", ["left", "right"])
def test_each_runtime_is_judged_by_its_own_answer_rule(broken: str) -> None:
    # The left one answers with exit 0, the right one with 200: neither rule is the other's.
    guard = check()
    sides = (LEFT_BROKEN, RIGHT_ANSWERS) if broken == "left" else (LEFT_ANSWERS, RIGHT_BROKEN)
    for _ in range(BROKEN_AFTER - 1):
        guard.check(observation(*sides))
    with pytest.raises(SurfaceAborted, match=f"runtime '{broken}' failed the same way"):
        guard.check(observation(*sides))


@pytest.mark.parametrize(("answered", "broken"), [(9, False), (10, True)])
def test_the_other_runtime_must_answer_on_half_of_the_first_inputs(
    answered: int, broken: bool
) -> None:
    # 21 first inputs: half (rounded down) is 10.
    guard = check(after=21)
    raised = False
    for index in range(21):
        right = RIGHT_ANSWERS if index < answered else Outcome(status=503, body=b"%d" % index)
        try:
            guard.check(observation(LEFT_BROKEN, right))
        except SurfaceAborted:
            raised = True
    assert raised == broken


def test_failures_are_the_same_when_their_last_2000_bytes_of_stderr_are() -> None:
    # A traceback's head (a timestamp, a pid) may differ run to run; its tail says why.
    guard = check()
    for index in range(BROKEN_AFTER - 1):
        stderr = f"{index % 10}".encode() + b"x" * 2000
        guard.check(observation(Outcome(status=1, stderr=stderr), RIGHT_ANSWERS))
    with pytest.raises(SurfaceAborted):
        guard.check(observation(Outcome(status=1, stderr=b"9" + b"x" * 2000), RIGHT_ANSWERS))


def test_the_check_watches_exactly_the_first_inputs() -> None:
    guard = check()
    for _ in range(BROKEN_AFTER - 1):
        guard.check(observation(LEFT_ANSWERS, RIGHT_ANSWERS))
    assert not guard.done
    guard.check(observation(LEFT_ANSWERS, RIGHT_ANSWERS))
    assert guard.done


@pytest.mark.parametrize(
    ("broken_side", "said"),
    [
        (Outcome(status=1, body=b"ignored", stderr=b"  boom \xff\n"), ": boom \ufffd"),
        (Outcome(status=1, body=b" no such route "), ": no such route"),
        (Outcome(status=1, body=b""), ""),
        (Outcome(status=1, stderr=b"a" * 100 + b"b" * 300), ": " + "b" * 300),
    ],
)
def test_the_broken_runtime_message_quotes_the_end_of_what_it_said(
    broken_side: Outcome, said: str
) -> None:
    guard = check()
    for _ in range(BROKEN_AFTER - 1):
        guard.check(observation(broken_side, RIGHT_ANSWERS))
    with pytest.raises(SurfaceAborted) as aborted:
        guard.check(observation(broken_side, RIGHT_ANSWERS))
    assert aborted.value.broken_runtime
    assert aborted.value.reason == (
        f"runtime 'left' failed the same way on all of its first {BROKEN_AFTER} inputs "
        f"({broken_side.summary()}{said}) while the other runtime answered; its helper or "
        "route is probably broken: check surfaces.s.runtimes.left in the config"
    )
