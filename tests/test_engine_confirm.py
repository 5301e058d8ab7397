"""Confirming a finding from its resends: a fault is never confirmed by chance, and a
fault on a resend never costs a real divergence its confirmation.

The observations are made by the real judge on an HTTP surface from answers of
the fault suite's *length* service (``tests/faults/fault_runtime.py``): the
planted bug (bytes counted for characters), another answer-level difference, a
500, a crash, a timeout, and both sides failing alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from difffuzz._config import parse_config
from difffuzz._engine.confirm import (
    DOUBT_FACTOR,
    Confirmation,
    doubt_chance_faults,
    is_fault,
    judge_resends,
)
from difffuzz._inputs import Input
from difffuzz._judge import Judge
from difffuzz._outcome import Failure, Outcome
from difffuzz._results import Observation, Verdict

_SURFACE = parse_config(
    {
        "runtimes": {
            "faulty": {"base_url": "http://127.0.0.1:3100"},
            "correct": {"base_url": "http://127.0.0.1:4110"},
        },
        "surfaces": {"length": {"strategy": "unicode_text", "path": "/v1/length"}},
    },
    source="<test>",
    base_dir=Path("."),
).surfaces["length"]
_JUDGE = Judge(_SURFACE, ("faulty", "correct"))


def _answer(body: str, status: int = 200) -> Outcome:
    return Outcome(status, body.encode("utf-8"))


RIGHT = _answer('{"chars": 1, "text": "é"}')
ANSWERS: dict[str, tuple[Outcome, Outcome]] = {
    "match": (RIGHT, RIGHT),
    "planted": (_answer('{"chars": 2, "text": "é"}'), RIGHT),
    "other": (_answer('{"chars": 1, "text": "e"}'), RIGHT),
    "error500": (_answer('{"error": "internal server error"}', 500), RIGHT),
    "crash": (Outcome(None, failure=Failure.CRASHED, detail="killed by SIGKILL"), RIGHT),
    "reset": (RIGHT, Outcome(None, failure=Failure.CRASHED, detail="connection reset")),
    "timeout": (Outcome(None, failure=Failure.TIMEOUT, detail="no answer in 0.3s"), RIGHT),
    "both500": (_answer('{"error": "down"}', 503), _answer('{"error": "down"}', 503)),
}
OBSERVED = {name: _JUDGE.judge("é", *pair) for name, pair in ANSWERS.items()}
CLEAN = ("planted", "other")  # both sides answered, and differently
FAULTS = ("error500", "crash", "reset")  # a side did not answer
SILENT = ("timeout", "both500")  # nothing to judge


def _confirm(finding: str, resends: list[str]) -> Confirmation:
    return judge_resends(OBSERVED[finding], [OBSERVED[name] for name in resends])


def test_the_observations_are_what_their_names_say() -> None:
    assert OBSERVED["match"].verdict is Verdict.MATCH
    assert [OBSERVED[n].verdict for n in SILENT] == [Verdict.INFRA_ERROR, Verdict.BOTH_FAILED]
    divergences = [OBSERVED[n] for n in (*CLEAN, *FAULTS)]
    assert all(o.verdict is Verdict.DIVERGENCE for o in divergences)
    assert len({o.signature for o in divergences}) == len(divergences)
    assert [is_fault(OBSERVED[n]) for n in (*CLEAN, *FAULTS)] == [False, False, True, True, True]


kinds = st.sampled_from(list(ANSWERS))
resends = st.lists(kinds, min_size=1, max_size=6)


@given(st.sampled_from([*CLEAN, *FAULTS]), resends)
def test_reproduced_counts_the_resends_with_the_findings_signature(
    finding: str, names: list[str]
) -> None:
    verdict = _confirm(finding, names)
    assert verdict.sent == len(names)
    assert verdict.reproduced == names.count(finding)


@given(st.sampled_from([*CLEAN, *FAULTS]), st.integers(1, 6))
def test_a_finding_that_comes_back_every_time_is_confirmed(finding: str, times: int) -> None:
    assert _confirm(finding, [finding] * times) == Confirmation(times, times, flaky=False)


@given(st.sampled_from(CLEAN), st.lists(st.sampled_from([*FAULTS, *SILENT]), max_size=5), st.data())
def test_faults_on_the_resends_never_demote_a_real_divergence(
    finding: str, noise: list[str], data: st.DataObject
) -> None:
    # However many resends hit a fault of their own, one reproduction is enough
    # when nothing contradicts it: the on-repeat case of the fault suite (500,
    # reproduced, 500) is the smallest.
    names = data.draw(st.permutations([finding, *noise]))
    assert not _confirm(finding, names).flaky


@given(st.sampled_from(FAULTS), resends)
def test_a_fault_is_flaky_once_a_resend_shows_the_runtimes_answering(
    finding: str, names: list[str]
) -> None:
    verdict = _confirm(finding, names)
    if any(name in ("match", *CLEAN) for name in names):
        assert verdict.flaky
    if names.count(finding) == len(names):
        assert not verdict.flaky


@given(st.sampled_from([*CLEAN, *FAULTS]), resends)
def test_a_resend_on_which_the_runtimes_agree_makes_any_finding_flaky(
    finding: str, names: list[str]
) -> None:
    assert _confirm(finding, [*names, "match"]).flaky


@given(st.sampled_from([*CLEAN, *FAULTS]), st.lists(st.sampled_from(SILENT), min_size=1))
def test_a_finding_no_resend_reproduced_is_flaky(finding: str, names: list[str]) -> None:
    assert _confirm(finding, names) == Confirmation(0, len(names), flaky=True)


#: For each finding, another divergence of its own kind: another answer-level
#: difference for one where both sides answered, another fault for a fault.
RIVALS = {
    "planted": "other",
    "other": "planted",
    "error500": "crash",
    "crash": "reset",
    "reset": "error500",
}


@given(st.sampled_from(list(RIVALS)), st.integers(1, 4), st.integers(0, 5), st.data())
def test_another_answer_outvotes_the_finding_only_when_it_comes_back_more_often(
    finding: str, reproduced: int, rival: int, data: st.DataObject
) -> None:
    # A tie keeps the finding: the rule is "more often", so a finding that came
    # back as often as the other answer is still the input's answer.
    names = data.draw(st.permutations([finding] * reproduced + [RIVALS[finding]] * rival))
    verdict = _confirm(finding, names)
    assert verdict == Confirmation(reproduced, reproduced + rival, flaky=rival > reproduced)


@pytest.mark.parametrize(
    ("finding", "names", "flaky"),
    [
        # The fault suite's "helper: crashes on 10% of calls": two crashes in a row
        # landed on the resends of a crash found on an input with the planted bug.
        ("crash", ["crash", "crash", "planted"], True),
        ("planted", ["error500", "planted", "error500"], False),
        ("planted", ["crash", "planted", "timeout"], False),
        # Another answer-level difference that comes back more often outvotes a finding.
        ("planted", ["other", "other", "planted"], True),
        ("planted", ["other", "planted", "planted"], False),
        # A fault can be outvoted by another fault, never a real answer by a fault.
        ("error500", ["crash", "crash", "error500"], True),
        ("error500", ["crash", "error500", "error500"], False),
    ],
)
def test_the_cases_the_rule_was_made_for(finding: str, names: list[str], flaky: bool) -> None:
    assert _confirm(finding, names).flaky is flaky


def test_no_resends_ask_nothing() -> None:
    assert judge_resends(OBSERVED["crash"], []) == Confirmation(0, 0, flaky=False)


def _judged(value: str, name: str) -> Observation:
    return _JUDGE.judge(value, *ANSWERS[name])


def test_a_fault_that_came_back_every_time_is_asked_again_when_its_bucket_showed_chance() -> None:
    # Three 500s for "a" and for "b", but "c"'s 500 went away on a resend: the runtime
    # fails that way by chance, so "a" and "b" are asked DOUBT_FACTOR times as often.
    asked: list[Input] = []
    again_answers = {"a": "error500", "b": "match"}  # a is a real crash, b a chance

    def again(observation: Observation) -> Confirmation:
        asked.append(observation.input)
        name = again_answers[str(observation.input)]
        resends = [_judged(str(observation.input), name)] * (DOUBT_FACTOR * 3)
        return judge_resends(observation, resends)

    faults = [_judged(value, "error500") for value in "abc"]
    first = [Confirmation(3, 3, False), Confirmation(3, 3, False), Confirmation(1, 3, True)]
    verdicts = doubt_chance_faults(list(zip(faults, first, strict=True)), again)
    assert asked == ["a", "b"]
    assert verdicts[0] == Confirmation(3 + 12, 3 + 12, flaky=False)  # every time: confirmed
    assert verdicts[1] == Confirmation(3, 15, flaky=True)  # the match contradicted it
    assert verdicts[2] == first[2]


def test_no_fault_is_asked_again_without_a_chance_fault_in_its_bucket() -> None:
    def again(observation: Observation) -> Confirmation:
        raise AssertionError(f"{observation.input!r} was asked again")

    planted, fault = _judged("a", "planted"), _judged("b", "error500")
    other_bucket = _judged("c", "crash")  # a crash is another bucket than a 500
    assert fault.bucket != other_bucket.bucket
    judged = [
        (planted, Confirmation(3, 3, False)),
        (fault, Confirmation(3, 3, False)),
        (other_bucket, Confirmation(0, 3, True)),
        (_judged("d", "planted"), Confirmation(0, 3, True)),  # flaky, but no fault
        (_judged("e", "crash"), Confirmation(0, 0, False)),  # confirmations are off
    ]
    verdicts = doubt_chance_faults(judged, again)
    assert verdicts == [confirmation for _, confirmation in judged]
