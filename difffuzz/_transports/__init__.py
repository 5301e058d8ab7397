"""Transports: how an input reaches a runtime (HTTP, a helper process, in-process, mock)."""

from difffuzz._transports.base import (
    CommandRequest,
    HTTPRequest,
    PythonRequest,
    Request,
    Transport,
)
from difffuzz._transports.command import CommandTransport
from difffuzz._transports.http import HTTPTransport
from difffuzz._transports.mock import MockTransport
from difffuzz._transports.python import PythonTransport

__all__ = [
    "CommandRequest",
    "CommandTransport",
    "HTTPRequest",
    "HTTPTransport",
    "MockTransport",
    "PythonRequest",
    "PythonTransport",
    "Request",
    "Transport",
]
