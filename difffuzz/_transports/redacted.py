"""A transport whose answers hold no secret: what the engine and replay judge.

A runtime may echo its credentials (an error page that prints the
``Authorization`` header, a helper that logs its token). Reports redact what
they show; but the answers also go into fixtures, and a fixture's stored
answers are judged again beside live ones (known causes, which side changed on
replay). So the redaction happens here, once, as each answer arrives: every
answer above this boundary, live or stored, has the same secrets replaced by
the same marks, and a fixture judges today as it did when it was found.
"""

from __future__ import annotations

from difffuzz._inputs import Input
from difffuzz._outcome import Outcome
from difffuzz._secrets import Redactor
from difffuzz._transports.base import ClosesOnExit, Request, Transport

__all__ = ["RedactedTransport", "redacted"]


class RedactedTransport(ClosesOnExit):
    """Sends through ``inner``; each answer comes back through ``redactor``."""

    def __init__(self, inner: Transport, redactor: Redactor) -> None:
        self.inner = inner
        self.redactor = redactor
        self.target = inner.target

    def render(self, value: Input) -> Request:
        return self.inner.render(value)

    def send(self, value: Input) -> Outcome:
        return self.redactor.outcome(self.inner.send(value))

    def close(self) -> None:
        self.inner.close()


def redacted(transport: Transport, redactor: Redactor) -> Transport:
    """``transport`` with its answers redacted (itself when there is no secret)."""
    return RedactedTransport(transport, redactor) if redactor else transport
