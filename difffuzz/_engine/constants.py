"""The literals Hypothesis mixes into what it draws, pinned to the surface's own code.

Hypothesis draws, now and then (5% of choices), a constant it mined from the
source of every *local* module loaded in the process: difffuzz's own code when
it is installed editable, the user's helpers, whatever else was imported. So
which inputs a seed gives depends on which modules the process happened to
load: a ``ci`` run in the CLI process draws ``'forklift'`` where the same seed
in a worker process draws ``'object'``, and a second run in one process draws
from the modules the first one imported on the way. A seeded run must give the
same inputs in every process, whatever the number of workers.

While a surface runs, :func:`pinned_constants` therefore hands Hypothesis the
constants of the surface's own code only: the module that defines its strategy
and the modules of its ``python`` targets (the code under test, when it lives
in this interpreter), wherever they are installed, except test files (as
Hypothesis skips them) and difffuzz itself (the fuzzer's literals are not the
service's). The pool is a function of the config, so the same seed draws the
same constants in every process, on every install mode.

This reaches into Hypothesis's internals (``providers._get_local_constants``).
Should a future Hypothesis move it, the pin is skipped and runs are reproducible
only within one process layout again; nothing else changes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import ModuleType
from typing import Any

import hypothesis.internal.conjecture.providers as providers
from hypothesis.internal.constants_ast import Constants, constants_from_module
from hypothesis.internal.floats import float_to_int
from sortedcontainers import SortedSet  # type: ignore[import-untyped]  # Hypothesis's own

from difffuzz._config import SurfaceSpec
from difffuzz._exceptions import RegistryError
from difffuzz._registry import get_strategy

__all__ = ["pinned_constants", "surface_constants", "surface_modules"]


def surface_modules(surface: SurfaceSpec) -> list[ModuleType]:
    """The loaded modules of the surface's own code (see the module docstring)."""
    names = []
    # A strategy handed to the engine directly (tests) has no module of its own here.
    with suppress(RegistryError):
        names.append(get_strategy(surface.strategy).factory.__module__)
    names.extend(
        request.target.partition(":")[0]
        for request in surface.requests.values()
        if request.transport == "python" and request.target
    )
    found = []
    for name in dict.fromkeys(names):
        module = sys.modules.get(name)
        if module is not None and _mined(name, module):
            found.append(module)
    return found


def _mined(name: str, module: ModuleType) -> bool:
    if name == "difffuzz" or name.startswith("difffuzz."):
        return False
    file = getattr(module, "__file__", None)
    if file is None:
        return False
    path = Path(file)
    return not (
        "test" in path.parts
        or "tests" in path.parts
        or path.stem.startswith("test_")
        or path.stem.endswith("_test")
    )


def surface_constants(modules: Iterable[ModuleType]) -> Constants:
    """The constants of ``modules``, in sorted sets (as Hypothesis keeps its own): the
    order Hypothesis picks from must not depend on the process's hash seed."""
    pool = Constants(
        integers=SortedSet(),
        floats=SortedSet(key=float_to_int),
        bytes=SortedSet(),
        strings=SortedSet(),
    )
    for module in modules:
        pool = pool | constants_from_module(module)
    return pool


@contextmanager
def pinned_constants(constants: Constants) -> Iterator[None]:
    """Hypothesis draws its local constants from ``constants`` alone, inside the block."""
    original: Any = getattr(providers, "_get_local_constants", None)
    cache: Any = getattr(providers, "CONSTANTS_CACHE", None)
    if original is None or cache is None or not hasattr(cache, "cache"):
        yield  # a Hypothesis without these: nothing to pin (see the module docstring)
        return
    # The permitted-constants cache is built from the pool: empty it on both sides.
    cache.cache.clear()
    providers._get_local_constants = lambda: constants
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.cache.clear()
