"""The wire-mutation layer: JSON documents that are *almost* what the strategy meant.

Two runtimes written in different languages part most where their JSON
libraries draw the line of what is not quite JSON. The layer wraps any strategy
that produces JSON-shaped values: it serialises each value itself and, for a
share of them, applies one mutation from a family (a key twice, a lone
surrogate escape, ``1e400``, a BOM, a truncated body, ...). Where the document is
part of a bigger input (JSON Lines files in a folder, JSON inside prose, a
template body) it mutates one embedded document. See :mod:`.strategy` for how
a mutation stays one Hypothesis choice, and :mod:`.catalog` for the families.

The engine calls :func:`wrap_strategy` for each surface's strategy and
:func:`wrap_examples` for its probe examples. The generic ``json_documents``
strategy (:mod:`.documents`) is registered with the other built-ins by
:func:`difffuzz._builtins.load_builtins`, not as a side effect of an import.
"""

from __future__ import annotations

from difffuzz._wire.catalog import DEFAULT_RATE, FAMILIES, HTTP_FAMILY, WireSettings
from difffuzz._wire.strategy import (
    WireContext,
    surface_context,
    wire,
    wrap_examples,
    wrap_strategy,
)

__all__ = [
    "DEFAULT_RATE",
    "FAMILIES",
    "HTTP_FAMILY",
    "WireContext",
    "WireSettings",
    "surface_context",
    "wire",
    "wrap_examples",
    "wrap_strategy",
]
