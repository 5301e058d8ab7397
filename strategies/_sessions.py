"""Session records for ``session_log``: ``session_records``.

Three sources, simplest first so shrinking lands on a plausible record:

* ``domain``: hand-built records that look like the team's: the outcome enum,
  prompts that are coordinator queries or Unicode text, real model names,
  integers at 0, 2**31, 2**32, 2**53 and below zero, latency as int or float.
* ``schema``: values from :data:`SESSION_RECORD_SCHEMA` with hypothesis-jsonschema,
  which reaches what the domain branch does not think of (any string, any
  integer, any number). hypothesis-jsonschema 0.23.1 cannot generate *objects*
  with the installed Hypothesis (it calls ``many.more()``, which Hypothesis
  removed), so ``from_schema`` draws each property and this module assembles
  the object with ``st.fixed_dictionaries`` from the schema's ``required`` list.
* invalid variants (not with ``valid_only=True``): a wrong type, a missing
  required field, an extra field, a null, an unknown outcome.
"""

from __future__ import annotations

import random
from typing import Any

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

import difffuzz

from ._categories import report, tagged
from ._pools import BOOLEANS, MODELS, choice
from ._staffing import staffing_queries
from ._unicode import unicode_text

__all__ = ["INT_EDGES", "OUTCOMES", "SESSION_RECORD_SCHEMA", "session_records"]

OUTCOMES: tuple[str, ...] = ("accepted_grounded", "max_iter_exhausted", "infra_error")

#: One session record as both runtimes accept it (draft 2020-12).
SESSION_RECORD_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "session record",
    "type": "object",
    "properties": {
        "trace_id": {"type": "string"},
        "session_id": {"type": "string"},
        "outcome": {"enum": list(OUTCOMES)},
        "iterations": {"type": "integer"},
        "prompt": {"type": "string"},
        "response": {"type": "string"},
        "model": {"type": "string"},
        "error": {"type": "string"},
        "latency_ms": {"type": "number"},
    },
    "required": [
        "trace_id",
        "session_id",
        "outcome",
        "iterations",
        "prompt",
        "response",
        "model",
        "latency_ms",
    ],
    "additionalProperties": False,
}

#: Integers where 32-bit, 64-bit and float64 representations part ways.
INT_EDGES: tuple[int, ...] = (
    0,
    -1,
    2**31 - 1,
    2**31,
    2**32,
    2**53,
    2**53 + 1,
    2**63 - 1,
    2**63,
    2**64,
    -(2**31),
    -(2**63) - 1,
)

_ids = random.Random(5)
_TRACE_IDS = ("t-1", *(f"{_ids.getrandbits(128):032x}" for _ in range(40)))
_SESSION_IDS = ("s-1", *(f"sess-{_ids.randrange(10**6):06d}" for _ in range(40)))
_RESPONSES = (
    "",
    "OK",
    '{"workers": ["W-00042"]}',
    "I found 3 forklift operators in Detroit.",
    '```json\n{"workers": ["W-00042", "W-00043"], "grounded": true}\n```',
)
_ERRORS = ("", "timeout after 30s", "connection refused", "ollama: model not found", "错误")

_REQUIRED: tuple[str, ...] = tuple(SESSION_RECORD_SCHEMA["required"])
_PROPERTIES: dict[str, Any] = SESSION_RECORD_SCHEMA["properties"]
_SCHEMA_RECORDS = st.fixed_dictionaries(
    {name: from_schema(_PROPERTIES[name]) for name in _REQUIRED},
    optional={
        name: from_schema(schema) for name, schema in _PROPERTIES.items() if name not in _REQUIRED
    },
).map(lambda record: {name: record[name] for name in _PROPERTIES if name in record})

_ITERATIONS = st.integers(min_value=0, max_value=10) | tagged(
    "session_records", "int_edge", st.sampled_from(INT_EDGES)
)
_LATENCY = st.one_of(
    st.integers(min_value=0, max_value=5000),
    tagged(
        "session_records",
        "latency_float",
        st.floats(min_value=0, max_value=60_000, allow_nan=False, allow_infinity=False)
        | st.sampled_from([0.0, 0.1, 1e-9, 2.0**53, 1.7976931348623157e308, -0.0]),
    ),
    tagged("session_records", "int_edge", st.sampled_from(INT_EDGES)),
)
_PROMPTS = st.one_of(
    staffing_queries(clustered=True),
    tagged("session_records", "unicode_prompt", unicode_text()),
)


@st.composite
def _domain_record(draw: st.DrawFn) -> dict[str, Any]:
    outcome = draw(choice(OUTCOMES))
    report("session_records", outcome)
    record: dict[str, Any] = {
        "trace_id": draw(choice(_TRACE_IDS)),
        "session_id": draw(choice(_SESSION_IDS)),
        "outcome": outcome,
        "iterations": draw(_ITERATIONS),
        "prompt": draw(_PROMPTS),
        "response": draw(choice(_RESPONSES)),
        "model": draw(choice(MODELS)),
        "latency_ms": draw(_LATENCY),
    }
    # An error is what infra_error records carry, but the contract leaves it
    # optional on every outcome, so both runtimes must persist it either way.
    if draw(BOOLEANS):
        record["error"] = draw(choice(_ERRORS))
        report("session_records", "with_error")
    else:
        report("session_records", "without_error")
    return record


