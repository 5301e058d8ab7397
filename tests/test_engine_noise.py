"""Noise learning (:class:`~difffuzz._engine.noise.NoiseCalibrator`) on in-process runtimes.

What a user relies on: each generated input goes twice to each runtime, and only
what changed between the two answers of *one* runtime is learned, as a path where
the judge compares (after ``select``). A learned path is ignored for the rest of
the campaign, so learning one that is not noise hides a real difference: every
test here checks the exact list learned, not only that something was. A runtime
that does not answer stops the calibration at once; a call that failed or did not
parse says nothing about noise and skips that runtime, never the other one.

The engine-level checks (a noise-only pair yields nothing over many seeds) are in
``test_engine_statistics.py``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import strategies as st

from difffuzz._comparators.base import CompareSpec
from difffuzz._engine.noise import NoiseCalibrator
from difffuzz._inputs import Input
from difffuzz._outcome import Failure, Outcome
from difffuzz._transports import MockTransport

Answer = Outcome | tuple[int, Any]


def traced(value: Input, counter: Iterator[int]) -> dict[str, Any]:
    """An answer that echoes the input, with a field that changes on every call."""
    return {"text": value, "trace": next(counter)}


def noisy() -> Callable[[Input], Answer]:
    counter = itertools.count()
    return lambda value: (200, traced(value, counter))


def steady(value: Input) -> Answer:
    return (200, {"text": value})


def answers(*sequence: Answer, then: Callable[[Input], Answer] = steady) -> MockTransport:
    """A runtime that gives ``sequence`` on its first calls, then answers with ``then``."""
    queue = list(sequence)

    def handler(value: Input) -> Answer:
        return queue.pop(0) if queue else then(value)

    return MockTransport(handler)


def calibrator(
    left: MockTransport,
    right: MockTransport,
    *,
    select: tuple[str, str] = ("", ""),
    out_of_time: Callable[[], bool] = lambda: False,
) -> NoiseCalibrator:
    return NoiseCalibrator(
        spec=CompareSpec(rule="json"),
        sides=((left.send, select[0]), (right.send, select[1])),
        examples=3,
        seed=1,
        out_of_time=out_of_time,
    )


def test_what_changes_between_two_calls_of_one_runtime_is_learned_and_nothing_else() -> None:
    left, right = MockTransport(noisy()), MockTransport(steady)
    noise = calibrator(left, right)
    assert noise.calibrate("abc") == ["/trace"]
    # The input itself went twice to each runtime: a changed echo would be learned too.
    assert (left.sent, right.sent) == (["abc", "abc"], ["abc", "abc"])
    assert noise.calibrate("xyz") == []  # already known: nothing new
    assert noise.learned == ["/trace"]


def test_noise_is_learned_where_the_judge_compares_after_select() -> None:
    counter = itertools.count()
    left = MockTransport(lambda value: (200, {"data": traced(value, counter), "v": 1}))
    right = MockTransport(lambda value: (200, {"result": {"text": value}}))
    noise = calibrator(left, right, select=("/data", "/result"))
    assert noise.calibrate("abc") == ["/trace"]


def test_learning_runs_over_the_strategy_and_answers_with_everything_learned() -> None:
    counter = itertools.count()
    left = MockTransport(lambda value: (200, {"text": value, "at": next(counter)}))
    right = MockTransport(noisy())
    noise = calibrator(left, right)
    assert noise.learn(st.text()) == ["/at", "/trace"]
    assert len(left.sent) == 2 * noise.examples


@pytest.mark.parametrize("call", [0, 1], ids=["first call", "second call"])
@pytest.mark.parametrize("failure", [Failure.UNREACHABLE, Failure.TIMEOUT])
def test_a_runtime_that_does_not_answer_stops_calibration_for_good(
    call: int, failure: Failure
) -> None:
    silent = Outcome(None, failure=failure, detail="no answer")
    left = answers(*[(200, {"text": "abc"})] * call, silent, then=noisy())
    right = MockTransport(noisy())
    noise = calibrator(left, right)
    assert noise.calibrate("abc") == []
    assert noise.unreachable
    sent = (len(left.sent), len(right.sent))
    assert sent == (call + 1, 0)
    # The round loop's infrastructure policy takes over: nothing more is sent.
    assert noise.calibrate("xyz") == []
    assert (len(left.sent), len(right.sent)) == sent


def test_out_of_its_share_of_the_time_box_nothing_is_sent() -> None:
    left, right = MockTransport(noisy()), MockTransport(noisy())
    noise = calibrator(left, right, out_of_time=lambda: True)
    assert noise.calibrate("abc") == []
    assert (left.sent, right.sent) == ([], [])
    assert not noise.unreachable


@pytest.mark.parametrize("call", [0, 1], ids=["first call", "second call"])
def test_a_failed_call_skips_its_runtime_but_not_the_other(call: int) -> None:
    # A helper that printed an error object, then died: a failure, whatever its body.
    crashed = Outcome(None, b'{"error": "worker crashed"}', failure=Failure.CRASHED)
    left = answers(*[(200, {"text": "abc"})] * call, crashed)
    noise = calibrator(left, MockTransport(noisy()))
    assert noise.calibrate("abc") == ["/trace"]


@pytest.mark.parametrize("call", [0, 1], ids=["first call", "second call"])
def test_an_answer_that_is_not_json_skips_its_runtime_but_not_the_other(call: int) -> None:
    plain = (200, b"upstream hiccup, try again")
    left = answers(*[(200, {"text": "abc"})] * call, plain)
    noise = calibrator(left, MockTransport(noisy()))
    # Never "/": a parse failure is not noise, and ignoring "/" would hide everything.
    assert noise.calibrate("abc") == ["/trace"]


def test_rules_that_judge_whole_values_learn_nothing() -> None:
    left, right = MockTransport(noisy()), MockTransport(noisy())
    for rule in ("cosine", "topk"):
        noise = NoiseCalibrator(
            spec=CompareSpec(rule=rule),
            sides=((left.send, ""), (right.send, "")),
            examples=3,
            seed=1,
        )
        assert not noise.applies
        assert noise.learn(st.text()) == []
    assert (left.sent, right.sent) == ([], [])


def test_noise_is_learned_on_normalised_answers() -> None:
    # The judge compares normalised answers, so what a normalizer removes is no noise.
    counter = itertools.count()
    left = MockTransport(lambda value: (200, {"text": value, "at": next(counter)}))
    right = MockTransport(noisy())

    def drop_at(outcome: Outcome) -> Outcome:
        record = json.loads(outcome.body)
        del record["at"]
        return Outcome(outcome.status, json.dumps(record).encode())

    noise = NoiseCalibrator(
        spec=CompareSpec(rule="json"),
        sides=((left.send, ""), (right.send, "")),
        examples=3,
        seed=1,
        normalize=(drop_at, lambda outcome: outcome),
    )
    assert noise.calibrate("abc") == ["/trace"]  # the right side's; "/at" was normalised away
