"""Planted pairs for the identity tests: causes whose number and minimal inputs are known exactly.

Each pair is one left function and one right function the python transport
calls; the right one plants the causes. Kept apart from ``tests/planted.py`` so
the engine's own quality tests and this suite can change independently.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

import difffuzz

#: The planted cause of :func:`scrambled_items`: the list holds this number.
UNLUCKY = 13
#: The planted causes of :func:`refuses_markup`: the text holds one of these.
REFUSED = ("<", "&", "#")
#: The planted causes of :func:`levels`: ``x`` reaches each threshold.
THRESHOLDS = (10, 1000)


@difffuzz.strategy("identity_lists", description="small lists of small integers")
def identity_lists() -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(0, 20), max_size=6)


@difffuzz.strategy("identity_text", description="printable ASCII text")
def identity_text() -> st.SearchStrategy[str]:
    return st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=10)


@difffuzz.strategy("identity_numbers", description="integers")
def identity_numbers() -> st.SearchStrategy[int]:
    return st.integers()


def items(values: list[int]) -> str:
    return json.dumps({"items": {f"k{value}": value for value in values}})


def scrambled_items(values: list[int]) -> str:
    """One cause, many diff shapes: with 13 in the list every item changes, by its residue.

    An item is dropped (x % 3 == 0), turned into a string (1) or incremented (2),
    so what differs depends on the other items; the minimal input is ``[13]``.
    """
    if UNLUCKY not in values:
        return items(values)
    record: dict[str, Any] = {}
    for value in values:
        if value % 3 == 1:
            record[f"k{value}"] = str(value)
        elif value % 3 == 2:
            record[f"k{value}"] = value + 1
    return json.dumps({"items": record})


def echo_text(text: str) -> str:
    return json.dumps({"ok": True, "value": text})


def refuses_markup(text: str) -> str:
    """Three causes, one diff shape: it refuses a text holding '<', '&' or '#'."""
    if any(mark in text for mark in REFUSED):
        return json.dumps({"ok": False})
    return echo_text(text)


#: What :func:`names_its_refusal` says for each planted cause.
REFUSAL_TEXTS = {"<": "unescaped less-than", "&": "bare ampersand", "#": "comment sign"}


def names_its_refusal(text: str) -> str:
    """:func:`refuses_markup`, saying why: causes told apart by their error texts."""
    for mark, reason in REFUSAL_TEXTS.items():
        if mark in text:
            return json.dumps({"ok": False, "error": reason})
    return echo_text(text)


def flat_levels(value: int) -> str:
    return json.dumps({"a": False, "b": False})


def levels(value: int) -> str:
    """Two nested causes: ``/a`` from 10 on, and ``/b`` as well from 1000 on."""
    return json.dumps({"a": value >= THRESHOLDS[0], "b": value >= THRESHOLDS[1]})
