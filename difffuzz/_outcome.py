"""One value for every runtime answer, whatever carried it.

An HTTP response, a helper process's exit, and an in-process call all become an
:class:`Outcome` at the transport boundary; comparators, verdicts, fixtures and
reports see nothing else.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from difffuzz._jsontypes import JSONValue

__all__ = ["NOT_JSON", "Failure", "NotJSON", "Outcome", "parse_json"]


class Failure(StrEnum):
    """Why a call produced no ordinary answer."""

    UNREACHABLE = "unreachable"  # connection refused, DNS, executable missing
    TIMEOUT = "timeout"  # no answer within the surface's timeout
    CRASHED = "crashed"  # killed by a signal, connection reset mid-answer, exception
    TOO_LARGE = "too_large"  # answer larger than the configured limit

    @property
    def is_infrastructure(self) -> bool:
        """True when the failure says nothing about the input (not a finding)."""
        return self in (Failure.UNREACHABLE, Failure.TIMEOUT)


class NotJSON:
    """Marker for a body that does not parse as JSON (``NOT_JSON``)."""

    _instance: NotJSON | None = None

    def __new__(cls) -> NotJSON:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_JSON"

    def __bool__(self) -> bool:
        return False


NOT_JSON = NotJSON()


def _constant(name: str) -> float:
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[name]


def parse_json(body: bytes) -> JSONValue | NotJSON:
    """Parse a body the way a lenient reader would; ``NOT_JSON`` when it cannot.

    NaN and Infinity literals are accepted (both runtimes' languages can emit
    them) so that the comparator, not the parser, decides whether they match.
    A body of several lines that each parse is JSON Lines, read as a list (the
    materializer writes one evidence row per line).
    """
    text = body.strip()
    if not text:
        return NOT_JSON
    try:
        value: JSONValue = json.loads(text, parse_constant=_constant)
    except (ValueError, RecursionError):
        return _parse_json_lines(text)
    return value


def _parse_json_lines(text: bytes) -> JSONValue | NotJSON:
    lines = [line for line in text.split(b"\n") if line.strip()]
    if len(lines) < 2:
        return NOT_JSON
    try:
        return [json.loads(line, parse_constant=_constant) for line in lines]
    except (ValueError, RecursionError):
        return NOT_JSON


@dataclass(frozen=True)
class Outcome:
    """What one runtime answered for one input.

    ``status`` is the HTTP status or the process exit code (``None`` when the
    call itself failed, see ``failure``).

    >>> Outcome(status=200, body=b'{"valid": true}').json
    {'valid': True}
    """

    status: int | None
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    elapsed: float = 0.0
    failure: Failure | None = None
    detail: str = ""
    stderr: bytes = b""

    @cached_property
    def json(self) -> JSONValue | NotJSON:
        """The body parsed as JSON, or ``NOT_JSON``."""
        return parse_json(self.body)

    @property
    def parses(self) -> bool:
        return not isinstance(self.json, NotJSON)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def is_infrastructure_failure(self) -> bool:
        return self.failure is not None and self.failure.is_infrastructure

    def summary(self) -> str:
        """One line for a console: ``200, 15 bytes`` or ``timeout after 5.0s``."""
        if self.failure is not None:
            return f"{self.failure.value}: {self.detail}" if self.detail else self.failure.value
        return f"status {self.status}, {len(self.body)} bytes"

    def to_json(self) -> dict[str, Any]:
        """A lossless, reviewable JSON form (body as text when it is UTF-8)."""
        record: dict[str, Any] = {
            "status": self.status,
            "elapsed": round(self.elapsed, 6),
        }
        record.update(_bytes_field("body", self.body))
        if self.headers:
            record["headers"] = dict(sorted(self.headers.items()))
        if self.failure is not None:
            record["failure"] = self.failure.value
        if self.detail:
            record["detail"] = self.detail
        if self.stderr:
            record.update(_bytes_field("stderr", self.stderr))
        return record

    @classmethod
    def from_json(cls, record: Mapping[str, Any]) -> Outcome:
        """Inverse of :meth:`to_json`; raises ``ValueError`` naming the bad field."""
        if not isinstance(record, Mapping):
            raise ValueError(f"an outcome must be a JSON object, got {type(record).__name__}")
        status = record.get("status")
        if status is not None and not isinstance(status, int):
            raise ValueError(f"outcome field 'status' must be an integer or null, got {status!r}")
        failure = record.get("failure")
        try:
            failure_kind = Failure(failure) if failure is not None else None
        except ValueError:
            known = ", ".join(f.value for f in Failure)
            raise ValueError(
                f"outcome field 'failure' is {failure!r}; expected one of {known}"
            ) from None
        headers = record.get("headers", {})
        if not isinstance(headers, Mapping):
            raise ValueError("outcome field 'headers' must be an object")
        return cls(
            status=status,
            body=_read_bytes_field(record, "body"),
            headers={str(k): str(v) for k, v in headers.items()},
            elapsed=float(record.get("elapsed", 0.0)),
            failure=failure_kind,
            detail=str(record.get("detail", "")),
            stderr=_read_bytes_field(record, "stderr"),
        )


def _bytes_field(name: str, value: bytes) -> dict[str, str]:
    try:
        return {name: value.decode("utf-8")}
    except UnicodeDecodeError:
        return {f"{name}_base64": base64.b64encode(value).decode("ascii")}


def _read_bytes_field(record: Mapping[str, Any], name: str) -> bytes:
    if f"{name}_base64" in record:
        encoded = record[f"{name}_base64"]
        if not isinstance(encoded, str):
            raise ValueError(f"outcome field '{name}_base64' must be a string")
        try:
            return base64.b64decode(encoded, validate=True)
        except ValueError as exc:
            raise ValueError(f"outcome field '{name}_base64' is not valid base64: {exc}") from None
    text = record.get(name, "")
    if not isinstance(text, str):
        raise ValueError(f"outcome field '{name}' must be a string")
    return text.encode("utf-8")
