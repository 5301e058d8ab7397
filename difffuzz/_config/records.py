"""The validated configuration as frozen records: what every layer reads.

:func:`~difffuzz._config.load_config` builds them; they hold values only, and
every rule about what a value may be lives in the parsing modules beside this
one. :mod:`difffuzz._plan` compiles them into ready objects.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from difffuzz._comparators.base import CompareSpec
from difffuzz._config.reader import unknown_name
from difffuzz._exceptions import ConfigError
from difffuzz._normalize.spec import StepSpec
from difffuzz._secrets import Secret
from difffuzz._signature import Signature
from difffuzz._wire.catalog import WireSettings

__all__ = [
    "CampaignSettings",
    "Config",
    "KnownGap",
    "PropertySpec",
    "RequestSpec",
    "RuntimeSpec",
    "SurfaceSpec",
]


@dataclass(frozen=True)
class RuntimeSpec:
    """One runtime: where its HTTP surfaces listen and how its helpers run."""

    name: str
    base_url: str = ""
    health: str = "/health"
    env: Mapping[str, str] = field(default_factory=dict)
    #: Header and env names whose values are secret on every surface of this runtime.
    secret: tuple[str, ...] = ()
    #: Secrets of base_url and env (``${NAME}`` values, env names under ``secret``).
    secrets: tuple[Secret, ...] = ()


@dataclass(frozen=True)
class RequestSpec:
    """How one surface's input reaches one runtime (after per-runtime overrides)."""

    #: The transport kind's name (an entry of difffuzz._transports.kind.TRANSPORTS).
    transport: str
    runtime: str
    base_url: str = ""
    method: str = "POST"
    path: str = "/"
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Literal["json", "raw", "template"] = "json"
    template: Any = None
    marker: str = "$input"
    argv: tuple[str, ...] = ()
    stdin: Literal["input", "none"] = "input"
    #: A helper started per input ("spawn"), or kept running, one line per input ("lines").
    mode: Literal["spawn", "lines"] = "spawn"
    target: str = ""
    timeout: float = 10.0
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None
    #: Values in base_url, headers and env that reports and reproductions must not show.
    secrets: tuple[Secret, ...] = ()


@dataclass(frozen=True)
class KnownGap:
    """An accepted, still-open divergence: reported, but it does not fail a run.

    It matches a signature by ``signature`` id, or by any combination of
    ``category``, ``statuses`` and ``paths`` (glob patterns each of which must
    match one of the signature's paths).

    A gap that carries its *normalizer* (``normalize``: steps per runtime) is
    *tracked* instead: its steps map the known difference away before
    comparing, so every other difference in the same answers is still found,
    and the judge reports where the steps absorbed something. A tracked gap
    matches no signature; removing its normalizer re-opens the divergence.
    """

    reason: str
    signature: str = ""
    category: str = ""
    statuses: tuple[int | None, int | None] | None = None
    paths: tuple[str, ...] = ()
    #: runtime name -> the steps that map this gap away on that runtime's answers.
    normalize: Mapping[str, tuple[StepSpec, ...]] = field(default_factory=dict)

    @property
    def tracked(self) -> bool:
        """Does the gap carry a normalizer (tracked, never matched)?"""
        return any(self.normalize.values())

    def matches(self, candidate: Signature) -> bool:
        if self.tracked:
            return False
        if self.signature and candidate.id != self.signature:
            return False
        if self.category and candidate.category != self.category:
            return False
        if self.statuses is not None and tuple(candidate.statuses) != self.statuses:
            return False
        signature_paths = [path for _, path, _ in candidate.parts]
        return all(
            any(fnmatch.fnmatchcase(path, pattern) for path in signature_paths)
            for pattern in self.paths
        )


