"""Run a config's surfaces under the wire layer, as the engine will once it calls it.

The engine builds each surface's strategy with ``entry.build(params)``; the
integration is ``difffuzz._wire.wrap_strategy(strategy, surface)`` at that
spot, and ``wrap_examples(entry.examples, surface)`` for the probes. Until it
lands, :func:`wired` gets the same effect through the public registry: each
surface gets a registered strategy that is its own, wrapped for it. The
wrapped strategy is marked as carrying the layer, so once the engine wraps too,
the layer is applied once, not twice.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

import difffuzz
from difffuzz._config import Config, SurfaceSpec
from difffuzz._registry import StrategyEntry, get_strategy, load_strategy_modules
from difffuzz._wire import wrap_examples, wrap_strategy
from difffuzz._wire.strategy import mark_wired

__all__ = ["wired"]

# A registered name is taken for good: each wrapping gets its own.
_NUMBERS = itertools.count(1)


def _register(name: str, entry: StrategyEntry, surface: SurfaceSpec) -> None:
    def factory(**params: Any) -> st.SearchStrategy[Any]:
        base = entry.build(params)
        layered = wrap_strategy(base, surface)
        if layered is not base:
            mark_wired(layered, base)
        return layered

    examples = wrap_examples(entry.examples, surface)
    difffuzz.strategy(name, description=entry.description, examples=examples)(factory)


def wired(config: Config) -> Config:
    """``config`` with every surface's strategy wrapped by the wire layer for that surface."""
    load_strategy_modules(config.strategy_modules)
    surfaces = {}
    for name, surface in config.surfaces.items():
        wrapped = f"wired-{next(_NUMBERS)}-{name}-{surface.strategy}"
        _register(wrapped, get_strategy(surface.strategy), surface)
        surfaces[name] = replace(surface, strategy=wrapped)
    return replace(config, surfaces=surfaces)
