"""Everything difffuzz raises, in two families that must never be confused.

A *finding* is something wrong with the runtimes under test; a *tool error* is
difffuzz itself (or its surroundings) failing to do the job::

    DifffuzzError                 tool errors: exit code 2 or 3, never a finding
    ├── ConfigError               the config file or a CLI option is wrong (exit 2)
    ├── CorpusError               a fixture file cannot be read or written (exit 2)
    ├── RegistryError             an unknown strategy, comparator or property (exit 2)
    └── RuntimeUnreachable        a runtime is down or keeps timing out (exit 3)

    DivergenceFound(AssertionError)   a finding: the runtimes answered differently

Messages name the thing that is wrong, the value it had, and what to do instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from difffuzz._results import Observation

__all__ = [
    "ConfigError",
    "CorpusError",
    "DifffuzzError",
    "DivergenceFound",
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


class DivergenceFound(AssertionError):
    """The two runtimes disagreed on one input.

    The engine derives one subclass per divergence *signature* so that
    Hypothesis, which tells failures apart by exception type and location,
    finds and shrinks every distinct divergence separately.
    """

    def __init__(self, observation: Observation) -> None:
        super().__init__(observation.signature.label if observation.signature else "divergence")
        self.observation = observation
