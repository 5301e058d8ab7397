"""Runtimes whose behaviour a replay test switches between sends.

``right`` escapes '<' like :func:`tests.planted.escaping_echo` until a test sets
``BEHAVIOUR["right"]`` to another mode; ``left`` echoes, or raises. Tests set
the switches with ``monkeypatch.setitem`` so every test starts from the defaults.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

BEHAVIOUR: dict[str, str] = {"left": "echo", "right": "escape"}

#: Calls of ``right`` in "alternate" mode, so that consecutive sends differ.
_calls = itertools.count()


def left(value: str) -> str:
    if BEHAVIOUR["left"] == "raise":
        raise ValueError("the left runtime rejects every input")
    return json.dumps({"text": value})


def right(value: str) -> Any:
    mode = BEHAVIOUR["right"]
    if mode == "alternate":
        mode = "escape" if next(_calls) % 2 == 0 else "fixed"
    if mode == "escape":
        return json.dumps({"text": value.replace("<", "&lt;")})
    if mode == "fixed":
        return json.dumps({"text": value})
    if mode == "escape+note":  # the old difference, and a new field beside it
        return json.dumps({"text": value.replace("<", "&lt;"), "note": "escaped"})
    if mode == "refuse":  # exits 1, as a helper refusing the input would
        return (1, json.dumps({"text": value}))
    if mode == "raise":
        raise ValueError("the right runtime rejects every input")
    raise AssertionError(f"unknown mode {mode!r} for tests.planted_replay.right")
