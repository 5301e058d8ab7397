"""``POST /v1/validate`` as the Go port implements it.

Habits imitated, and the divergences they explain:

- **RE2 regexes** (here ``re`` with ``re.ASCII``): ``\\d``, ``\\w`` and ``\\b``
  are ASCII-only and ``\\s`` is ``[\\t\\n\\f\\r ]``. An SSN in Arabic-Indic
  digits passes the guard, ``josé@example.com`` is not an e-mail, and ``é``
  next to a digit *is* a word boundary. ``^...$`` in RE2 anchors at the very
  end of the text (hence ``fullmatch``).
- **Lengths in bytes** (``len(body)``): an SMS body of 100 ``é`` (200 bytes) is
  "longer than 160 characters" here and fine in Rust.
- **encoding/json reads the body** into structs: keys match fields
  case-insensitively (``{"KIND": "email"}`` works), a missing or ``null``
  field is its zero value (a missing ``subject`` is ``""``: no error), a value
  of the wrong type is a decode error answered with 400 (Rust: 422), ``count``
  is an ``int`` (64-bit), and a body that is JSON but not an object (``[]``)
  is also a 400.
- **The SSN false-positive guard** reads "except the phone number itself" as:
  an SSN-shaped match is allowed when its digits occur in the digits of the
  ``to`` number (``strings.Contains(digits(to), digits(match))``), however
  the body writes it.
- **Errors** are a struct with exported, untagged fields:
  ``{"Kind":"schema","Field":"to","Reason":"..."}``.
"""

from __future__ import annotations

import re

from lakehouse_samples.go_style._http_wire import (
    APIError,
    GoObject,
    decode_body,
    encode,
    field_value,
    read_int,
    read_string,
    read_strings,
    read_struct,
)

__all__ = ["handle_validate"]

EMAIL_MAX_BYTES = 254
SMS_MAX_BYTES = 160
FILL_MAX_COUNT = 50

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
PHONE = re.compile(r"\+?\d[\d\t\n\f\r ().-]{5,18}\d", re.ASCII)
SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b", re.ASCII)
STATE = re.compile(r"[A-Z]{2}", re.ASCII)
# unicode.IsSpace: what strings.TrimSpace strips.
SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def handle_validate(raw: bytes) -> tuple[int, bytes]:
    """Status and body for one request body.

    >>> handle_validate(b'{"KIND": "email", "payload": {"to": "a@b.co"}}')
    (200, b'{"valid":true}\\n')
    """
    try:
        request = read_struct(decode_body(raw), "validator.ValidateRequest")
        kind = read_string(request, "validator.ValidateRequest", "kind")
        payload = field_value(request, "payload")
        if kind == "email":
            _check_email(read_struct(payload, "validator.EmailPayload"))
        elif kind == "sms":
            _check_sms(read_struct(payload, "validator.SMSPayload"))
        elif kind == "fill":
            _check_fill(read_struct(payload, "validator.FillPayload"))
        else:
            raise APIError(422, "schema", "kind", f'unknown kind "{kind}"')
    except APIError as error:
        return error.status, error.body()
    return 200, encode({"valid": True})


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _check_email(payload: GoObject) -> None:
    struct = "validator.EmailPayload"
    to = read_string(payload, struct, "to")
    read_string(payload, struct, "subject")
    read_string(payload, struct, "body")
    if _utf8_len(to) > EMAIL_MAX_BYTES:
        raise APIError(422, "schema", "to", f"must be at most {EMAIL_MAX_BYTES} characters")
    if EMAIL.fullmatch(to) is None:
        raise APIError(422, "schema", "to", "not an email address")


def _digits(text: str) -> str:
    return "".join(char for char in text if "0" <= char <= "9")


def _check_sms(payload: GoObject) -> None:
    struct = "validator.SMSPayload"
    to = read_string(payload, struct, "to")
    body = read_string(payload, struct, "body")
    if PHONE.fullmatch(to) is None:
        raise APIError(422, "schema", "to", "not a phone number")
    if _utf8_len(body) > SMS_MAX_BYTES:
        raise APIError(422, "schema", "body", f"must be at most {SMS_MAX_BYTES} characters")
    phone_digits = _digits(to)
    for match in SSN.finditer(body):
        if _digits(match.group()) not in phone_digits:
            raise APIError(422, "policy", "body", "contains an SSN-shaped number")


def _check_fill(payload: GoObject) -> None:
    struct = "validator.FillPayload"
    role = read_string(payload, struct, "role")
    count = read_int(payload, struct, "count")
    city = read_string(payload, struct, "city")
    state = read_string(payload, struct, "state")
    worker_ids = read_strings(payload, struct, "worker_ids")
    if not role.strip(SPACE):
        raise APIError(422, "schema", "role", "must not be empty")
    if count < 1 or count > FILL_MAX_COUNT:
        raise APIError(422, "schema", "count", f"must be between 1 and {FILL_MAX_COUNT}")
    if not city.strip(SPACE):
        raise APIError(422, "schema", "city", "must not be empty")
    if STATE.fullmatch(state) is None:
        raise APIError(422, "schema", "state", "must be a 2-letter state code")
    if len(worker_ids) != count:
        raise APIError(422, "schema", "worker_ids", f"expected {count} ids, got {len(worker_ids)}")
    seen: set[str] = set()
    for worker_id in worker_ids:
        if worker_id in seen:
            raise APIError(422, "schema", "worker_ids", f'duplicate id "{worker_id}"')
        seen.add(worker_id)
