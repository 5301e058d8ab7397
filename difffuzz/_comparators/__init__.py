"""The built-in comparison rules: factories (:class:`~difffuzz._comparators.base.Rule`),
listed in :data:`BUILTIN_RULES`.

Importing the package registers nothing; :func:`difffuzz._builtins.load_builtins`
(which ``import difffuzz`` calls) puts every rule of the table into the registry.

=========  ===========================================================
rule       what must agree
=========  ===========================================================
bytes      the body bytes
json       the parsed bodies, structurally (select, ignore, tolerance)
http       the status, then the bodies under ``json``
shape      the status, then keys and JSON types only
cosine     the direction of selected vectors (cosine >= min)
topk       the top-1 result and the top-K overlap of a ranked list
=========  ===========================================================
"""

from __future__ import annotations

from collections.abc import Mapping

from difffuzz._comparators.base import Rule
from difffuzz._comparators.http import HTTP, SHAPE
from difffuzz._comparators.json_rules import BYTES, JSON
from difffuzz._comparators.ranked import TOPK
from difffuzz._comparators.vectors import COSINE

__all__ = ["BUILTIN_RULES"]

#: The rules difffuzz brings, by the name a config gives them.
BUILTIN_RULES: Mapping[str, Rule] = {
    rule.name: rule for rule in (BYTES, JSON, HTTP, SHAPE, COSINE, TOPK)
}
