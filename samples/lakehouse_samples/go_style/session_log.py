"""session_log as the Go port's session daemon persists a record (``encoding/json``).

Run as ``python -m lakehouse_samples.go_style.session_log < record.json``; prints the
persisted record as one line, or ``{"error":"..."}`` with exit status 1.

The record is the struct a Go port declares, decoded with
``json.NewDecoder(os.Stdin).Decode(&rec)``::

    type SessionRecord struct {
        TraceID    string  `json:"trace_id"`
        SessionID  string  `json:"session_id"`
        Outcome    string  `json:"outcome"`
        Iterations int     `json:"iterations"`
        Prompt     string  `json:"prompt"`
        Response   string  `json:"response"`
        Model      string  `json:"model"`
        Error      string  `json:"error,omitempty"`
        LatencyMs  float64 `json:"latency_ms"`
        Timestamp  string  `json:"timestamp"`
        Daemon     string  `json:"daemon"`
    }

so, unlike the Rust port (serde derive):

- a missing field or a ``null`` leaves the zero value (``""``, ``0``); only what the
  handler validates by hand is refused: an empty ``trace_id`` or ``session_id`` and an
  ``outcome`` outside the three values;
- ``iterations`` is an ``int`` (int64): negative values and values >= 2^32 pass;
  ``3.0`` or ``1e2`` do not (``strconv.ParseInt``), as in Rust;
- ``error: ""`` is dropped by ``omitempty``, and so is a missing or null error;
- keys match exactly *or* case-insensitively (``"Trace_ID"``, even ``"ſession_id"``,
  as ``encoding/json``'s name folding does), and a later key overwrites an earlier one;
- invalid UTF-8 becomes U+FFFD per byte and a lone surrogate escape U+FFFD, where
  serde_json errors; ``Decoder.Decode`` reads one value and ignores whatever follows.

Producer fields: ``timestamp`` is ``time.RFC3339Nano`` (trailing zeros trimmed) and
``daemon`` is ``"sessiond"``. Output is ``json.Marshal`` (HTML-escaped, ES6 floats).

Running: ``python -m lakehouse_samples.go_style.session_log``. Every call is a new process, so
what it imports is its start-up time: the package imports neither difffuzz nor
Hypothesis, and the helper itself imports only the stdlib and the Go JSON codec in
its sibling ``extract_json``.
"""

from __future__ import annotations

import time
from typing import Any

from lakehouse_samples.go_style.extract_json import (
    GoStruct,
    UnmarshalError,
    allow_go_depth,
    decode_bytes,
    marshal,
    parse_go_json,
    replace_surrogates,
)
from lakehouse_samples.lines import run_helper

__all__ = ["DAEMON", "answer", "main", "persist"]

DAEMON = "sessiond"

_OUTCOMES = frozenset({"accepted_grounded", "max_iter_exhausted", "infra_error"})
# Field name -> Go type, in declaration order.
_FIELDS = {
    "trace_id": "string",
    "session_id": "string",
    "outcome": "string",
    "iterations": "int",
    "prompt": "string",
    "response": "string",
    "model": "string",
    "error": "string",
    "latency_ms": "float64",
}
_INT64 = range(-(2**63), 2**63)
# foldRune maps a rune to the smallest rune of its unicode.SimpleFold orbit. Only two
# non-ASCII runes have an ASCII letter in their orbit: the Kelvin sign (K, k) and the
# long s (S, s); every other rune folds to something no ASCII field name contains.
_FOLDS_TO_ASCII = {"\u212a": "K", "\u017f": "S"}


class _Literal(str):
    """A JSON number kept as its literal text, so each field can parse it as Go does."""


class _Object(list[tuple[str, Any]]):
    """A JSON object as its key/value pairs in input order (Go assigns them in order)."""


def _fold(name: str) -> str:
    """``encoding/json``'s ``foldName``: ASCII upper-cased, other runes simply folded.

    >>> _fold("ſession_id") == _fold("SESSION_ID")
    True
    """
    return "".join(_FOLDS_TO_ASCII.get(c, c.upper() if c.isascii() else c) for c in name)


_BY_FOLDED_NAME = {_fold(name): name for name in _FIELDS}


