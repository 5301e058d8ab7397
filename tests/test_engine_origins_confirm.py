"""Unit tests for two engine parts split out of the round loop: which origin an
example raises for (``_engine/origins.py``) and the flaky verdict on resends
(``_engine/confirm.py``)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from difffuzz._bucket import Bucket
from difffuzz._comparators.base import CompareSpec, Comparison, Difference, DiffKind
from difffuzz._engine.candidates import Exemplars, explained
from difffuzz._engine.causes import Cause, Causes, KnownCauses
from difffuzz._engine.confirm import confirm, unconfirmable
from difffuzz._engine.origins import REDUCTION_TEST_MAX_SIZE, Origins
from difffuzz._engine.reduction import ReductionTest
from difffuzz._engine.settings import SurfaceSettings
from difffuzz._inputs import Input
from difffuzz._outcome import Failure, Outcome
from difffuzz._results import Observation, SurfaceResult, SurfaceStats, Verdict
from difffuzz._signature import Signature

ANSWER = Outcome(status=200, body=b"{}")


def _bucket(field: str) -> Bucket:
    return Bucket("s", (200, 200), "", (field,), ("", ""))


def _divergence(value: Input, *, field: str = "a", path: str | None = None) -> Observation:
    difference = Difference(kind=DiffKind.VALUE, path=path or f"/{field}", left=1, right=2)
    return Observation(
        surface="s",
        input=value,
        left=ANSWER,
        right=ANSWER,
        comparison=Comparison(rule="json", differences=(difference,)),
        verdict=Verdict.DIVERGENCE,
        signature=Signature.of("s", (200, 200), [difference]),
        bucket=_bucket(field),
    )


def _match(
    value: Input, *, left: Outcome = ANSWER, verdict: Verdict = Verdict.MATCH
) -> Observation:
    return Observation(
        surface="s",
        input=value,
        left=left,
        right=ANSWER,
        comparison=Comparison(rule="json"),
        verdict=verdict,
    )


def _origins(
    *, candidates_per_bucket: int = 8, max_candidates: int = 40, max_signatures: int = 40
) -> Origins:
    settings = SurfaceSettings(
        candidates_per_bucket=candidates_per_bucket,
        max_candidates=max_candidates,
        max_signatures=max_signatures,
    )
    result = SurfaceResult(surface="s", runtimes=("l", "r"), compare_spec=CompareSpec(rule="json"))
    return Origins(settings, result)


# -- origins ------------------------------------------------------------------------


def test_a_new_bucket_is_one_origin_whatever_its_fine_signature() -> None:
    origins = _origins()
    first = origins.assign(_divergence("x", path="/a/b"), causes=0)
    second = origins.assign(_divergence("y", path="/a/c"), causes=0)
    assert first is not None
    assert first is second
    assert not first.candidate
    assert len(origins) == 1


def test_in_a_shrunk_bucket_each_new_kind_of_character_is_its_own_candidate() -> None:
    origins = _origins()
    origins.shrunk_buckets.add(_bucket("a"))
    one = origins.assign(_divergence("x", path="/a/b"), causes=1)
    again = origins.assign(_divergence("zz", path="/a/c"), causes=1)  # another signature
    other = origins.assign(_divergence("X", path="/a/b"), causes=1)
    assert one is not None
    assert other is not None
    assert one is again  # lowercase letters both: one candidate, whatever the signature
    assert one is not other
    assert one.error is not other.error
    assert one.candidate
    assert other.candidate
    assert origins.result.candidates_examined == 2


def _known_cause(value: Input) -> tuple[Causes, KnownCauses]:
    causes = Causes()
    causes.add(Cause(bucket=_bucket("a"), best=_divergence(value), shrunk=True))
    return causes, KnownCauses()


def test_an_example_a_known_cause_accounts_for_is_no_candidate() -> None:
    origins = _origins()
    origins.shrunk_buckets.add(_bucket("a"))
    origins.know(*_known_cause("<"))
    assert origins.assign(_divergence("a<b"), causes=1) is None  # holds the known input
    assert origins.assign(_divergence("&"), causes=1) is not None  # another sign: a candidate
    # Another bucket knows nothing of "<".
    origins.shrunk_buckets.add(_bucket("b"))
    assert origins.assign(_divergence("a<b", field="b"), causes=1) is not None


class _Reducer:
    """The reduction test as the surface runs it, over a planted pair: an input is
    in the bucket while it holds ``cause``; it reduces to the known ``<`` when it
    holds ``<`` and the walk (here: one step) may spend a call."""

    def __init__(self, cause: str = "<") -> None:
        self.cause = cause
        self.inputs: list[Input] = []

    def __call__(
        self, observation: Observation, known: Sequence[Exemplars], budget: int
    ) -> Exemplars | None:
        self.inputs.append(observation.input)
        assert budget >= 1
        if isinstance(observation.input, str) and self.cause in observation.input:
            return next(iter(known))
        return None


def test_an_example_that_reduces_to_a_known_cause_spends_no_candidate() -> None:
    origins = _origins()
    origins.shrunk_buckets.add(_bucket("a"))
    causes, known = _known_cause("\t")  # a known cause the planted reducer reaches from "<"
    origins.know(causes, known)
    origins.reducer = reducer = _Reducer("<")
    assert origins.assign(_divergence("x<y"), causes=1) is None
    assert origins.result.candidates_examined == 0
    # Within the round the exemplars stay as they were (an origin Hypothesis is
    # shrinking must keep raising for it); an input holding the reduced one is
    # answered without a call.
    assert not explained("(x<y)", origins.exemplars[_bucket("a")])
    assert origins.assign(_divergence("(x<y)"), causes=1) is None
    assert reducer.inputs == ["x<y"]
    # An input that does not reduce is a candidate.
    assert origins.assign(_divergence("&"), causes=1) is not None
    assert origins.result.candidates_examined == 1
    # When the round ends the reduced input joins the cause's padded inputs.
    origins.end_round()
    origins.know(causes, known)
    assert explained("(x<y)", origins.exemplars[_bucket("a")])
    assert "x<y" in causes.items[0].exemplars.padded


def test_the_reduction_test_stops_at_its_share_of_the_surface() -> None:
    origins = _origins()
    origins.shrunk_buckets.add(_bucket("a"))
    origins.know(*_known_cause("\t"))
    origins.reducer = reducer = _Reducer("<")
    origins.reduction_calls_left = 0
    assert origins.assign(_divergence("x<y"), causes=1) is not None  # untested: a candidate
    assert reducer.inputs == []


def test_a_long_example_is_claimed_without_a_reduction_test() -> None:
    # The test drops one part a call: within its calls it cannot bring a long input
    # down to a known cause, and each walk over one (a list of thousands of ids) cost
    # seconds of CPU per example. Hypothesis shrinks the candidate instead.
    origins = _origins()
    origins.shrunk_buckets.add(_bucket("a"))
    origins.know(*_known_cause("\t"))
    origins.reducer = reducer = _Reducer("<")
    assert origins.assign(_divergence("x<y"), causes=1) is None  # a short one is tested
    assert reducer.inputs == ["x<y"]
    long = "<" + "x" * REDUCTION_TEST_MAX_SIZE
    assert origins.assign(_divergence(long), causes=1) is not None
    assert reducer.inputs == ["x<y"]


def test_forgetting_a_round_forgets_what_it_reduced() -> None:
    origins = _origins()
    origins.shrunk_buckets.add(_bucket("a"))
    causes, known = _known_cause("\t")
    origins.know(causes, known)
    origins.reducer = _Reducer("<")
    assert origins.assign(_divergence("x<y"), causes=1) is None
    origins.forget()
    origins.end_round()  # the next round ends: nothing of the forgotten one is kept
    assert causes.items[0].exemplars.padded == []


def test_while_shrinking_a_variant_of_a_known_input_may_raise_for_a_candidate() -> None:
    origins = _origins()
    origins.shrunk_buckets.add(_bucket("a"))
    origins.know(*_known_cause("T00.0"))
    assert origins.assign(_divergence("T00,0"), causes=1) is None  # exploring: a variant
    origin = origins.assign(_divergence("00,0"), causes=1)  # no kind of character new
    assert origin is not None
    # The candidate's shrink may reach the variant, which the round's end recognises.
    assert origins.assign(_divergence("T00,0"), causes=1, shrinking=True) is origin
    assert origins.assign(_divergence("xT00.0"), causes=1, shrinking=True) is None  # holds it


def test_while_shrinking_a_candidate_follows_its_example_to_any_new_kind_of_character() -> None:
    origins = _origins()
    origins.shrunk_buckets.add(_bucket("a"))
    origins.know(*_known_cause("#"))
    origin = origins.assign(_divergence(" &"), causes=1)  # a space: key "Zs"
    assert origin is not None
    origins.shrinking = origin  # Hypothesis shrinks it
    # "&" has no kind of character "#" lacks (key ""): it is the same candidate, not a
    # new one, so the shrink may drop the space.
    assert origins.assign(_divergence("&"), causes=1, shrinking=True) is origin
    assert origins.assign(_divergence("a&"), causes=1, shrinking=True) is origin
    assert origins.result.candidates_examined == 1
    assert origins.assign(_divergence("x#"), causes=1, shrinking=True) is None  # known
    # Another bucket's example claims its own origin.
    assert origins.assign(_divergence("&", field="b"), causes=1, shrinking=True) is not origin


def test_a_key_is_claimed_again_in_a_later_round_until_its_bucket_turns_up_nothing() -> None:
    origins = _origins(candidates_per_bucket=2)
    origins.shrunk_buckets.add(_bucket("a"))
    assert origins.assign(_divergence("x"), causes=1) is not None
    origins.end_round()
    assert origins.assign(_divergence("x"), causes=1) is not None  # a new round
    origins.end_round()
    # Two candidates of the bucket turned out to be known causes: its budget is spent.
    origins.fruitless[_bucket("a")] = 2
    assert origins.assign(_divergence("x"), causes=1) is None
    assert origins.result.candidates_examined == 2


@pytest.mark.parametrize(("per_bucket", "campaign", "claimed"), [(2, 40, 2), (8, 3, 3), (1, 1, 1)])
def test_candidates_stop_at_the_bucket_and_campaign_limits(
    per_bucket: int, campaign: int, claimed: int
) -> None:
    origins = _origins(candidates_per_bucket=per_bucket, max_candidates=campaign)
    origins.shrunk_buckets.add(_bucket("a"))
    kinds = ["a", "A", "1", " ", "-", "("]  # six kinds of character: six keys
    got = [
        origins.assign(_divergence(kind, path=f"/a/{i}"), causes=1) for i, kind in enumerate(kinds)
    ]
    assert sum(o is not None for o in got) == claimed
    assert origins.result.candidates_examined == claimed


def test_new_buckets_past_the_signature_cap_are_counted_once_and_not_shrunk() -> None:
    origins = _origins(max_signatures=2)
    assert origins.assign(_divergence("x", field="a"), causes=1) is not None
    assert origins.assign(_divergence("x", field="b"), causes=1) is None
    assert origins.assign(_divergence("y", field="b"), causes=1) is None
    assert origins.result.dropped_signatures == 1


def test_a_round_ends_with_its_buckets_shrunk_and_its_origins_cleared() -> None:
    origins = _origins()
    origin = origins.assign(_divergence("x"), causes=0)
    assert origin is not None
    origin.offer(_divergence("xyz"))
    origin.offer(_divergence("xy"))
    assert origin.best is not None
    assert origin.best.input == "xy"
    assert origins.end_round() == [origin]
    assert len(origins) == 0
    assert _bucket("a") in origins.shrunk_buckets


def test_forgotten_origins_leave_no_bucket_shrunk() -> None:
    origins = _origins()
    origins.assign(_divergence("x"), causes=0)
    origins.forget()
    assert origins.end_round() == []
    assert not origins.shrunk_buckets


# -- confirm ------------------------------------------------------------------------


def _confirm_with(found: Observation, *answers: Observation) -> tuple[int, int, bool, int]:
    queue = iter(answers)
    calls = []

    def observe(value: object) -> Observation:
        calls.append(value)
        return next(queue)

    result = confirm(found, observe, times=len(answers))
    assert calls == [found.input] * len(answers)
    return result.reproduced, result.sent, result.flaky, len(calls)


def test_a_divergence_that_comes_back_every_time_is_confirmed() -> None:
    found = _divergence("x")
    assert _confirm_with(found, found, found, found) == (3, 3, False, 3)


def test_one_resend_on_which_the_runtimes_agree_makes_it_flaky() -> None:
    found = _divergence("x")
    assert _confirm_with(found, found, _match("x"), found)[2] is True


def test_resends_that_hit_faults_of_their_own_say_nothing() -> None:
    found = _divergence("x")
    fault = _divergence("x", path="/a/other")
    assert _confirm_with(found, found, fault, found)[:3] == (2, 3, False)
    assert _confirm_with(found, fault, found, found)[:3] == (2, 3, False)


def test_another_divergence_that_comes_back_more_often_outvotes_it() -> None:
    found = _divergence("x")
    usual = _divergence("x", path="/a/other")
    assert _confirm_with(found, usual, usual, found)[:3] == (1, 3, True)


def test_a_finding_that_cannot_be_resent_is_flaky_only_when_a_side_failed() -> None:
    answered = _divergence("x")
    assert unconfirmable(answered).flaky is False
    failed = Observation(
        surface="s",
        input="x",
        left=Outcome(status=None, failure=Failure.CRASHED, detail="reset"),
        right=ANSWER,
        comparison=Comparison(rule="json"),
        verdict=Verdict.DIVERGENCE,
    )
    assert unconfirmable(failed).flaky is True
    assert (unconfirmable(failed).reproduced, unconfirmable(failed).sent) == (0, 0)


def _refused(value: Input) -> Observation:
    failed = Outcome(None, b"", failure=Failure.UNREACHABLE, detail="connection refused")
    return _match(value, left=failed, verdict=Verdict.INFRA_ERROR)


def test_the_reduction_test_counts_its_calls_and_leaves_an_unreliable_runtime_alone() -> None:
    origins = _origins()
    stats = SurfaceStats()
    sent: list[Input] = []

    def observe(value: Input) -> Observation:
        sent.append(value)
        text = str(value)
        return (
            _divergence(value) if "<" in text and "#" in text and len(text) <= 4 else _match(value)
        )

    test = ReductionTest(observe, stats, origins)
    share = origins.reduction_calls_left
    known = [Exemplars(forms=["<#"])]
    assert test(_divergence("ab<c#d"), known, 40) is known[0]
    assert stats.shrink_calls == len(sent) > 1
    assert origins.reduction_calls_left == share - len(sent)
    # A reduction that diverges in another bucket does not stay in the example's.
    elsewhere = ReductionTest(lambda value: _divergence(value, field="b"), stats, origins)
    assert elsewhere(_divergence("a<#"), known, 40) is None

    # A runtime that fails to answer is not probed again by the test: each call may
    # cost a timeout, for a test that only saves candidates.
    def down_observe(value: Input) -> Observation:
        sent.append(value)
        return _refused(value)

    down = ReductionTest(down_observe, stats, origins)
    sent.clear()
    assert down(_divergence("ab<c#d"), known, 40) is None
    assert len(sent) == 1
    assert origins.reduction_calls_left == 0
