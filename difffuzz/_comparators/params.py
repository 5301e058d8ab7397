"""Reading a rule's parameters from the config, with errors that say the fix.

A typo in a parameter name would otherwise silently fall back to a default
(``min_overlp = 0.5`` comparing with 0.8), so every rule rejects names it does
not know.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from difffuzz._exceptions import ConfigError
from difffuzz._pointer import compile_pattern, parse

__all__ = [
    "check_names",
    "flag_param",
    "int_param",
    "number_param",
    "patterns_param",
    "pointer_param",
]


def check_names(
    rule: str, params: Mapping[str, Any], known: frozenset[str], *, kind: str = "rule"
) -> None:
    """Reject parameter names the rule does not read."""
    unknown = sorted(set(params) - known)
    if unknown:
        accepted = ", ".join(sorted(known)) or "(none)"
        raise ConfigError(
            f"{kind} {rule!r} got unknown parameter(s) {', '.join(map(repr, unknown))}; "
            f"it accepts: {accepted}"
        )


def number_param(
    rule: str,
    params: Mapping[str, Any],
    name: str,
    default: float | None,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    kind: str = "rule",
) -> float | None:
    """A finite number in ``[low, high]``, or ``default`` when absent."""
    value = params.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(
            f"{kind} {rule!r} parameter {name!r} must be a finite number, got {value!r}"
        )
    if not low <= value <= high:
        raise ConfigError(
            f"{kind} {rule!r} parameter {name!r} is {value!r}; it must lie in [{low}, {high}]"
        )
    return float(value)


def int_param(
    rule: str,
    params: Mapping[str, Any],
    name: str,
    default: int | None,
    *,
    low: int = 0,
    kind: str = "rule",
) -> int | None:
    """An integer ``>= low``, or ``default`` when absent."""
    value = params.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(
            f"{kind} {rule!r} parameter {name!r} must be an integer >= {low}, got {value!r}"
        )
    return value


def flag_param(
    rule: str, params: Mapping[str, Any], name: str, default: bool, *, kind: str = "rule"
) -> bool:
    value = params.get(name, default)
    if not isinstance(value, bool):
        raise ConfigError(
            f"{kind} {rule!r} parameter {name!r} must be true or false, got {value!r}"
        )
    return value


def pointer_param(
    rule: str, params: Mapping[str, Any], name: str, default: str, *, kind: str = "rule"
) -> str:
    """A concrete JSON pointer such as ``/results``."""
    value = params.get(name, default)
    if not isinstance(value, str):
        raise ConfigError(
            f"{kind} {rule!r} parameter {name!r} must be a JSON pointer string, got {value!r}"
        )
    try:
        parse(value)
    except ValueError as exc:
        raise ConfigError(f"{kind} {rule!r} parameter {name!r}: {exc}") from None
    return value


def patterns_param(
    rule: str, params: Mapping[str, Any], name: str, *, kind: str = "rule"
) -> tuple[str, ...]:
    """A list of pointer patterns (``*`` one level, ``**`` any depth)."""
    value = params.get(name, ())
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            f"{kind} {rule!r} parameter {name!r} must be a list of pointer patterns such as "
            f'["/results"], got {value!r}'
        )
    for pattern in value:
        try:
            compile_pattern(pattern)
        except ValueError as exc:
            raise ConfigError(f"{kind} {rule!r} parameter {name!r}: {exc}") from None
    return tuple(value)
