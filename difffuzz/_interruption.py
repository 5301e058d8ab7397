"""Moments a stop signal must wait for: between starting a helper and owning it.

A signal handler that raises (:mod:`difffuzz._signals` turns SIGTERM into
``KeyboardInterrupt``) can strike anywhere, including inside
``subprocess.Popen`` after the fork: the helper is running, but the caller
never got the ``Popen`` object that would let it kill the helper's process
group, so the helper is orphaned. Code that must not be cut there runs
``with shielded():``; a handler that calls :func:`defer` while a shield is up
gets ``True`` and returns quietly, and the signal is raised again as the
outermost shield ends, where the caller's ``try``/``finally`` already holds
what it needs to clean up.

    process = None
    try:
        with shielded():
            process = subprocess.Popen(argv, start_new_session=True)
        ...                       # a deferred signal arrives here, inside the try
    finally:
        if process is not None:
            os.killpg(process.pid, signal.SIGKILL)

Shields are per process, not per thread: Python runs signal handlers in the
main thread, and the shielded code is the main thread's own.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

__all__ = ["defer", "shielded"]

_depth = 0
_deferred: list[int] = []


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Hold back deferrable signals until the block ends (see the module docstring)."""
    global _depth
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0 and _deferred:
            number = _deferred.pop(0)
            _deferred.clear()
            signal.raise_signal(number)


def defer(number: int) -> bool:
    """Called by a signal handler: ``True`` (and the signal kept) when a shield is up."""
    if _depth == 0:
        return False
    _deferred.append(number)
    return True
