"""difffuzz: property-based differential fuzzing of two runtimes of one service.

>>> import difffuzz
>>> config = difffuzz.load_config("examples/lakehouse.toml")  # doctest: +SKIP
>>> result = difffuzz.run_campaign(config, corpus=difffuzz.Corpus("corpus"))  # doctest: +SKIP
>>> [finding.signature.label for finding in result.findings]  # doctest: +SKIP

The public API is re-exported here from the private modules, as httpx does;
import it from ``difffuzz``, never from a ``difffuzz._module``.
"""

from __future__ import annotations

from difffuzz._builtins import load_builtins
from difffuzz._comparators.base import (
    CompareSpec,
    Comparison,
    Difference,
    DiffKind,
    comparator,
)
from difffuzz._config import Config, load_config
from difffuzz._corpus import Corpus, Fixture
from difffuzz._engine import run_campaign
from difffuzz._exceptions import (
    ConfigError,
    CorpusError,
    DifffuzzError,
    RegistryError,
    RuntimeUnreachable,
)
from difffuzz._inputs import FileTree, WireInput, decode_input, encode_input
from difffuzz._lakehouse import LakehouseTargets, lakehouse_config
from difffuzz._normalize import NormalizeError, normalizer
from difffuzz._outcome import NOT_JSON, Failure, Outcome
from difffuzz._properties import runtime_property
from difffuzz._registry import strategy
from difffuzz._replay import replay_fixtures
from difffuzz._results import CampaignResult, Finding, Verdict
from difffuzz._signature import Signature
from difffuzz._transports import (
    CommandTransport,
    HTTPTransport,
    LinesTransport,
    MockTransport,
    PythonTransport,
    Transport,
)
from difffuzz._version import __version__

__all__ = [
    "NOT_JSON",
    "CampaignResult",
    "CommandTransport",
    "CompareSpec",
    "Comparison",
    "Config",
    "ConfigError",
    "Corpus",
    "CorpusError",
    "DiffKind",
    "Difference",
    "DifffuzzError",
    "Failure",
    "FileTree",
    "Finding",
    "Fixture",
    "HTTPTransport",
    "LakehouseTargets",
    "LinesTransport",
    "MockTransport",
    "NormalizeError",
    "Outcome",
    "PythonTransport",
    "RegistryError",
    "RuntimeUnreachable",
    "Signature",
    "Transport",
    "Verdict",
    "WireInput",
    "__version__",
    "comparator",
    "decode_input",
    "encode_input",
    "lakehouse_config",
    "load_config",
    "normalizer",
    "replay_fixtures",
    "run_campaign",
    "runtime_property",
    "strategy",
]

# The built-in rules and properties, registered by one explicit call rather than
# as a side effect of importing their modules (see difffuzz._builtins).
load_builtins()
del load_builtins
