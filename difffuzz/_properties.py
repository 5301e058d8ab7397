"""Single-runtime properties: checks on one side's answer alone.

Some findings need no second opinion: a search result that contains an id the
request excluded is wrong even when both runtimes return it. A property is
listed per surface in the config (``properties = [{name = "excludes-honoured"}]``)
and registered by name as a :class:`RuntimeProperty`: a factory that reads its
parameters once, when the config is compiled, and returns a check
``(outcome, input) -> str | None`` giving a message when the property does not
hold. A user's property may be a plain function ``(outcome, input, params) ->
str | None`` instead (``@difffuzz.runtime_property``). The built-ins live in
:mod:`difffuzz._builtin_properties` and are registered by
:func:`difffuzz._builtins.load_builtins`; this module does not import them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from difffuzz._inputs import Input
from difffuzz._outcome import Outcome
from difffuzz._registry import Registry

__all__ = [
    "PROPERTIES",
    "Check",
    "Property",
    "RuntimeProperty",
    "get_property",
    "runtime_property",
]

Check = Callable[[Outcome, Input], "str | None"]
"""A property with its parameters read: one answer (and the input) in, a message or None."""

Property = Callable[[Outcome, Input, Mapping[str, Any]], "str | None"]
"""What ``@difffuzz.runtime_property`` registers: a function that reads its params every call."""


@dataclass(frozen=True)
class RuntimeProperty:
    """A property by name: ``compile(params)`` checks the parameters once (a
    :class:`~difffuzz.ConfigError` names what is wrong) and returns the check.

    Calling it compiles and checks once (handy in tests).
    """

    name: str
    compile: Callable[[Mapping[str, Any]], Check]

    def __call__(self, outcome: Outcome, value: Input, params: Mapping[str, Any]) -> str | None:
        return self.compile(params)(outcome, value)


@dataclass(frozen=True)
class _EachCall:
    """A user's plain property as a factory: the parameters go to every call."""

    function: Property

    def __call__(self, params: Mapping[str, Any]) -> Check:
        function = self.function
        return lambda outcome, value: function(outcome, value, params)


PROPERTIES: Registry[RuntimeProperty] = Registry(
    "property", advice="Register your own with @difffuzz.runtime_property(name)."
)


def runtime_property(name: str) -> Callable[[Property], Property]:
    """Register a single-runtime property under ``name``.

    A name already taken (a built-in such as ``"parses"``, or another property)
    raises :class:`~difffuzz.RegistryError`.
    """

    def register(function: Property) -> Property:
        entry = RuntimeProperty(name, _EachCall(function))
        PROPERTIES.register(name, entry, origin=f"{function.__module__}.{function.__qualname__}")
        return function

    return register


def get_property(name: str) -> RuntimeProperty:
    """The property registered as ``name`` (raises :class:`~difffuzz.RegistryError` if none)."""
    return PROPERTIES.get(name)
