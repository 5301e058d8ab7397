"""Everything the judge writes into an Observation, field by field.

``test_judge.py`` checks verdicts; these pin what reports, buckets and fixtures
read from the observation: its surface and input, the status differences the
judge adds (their words, values and qualifiers), the bucket, and which runtime's
normalize steps ran on which side.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from difffuzz._bucket import Bucket
from difffuzz._comparators.base import Difference, DiffKind
from difffuzz._exceptions import ConfigError
from difffuzz._inputs import Input
from difffuzz._judge import Judge
from difffuzz._outcome import Failure, Outcome
from difffuzz._properties import runtime_property
from difffuzz._results import GapHit, Verdict
from tests.test_judge import RUNTIMES, surface
from tests.test_judge_normalize import GAP_REASON, TRACKED, go_error, rust_error
from tests.test_judge_normalize import surface as normalize_surface

ANSWER = Outcome(status=0, body=b'{"text": "<"}')
OTHER = Outcome(status=0, body=b'{"text": "&lt;"}')


@runtime_property("test-judge-echoes-input")
def echoes_input(outcome: Outcome, value: Input, params: Mapping[str, Any]) -> str | None:
    """A rule that reads the input: the answer must contain it."""
    return None if str(value).encode() in outcome.body else f"the answer lacks {value!r}"


def status_parts(differences: tuple[Difference, ...]) -> list[tuple[Any, ...]]:
    return [
        (d.path, d.left, d.right, d.detail, d.qualifier)
        for d in differences
        if d.kind is DiffKind.STATUS
    ]


def test_a_divergence_carries_its_surface_input_and_bucket() -> None:
    spec = surface()
    observation = Judge(spec, RUNTIMES).judge({"q": "<"}, ANSWER, OTHER)
    assert observation.verdict is Verdict.DIVERGENCE
    assert (observation.surface, observation.input) == ("probe", {"q": "<"})
    assert (observation.left, observation.right) == (ANSWER, OTHER)
    assert observation.comparison.rule == "json"
    assert observation.bucket == Bucket.of(
        "probe", ANSWER, OTHER, observation.comparison.differences, answered=(True, True)
    )
    assert observation.bucket is not None
    assert observation.bucket.surface == "probe"


def test_a_match_and_an_infra_error_carry_an_empty_comparison_of_the_rule() -> None:
    judge = Judge(surface(), RUNTIMES)
    down = Outcome(status=None, failure=Failure.TIMEOUT)
    infra = judge.judge("x", ANSWER, down)
    assert infra.verdict is Verdict.INFRA_ERROR
    assert (infra.comparison.rule, infra.comparison.differences) == ("json", ())
    assert (infra.surface, infra.input, infra.bucket) == ("probe", "x", None)


def test_one_side_failing_adds_a_status_part_in_words() -> None:
    # Each side in words: its failure, its status with "(no output)", or its status.
    crashed = Outcome(status=1, body=b"", stderr=b"boom")
    judge = Judge(surface(), RUNTIMES)
    left_failed = judge.judge("x", crashed, ANSWER)
    assert status_parts(left_failed.comparison.differences) == [
        ("", "1 (no output)", "0", "right answered, the other failed", "failed/answered")
    ]
    right_failed = judge.judge("x", ANSWER, crashed)
    assert status_parts(right_failed.comparison.differences) == [
        ("", "0", "1 (no output)", "left answered, the other failed", "answered/failed")
    ]
    assert right_failed.bucket is not None
    died = Outcome(status=None, failure=Failure.CRASHED, detail="killed by SIGSEGV")
    (part,) = status_parts(judge.judge("x", ANSWER, died).comparison.differences)
    assert part[1:3] == ("0", "crashed")


def test_both_failing_differently_adds_a_status_part_saying_so() -> None:
    judge = Judge(surface(), RUNTIMES)
    observation = judge.judge("x", Outcome(status=1, stderr=b"a"), Outcome(status=2, stderr=b"b"))
    (part,) = status_parts(observation.comparison.differences)
    assert part[3:] == ("both failed, differently", "failed differently")


def test_two_answer_statuses_add_the_status_pair() -> None:
    spec = surface("http", answer_status=[200, 422])
    observation = Judge(spec, RUNTIMES).judge(
        "x", Outcome(status=200, body=b"{}"), Outcome(status=422, body=b"{}")
    )
    assert status_parts(observation.comparison.differences) == [
        ("", 200, 422, "status 200 on the left, 422 on the right", "200/422")
    ]


def test_a_rule_reading_statuses_gets_no_second_status_part() -> None:
    spec = surface("http", answer_status=[200, 422], compare={"rule": "http"})
    observation = Judge(spec, RUNTIMES).judge(
        "x", Outcome(status=200, body=b"{}"), Outcome(status=422, body=b"{}")
    )
    assert len(status_parts(observation.comparison.differences)) == 1


def test_a_property_is_given_the_input() -> None:
    spec = surface(properties=[{"name": "test-judge-echoes-input"}])
    judge = Judge(spec, RUNTIMES)
    assert judge.judge("<", ANSWER, ANSWER).verdict is Verdict.MATCH
    observation = judge.judge("zz", ANSWER, ANSWER)
    assert [d.detail for d in observation.comparison.differences] == [
        "rust: the answer lacks 'zz'",
        "go: the answer lacks 'zz'",
    ]


@pytest.mark.parametrize("side", [0, 1], ids=["left", "right"])
def test_a_property_violated_on_one_side_is_that_side_s_difference(side: int) -> None:
    # The other side answered well: its check passes and nothing is said of it.
    judge = Judge(surface(properties=[{"name": "test-judge-echoes-input"}]), RUNTIMES)
    echoed, silent = Outcome(status=0, body=b'{"text": "zz"}'), ANSWER
    sides = (silent, echoed) if side == 0 else (echoed, silent)
    observation = judge.judge("zz", *sides)
    (violation,) = [d for d in observation.comparison.differences if d.kind is DiffKind.PROPERTY]
    said = "the answer lacks 'zz'"
    assert (violation.left, violation.right) == ((said, None) if side == 0 else (None, said))
    assert violation.detail == f"{RUNTIMES[side]}: {said}"
    assert violation.qualifier == RUNTIMES[side]


def test_a_side_that_failed_is_not_checked_but_the_other_still_is() -> None:
    # A crash is judged by the status rules; the side that answered keeps its checks.
    judge = Judge(surface(properties=[{"name": "test-judge-echoes-input"}]), RUNTIMES)
    crashed = Outcome(status=None, failure=Failure.CRASHED, detail="killed by SIGSEGV")
    observation = judge.judge("zz", crashed, ANSWER)
    properties = [d for d in observation.comparison.differences if d.kind is DiffKind.PROPERTY]
    assert [(d.qualifier, d.right) for d in properties] == [("go", "the answer lacks 'zz'")]


def test_each_side_gets_its_own_runtime_normalize_steps() -> None:
    spec = surface(runtimes={"rust": {"normalize": [{"jq": ".text |= ascii_upcase"}]}})
    judge = Judge(spec, RUNTIMES)
    assert judge.normalize(0, ANSWER).json == {"text": "<"}  # no letters to change
    lower = Outcome(status=0, body=b'{"text": "a"}')
    assert judge.normalize(0, lower).json == {"text": "A"}
    assert judge.normalize(1, lower).json == {"text": "a"}
    assert judge.judge("x", lower, Outcome(status=0, body=b'{"text": "A"}')).verdict is (
        Verdict.MATCH
    )


# -- tracked gaps and failing steps (the rules themselves: test_judge_normalize.py) -----


def test_each_tracked_gap_is_tried_even_after_one_that_changed_nothing() -> None:
    idle = {"reason": "a gap these answers never show", "normalize": {"go": [{"jq": "."}]}}
    judge = Judge(normalize_surface(gaps=[idle, TRACKED]), RUNTIMES)
    rust, go = rust_error("to", "bad"), go_error("to", "bad")
    observation = judge.judge("i", rust, go)
    (hit,) = observation.gap_hits
    reopened = Judge(normalize_surface(), RUNTIMES).judge("i", rust, go)
    assert reopened.signature is not None
    assert hit == GapHit(GAP_REASON, reopened.signature, reopened.comparison.differences)


@pytest.mark.parametrize("pad", ["y", "é"], ids=["ascii", "cut inside a character"])
def test_a_failing_step_names_the_runtime_and_quotes_the_answer_s_start(pad: str) -> None:
    # The quote is the answer's first 300 bytes; a character they cut in two is shown
    # as U+FFFD, never a UnicodeDecodeError in place of the message.
    spec = surface(runtimes={"go": {"normalize": [{"jq": ".a + 1"}]}})
    body = json.dumps({"a": "x", "pad": pad * 400}, ensure_ascii=False).encode()
    with pytest.raises(ConfigError) as error:
        Judge(spec, RUNTIMES).judge("x", ANSWER, Outcome(status=0, body=body))
    message = str(error.value)
    assert message.startswith("surfaces.probe (runtime go): normalize step")
    start = body[:299].decode() + ("y" if pad == "y" else "\ufffd")
    assert repr(start) in message
    assert repr(body[:301].decode()) not in message
    assert message.endswith(
        "Make the step handle every answer it can meet (in jq, "
        "'if COND then ... else . end' leaves the others as they are)"
    )
