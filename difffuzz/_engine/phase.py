"""What Hypothesis is doing right now, and what its errors mean for a campaign.

Hypothesis exposes no phase to the test function while it runs. Its
observability records carry ``metadata.phase``, but they are delivered after
each test case returns — too late for a call that must decide whether to spend
a runtime call on exploring or on shrinking. So :func:`hypothesis_is_shrinking`
looks at who called: a frame of Hypothesis's shrinker (``shrinker.py``,
``shrinking/``) or of its shrink phase (which first re-runs every failure) means
shrinking; otherwise a frame of its runner
(``conjecture/engine.py``) means generating; ``run_engine`` without the runner is
the final replay of each bug. Should a future Hypothesis move these, calls are
counted as examples: only statistics and budget shares get coarser, nothing is
lost.

Hypothesis also reads the wall clock in two places that change *which* inputs a
run sends: it stops generating 10 s after its first failure, and stops shrinking
after five minutes. On a loaded machine, or with a slower worker, the same seed
then gives another run. A run with an exact example budget must not depend on
the machine's speed (``ci``, ``run --seed``: the same inputs and verdicts with
any number of workers), so :class:`WallClock` moves both moments to "never"
there; the engine's own budgets (examples, shrink calls) end the round instead.
"""

from __future__ import annotations

import math
import os
import random
import sys
from types import FrameType

from hypothesis.errors import Flaky, FlakyStrategyDefinition, UnsatisfiedAssumption
from hypothesis.internal.conjecture.engine import ConjectureRunner

from difffuzz._engine.divergence import DivergenceFound

__all__ = ["WallClock", "hypothesis_is_shrinking", "round_seed", "tool_errors"]

_SHRINKER_FILE = "shrinker.py"
_SHRINKING_DIR = f"{os.sep}shrinking{os.sep}"
_RUNNER_FILE = f"conjecture{os.sep}engine.py"
_SHRINK_PHASE = "shrink_interesting_test_cases"


def hypothesis_is_shrinking() -> bool:
    """Is this call Hypothesis shrinking (or replaying its final examples)?"""
    frame: FrameType | None = sys._getframe(2)
    in_runner = False
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.endswith(_SHRINKER_FILE) or _SHRINKING_DIR in filename:
            return True
        if frame.f_code.co_name == _SHRINK_PHASE:
            return True  # the runner re-runs each failure before shrinking it
        in_runner = in_runner or filename.endswith(_RUNNER_FILE)
        if frame.f_code.co_name == "run_engine":
            return not in_runner
        frame = frame.f_back
    return False


class WallClock:
    """Keeps one round's Hypothesis runner from stopping on the wall clock (see above).

    :meth:`ignore` is called from inside the test function, at every example: the
    runner is found once among the callers, and its two deadlines are moved to
    infinity as soon as it has set them (the first failure; the shrink phase).
    Outside a runner it does nothing.
    """

    def __init__(self) -> None:
        self._runner: ConjectureRunner | None = None

    def ignore(self) -> None:
        runner = self._runner or _calling_runner()
        if runner is None:
            return
        self._runner = runner
        # Both start out "not yet" (infinity, None) and are set once per run.
        runner.first_bug_found_time = math.inf
        if runner.finish_shrinking_deadline is not None:
            runner.finish_shrinking_deadline = math.inf


def _calling_runner() -> ConjectureRunner | None:
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename.endswith(_RUNNER_FILE):
            runner = frame.f_locals.get("self")
            if isinstance(runner, ConjectureRunner):
                return runner
        frame = frame.f_back
    return None


def tool_errors(failure: BaseException) -> list[BaseException]:
    """The errors in what a Hypothesis run raised that are bugs, not findings.

    A run raises the divergences it found (one per key, in an exception group)
    and, when a runtime changed its answer between a find and the final replay,
    a ``Flaky`` group: neither is a bug. A ``reject()`` (an infrastructure
    error) or a divergence met again inside a flaky replay is the runtime's
    doing, too. What is left — a ``FlakyStrategyDefinition`` (the user's
    strategy draws differently for the same choices), a difffuzz bug — is
    returned so the engine can keep the findings and then report it.
    """
    if isinstance(failure, FlakyStrategyDefinition):
        return [failure]
    if isinstance(failure, BaseExceptionGroup):
        inner = [leaf for sub in failure.exceptions for leaf in tool_errors(sub)]
        if isinstance(failure, Flaky):
            return [leaf for leaf in inner if not isinstance(leaf, UnsatisfiedAssumption)]
        return inner
    if isinstance(failure, DivergenceFound | Flaky):
        return []
    return [failure]


def round_seed(seed: int, surface: str, number: int) -> int:
    """The seed of round ``number`` of ``surface``: stable for a campaign seed."""
    return random.Random(f"{seed}:{surface}:{number}").getrandbits(64)