_DOMAIN_RECORDS = _domain_record()

_WRONG_TYPES: dict[str, tuple[Any, Any, Any, Any]] = {
    "iterations": ("3", 3.5, True, [1]),
    "latency_ms": ("12ms", True, [], {}),
    "outcome": (1, ["accepted_grounded"], True, {"name": "infra_error"}),
    "prompt": (1, [], {"text": "x"}, False),
    "trace_id": (42, False, ["t-1"], 1.5),
    "error": (500, {"code": 1}, True, ["timeout"]),
}
# Values are lists and dicts (unhashable), so they are picked by index.
_WRONG_TYPE_INDEX = st.integers(min_value=0, max_value=3)
_EXTRA_FIELDS: tuple[tuple[str, Any], ...] = (
    ("extra", 1),
    ("Outcome", "infra_error"),  # a key that differs only in case
    ("timestamp", "2024-01-01T00:00:00Z"),  # a producer field, supplied by the caller
    ("daemon", "gateway"),
    ("", 0),
)
_UNKNOWN_OUTCOMES = ("accepted", "ACCEPTED_GROUNDED", "", "infra-error", "accepted_grounded ")


@st.composite
def _invalid_record(draw: st.DrawFn) -> dict[str, Any]:
    record = draw(_DOMAIN_RECORDS)
    damage = draw(
        choice(("wrong_type", "missing_required", "extra_field", "null_field", "unknown_outcome"))
    )
    report("session_records", damage)
    if damage == "wrong_type":
        name = draw(choice(tuple(_WRONG_TYPES)))
        record[name] = _WRONG_TYPES[name][draw(_WRONG_TYPE_INDEX)]
    elif damage == "missing_required":
        del record[draw(choice(_REQUIRED))]
    elif damage == "extra_field":
        key, value = draw(choice(_EXTRA_FIELDS))
        record[key] = value
    elif damage == "null_field":
        record[draw(choice((*_REQUIRED, "error")))] = None
    else:
        record["outcome"] = draw(choice(_UNKNOWN_OUTCOMES))
    return record


_INVALID_RECORDS = _invalid_record()

_BASE = {
    "trace_id": "0f8e4c2a9b7d4e1f8a6c3b2d1e0f9a8b",
    "session_id": "sess-000042",
    "iterations": 1,
    "model": "llama3.1:8b",
}
_FIXTURES: list[dict[str, Any]] = [
    {
        **_BASE,
        "outcome": "accepted_grounded",
        "prompt": "Need 3 Forklift Operators in Detroit MI starting at 7am for Beacon Freight",
        "response": '{"workers": ["W-00042", "W-00107", "W-01311"]}',
        "latency_ms": 812,
    },
    {
        **_BASE,
        "outcome": "max_iter_exhausted",
        "iterations": 5,
        "prompt": "Looking for 2 Dental assistants at Toledo Smiles in Toledo OH",
        "response": "I could not ground an answer in the worker records.",
        "latency_ms": 4031.5,
    },
    {
        **_BASE,
        "outcome": "infra_error",
        "iterations": 0,
        "prompt": "Welder Joliet",
        "response": "",
        "error": "connection refused: 127.0.0.1:11434",
        "latency_ms": 3,
    },
    {
        **_BASE,
        "outcome": "accepted_grounded",
        "prompt": "Café résumé ⭐ 你好: besoin de 2 soudeurs à Montréal",
        "response": '{"workers": ["W-00007"]}',
        "latency_ms": 640,
    },
]

_CATEGORIES = (
    "domain",
    "schema",
    *OUTCOMES,
    "unicode_prompt",
    "int_edge",
    "latency_float",
    "with_error",
    "without_error",
    "wrong_type",
    "missing_required",
    "extra_field",
    "null_field",
    "unknown_outcome",
)


@difffuzz.strategy(
    "session_records",
    description="Session records from a JSON Schema, biased to the domain, plus invalid ones.",
    examples=_FIXTURES,
    categories=_CATEGORIES,
)
def session_records(valid_only: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """Session records for ``session_log`` (see the module docstring).

    With ``valid_only=True`` every record satisfies :data:`SESSION_RECORD_SCHEMA`
    and the invalid categories are never reported.

    >>> session_records(valid_only=True).example()  # doctest: +SKIP
    {'trace_id': 't-1', 'session_id': 's-1', 'outcome': 'infra_error', ...}
    """
    valid = tagged("session_records", "domain", _DOMAIN_RECORDS) | tagged(
        "session_records", "schema", _SCHEMA_RECORDS
    )
    if valid_only:
        return valid
    return valid | _INVALID_RECORDS
