"""difffuzz: property-based differential fuzzing of two runtimes of one service."""

from difffuzz._comparators.base import (
    CompareSpec,
    Comparison,
    DiffKind,
    Difference,
    comparator,
)
from difffuzz._exceptions import (
    ConfigError,
    CorpusError,
    DifffuzzError,
    DivergenceFound,
    RegistryError,
    RuntimeUnreachable,
)
from difffuzz._inputs import FileTree, decode_input, encode_input
from difffuzz._outcome import NOT_JSON, Failure, Outcome
from difffuzz._properties import runtime_property
from difffuzz._registry import strategy
from difffuzz._signature import Signature
from difffuzz._version import __version__

__all__ = [
    "NOT_JSON",
    "CompareSpec",
    "Comparison",
    "ConfigError",
    "CorpusError",
    "DiffKind",
    "Difference",
    "DifffuzzError",
    "DivergenceFound",
    "Failure",
    "FileTree",
    "Outcome",
    "RegistryError",
    "RuntimeUnreachable",
    "Signature",
    "__version__",
    "comparator",
    "decode_input",
    "encode_input",
    "runtime_property",
    "strategy",
]
