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
"""

from __future__ import annotations

import os
import random
import sys
from types import FrameType

from hypothesis.errors import Flaky, FlakyStrategyDefinition, UnsatisfiedAssumption

from difffuzz._engine.divergence import DivergenceFound

__all__ = ["hypothesis_is_shrinking", "round_seed", "tool_errors"]

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
