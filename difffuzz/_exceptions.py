"""Everything difffuzz raises, in two families that must never be confused.

A *finding* is something wrong with the runtimes under test; a *tool error* is
difffuzz itself (or its surroundings) failing to do the job::

    DifffuzzError                 tool errors: exit code 2 or 3, never a finding
    ├── ConfigError               the config file or a CLI option is wrong (exit 2)
    ├── CorpusError               a fixture file cannot be read or written (exit 2)
    ├── RegistryError             an unknown strategy, comparator or property (exit 2)
    └── RuntimeUnreachable        a runtime is down or keeps timing out (exit 3)

A divergence is not an exception: it is data (an ``Observation``, a ``Finding``,
a fixture). Inside the engine, Hypothesis is told about one by the engine's own
``DivergenceFound`` (``difffuzz._engine.divergence``).

Messages name the thing that is wrong, the value it had, and what to do instead.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "CorpusError",
    "DifffuzzError",
    "RegistryError",
    "RuntimeUnreachable",
]


class DifffuzzError(Exception):
    """Base class of every tool error difffuzz raises."""

    exit_code = 2


class ConfigError(DifffuzzError):
    """The configuration (file, option or value) is invalid."""


class CorpusError(DifffuzzError):
    """A corpus fixture could not be read, parsed or written."""


class RegistryError(DifffuzzError):
    """A strategy, comparator or property name is not registered."""


class RuntimeUnreachable(DifffuzzError):
    """A runtime could not be reached (refused, timed out, crashed repeatedly)."""

    exit_code = 3

    def __init__(self, message: str, *, runtime: str, target: str) -> None:
        super().__init__(message)
        self.runtime = runtime
        self.target = target
