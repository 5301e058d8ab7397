"""Single-runtime properties: checks on one side's answer alone.

Some findings need no second opinion: a search result that contains an id the
request excluded is wrong even when both runtimes return it. A property is a
function ``(outcome, input, params) -> str | None`` returning a message when
the property does not hold; it is registered by name and listed per surface in
the config (``properties = [{name = "excludes-honoured"}]``). The built-ins live in
:mod:`difffuzz._builtin_properties` and are registered by
:func:`difffuzz._builtins.load_builtins`; this module does not import them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from difffuzz._inputs import Input
from difffuzz._outcome import Outcome
from difffuzz._registry import Registry

__all__ = ["PROPERTIES", "Property", "get_property", "runtime_property"]

Property = Callable[[Outcome, Input, Mapping[str, Any]], "str | None"]

PROPERTIES: Registry[Property] = Registry(
    "property", advice="Register your own with @difffuzz.runtime_property(name)."
)


def runtime_property(name: str) -> Callable[[Property], Property]:
    """Register a single-runtime property under ``name``.

    A name already taken (a built-in such as ``"parses"``, or another property)
    raises :class:`~difffuzz.RegistryError`.
    """

    def register(function: Property) -> Property:
        PROPERTIES.register(name, function, origin=f"{function.__module__}.{function.__qualname__}")
        return function

    return register


def get_property(name: str) -> Property:
    """The property registered as ``name`` (raises :class:`~difffuzz.RegistryError` if none)."""
    return PROPERTIES.get(name)
