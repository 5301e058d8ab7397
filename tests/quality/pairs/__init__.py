"""Real pairs: two independently written libraries, and a hand-checked table of why they differ.

Each module in this package holds one pair: the two adapter functions (the
``python`` transport calls them with each input), the pair's strategy (inputs from
the pair's domain, registered with :func:`difffuzz.strategy`) and its table of
known causes. The tables were written from the libraries' documentation and
source and from hand experiments *before* difffuzz ran on the pair; every row's
minimal trigger and predicate are checked by ``tests/quality/test_pair_tables.py``.

An adapter answers a JSON document: ``{"ok": true, "value": <normalised result>}``
or ``{"ok": false, "error": "<exception class>"}``. The comparison ignores
``/error``: two libraries never name their exceptions alike, and that both
refused an input is agreement. :data:`ERRORS` set to ``"message"`` adds the
exception's message (``"ValueError: Invalid isoformat string: '2011'"``), as a
user's wrapper might: the engine can tell causes apart by an error's text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["ERRORS", "Cause", "Discovered", "Pair", "answer", "input_size", "json_safe"]

#: What a refusal's ``error`` says: ``"class"`` (the exception class) or
#: ``"message"`` (class and message). The benchmark's ``--errors`` sets it.
ERRORS = {"detail": "class"}


@dataclass(frozen=True)
class Cause:
    """One known reason why the two libraries of a pair disagree.

    ``trigger`` is the smallest input found by hand that shows the cause (and
    that the pair's strategy can generate); ``exhibits`` decides whether an input
    shows it, so that a fixture can be attributed to its cause.
    """

    id: str
    description: str
    trigger: str | bytes
    exhibits: Callable[[Any], bool]


@dataclass(frozen=True)
class Discovered:
    """A divergence difffuzz found that the table lacked, checked by hand afterwards.

    Listed apart from the table: it is never counted as a known cause, and the
    table's predicates are not widened to claim it.
    """

    input: str | bytes
    note: str


@dataclass(frozen=True)
class Pair:
    """Two libraries compared in-process, their strategy and their known causes."""

    name: str
    #: What each side is, e.g. ``"urllib.parse.urlsplit"``.
    left: str
    right: str
    #: ``module:function`` targets for the python transport.
    left_target: str
    right_target: str
    strategy: str
    #: The module that registers ``strategy`` (a config's ``strategy_modules``).
    module: str
    causes: tuple[Cause, ...]
    #: How fixture sizes are counted: "characters" (str inputs) or "bytes".
    size_unit: str = "characters"
    #: Divergences difffuzz found outside the table, with how they were checked.
    discovered: tuple[Discovered, ...] = ()

    def cause(self, cause_id: str) -> Cause:
        for cause in self.causes:
            if cause.id == cause_id:
                return cause
        raise KeyError(f"pair {self.name!r} has no cause {cause_id!r}")


def input_size(value: Any) -> int:
    """An input's size: characters of a str, bytes of a bytes value."""
    if isinstance(value, str | bytes):
        return len(value)
    raise TypeError(f"real-pair inputs are str or bytes, got {type(value).__name__}")


def json_safe(value: Any) -> Any:
    """A parsed value as JSON can hold it without losing what tells two parsers apart.

    Floats become ``{"float": repr}``, so a float is never equal to an int (the
    json rule counts ``1 == 1.0``) and NaN and infinities survive.
    """
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, float):
        return {"float": repr(value)}
    return value


def answer(parse: Callable[[Any], Any], value: Any) -> str:
    """Run ``parse`` on ``value`` and answer the pair's JSON document.

    Any exception is a refusal (``RecursionError`` and ``MemoryError`` included):
    a library that gives up on an input has answered it.
    """
    try:
        result = parse(value)
    except Exception as exc:
        error = type(exc).__name__
        if ERRORS["detail"] == "message":
            error = f"{error}: {exc}"
        return json.dumps({"ok": False, "error": error})
    # ensure_ascii: a lone surrogate in a parsed string must reach the comparator as \\udxxx.
    document = {"ok": True, "value": json_safe(result)}
    return json.dumps(document, ensure_ascii=True, allow_nan=False)
