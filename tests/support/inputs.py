"""Narrowing a finding's input to what a test's strategy draws: a wrong kind fails the test."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from difffuzz._inputs import Input

__all__ = ["as_dict", "as_int", "as_text"]


def as_text(value: Input) -> str:
    assert isinstance(value, str), f"expected a str input, got {value!r}"
    return value


def as_int(value: Input) -> int:
    assert isinstance(value, int), f"expected an int input, got {value!r}"
    assert not isinstance(value, bool), f"expected an int input, got {value!r}"
    return value


def as_dict(value: Input) -> Mapping[Any, Input]:
    assert isinstance(value, dict), f"expected an object input, got {value!r}"
    return value