def _kind(value: Any) -> str:
    if isinstance(value, _Literal):
        return "number " + value
    if isinstance(value, _Object):
        return "object"
    return {str: "string", bool: "bool", list: "array"}[type(value)]


def _store(name: str, value: Any) -> Any:
    """Go's ``literalStore`` for one field; raises on a type mismatch."""
    go_type = _FIELDS[name]
    if go_type == "string" and isinstance(value, str) and not isinstance(value, _Literal):
        return replace_surrogates(value)
    if go_type == "int" and isinstance(value, _Literal):
        try:
            number = int(value)  # strconv.ParseInt(s, 10, 64): no fraction, no exponent
        except ValueError:
            number = None
        if number is not None and number in _INT64:
            return number
    if go_type == "float64" and isinstance(value, _Literal):
        number_f = float(value)
        if abs(number_f) != float("inf"):
            return number_f
    raise UnmarshalError(
        f"json: cannot unmarshal {_kind(value)} into Go struct field "
        f"SessionRecord.{name} of type {go_type}"
    )


def _timestamp() -> str:
    seconds, nanos = divmod(time.time_ns(), 1_000_000_000)
    whole = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    fraction = f"{nanos:09d}".rstrip("0")  # RFC3339Nano's ".999999999" trims zeros
    return f"{whole}.{fraction}Z" if fraction else f"{whole}Z"


def _decode_first_value(raw: bytes) -> Any:
    text = decode_bytes(raw)
    start = len(text) - len(text.lstrip(" \t\r\n"))
    if start == len(text):
        raise UnmarshalError("EOF")
    # Decoder.Decode reads exactly one value and leaves the rest of the stream unread.
    return parse_go_json(
        text[start:],
        first_value_only=True,
        object_pairs_hook=_Object,
        parse_int=_Literal,
        parse_float=_Literal,
    )


def persist(raw: bytes) -> GoStruct:
    """The record as the session daemon writes it, or :class:`UnmarshalError`.

    >>> persist(b'{"Trace_ID": "t", "session_id": "s", "outcome": "infra_error",'
    ...         b' "error": ""}').fields[:4]
    (('trace_id', 't'), ('session_id', 's'), ('outcome', 'infra_error'), ('iterations', 0))
    """
    document = _decode_first_value(raw)
    zero = {"string": "", "int": 0, "float64": 0.0}
    record: dict[str, Any] = {name: zero[kind] for name, kind in _FIELDS.items()}
    if isinstance(document, _Object):
        first_error: UnmarshalError | None = None
        for key, value in document:
            key = replace_surrogates(key)
            name = key if key in _FIELDS else _BY_FOLDED_NAME.get(_fold(key))
            if name is None or value is None:  # unknown field, or null: left as it is
                continue
            try:
                record[name] = _store(name, value)
            except UnmarshalError as error:
                # Unmarshal keeps going and returns the first type error at the end.
                first_error = first_error or error
        if first_error is not None:
            raise first_error
    elif document is not None:  # null decodes into a struct as a no-op
        raise UnmarshalError(
            f"json: cannot unmarshal {_kind(document)} into Go value of type SessionRecord"
        )
    if not record["trace_id"] or not record["session_id"]:
        raise UnmarshalError("trace_id and session_id are required")
    if record["outcome"] not in _OUTCOMES:
        raise UnmarshalError(f"invalid outcome {marshal(record['outcome'])}")
    fields = [(name, value) for name, value in record.items() if name != "error" or value]
    return GoStruct([*fields, ("timestamp", _timestamp()), ("daemon", DAEMON)])


def answer(raw: bytes) -> tuple[int, bytes]:
    """One record's exit status and output line."""
    try:
        record = persist(raw)
    except UnmarshalError as error:
        line = marshal(GoStruct([("error", str(error))]))
        return 1, line.encode("utf-8") + b"\n"
    return 0, marshal(record).encode("utf-8") + b"\n"


def main(argv: list[str] | None = None) -> int:
    """One record from stdin, or one per line with ``--lines`` (``lakehouse_samples.lines``)."""
    allow_go_depth()
    return run_helper(answer, argv)


if __name__ == "__main__":
    raise SystemExit(main())