@dataclass(frozen=True)
class PropertySpec:
    """A single-runtime property checked on each side's answer."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    runtimes: tuple[str, ...] = ()  # empty: both


@dataclass(frozen=True)
class SurfaceSpec:
    name: str
    strategy: str
    strategy_params: Mapping[str, Any]
    requests: Mapping[str, RequestSpec]
    compare: CompareSpec
    #: Statuses that count as an answer; anything else is a failure for the both-failed rule.
    answer_status: tuple[int, ...] | None = None
    collapse: tuple[str, ...] = ()
    properties: tuple[PropertySpec, ...] = ()
    known_gaps: tuple[KnownGap, ...] = ()
    max_examples: int | None = None
    #: Value-level polishing after Hypothesis: only for a strategy closed under
    #: simplification (every shorter text, smaller number or dropped key is one
    #: it could have drawn), so a fixture never leaves the strategy's domain.
    polish: bool = False
    #: The wire-mutation layer's settings (``wire`` key; see difffuzz._wire).
    wire: WireSettings = field(default_factory=WireSettings)

    def known_gap(self, signature: Signature) -> KnownGap | None:
        return next((gap for gap in self.known_gaps if gap.matches(signature)), None)


@dataclass(frozen=True)
class CampaignSettings:
    max_examples: int = 200
    seed: int | None = None
    corpus: str = "corpus"
    reports: str = "reports"
    timeout: float = 10.0
    #: Infrastructure failures in a row on one surface before the run stops.
    infra_error_limit: int = 5
    max_body_bytes: int = 10_000_000
    #: Examples sent twice to each runtime to learn noisy paths (0 turns it off).
    learn_noise: int = 8
    #: Distinct signatures kept per surface; past it, further ones are only counted.
    max_signatures: int = 40
    #: Seconds one surface may spend (exploring + shrinking); None: no limit.
    max_seconds: float | None = None
    #: Calls spent shrinking each finding, beyond the examples.
    shrink_budget: int = 500
    #: Candidates (examples in a bucket that already has a cause, which may hide a
    #: new one): how many per bucket may turn out to be known causes (one that finds
    #: a new cause does not count), and how many are shrunk per surface at most.
    candidates_per_bucket: int = 8
    max_candidates: int = 40
    #: Times a finding's minimal input is sent again before it is saved: a divergence
    #: that does not come back every time is flaky, kept apart and never gates.
    confirmations: int = 3
    #: Flaky findings fail the run too (exit 1) when true.
    fail_on_flaky: bool = False
    #: Send to runtimes that are not on this machine (base_url not a loopback address).
    allow_remote: bool = False
    #: Each input goes to both runtimes at once; false asks them in turn (left
    #: first), for runtimes that share state such as one file both write.
    concurrent: bool = True
    #: While shrinking, an input sent before is judged from its first answers
    #: instead of being sent again (off by default; see _engine/answers.py).
    reuse_answers: bool = False
    #: A Redis URL shared by every host of a campaign (difffuzz/_store.py); "": none.
    shared_store: str = ""
    #: The campaign's name in the shared store (default: the config file's name).
    shared_namespace: str = ""
    #: Where ``run --duration`` keeps its estimates and Hypothesis's examples.
    state: str = ".difffuzz"


@dataclass(frozen=True)
class Config:
    """A validated configuration. ``runtimes`` is ordered: (left, right)."""

    path: str
    campaign: CampaignSettings
    runtimes: tuple[RuntimeSpec, RuntimeSpec]
    surfaces: Mapping[str, SurfaceSpec]
    strategy_modules: tuple[str, ...] = ()

    @property
    def runtime_names(self) -> tuple[str, str]:
        return (self.runtimes[0].name, self.runtimes[1].name)

    @property
    def secrets(self) -> tuple[Secret, ...]:
        """Every secret value the config holds, for redacting reports."""
        found = [s for runtime in self.runtimes for s in runtime.secrets]
        for surface in self.surfaces.values():
            for request in surface.requests.values():
                found.extend(request.secrets)
        return tuple(dict.fromkeys(found))

    @property
    def folder(self) -> Path:
        """The config file's folder: relative paths and ``strategy_modules`` start here."""
        return Path(self.path).parent

    def select(self, names: Sequence[str]) -> Config:
        """Keep only the named surfaces; an unknown name is a ConfigError."""
        if not names:
            return self
        for name in names:
            if name not in self.surfaces:
                raise ConfigError(unknown_name(f"surface {name!r}", name, self.surfaces, self.path))
        return replace(self, surfaces={n: s for n, s in self.surfaces.items() if n in names})

    def override(self, **settings: Any) -> Config:
        """Replace campaign settings (CLI flags); ``None`` values are left as they were."""
        given = {k: v for k, v in settings.items() if v is not None}
        return replace(self, campaign=replace(self.campaign, **given))
