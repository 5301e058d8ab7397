"""The normalizer registry, and steps compiled into a pipeline once.

A normalizer is registered by name with a *factory*: a function that takes the
step's parameters as keyword arguments, checks them, and returns the transform
``(value) -> value`` the judge will call on every answer. Compiling happens
once per distinct list of steps (the config is checked when it loads; the
compiled pipeline is cached), so nothing re-reads strings per example::

    import difffuzz

    @difffuzz.normalizer("drop_trace")
    def drop_trace(*, key: str = "trace_id"):
        def transform(value):
            if isinstance(value, dict):
                return {k: v for k, v in value.items() if k != key}
            return value
        return transform

A transform must not mutate its input (the raw answer is kept for the report)
and should leave values it does not recognise as they are. It raises
:class:`NormalizeError`, or any exception, when it cannot do its job: the judge
turns that into a config error naming the surface, runtime and step.

:data:`NORMALIZERS` is one more :class:`~difffuzz._registry.Registry`: a name is
registered once, and the built-ins (:mod:`.builtins`, :mod:`.external`) enter it
through :func:`difffuzz._builtins.load_builtins`, not as a side effect of an import.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from difffuzz._exceptions import ConfigError, RegistryError
from difffuzz._normalize.spec import StepSpec
from difffuzz._registry import Registry

__all__ = [
    "NORMALIZERS",
    "CompiledStep",
    "NormalizeError",
    "NormalizerEntry",
    "Pipeline",
    "Transform",
    "compile_pipeline",
    "compile_step",
    "get_normalizer",
    "normalizer",
    "normalizer_entry",
]

Transform = Callable[[Any], Any]
Factory = Callable[..., Transform]
F = TypeVar("F", bound=Factory)


class NormalizeError(Exception):
    """A step could not normalise one answer (the judge reports it as a ConfigError)."""


@dataclass(frozen=True)
class NormalizerEntry:
    name: str
    factory: Factory
    description: str
    #: The parameter names the factory accepts; None when it takes ``**params``.
    params: frozenset[str] | None


NORMALIZERS: Registry[NormalizerEntry] = Registry(
    "normalize step",
    advice=(
        "Write a jq expression ({ jq = '...' }), a hook ({ hook = 'module:function' }), "
        "or register yours with @difffuzz.normalizer and list its module in "
        "'strategy_modules'."
    ),
)


def normalizer_entry(name: str, factory: Factory, description: str = "") -> NormalizerEntry:
    """The registry entry for ``factory`` (its parameters read from its signature)."""
    doc = description or next(iter((factory.__doc__ or "").strip().splitlines()), "")
    return NormalizerEntry(name, factory, doc, _parameter_names(factory))


def normalizer(name: str, *, description: str = "") -> Callable[[F], F]:
    """Register a normalizer factory under ``name`` (see the module docstring).

    A name registered twice is an error: two plug-ins must not silently replace
    each other's steps, nor a built-in.
    """

    def register(factory: F) -> F:
        entry = normalizer_entry(name, factory, description)
        NORMALIZERS.register(name, entry, origin=factory.__module__)
        return factory

    return register


def _parameter_names(factory: Factory) -> frozenset[str] | None:
    parameters = inspect.signature(factory).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return frozenset(p.name for p in parameters)


def get_normalizer(name: str) -> NormalizerEntry:
    return NORMALIZERS.get(name)


@dataclass(frozen=True)
class CompiledStep:
    spec: StepSpec
    transform: Transform


def compile_step(spec: StepSpec) -> CompiledStep:
    """Check a step's parameters and build its transform; ConfigError on bad ones."""
    entry = get_normalizer(spec.name)
    if entry.params is not None:
        unknown = sorted(set(spec.params) - entry.params)
        if unknown:
            accepted = ", ".join(sorted(entry.params)) or "(none)"
            raise ConfigError(
                f"normalize step {spec.name!r} got unknown parameter(s) "
                f"{', '.join(map(repr, unknown))}; it accepts: {accepted}"
            )
    try:
        transform = entry.factory(**spec.params)
    except (ConfigError, RegistryError):
        raise
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"normalize step {spec.describe}: {exc}") from None
    return CompiledStep(spec, transform)


@dataclass(frozen=True)
class Pipeline:
    """Compiled steps, applied in order."""

    steps: tuple[CompiledStep, ...]

    def __bool__(self) -> bool:
        return bool(self.steps)

    def apply(self, value: Any) -> Any:
        """``value`` after every step; NormalizeError names the step that failed."""
        for step in self.steps:
            try:
                value = step.transform(value)
            except NormalizeError as exc:
                raise NormalizeError(f"{step.spec.describe}: {exc}") from None
            except Exception as exc:
                raise NormalizeError(f"{step.spec.describe} raised {exc!r}") from exc
        return value


@lru_cache(maxsize=512)
def _compile(steps: tuple[StepSpec, ...]) -> Pipeline:
    return Pipeline(tuple(compile_step(step) for step in steps))


def compile_pipeline(steps: Iterable[StepSpec]) -> Pipeline:
    """The pipeline for ``steps``, compiled once per distinct list (cached)."""
    return _compile(tuple(steps))


def registered() -> Mapping[str, NormalizerEntry]:
    """Every registered normalizer, built-ins included, by name."""
    return dict(NORMALIZERS.items())
