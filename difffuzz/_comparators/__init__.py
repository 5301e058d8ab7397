"""The built-in comparison rules: plain functions, listed in :data:`BUILTIN_RULES`.

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

from difffuzz._comparators import http, json_rules, ranked, vectors
from difffuzz._comparators.base import Comparator, CompareSpec, get_comparator
from difffuzz._outcome import Outcome

__all__ = ["BUILTIN_RULES", "check_spec", "http", "json_rules", "ranked", "vectors"]

#: The rules difffuzz brings, by the name a config gives them.
BUILTIN_RULES: Mapping[str, Comparator] = {
    "bytes": json_rules.compare_bytes,
    "json": json_rules.compare_json,
    "http": http.compare_http,
    "shape": http.compare_shape,
    "cosine": vectors.compare_cosine,
    "topk": ranked.compare_topk,
}


def check_spec(spec: CompareSpec) -> None:
    """Fail now, not mid-campaign, on a bad rule, parameter, pointer or pattern.

    Runs the rule once on two ``null`` bodies: every built-in rule checks its
    parameters, ``select`` pointers and ``ignore`` patterns before it looks at
    the bodies. Raises ``RegistryError`` (unknown rule) or ``ConfigError``.

    >>> check_spec(CompareSpec("topk", params={"min_overlap": 0.5}))
    >>> check_spec(CompareSpec("topk", params={"min_overlp": 0.5}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    difffuzz._exceptions.ConfigError: rule 'topk' got unknown parameter(s) 'min_overlp'; ...
    """
    probe = Outcome(status=0, body=b"null")
    get_comparator(spec.rule)(probe, probe, spec)
