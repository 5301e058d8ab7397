"""Single-runtime properties: checks on one side's answer alone.

Some findings need no second opinion: a search result that contains an id the
request excluded is wrong even when both runtimes return it. A property is a
function ``(outcome, input, params) -> str | None`` returning a message when
the property does not hold; it is registered by name and listed per surface in
the config (``properties = [{name = "excludes-honoured"}]``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from difffuzz._exceptions import RegistryError
from difffuzz._inputs import Input
from difffuzz._outcome import Outcome

__all__ = ["PROPERTIES", "Property", "get_property", "runtime_property"]

Property = Callable[[Outcome, Input, Mapping[str, Any]], "str | None"]

PROPERTIES: dict[str, Property] = {}


def runtime_property(name: str) -> Callable[[Property], Property]:
    """Register a single-runtime property under ``name``."""

    def register(function: Property) -> Property:
        PROPERTIES[name] = function
        return function

    return register


def get_property(name: str) -> Property:
    import difffuzz._builtin_properties  # noqa: F401  (importing it registers the built-ins)

    try:
        return PROPERTIES[name]
    except KeyError:
        known = ", ".join(sorted(PROPERTIES)) or "(none registered)"
        raise RegistryError(
            f"unknown property {name!r}; registered properties: {known}. "
            "Register your own with @difffuzz.runtime_property(name)."
        ) from None
