"""The transport protocol: how one input reaches one runtime.

A transport renders an input into a concrete :class:`Request` (what would go on
the wire or down a pipe: the reproduction commands are built from it) and sends
it, returning an :class:`~difffuzz.Outcome`. Backend exceptions (httpx errors,
``OSError`` from ``subprocess``) are translated into ``Outcome.failure`` at this
boundary and never escape it. Each request names its ``kind``: the entry of
:mod:`difffuzz._transports.kind` that reproduces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import ClassVar, Protocol, Self, runtime_checkable

from difffuzz._inputs import FileTree, Input
from difffuzz._outcome import Outcome
from difffuzz._secrets import Secret

__all__ = [
    "ClosesOnExit",
    "CommandRequest",
    "HTTPRequest",
    "PythonRequest",
    "Request",
    "Transport",
]


@dataclass(frozen=True)
class HTTPRequest:
    """One HTTP request; ``secrets`` are values in its URL and headers a
    reproduction must read from the environment instead of showing."""

    #: The transport kind that sends (and reproduces) it: its entry in the registry.
    kind: ClassVar[str] = "http"

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: Sent with chunked transfer encoding, no Content-Length (a wire mutation).
    chunked: bool = False
    secrets: tuple[Secret, ...] = ()


@dataclass(frozen=True)
class CommandRequest:
    """One helper process: argv (placeholders still unexpanded), input bytes, input folder.

    ``stdin`` holds the input's bytes; ``feeds_stdin`` says whether they go to the
    process's standard input (they may only fill ``{input_file}``). ``secrets``
    are values in ``env`` a reproduction must read from the environment.
    """

    kind: ClassVar[str] = "command"

    argv: tuple[str, ...]
    stdin: bytes = b""
    tree: FileTree | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None
    feeds_stdin: bool = True
    secrets: tuple[Secret, ...] = ()


@dataclass(frozen=True)
class PythonRequest:
    """One in-process call of ``target`` ("module:function") with ``argument``."""

    kind: ClassVar[str] = "python"

    target: str
    argument: Input


class Request(Protocol):
    """What a transport renders an input into: any frozen record naming its ``kind``,
    the transport kind that reproduces it (``HTTPRequest``, ``CommandRequest``,
    ``PythonRequest``, or a new transport's own)."""

    kind: ClassVar[str]


@runtime_checkable
class Transport(Protocol):
    """Sends inputs to one runtime for one surface.

    Implementations: ``HTTPTransport``, ``CommandTransport``, ``PythonTransport``
    and ``MockTransport`` (for tests).
    """

    #: A short description of where requests go (a URL, an argv), for messages.
    target: str

    def render(self, value: Input) -> Request:
        """The request :meth:`send` would make for ``value``, without sending it."""
        ...

    def send(self, value: Input) -> Outcome:
        """Send ``value`` and return what came back. Never raises for runtime faults."""
        ...

    def close(self) -> None:
        """Release connections and other resources."""
        ...


class ClosesOnExit:
    """Context-manager behaviour every transport shares: leaving the block closes it."""

    def close(self) -> None:
        """Release resources; transports that hold none keep this no-op."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
