"""Runtime pairs with differences planted on purpose, for the engine's quality tests.

These are the only planted differences in the project: they live in tests, where
the expected findings are known exactly. The sample runtimes plant nothing.
"""

from __future__ import annotations

import html
import json
from typing import Any

from hypothesis import strategies as st

import difffuzz


@difffuzz.strategy("planted_text", description="text for planted-difference tests")
def planted_text() -> st.SearchStrategy[str]:
    return st.text()


@difffuzz.strategy("planted_short_text", description="short texts, '<' among their characters")
def planted_short_text() -> st.SearchStrategy[str]:
    """Texts where a '<' comes within a few examples: for tests whose runs are a
    second or two (time-boxed slices), where a needle in st.text() may not come."""
    return st.text(alphabet="ab<", max_size=6)


@difffuzz.strategy("planted_numbers", description="integers for planted-difference tests")
def planted_numbers() -> st.SearchStrategy[int]:
    return st.integers()


def echo(value: str) -> str:
    return json.dumps({"text": value})


def escaping_echo(value: str) -> str:
    """Differs from :func:`echo` exactly when the text holds a '<' (it escapes only that)."""
    return json.dumps({"text": value.replace("<", "&lt;")})


def html_escaping_echo(value: str) -> str:
    return json.dumps({"text": html.escape(value, quote=False)})


def two_bugs_left(value: int) -> str:
    return json.dumps({"doubled": value * 2, "sign": "neg" if value < 0 else "pos"})


def two_bugs_right(value: int) -> Any:
    # Bug 1: values >= 1000 are clamped in "doubled". Bug 2: the sign of 0 says "zero"
    # in a field the left side does not have, but only for multiples of 7 below zero.
    doubled = min(value, 1000) * 2 if value >= 1000 else value * 2
    record: dict[str, Any] = {"doubled": doubled, "sign": "neg" if value < 0 else "pos"}
    if value < 0 and value % 7 == 0:
        record["note"] = "multiple of seven"
    return json.dumps(record)


INTERRUPT_AFTER = {"calls": 0, "limit": 40}


def escaping_echo_then_ctrl_c(value: str) -> str:
    """escaping_echo, until the user presses Ctrl-C (simulated after a number of calls)."""
    INTERRUPT_AFTER["calls"] += 1
    if INTERRUPT_AFTER["calls"] > INTERRUPT_AFTER["limit"]:
        raise KeyboardInterrupt
    return escaping_echo(value)


def broken_helper(value: str) -> str:
    """A runtime whose helper cannot start: the same failure for every input."""
    raise ModuleNotFoundError("No module named 'lakehouse_samples.go_style.session_lg'")


@difffuzz.strategy("planted_text_then_bug", description="text whose strategy breaks on long values")
def planted_text_then_bug() -> st.SearchStrategy[str]:
    """A user's strategy with a bug: it raises on some values it draws."""

    def broken(value: str) -> str:
        if len(value) > 3:
            raise ZeroDivisionError("the user's strategy divided by zero")
        return value

    return st.text().map(broken)


@difffuzz.strategy("planted_records", description="records with generated keys")
def planted_records() -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.text(max_size=5), st.integers(), max_size=6)


def record_echo(value: dict[str, Any]) -> str:
    return json.dumps({"record": value})


def record_nulls_on_lt(value: dict[str, Any]) -> str:
    """One cause, many diff shapes: a key holding '<' turns every value into null,
    so which paths differ depends on the generated keys (and, without `collapse`,
    every set of keys would be a signature of its own)."""
    if any("<" in key for key in value):
        return json.dumps({"record": dict.fromkeys(value)})
    return json.dumps({"record": value})


def text_ok(value: str) -> str:
    return json.dumps({"ok": True, "text": value})


def text_fails_three_ways(value: str) -> str:
    """Three causes, one diff shape: each is told apart only by the error it gives
    (as real parsers name their causes), never by where the answers differ."""
    causes = (
        ("<", "angle bracket not allowed at offset {}"),
        ("&", "entity reference at {} is not supported"),
        (">", "unexpected close tag at {}"),
    )
    for char, message in causes:
        if char in value:
            return json.dumps({"ok": False, "error": message.format(value.index(char))})
    return json.dumps({"ok": True, "text": value})


FLAKY_EVERY = {"calls": 0, "every": 10}


def echo_flaky(value: str) -> str:
    """Answers like :func:`echo`, except on every tenth call, whatever the input: a
    fault of the runtime, not a divergence any input causes."""
    FLAKY_EVERY["calls"] += 1
    if FLAKY_EVERY["calls"] % FLAKY_EVERY["every"] == 0:
        return json.dumps({"text": value, "error": "upstream timed out"})
    return echo(value)


@difffuzz.strategy("planted_padded_text", description="text of at least 40 characters")
def planted_padded_text() -> st.SearchStrategy[str]:
    """Long texts: one with a '<' keeps 39 other characters, each of which takes its
    own shrink calls, so a small shrink budget cannot finish it. (The simplest
    value, 40 zeros, holds no '<': a divergence is found at random, padded.)"""
    return st.text(min_size=40)


#: The two thresholds of :func:`nested_right`. The second is computed, not written
#: out: Hypothesis mines integer literals from local code and draws them, so a
#: literal boundary would be generated directly and never need a real shrink.
NESTED = (10, 3 * 1237)


def nested_left(value: int) -> str:
    return json.dumps({"a": False})


def nested_right(value: int) -> str:
    """Two nested causes: ``/a`` differs from 10 on, and from 3711 on ``/b`` is there
    too (another kind of difference: another bucket). Every input of the second also
    shows the first, so a shrink that may slip from one cause to the other (one
    Hypothesis origin for both) ends at 10 and leaves the second where it was seen."""
    low, high = NESTED
    record = {"a": value >= low}
    if value >= high:
        record["b"] = True
    return json.dumps(record)


#: Where the recording runtimes note each input they are sent (a folder), for tests
#: that compare the inputs of two runs, whichever process ran them.
RECORD_FOLDER = "DIFFFUZZ_TEST_RECORD"


def _record(runtime: str, value: Any) -> None:
    import os
    from pathlib import Path

    with (Path(os.environ[RECORD_FOLDER]) / f"{runtime}.txt").open("a", encoding="utf-8") as log:
        log.write(f"{value!r}\n")


def recorded_echo(value: str) -> str:
    """:func:`echo`, noting each input (see :data:`RECORD_FOLDER`)."""
    _record("text", value)
    return echo(value)


def recorded_two_bugs_left(value: int) -> str:
    """:func:`two_bugs_left`, noting each input (see :data:`RECORD_FOLDER`)."""
    _record("numbers", value)
    return two_bugs_left(value)
