"""Both runtimes of a surface, asked the same question at the same time.

Most of an example's time is spent waiting: for the left runtime, then for the
right one. The two are independent processes (often on other cores or machines),
so :class:`TransportPair` sends to the right side on a thread of its own while
the calling thread sends to the left side: an example costs the slower of the
two calls instead of their sum. The GIL is released while a transport waits on
a socket or a pipe, which is nearly all of a call.

Each transport is still used by one thread at a time (the left one by the caller,
the right one by the pair's thread), so transports need no locks. Runtimes that
share state (one writes a file the other reads) can be asked in turn instead:
``concurrent=False``.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait

from difffuzz._inputs import Input
from difffuzz._outcome import Outcome
from difffuzz._transports.base import ClosesOnExit, Transport

__all__ = ["TransportPair"]


class TransportPair(ClosesOnExit):
    """Sends one input to two transports, concurrently unless told otherwise.

    The pair does not own the transports: :meth:`close` stops its thread and
    leaves them open for whoever opened them.

    >>> from difffuzz._transports.mock import MockTransport
    >>> rust, go = MockTransport(lambda v: (200, v)), MockTransport(lambda v: (422, v))
    >>> with TransportPair(rust, go) as pair:
    ...     [outcome.status for outcome in pair.send(1)]
    [200, 422]
    """

    def __init__(self, left: Transport, right: Transport, *, concurrent: bool = True) -> None:
        self.left = left
        self.right = right
        self.concurrent = concurrent
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    def _right_side(self) -> ThreadPoolExecutor:
        # Started on first use: a pair that is never sent through costs no thread.
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix=f"difffuzz {self.right.target}"
                )
            return self._executor

    def send(self, value: Input) -> tuple[Outcome, Outcome]:
        """Both answers to ``value``: (left, right).

        An exception from either transport (only test doubles raise) reaches the
        caller after both calls have finished, so no call outlives the example.
        Interrupted (Ctrl-C, a stop signal) while the right side is still waiting,
        the pair ends that call (a transport's ``cancel()``: a helper's process
        group is killed) before it lets the interrupt through.
        """
        if not self.concurrent:
            return self.left.send(value), self.right.send(value)
        pending: Future[Outcome] = self._right_side().submit(self.right.send, value)
        try:
            left = self.left.send(value)
            right = pending.result()
        except BaseException:
            if not pending.done():
                cancel = getattr(self.right, "cancel", None)
                if cancel is not None:
                    cancel()
            wait([pending])
            raise
        return left, right

    def close(self) -> None:
        """Stop the pair's thread (the transports stay open)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
