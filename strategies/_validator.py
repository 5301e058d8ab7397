"""Validator bodies at their boundaries: ``validator_requests``.

The validator's rules (contract): an email ``to`` must be an address; an SMS
body is at most 160 characters and must not hold an SSN-shaped ``ddd-dd-dddd``
unless it is the phone number itself; a fill has 1..50 unique worker ids, as
many as ``count``. Each rule gets values on both sides of its line. "160
characters" is where runtimes most often part: Go's ``len`` counts bytes, Rust's
``chars().count()`` scalar values, a phone counts UTF-16 units or graphemes.

Most values are JSON bodies (a dict, or under ``wrong_types`` a list, a string, a
number or null: JSON that is not an object). A ``bytes`` value is a body that is
not JSON at all; the HTTP transport sends bytes as they are even for a JSON
surface.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from hypothesis import strategies as st

import difffuzz

from ._categories import report, tagged
from ._pools import BOOLEANS, CITIES, PEOPLE, ROLES, choice
from ._staffing import worker_id

__all__ = ["SSN_SHAPED", "validator_requests"]

#: Strings shaped like an SSN (``ddd-dd-dddd``), none of them a real one.
SSN_SHAPED: tuple[str, ...] = ("123-45-6789", "000-00-0000", "987-65-4321")
_PHONES = ("+13135550142", "313-555-0142", "(313) 555-0142", "+1 313 555 0142")

_NAME = "validator_requests"


def _local_part(person: str) -> str:
    return person.lower().replace(" ", ".").replace("'", "")


_EMAILS: dict[str, st.SearchStrategy[str]] = {
    "email_plain": st.sampled_from(PEOPLE).map(lambda p: f"{_local_part(p)}@example.com"),
    "email_plus": st.sampled_from(PEOPLE).map(lambda p: f"{_local_part(p)}+shifts@example.com"),
    "email_quoted": st.sampled_from(
        ('"john doe"@example.com', '"a@b"@example.com', '"x\\"y"@example.com', '""@example.com')
    ),
    "email_unicode_local": st.sampled_from(
        ("josé@example.com", "用户@example.com", "müller@example.de", "e\u0301@example.com")
    ),
    "email_idn": st.sampled_from(
        ("user@bücher.de", "user@xn--bcher-kva.de", "用户@例子.广告", "user@BÜCHER.DE")
    ),
    "email_long": st.sampled_from(
        ("a" * 64 + "@example.com", "a" * 65 + "@example.com", "a@" + "b" * 63 + ".com")
    ),
    "email_invalid": st.sampled_from(
        ("", "no-at-sign", "a@", "@example.com", "a@@example.com", "a b@example.com", "a@b..com")
    ),
}


def _email(category: str, to: str) -> dict[str, Any]:
    report(_NAME, category)
    return {"kind": "email", "payload": {"to": to, "subject": "Shift", "body": "See you at 7."}}


def _sms_body(category: str, length: int, unit: str) -> str:
    report(_NAME, category)
    return (unit * length)[:length] if len(unit) == 1 else unit * (length // len(unit))


_SMS_BODIES = st.one_of(
    tagged(_NAME, "sms_plain", st.sampled_from(("Shift at 7am", "Reply YES to confirm"))),
    st.sampled_from((159, 160, 161)).map(lambda n: _sms_body(f"sms_len_{n}", n, "x")),
    # 160 scalar values, more than 160 UTF-8 bytes (and for the emoji, UTF-16 units).
    st.sampled_from(("é", "你", "😀")).map(lambda u: _sms_body("sms_160_multibyte", 160, u)),
    # 160 user-perceived characters, 320 scalar values.
    st.just("e\u0301").map(lambda u: _sms_body("sms_160_combining", 320, u)),
)


@st.composite
def _sms(draw: st.DrawFn) -> dict[str, Any]:
    to = draw(choice(_PHONES))
    if draw(BOOLEANS):
        where = draw(choice(("body", "beside_phone", "in_to", "in_longer_run")))
    else:
        return {"kind": "sms", "payload": {"to": to, "body": draw(_SMS_BODIES)}}
    report(_NAME, f"sms_ssn_{where}")
    ssn = draw(choice(SSN_SHAPED))
    if where == "body":
        body = "Your SSN {ssn} is on file"
    elif where == "beside_phone":
        # The guard excepts the phone number; an SSN right beside it is not excepted.
        body = draw(choice(("Call {to} or {ssn}", "{to}{ssn}", "{ssn} {to}")))
    elif where == "in_to":
        # The phone number itself is SSN-shaped: repeating it in the body is allowed.
        to = ssn
        body = draw(choice(("Reply to {ssn}", "Shift at 7am")))
    else:
        body = "Ref 1{ssn}0"  # ddd-dd-dddd inside a longer run of digits
    return {"kind": "sms", "payload": {"to": to, "body": body.format(to=to, ssn=ssn)}}


_FILL_COUNT = st.integers(min_value=2, max_value=10) | st.sampled_from((1, 50, 0, 51))
_FIRST_ID = st.integers(min_value=0, max_value=4000)


@st.composite
def _fill(draw: st.DrawFn) -> dict[str, Any]:
    city, state = draw(choice(CITIES))
    count = draw(_FILL_COUNT)
    if count in (0, 1, 50, 51):
        report(_NAME, "fill_count_edge")
    shape = draw(choice(("consistent", "duplicate_ids", "count_mismatch", "state_edge")))
    first = draw(_FIRST_ID)
    ids = [worker_id(first + n) for n in range(count)]
    if shape == "duplicate_ids":
        ids = [*ids[:-1], ids[0]] if len(ids) > 1 else [worker_id(first)] * 2
    elif shape == "count_mismatch":
        shorter = bool(ids) and draw(BOOLEANS)
        ids = ids[:-1] if shorter else [*ids, worker_id(first + count)]
    elif shape == "state_edge":
        state = draw(choice(("mi", "M", "MIC", "", "ＭＩ", "XX")))
    report(_NAME, f"fill_{shape}")
    payload = {"role": draw(choice(ROLES)), "count": count, "city": city}
    return {"kind": "fill", "payload": {**payload, "state": state, "worker_ids": ids}}


_NOT_JSON = (
    b"",
    b"{",
    b"not json",
    b'{"kind": "email"',
    b"kind=email",
    b"{'kind': 'sms'}",
    b"\xef\xbb\xbf{}",  # a BOM before an otherwise valid body
    b'{"kind": "\xff"}',  # not UTF-8
)
_UNKNOWN_KIND: tuple[dict[str, Any], ...] = (
    {"kind": "fax", "payload": {}},
    {"kind": "EMAIL", "payload": {"to": "a@example.com", "subject": "", "body": ""}},
    {"kind": "", "payload": {}},
    {"payload": {"to": "+13135550142", "body": "hi"}},
)
_WRONG_TYPES: tuple[Any, ...] = (
    {"kind": 1, "payload": {}},
    {"kind": "sms", "payload": None},
    {"kind": "sms", "payload": ["+13135550142", "hi"]},
    {"kind": "sms", "payload": {"to": 3135550142, "body": "hi"}},
    {
        "kind": "fill",
        "payload": {
            "role": "Welder",
            "count": "2",
            "city": "Detroit",
            "state": "MI",
            "worker_ids": ["W-00001", "W-00002"],
        },
    },
    {
        "kind": "fill",
        "payload": {
            "role": "Welder",
            "count": 1.0,
            "city": "Detroit",
            "state": "MI",
            "worker_ids": ["W-00001"],
        },
    },
    {
        "kind": "fill",
        "payload": {
            "role": "Welder",
            "count": 1,
            "city": "Detroit",
            "state": "MI",
            "worker_ids": "W-00001",
        },
    },
    [],
    # JSON, but not an object.
    None,
    "email",
    42,
)

_FIXTURES: list[Any] = [
    {
        "kind": "email",
        "payload": {
            "to": "maria.lopez@example.com",
            "subject": "Shift",
            "body": "See you Monday at 7am.",
        },
    },
    {"kind": "email", "payload": {"to": "maria.lopez", "subject": "Shift", "body": "Hi"}},
    {"kind": "sms", "payload": {"to": "+13135550142", "body": "Shift at 7am, reply YES"}},
    {"kind": "sms", "payload": {"to": "+13135550142", "body": "Your SSN 123-45-6789 is on file"}},
    {
        "kind": "fill",
        "payload": {
            "role": "Forklift Operator",
            "count": 2,
            "city": "Detroit",
            "state": "MI",
            "worker_ids": ["W-00042", "W-00107"],
        },
    },
    {
        "kind": "fill",
        "payload": {
            "role": "Forklift Operator",
            "count": 3,
            "city": "Detroit",
            "state": "MI",
            "worker_ids": ["W-00042", "W-00107"],
        },
    },
]

_CATEGORIES = (
    *_EMAILS,
    "sms_plain",
    "sms_len_159",
    "sms_len_160",
    "sms_len_161",
    "sms_160_multibyte",
    "sms_160_combining",
    "sms_ssn_body",
    "sms_ssn_beside_phone",
    "sms_ssn_in_to",
    "sms_ssn_in_longer_run",
    "fill_consistent",
    "fill_count_edge",
    "fill_duplicate_ids",
    "fill_count_mismatch",
    "fill_state_edge",
    "not_json",
    "unknown_kind",
    "wrong_types",
)


@difffuzz.strategy(
    _NAME,
    description="Email, sms and fill bodies at the validator's boundaries, and malformed ones.",
    examples=_FIXTURES,
    categories=_CATEGORIES,
)
def validator_requests() -> st.SearchStrategy[Any]:
    """Bodies for ``POST /v1/validate``: JSON values, and ``bytes`` that are not JSON.

    >>> validator_requests().example()  # doctest: +SKIP
    {'kind': 'sms', 'payload': {'to': '+13135550142', 'body': 'xxxx…'}}
    """
    emails = [values.map(partial(_email, category)) for category, values in _EMAILS.items()]
    malformed = st.one_of(
        tagged(_NAME, "not_json", st.sampled_from(_NOT_JSON)),
        tagged(_NAME, "unknown_kind", st.sampled_from(_UNKNOWN_KIND)),
        tagged(_NAME, "wrong_types", st.sampled_from(_WRONG_TYPES)),
    )
    # One branch per kind, so that each kind gets a fair share of the budget
    # whatever the number of categories inside it.
    return st.one_of(st.one_of(emails), _sms(), _fill(), malformed)
