"""A fixed stack for code whose answer depends on it: runtimes called in-process, and
the parsing of their answers.

A recursive reader (``json.loads`` on 1,025 nested arrays, a recursive-descent
parser, ``repr`` of a deep value) succeeds or raises ``RecursionError`` depending
on how many frames are left under the interpreter's recursion limit, and that
depends on the caller: Hypothesis runs a test with 2,000 free frames above its own
(``ensure_free_stackframes``); a confirmation after the round, a replay or ``ci``
runs with whatever the limit leaves (1,000 frames in all, by default). One input
must get one answer and one verdict wherever it is sent from, so both the python
transport and the judge run their work with exactly :data:`FREE_FRAMES` free.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["FREE_FRAMES", "free_frames"]

#: Frames free above the caller, wherever it is called from (what Hypothesis gives).
FREE_FRAMES = 2000

_limit_lock = threading.Lock()
_active_limits: list[int] = []
_limit_before: list[int] = []


def _stack_depth() -> int:
    depth = 0
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


@contextmanager
def free_frames(frames: int) -> Iterator[None]:
    """Run the block with exactly ``frames`` stack frames free above the caller.

    The recursion limit is one per interpreter, so calls running at once on
    several threads share it: while any is running the limit is the largest any
    of them asked for, and the limit from before the first is put back after
    the last.
    """
    wanted = _stack_depth() + frames
    with _limit_lock:
        if not _active_limits:
            _limit_before.append(sys.getrecursionlimit())
        _active_limits.append(wanted)
        sys.setrecursionlimit(max(_active_limits))
    try:
        yield
    finally:
        with _limit_lock:
            _active_limits.remove(wanted)
            sys.setrecursionlimit(max(_active_limits) if _active_limits else _limit_before.pop())
