"""``POST /v1/validate`` as the Rust gateway implements it.

Habits imitated, and the divergences they explain:

- **Regexes from the ``regex`` crate** (here the ``regex`` module): ``\\d``, ``\\w``,
  ``\\s`` and ``\\b`` are Unicode-aware. An SSN written in Arabic-Indic digits
  (``١٢٣-٤٥-٦٧٨٩``) is caught by the SSN guard; an e-mail with a non-ASCII
  local part (``josé@example.com``) is accepted; ``\\b`` next to ``é`` is not a
  word boundary. Patterns must match the whole text (Rust's ``$`` does not
  match before a final newline, hence ``fullmatch``).
- **Lengths in characters** (``str::chars().count()``): an SMS body of 160
  ``é`` is fine.
- **serde reads the body**: the request is a ``serde_json::Value`` walked by
  hand, so wrong types, ``null`` and missing fields are schema errors (422),
  never silently zero; ``count`` is a ``u32`` (``3.0`` or ``-1`` is a type error).
- **The SSN false-positive guard** reads "except the phone number itself" as:
  an SSN-shaped match is allowed when it lies inside an occurrence of the ``to``
  phone number *as written* in the body.
- **Errors** are the gateway's enum, externally tagged:
  ``{"Schema": {"field": "to", "reason": "..."}}`` or ``{"Policy": {...}}``.
"""

from __future__ import annotations

from typing import Any

import regex  # type: ignore[import-untyped]  # no stubs bundled; types-regex would add them

from lakehouse_samples.rust_style._http_wire import (
    U32_MAX,
    ApiError,
    decode_body,
    encode,
    read_str,
    read_str_list,
    read_uint,
    schema_error,
    serde_type,
    trim,
)

__all__ = ["handle_validate"]

EMAIL_MAX_CHARS = 254
SMS_MAX_CHARS = 160
FILL_MAX_COUNT = 50

EMAIL = regex.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = regex.compile(r"\+?\d[\d\s().-]{5,18}\d")
SSN = regex.compile(r"\b\d{3}-\d{2}-\d{4}\b")


def handle_validate(raw: bytes) -> tuple[int, bytes]:
    """Status and body for one request body.

    >>> handle_validate(b'{"kind":"email","payload":{"to":"a@b","subject":"","body":""}}')
    (422, b'{"Schema":{"field":"to","reason":"not an email address"}}')
    >>> handle_validate(b'{"kind":"email","payload":{"to":"a@b.co","subject":"","body":""}}')
    (200, b'{"valid":true}')
    """
    try:
        request = _object(decode_body(raw), "", "struct ValidateRequest")
        kind = read_str(request, "kind")
        if "payload" not in request:
            raise schema_error("payload", "missing field `payload`")
        checks = {"email": _check_email, "sms": _check_sms, "fill": _check_fill}
        if kind not in checks:
            raise schema_error(
                "kind", f"unknown variant `{kind}`, expected one of `email`, `sms`, `fill`"
            )
        checks[kind](_object(request["payload"], "payload", f"struct {kind.title()}Payload"))
    except ApiError as error:
        return error.status, error.body()
    return 200, encode({"valid": True})


def _object(value: Any, field: str, expected: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise schema_error(field, f"invalid type: {serde_type(value)}, expected {expected}")
    return value


def _check_email(payload: dict[str, Any]) -> None:
    to = read_str(payload, "to")
    read_str(payload, "subject")
    read_str(payload, "body")
    if len(to) > EMAIL_MAX_CHARS:
        raise schema_error("to", f"must be at most {EMAIL_MAX_CHARS} characters")
    if EMAIL.fullmatch(to) is None:
        raise schema_error("to", "not an email address")


def _check_sms(payload: dict[str, Any]) -> None:
    to = read_str(payload, "to")
    body = read_str(payload, "body")
    if PHONE.fullmatch(to) is None:
        raise schema_error("to", "not a phone number")
    if len(body) > SMS_MAX_CHARS:
        raise schema_error("body", f"must be at most {SMS_MAX_CHARS} characters")
    phone_spans = _occurrences(body, to)
    for match in SSN.finditer(body):
        if not any(start <= match.start() and match.end() <= end for start, end in phone_spans):
            raise ApiError(422, "Policy", field="body", reason="contains an SSN-shaped number")


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    """Spans of ``needle`` in ``text``, like ``str::match_indices`` (non-overlapping)."""
    spans = []
    start = text.find(needle)
    while start >= 0:
        spans.append((start, start + len(needle)))
        start = text.find(needle, start + len(needle))
    return spans


def _check_fill(payload: dict[str, Any]) -> None:
    role = read_str(payload, "role")
    count = read_uint(payload, "count", maximum=U32_MAX, type_name="u32")
    city = read_str(payload, "city")
    state = read_str(payload, "state")
    worker_ids = read_str_list(payload, "worker_ids")
    if not trim(role):
        raise schema_error("role", "must not be empty")
    if not 1 <= count <= FILL_MAX_COUNT:
        raise schema_error("count", f"must be between 1 and {FILL_MAX_COUNT}")
    if not trim(city):
        raise schema_error("city", "must not be empty")
    # `state.chars().count() == 2 && state.chars().all(char::is_uppercase)`
    if len(state) != 2 or not all(char.isupper() for char in state):
        raise schema_error("state", "must be a 2-letter state code")
    if len(worker_ids) != count:
        raise schema_error("worker_ids", f"expected {count} ids, got {len(worker_ids)}")
    seen: set[str] = set()
    for worker_id in worker_ids:
        if worker_id in seen:
            raise schema_error("worker_ids", f"duplicate id `{worker_id}`")
        seen.add(worker_id)
