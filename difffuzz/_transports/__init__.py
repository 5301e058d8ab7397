"""Transports: how an input reaches a runtime (HTTP, a helper process, in-process, mock).

:class:`TransportPair` sends one input to both runtimes of a surface at once.
"""

from difffuzz._transports.base import (
    CommandRequest,
    HTTPRequest,
    PythonRequest,
    Request,
    Transport,
)
from difffuzz._transports.command import CommandTransport
from difffuzz._transports.http import HTTPTransport
from difffuzz._transports.lines import LinesTransport
from difffuzz._transports.mock import MockTransport
from difffuzz._transports.pair import TransportPair
from difffuzz._transports.python import PythonTransport

__all__ = [
    "CommandRequest",
    "CommandTransport",
    "HTTPRequest",
    "HTTPTransport",
    "LinesTransport",
    "MockTransport",
    "PythonRequest",
    "PythonTransport",
    "Request",
    "Transport",
    "TransportPair",
]
