"""Named plug-ins: one :class:`Registry` type for every kind, and the strategy registry.

Configs refer to strategies, comparator rules and single-runtime properties by
name; each kind has one :class:`Registry` (strategies here, comparators in
:mod:`difffuzz._comparators.base`, properties in :mod:`difffuzz._properties`),
and a later kind (normalizers, transports) gets one more instance, not a fourth
mechanism. The rules every kind shares:

- **A name is registered once.** Registering a taken name under something else
  raises :class:`RegistryError` naming both, so a user's ``"parses"`` can never
  silently replace the built-in (or be replaced by it). Registering the very
  same object again changes nothing, so a module imported twice is harmless.
- **Nothing loads behind a lookup.** :meth:`Registry.get` only looks up. The
  built-in rules and properties are registered by one explicit call,
  :func:`difffuzz._builtins.load_builtins`, which ``import difffuzz`` makes;
  strategy plugins are loaded by :func:`load_strategy_modules`, which every
  campaign, ``difffuzz sample`` and ``difffuzz strategies`` call first.
- **A broken plugin hides no other.** A ``difffuzz.strategies`` entry point that
  fails to import is reported (a warning, and in the error for any name it would
  have provided) and skipped; the others load.

A strategy is registered with the inputs it must always try first (the team's
probe fixtures) and the categories it reports through Hypothesis ``event()``::

    from hypothesis import strategies as st
    import difffuzz

    @difffuzz.strategy("ticket_ids", examples=["T-0"], categories=["plain"])
    def ticket_ids() -> st.SearchStrategy[str]:
        return st.from_regex(r"T-[0-9]{1,6}", fullmatch=True)

Strategies come from three places: the lakehouse pack (``difffuzz_strategies``,
itself a ``difffuzz.strategies`` entry point), any installed package that
declares such an entry point, and modules a config names in ``strategy_modules``.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from difffuzz._exceptions import RegistryError
from difffuzz._inputs import Input

if TYPE_CHECKING:
    from hypothesis import strategies as st

__all__ = [
    "STRATEGIES",
    "STRATEGY_ENTRY_POINTS",
    "PluginWarning",
    "Registry",
    "StrategyEntry",
    "all_strategies",
    "get_strategy",
    "import_from",
    "load_strategy_modules",
    "load_strategy_plugins",
    "strategy",
]

T = TypeVar("T")


class PluginWarning(UserWarning):
    """An installed plugin could not be loaded and was skipped."""


class Registry(Generic[T]):
    """Plug-ins of one kind, by name.

    ``kind`` is how messages name one (``"strategy"``, ``"comparator rule"``);
    ``advice`` tells a user how to add their own, and ends the error for an
    unknown name.

    >>> shapes = Registry[int]("shape", advice="Add one with shapes.register(name, n).")
    >>> shapes.register("square", 4, origin="geometry")
    >>> shapes.get("square")
    4
    >>> shapes.register("square", 5, origin="my_module")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    difffuzz._exceptions.RegistryError: the shape name 'square' is already registered ...
    """

    def __init__(self, kind: str, *, advice: str) -> None:
        self.kind = kind
        self.advice = advice
        self._items: dict[str, T] = {}
        self._origins: dict[str, str] = {}
        self._loaded_entry_points: set[tuple[str, str]] = set()
        #: One line per plugin that failed to load (it was skipped).
        self.problems: list[str] = []

    def register(self, name: str, item: T, *, origin: str) -> None:
        """Add ``item`` as ``name``; ``origin`` says where it comes from, for messages."""
        if not isinstance(name, str) or not name:
            raise RegistryError(f"a {self.kind} needs a non-empty string name, got {name!r}")
        if name in self._items:
            existing = self._items[name]
            if existing is item or existing == item:
                return
            raise RegistryError(
                f"the {self.kind} name {name!r} is already registered (by "
                f"{self._origins[name]}); {origin} cannot register another under it: "
                "choose another name"
            )
        self._items[name] = item
        self._origins[name] = origin

    def get(self, name: str) -> T:
        """The item registered as ``name``; an unknown name lists the known ones."""
        try:
            return self._items[name]
        except KeyError:
            pass
        known = ", ".join(sorted(self._items)) or "(none registered)"
        message = f"unknown {self.kind} {name!r}; registered: {known}. {self.advice}"
        if self.problems:
            message += " Skipped plugins: " + "; ".join(self.problems)
        raise RegistryError(message) from None

    def origin(self, name: str) -> str:
        """Where ``name`` was registered from (a module, or ``difffuzz (built-in)``)."""
        self.get(name)
        return self._origins[name]

    def items(self) -> list[tuple[str, T]]:
        """Every ``(name, item)``, sorted by name."""
        return sorted(self._items.items())

    def names(self) -> list[str]:
        """Every name in the order registered (the built-ins first, as their table lists them)."""
        return list(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, name: str) -> T:
        return self.get(name)

    def load_entry_points(self, plugins: Iterable[EntryPoint]) -> list[str]:
        """Import each plugin once; one that fails is reported and skipped, never fatal.

        A plugin registers its items when imported (``@difffuzz.strategy`` in
        its modules). Returns the problems of this call, one line each; they also
        stay in :attr:`problems` and end the error for an unknown name.
        """
        problems = []
        for plugin in plugins:
            key = (plugin.name, plugin.value)
            if key in self._loaded_entry_points:
                continue
            self._loaded_entry_points.add(key)
            try:
                plugin.load()
            # Whatever one plugin's import raises, the others must still load.
            except Exception as exc:
                dist = f" from {plugin.dist.name}" if plugin.dist is not None else ""
                problem = (
                    f"the {self.kind} plugin {plugin.name!r} ({plugin.value}{dist}) failed to "
                    f"import ({type(exc).__name__}: {exc}); reinstall or uninstall it"
                )
                problems.append(problem)
                warnings.warn(f"skipped {problem}", PluginWarning, stacklevel=2)
        self.problems.extend(problems)
        return problems


# -- strategies ---------------------------------------------------------------------

Factory = Callable[..., "st.SearchStrategy[Input]"]
F = TypeVar("F", bound=Factory)

STRATEGY_ENTRY_POINTS = "difffuzz.strategies"


@dataclass(frozen=True)
class StrategyEntry:
    name: str
    factory: Factory
    description: str
    #: Inputs always tried first, before anything is generated (the team's probes).
    examples: tuple[Input, ...] = ()
    #: The ``event()`` categories the strategy reports, so tests can check coverage.
    categories: tuple[str, ...] = ()

    def build(self, params: Mapping[str, Any] | None = None) -> st.SearchStrategy[Input]:
        try:
            return self.factory(**dict(params or {}))
        except TypeError as exc:
            raise RegistryError(
                f"strategy {self.name!r} does not accept parameters {dict(params or {})!r}: {exc}"
            ) from None


STRATEGIES: Registry[StrategyEntry] = Registry(
    "strategy",
    advice="Add yours with @difffuzz.strategy and list its module in 'strategy_modules'.",
)


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
        entry = StrategyEntry(
            name=name,
            factory=factory,
            description=text,
            examples=tuple(examples),
            categories=tuple(categories),
        )
        STRATEGIES.register(name, entry, origin=f"{factory.__module__}.{factory.__qualname__}")
        return factory

    return register


def load_strategy_plugins(plugins: Iterable[EntryPoint] | None = None) -> list[str]:
    """Import the installed ``difffuzz.strategies`` plugins (once each); the problems."""
    found = entry_points(group=STRATEGY_ENTRY_POINTS) if plugins is None else plugins
    return STRATEGIES.load_entry_points(found)


def import_from(module: str, folder: str | os.PathLike[str] | None = None) -> ModuleType:
    """Import ``module``, looking in ``folder`` first (a config's folder), then sys.path.

    The folder stays on ``sys.path``, as pytest's rootdir does: a module found
    there may import its neighbours later, while the campaign runs.
    """
    if folder is not None:
        root = os.fspath(Path(folder).resolve())
        if root not in sys.path:
            sys.path.insert(0, root)
            importlib.invalidate_caches()
    return importlib.import_module(module)


def load_strategy_modules(
    modules: Iterable[str], *, folder: str | os.PathLike[str] | None = None
) -> None:
    """Load every strategy source: the installed plugins, then the user's ``modules``.

    ``folder`` (a config's folder) is searched first, so ``strategy_modules =
    ["my_strategies"]`` finds ``my_strategies.py`` beside the config.
    """
    load_strategy_plugins()
    for module in modules:
        try:
            import_from(module, folder)
        except ImportError as exc:
            where = f"{folder} (the config's folder) or " if folder is not None else ""
            raise RegistryError(
                f"strategy module {module!r} could not be imported ({exc}); check the name in "
                f"'strategy_modules' and that the module is in {where}a folder on sys.path"
            ) from exc


def all_strategies() -> dict[str, StrategyEntry]:
    """Every registered strategy, by name (load them first: :func:`load_strategy_modules`)."""
    return dict(STRATEGIES.items())


def get_strategy(name: str) -> StrategyEntry:
    return STRATEGIES.get(name)
