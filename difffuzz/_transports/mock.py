"""A transport that answers from a function, for tests of the engine."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from difffuzz._inputs import Input
from difffuzz._outcome import Outcome
from difffuzz._transports.base import ClosesOnExit, PythonRequest
from difffuzz._transports.python import outcome_from_answer

__all__ = ["MockTransport"]

#: Takes what the test's strategy draws (the test knows its type, hence ``Any``).
Handler = Callable[[Any], Outcome | tuple[int, Any]]


class MockTransport(ClosesOnExit):
    """Answers each input with ``handler(input)``: an Outcome or ``(status, body)``.

    ``body`` may be bytes, str or a JSON value. Inputs are kept in ``sent``.
    Unlike the real transports it lets a handler's exception propagate, so a
    broken test double fails the test instead of looking like a crashed runtime.

    >>> mock = MockTransport(lambda value: (200, {"valid": True}))
    >>> mock.send("x").json
    {'valid': True}
    """

    def __init__(self, handler: Handler, target: str = "mock") -> None:
        self.handler = handler
        self.target = target
        self.sent: list[Input] = []

    def render(self, value: Input) -> PythonRequest:
        return PythonRequest(target=self.target, argument=value)

    def send(self, value: Input) -> Outcome:
        self.sent.append(value)
        started = time.perf_counter()
        answer = self.handler(value)
        return outcome_from_answer(answer, time.perf_counter() - started)

    def close(self) -> None:
        """Nothing to release."""
