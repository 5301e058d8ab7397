"""difffuzz: property-based differential fuzzing of two runtimes of one service.

>>> import difffuzz
>>> config = difffuzz.load_config("examples/lakehouse.toml")  # doctest: +SKIP
>>> result = difffuzz.run_campaign(config, corpus=difffuzz.Corpus("corpus"))  # doctest: +SKIP
>>> [finding.signature.label for finding in result.findings]  # doctest: +SKIP
"""

from typing import TYPE_CHECKING

from difffuzz._version import __version__

# Exports load on first use (PEP 562): `import difffuzz` must stay cheap, because
# the sample runtimes' helper programs live in this package and start once per call.
if TYPE_CHECKING:
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
    from difffuzz._inputs import FileTree, decode_input, encode_input
    from difffuzz._lakehouse import LakehouseTargets, lakehouse_config
    from difffuzz._outcome import NOT_JSON, Failure, Outcome
    from difffuzz._properties import runtime_property
    from difffuzz._registry import strategy
    from difffuzz._replay import replay_fixtures
    from difffuzz._results import CampaignResult, Finding, Verdict
    from difffuzz._signature import Signature
    from difffuzz._transports import (
        CommandTransport,
        HTTPTransport,
        MockTransport,
        PythonTransport,
        Transport,
    )

_EXPORTS = {
    "CampaignResult": "difffuzz._results",
    "CommandTransport": "difffuzz._transports",
    "comparator": "difffuzz._comparators.base",
    "CompareSpec": "difffuzz._comparators.base",
    "Comparison": "difffuzz._comparators.base",
    "Config": "difffuzz._config",
    "ConfigError": "difffuzz._exceptions",
    "Corpus": "difffuzz._corpus",
    "CorpusError": "difffuzz._exceptions",
    "decode_input": "difffuzz._inputs",
    "Difference": "difffuzz._comparators.base",
    "DifffuzzError": "difffuzz._exceptions",
    "DiffKind": "difffuzz._comparators.base",
    "encode_input": "difffuzz._inputs",
    "Failure": "difffuzz._outcome",
    "FileTree": "difffuzz._inputs",
    "Finding": "difffuzz._results",
    "Fixture": "difffuzz._corpus",
    "HTTPTransport": "difffuzz._transports",
    "LakehouseTargets": "difffuzz._lakehouse",
    "lakehouse_config": "difffuzz._lakehouse",
    "load_config": "difffuzz._config",
    "MockTransport": "difffuzz._transports",
    "NOT_JSON": "difffuzz._outcome",
    "Outcome": "difffuzz._outcome",
    "PythonTransport": "difffuzz._transports",
    "RegistryError": "difffuzz._exceptions",
    "replay_fixtures": "difffuzz._replay",
    "run_campaign": "difffuzz._engine",
    "runtime_property": "difffuzz._properties",
    "RuntimeUnreachable": "difffuzz._exceptions",
    "Signature": "difffuzz._signature",
    "strategy": "difffuzz._registry",
    "Transport": "difffuzz._transports",
    "Verdict": "difffuzz._results",
}


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'difffuzz' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


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
    "MockTransport",
    "Outcome",
    "PythonTransport",
    "RegistryError",
    "RuntimeUnreachable",
    "Signature",
    "Transport",
    "Verdict",
    "__version__",
    "comparator",
    "decode_input",
    "encode_input",
    "lakehouse_config",
    "load_config",
    "replay_fixtures",
    "run_campaign",
    "runtime_property",
    "strategy",
]
