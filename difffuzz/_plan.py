"""The compile step: a config turned, once, into a plan of ready objects.

:func:`compile_config` resolves every name a config uses and builds, per
surface, what a run needs: the strategy (its factory called with its params,
under the wire layer) and its probe examples, the judge (the rule's factory
called once with the compare spec, each property's factory with its params,
the normalize steps compiled), and one transport factory per runtime. Nothing
downstream reads the config's strings again, and a typo in the last surface's
rule, parameter, property or strategy fails before the first surface runs: a
:class:`~difffuzz.ConfigError` that names the file, the surface, the key and
the fix.

>>> plan = compile_config(load_config("examples/lakehouse.toml"))  # doctest: +SKIP
>>> left, right = plan.surfaces["validator"].open()  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from hypothesis import strategies as st

from difffuzz._config import Config, RequestSpec, SurfaceSpec
from difffuzz._connect import open_transport
from difffuzz._exceptions import ConfigError, DifffuzzError
from difffuzz._inputs import Input
from difffuzz._judge import Judge
from difffuzz._registry import get_strategy, load_strategy_modules
from difffuzz._secrets import Redactor
from difffuzz._transports.base import Transport
from difffuzz._transports.redacted import redacted
from difffuzz._wire import wrap_examples, wrap_strategy

__all__ = [
    "Plan",
    "SurfacePlan",
    "TransportFactory",
    "compile_config",
    "compile_surface",
    "open_both",
    "transports_of",
]

#: Opens a live transport to one runtime of one surface (a connection pool, a helper).
TransportFactory = Callable[[], Transport]


@dataclass(frozen=True)
class SurfacePlan:
    """One surface, compiled: everything a campaign or a replay of it needs."""

    spec: SurfaceSpec
    strategy: st.SearchStrategy[Input]
    #: The strategy's probes, as the wire layer sends them on this surface.
    examples: tuple[Input, ...]
    judge: Judge
    #: (left, right): each opens that runtime's transport when called.
    transports: tuple[TransportFactory, TransportFactory]

    @property
    def name(self) -> str:
        return self.spec.name

    def open(self) -> tuple[Transport, Transport]:
        """Both runtimes' transports (see :func:`open_both`)."""
        return open_both(self.transports)


@dataclass(frozen=True)
class Plan:
    """A config, compiled (see the module docstring)."""

    config: Config
    surfaces: Mapping[str, SurfacePlan]


def compile_config(config: Config) -> Plan:
    """Compile every surface of ``config`` (loading its strategy modules first)."""
    load_strategy_modules(config.strategy_modules, folder=config.folder)
    return Plan(
        config=config,
        surfaces={
            name: compile_surface(config, surface) for name, surface in config.surfaces.items()
        },
    )


def compile_surface(config: Config, surface: SurfaceSpec) -> SurfacePlan:
    """One surface's plan; its strategy modules must be loaded already."""
    where = f"{config.path}: surfaces.{surface.name}"
    try:
        entry = get_strategy(surface.strategy)
    except DifffuzzError as error:
        raise ConfigError(f"{where}.strategy: {error}") from None
    try:
        # The wire layer (on by default for JSON bodies) mutates what reaches the wire.
        strategy = wrap_strategy(entry.build(surface.strategy_params), surface)
    except DifffuzzError as error:
        raise ConfigError(f"{where}.strategy_params: {error}") from None
    try:
        judge = Judge(surface, config.runtime_names)
    except DifffuzzError as error:
        raise ConfigError(f"{config.path}: {error}") from None
    return SurfacePlan(
        spec=surface,
        strategy=strategy,
        examples=wrap_examples(entry.examples, surface),
        judge=judge,
        transports=transports_of(config, surface),
    )


def transports_of(
    config: Config, surface: SurfaceSpec
) -> tuple[TransportFactory, TransportFactory]:
    """The (left, right) transport factories of ``surface`` (a replay needs only these).

    Their answers arrive with the config's secrets redacted
    (:mod:`difffuzz._transports.redacted`): fixtures store them so, and stored and
    live answers are judged alike.
    """
    size = config.campaign.max_body_bytes
    redactor = Redactor(config.secrets)
    left, right = (surface.requests[name] for name in config.runtime_names)
    return (
        partial(_open_redacted, left, size, redactor),
        partial(_open_redacted, right, size, redactor),
    )


def _open_redacted(request: RequestSpec, size: int, redactor: Redactor) -> Transport:
    return redacted(open_transport(request, max_body_bytes=size), redactor)


def open_both(factories: tuple[TransportFactory, TransportFactory]) -> tuple[Transport, Transport]:
    """Open both runtimes' transports; the first is closed again if the second fails."""
    left = factories[0]()
    try:
        right = factories[1]()
    except BaseException:
        left.close()
        raise
    return left, right
