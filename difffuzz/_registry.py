"""The strategy registry: named input generators that configs refer to.

A strategy is registered by name with the inputs it must always try first (the
team's hand-written probe fixtures) and the categories it reports through
Hypothesis ``event()``::

    from hypothesis import strategies as st
    import difffuzz

    @difffuzz.strategy("ticket_ids", examples=["T-0"], categories=["plain"])
    def ticket_ids() -> st.SearchStrategy[str]:
        return st.from_regex(r"T-[0-9]{1,6}", fullmatch=True)

Strategies come from three places: the bundled lakehouse pack
(``difffuzz_strategies``), any installed package that declares a
``difffuzz.strategies`` entry point, and modules a config names in
``strategy_modules``. Importing the module is what registers its strategies.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, TypeVar

from hypothesis import strategies as st

from difffuzz._exceptions import RegistryError

__all__ = ["STRATEGIES", "StrategyEntry", "get_strategy", "load_strategy_modules", "strategy"]

Factory = Callable[..., st.SearchStrategy[Any]]
F = TypeVar("F", bound=Factory)


@dataclass(frozen=True)
class StrategyEntry:
    name: str
    factory: Factory
    description: str
    #: Inputs always tried first, before anything is generated (the team's probes).
    examples: tuple[Any, ...] = ()
    #: The ``event()`` categories the strategy reports, so tests can check coverage.
    categories: tuple[str, ...] = ()

    def build(self, params: Mapping[str, Any] | None = None) -> st.SearchStrategy[Any]:
        try:
            return self.factory(**dict(params or {}))
        except TypeError as exc:
            raise RegistryError(
                f"strategy {self.name!r} does not accept parameters {dict(params or {})!r}: {exc}"
            ) from None


STRATEGIES: dict[str, StrategyEntry] = {}


def strategy(
    name: str,
    *,
    description: str = "",
    examples: Iterable[Any] = (),
    categories: Iterable[str] = (),
) -> Callable[[F], F]:
    """Register a strategy factory under ``name`` (see the module docstring)."""

    def register(factory: F) -> F:
        doc = description or (factory.__doc__ or "").strip().splitlines()[0:1]
        text = doc if isinstance(doc, str) else (doc[0] if doc else "")
        STRATEGIES[name] = StrategyEntry(
            name=name,
            factory=factory,
            description=text,
            examples=tuple(examples),
            categories=tuple(categories),
        )
        return factory

    return register


_plugins_loaded = False


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for entry in entry_points(group="difffuzz.strategies"):
        try:
            entry.load()
        except Exception as exc:  # a broken plugin must not hide the others
            raise RegistryError(
                f"the strategy plugin {entry.name!r} ({entry.value}) failed to import: {exc!r}"
            ) from exc


def load_strategy_modules(modules: Iterable[str]) -> None:
    """Import user modules so their ``@difffuzz.strategy`` functions register."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise RegistryError(
                f"strategy module {module!r} could not be imported ({exc}); check the name in "
                "'strategy_modules' and that its folder is on PYTHONPATH"
            ) from exc


def all_strategies() -> dict[str, StrategyEntry]:
    _load_plugins()
    return dict(sorted(STRATEGIES.items()))


def get_strategy(name: str) -> StrategyEntry:
    _load_plugins()
    try:
        return STRATEGIES[name]
    except KeyError:
        known = ", ".join(sorted(STRATEGIES)) or "(none registered)"
        raise RegistryError(
            f"unknown strategy {name!r}; registered strategies: {known}. "
            "Add yours with @difffuzz.strategy and list its module in 'strategy_modules'."
        ) from None
