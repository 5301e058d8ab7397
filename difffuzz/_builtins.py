"""The one place the built-in comparator rules, properties, normalize steps,
transport kinds and strategies enter their registries.

:func:`load_builtins` is called once by ``import difffuzz`` (the package's last
step), so every lookup, in the library, the CLI or a test, sees the built-ins,
and no module registers anything as a side effect of being imported. Because
the built-ins are in place before any user code runs, a user's
``@difffuzz.runtime_property("parses")`` is refused with a clear error instead
of silently replacing the built-in, or being replaced by it on first use.
"""

from __future__ import annotations

from difffuzz._builtin_properties import BUILTIN_PROPERTIES
from difffuzz._comparators import BUILTIN_RULES
from difffuzz._comparators.base import COMPARATORS
from difffuzz._normalize import BUILTIN_STEPS, EXTERNAL_STEPS, NORMALIZERS, normalizer_entry
from difffuzz._properties import PROPERTIES
from difffuzz._registry import STRATEGIES
from difffuzz._strategies.generic import GENERIC_STRATEGIES
from difffuzz._transports.kind import TRANSPORTS
from difffuzz._transports.kinds import BUILTIN_TRANSPORTS
from difffuzz._wire.documents import JSON_DOCUMENTS

__all__ = ["BUILTIN_ORIGIN", "load_builtins"]

BUILTIN_ORIGIN = "difffuzz (built-in)"


def load_builtins() -> None:
    """Register every built-in rule, property, normalize step, transport kind and
    strategy; calling it again changes nothing."""
    for name, rule in BUILTIN_RULES.items():
        COMPARATORS.register(name, rule, origin=BUILTIN_ORIGIN)
    for name, check in BUILTIN_PROPERTIES.items():
        PROPERTIES.register(name, check, origin=BUILTIN_ORIGIN)
    for name, kind in BUILTIN_TRANSPORTS.items():
        TRANSPORTS.register(name, kind, origin=BUILTIN_ORIGIN)
    for name, factory in {**BUILTIN_STEPS, **EXTERNAL_STEPS}.items():
        NORMALIZERS.register(name, normalizer_entry(name, factory), origin=BUILTIN_ORIGIN)
    # The generic strategies, for surfaces with no domain strategy yet.
    STRATEGIES.register(JSON_DOCUMENTS.name, JSON_DOCUMENTS, origin=BUILTIN_ORIGIN)
    for name, entry in GENERIC_STRATEGIES.items():
        STRATEGIES.register(name, entry, origin=BUILTIN_ORIGIN)
