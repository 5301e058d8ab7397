"""Answers reused while shrinking: fewer calls, the same campaign.

With deterministic runtimes, judging a repeated input from its first answers
must change nothing but the number of calls: the same examples, the same shrink
steps, the same findings. Exploring and confirming always call the runtimes.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from difffuzz._engine import SurfaceCampaign, SurfaceSettings
from difffuzz._engine.answers import MAX_BODY_BYTES, AnswerMemory
from difffuzz._inputs import Input
from difffuzz._judge import Judge
from difffuzz._outcome import Failure, Outcome
from difffuzz._transports import MockTransport
from tests.planted import planted_text
from tests.test_engine_quality import planted_config

SURFACE = planted_config("echo", "escaping_echo", "planted_text").surfaces["planted"]
RUNTIMES = ("left", "right")


def escaping(value: Input) -> tuple[int, Any]:
    assert isinstance(value, str)
    return 0, value.replace("<", "&lt;")


def campaign(reuse: bool, strategy: st.SearchStrategy[Any], **settings: Any) -> dict[str, Any]:
    left = MockTransport(lambda value: (0, value))
    right = MockTransport(escaping)
    runner = SurfaceCampaign(
        SURFACE,
        runtimes=RUNTIMES,
        left=left,
        right=right,
        settings=SurfaceSettings(seed=1, reuse_answers=reuse, **settings),
    )
    result = runner.run(strategy)
    findings = runner.findings(seed=1)
    runner.close()
    return {
        "stats": result.stats,
        "findings": [(f.input, f.signature.id, f.reproduced) for f in findings],
        "sent": len(left.sent),
        "reused": runner.answers.reused,
        "right sent": len(right.sent),
    }


def test_reusing_answers_changes_only_the_number_of_calls() -> None:
    fresh = campaign(False, planted_text(), max_examples=300)
    reused = campaign(True, planted_text(), max_examples=300)
    assert reused["findings"] == fresh["findings"] == [("<", reused["findings"][0][1], (3, 3))]
    assert reused["stats"].shrink_calls == fresh["stats"].shrink_calls > 0
    assert reused["stats"].examples == fresh["stats"].examples
    # Every call is accounted for: examples, shrink steps, three confirmations.
    calls = fresh["stats"].examples + fresh["stats"].shrink_calls + 3
    assert fresh["sent"] == fresh["right sent"] == calls
    assert fresh["reused"] == 0
    assert reused["reused"] > 0
    assert reused["sent"] == reused["right sent"] == calls - reused["reused"]


def test_exploring_sends_every_example_even_a_repeated_one() -> None:
    # Many choice sequences, two values: Hypothesis does not see the repeats.
    run = campaign(True, st.integers().map(lambda n: "ab"[n % 2]), max_examples=50)
    assert run["findings"] == []
    assert run["sent"] == run["stats"].examples == 50
    assert run["reused"] == 0


def test_memory_keys_by_the_exact_input_and_forgets_the_oldest() -> None:
    judge = Judge(SURFACE, RUNTIMES)
    memory = AnswerMemory(capacity=2)

    def seen(value: Input) -> None:
        memory.keep(judge.judge(value, Outcome(0, b"1"), Outcome(0, b"1")))

    seen({"a": 1, "b": 2})
    assert memory.recall({"a": 1, "b": 2}) is not None
    assert memory.recall({"b": 2, "a": 1}) is None  # key order reaches the wire
    seen("x")
    seen("y")
    assert memory.recall({"a": 1, "b": 2}) is None
    assert memory.recall("x") is not None
    assert memory.reused == 2


def test_a_failed_call_ends_the_reuse() -> None:
    judge = Judge(SURFACE, RUNTIMES)
    memory = AnswerMemory()
    memory.keep(judge.judge("<", Outcome(0, b"1"), Outcome(0, b"2")))
    assert memory.recall("<") is not None
    crash = Outcome(None, failure=Failure.CRASHED, detail="connection reset")
    memory.keep(judge.judge("x", crash, Outcome(0, b"1")))
    assert memory.recall("<") is None  # a runtime that failed once may answer otherwise
    memory.keep(judge.judge("y", Outcome(0, b"1"), Outcome(0, b"1")))
    assert memory.recall("y") is None
    assert not memory.trusted


def test_failures_and_large_answers_are_not_kept() -> None:
    judge = Judge(SURFACE, RUNTIMES)
    memory = AnswerMemory()
    timeout = Outcome(None, failure=Failure.TIMEOUT, detail="slow")
    crash = Outcome(None, failure=Failure.CRASHED, detail="connection reset")
    memory.keep(judge.judge("t", timeout, Outcome(0, b"1")))
    # A crash on one side is a divergence, but it may be the runtime's moment.
    crashed = judge.judge("c", crash, Outcome(0, b"1"))
    memory.keep(crashed)
    memory.keep(judge.judge("big", Outcome(0, b"x" * 70_000), Outcome(0, b"x" * 70_000)))
    assert crashed.signature is not None
    assert memory.recall("t") is None
    assert memory.recall("c") is None
    assert memory.recall("big") is None


def test_answers_over_64_kib_together_are_not_kept() -> None:
    # Both sides count: two answers just under the limit each are over it together.
    judge = Judge(SURFACE, RUNTIMES)
    memory = AnswerMemory()

    def text(size: int) -> Outcome:
        return Outcome(0, b'"' + b"x" * (size - 2) + b'"')

    half = MAX_BODY_BYTES // 2
    memory.keep(judge.judge("at", text(half), text(half)))
    memory.keep(judge.judge("over", text(half), text(half + 1)))
    assert memory.recall("at") is not None
    assert memory.recall("over") is None
