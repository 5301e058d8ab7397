"""session_log as the Rust gateway persists a session record (``#[derive(Deserialize)]``).

Run as ``python -m lakehouse_samples.rust_style.session_log < record.json``; prints the
persisted record as one line, or ``{"error": "..."}`` with exit status 1.

The record is the struct a Rust port declares, with serde's derive semantics::

    #[derive(Deserialize, Serialize)]
    struct SessionRecord {
        trace_id: String, session_id: String, outcome: Outcome,  // snake_case enum
        iterations: u32, prompt: String, response: String, model: String,
        #[serde(skip_serializing_if = "Option::is_none")] error: Option<String>,
        latency_ms: f64,
    }

so, unlike the Go port (``int``, ``string`` with ``omitempty``, ``encoding/json``):

- a missing field is an error (``missing field `prompt```); Go leaves the zero value;
- ``null`` for a ``String``, ``u32`` or ``f64`` is an error; Go leaves the zero value;
- ``iterations`` is a ``u32``: negative or >= 2^32 is an error; Go's ``int`` takes
  any int64;
- ``error: ""`` is ``Some("")`` and is written; Go's ``omitempty`` drops it;
- keys match exactly; Go also accepts a case-insensitive match (``"Trace_ID"``);
- the input must be valid UTF-8 without lone surrogate escapes (serde_json errors),
  and nothing may follow the object (``from_slice`` rejects trailing characters);
  Go replaces bad bytes with U+FFFD and ``Decoder.Decode`` ignores what follows.

Unknown fields are ignored on both sides. Producer fields: ``timestamp`` is chrono's
RFC 3339 with milliseconds (``2024-05-01T12:00:00.123Z``), ``daemon`` is ``"gateway"``.

Running: ``python -m lakehouse_samples.rust_style.session_log``. Every call is a new process, so
what it imports is its start-up time: the package imports neither difffuzz nor
Hypothesis, and the helper itself imports only the stdlib, orjson and regex.
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from lakehouse_samples.lines import run_helper
from lakehouse_samples.rust_style._http_wire import serde_type

__all__ = ["DAEMON", "SessionRecordError", "answer", "main", "persist"]

DAEMON = "gateway"

_OUTCOMES = ("accepted_grounded", "max_iter_exhausted", "infra_error")
_STRINGS = ("trace_id", "session_id", "prompt", "response", "model")
_REQUIRED = ("trace_id", "session_id", "outcome", "iterations", "prompt", "response", "model")
_U32_MAX = 2**32 - 1


class SessionRecordError(ValueError):
    """A record serde would refuse; the message reads like serde_json's."""


def _field(name: str, value: Any) -> Any:
    if name in _STRINGS:
        if not isinstance(value, str):
            raise SessionRecordError(f"invalid type: {serde_type(value)}, expected a string")
        return value
    if name == "outcome":
        if not isinstance(value, str):
            raise SessionRecordError(f"invalid type: {serde_type(value)}, expected variant")
        if value not in _OUTCOMES:
            expected = ", ".join(f"`{o}`" for o in _OUTCOMES)
            raise SessionRecordError(f"unknown variant `{value}`, expected one of {expected}")
        return value
    if name == "iterations":
        if isinstance(value, bool) or not isinstance(value, int):
            raise SessionRecordError(f"invalid type: {serde_type(value)}, expected u32")
        if not 0 <= value <= _U32_MAX:
            raise SessionRecordError(f"invalid value: {serde_type(value)}, expected u32")
        return value
    if name == "latency_ms":
        # serde_json's f64 visitor takes integers too; bools and strings are refused.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SessionRecordError(f"invalid type: {serde_type(value)}, expected f64")
        return float(value)
    # error: Option<String>: null is None.
    if value is not None and not isinstance(value, str):
        raise SessionRecordError(f"invalid type: {serde_type(value)}, expected a string")
    return value


def _timestamp() -> str:
    seconds, nanos = divmod(time.time_ns(), 1_000_000_000)
    whole = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{whole}.{nanos // 1_000_000:03d}Z"


def persist(raw: bytes) -> dict[str, Any]:
    """The record as the gateway writes it, or :class:`SessionRecordError`.

    >>> persist(b'{"trace_id": "t", "session_id": "s", "outcome": "infra_error",'
    ...         b' "iterations": 1, "prompt": "p", "response": "", "model": "m",'
    ...         b' "latency_ms": 5}')["latency_ms"]
    5.0
    """
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise SessionRecordError(str(error)) from None
    if not isinstance(document, dict):
        raise SessionRecordError(
            f"invalid type: {serde_type(document)}, expected struct SessionRecord"
        )
    # serde visits keys in input order and stops at the first bad value.
    fields = {
        name: _field(name, value)
        for name, value in document.items()
        if name in (*_REQUIRED, "latency_ms", "error")
    }
    for name in (*_REQUIRED, "latency_ms"):
        if name not in fields:
            raise SessionRecordError(f"missing field `{name}`")
    record: dict[str, Any] = {name: fields[name] for name in _REQUIRED}
    if fields.get("error") is not None:
        record["error"] = fields["error"]
    record["latency_ms"] = fields["latency_ms"]
    record["timestamp"] = _timestamp()
    record["daemon"] = DAEMON
    return record


def answer(raw: bytes) -> tuple[int, bytes]:
    """One record's exit status and output line."""
    try:
        record = persist(raw)
    except SessionRecordError as error:
        return 1, orjson.dumps({"error": str(error)}) + b"\n"
    return 0, orjson.dumps(record) + b"\n"


def main(argv: list[str] | None = None) -> int:
    """One record from stdin, or one per line with ``--lines`` (``lakehouse_samples.lines``)."""
    return run_helper(answer, argv)


if __name__ == "__main__":
    raise SystemExit(main())
