"""The built-in single-runtime properties: factories, listed in :data:`BUILTIN_PROPERTIES`.

Importing this module registers nothing: :func:`difffuzz._builtins.load_builtins`
does. The import goes one way (this module takes the ``Property`` type from
:mod:`difffuzz._properties`, which never imports this one).

Each reads its parameters once (``compile(params)``, raising ``ConfigError``
for a bad one) and returns a check ``(outcome, input) -> str | None``: a message
saying what is wrong with one runtime's answer, or ``None`` when it holds. A
property that cannot apply (the input is not a search request, the body holds
no results) holds: pair it with ``parses`` (and a ``pointer``) to require the
answer to exist at all.

=====================  ============================================================
property               holds when
=====================  ============================================================
parses                 the body is JSON (and ``pointer``, if given, names something)
excludes-honoured      no result id is among the request's ``exclude_ids``
at-most-k              the number of results is at most the request's ``k`` (k >= 0)
dimension              every vector at ``pointer`` has ``dimension`` entries, or as
                       many as the integer at ``dimension_pointer``
status-in              the status is one of ``statuses``
=====================  ============================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from difffuzz._comparators.numeric import is_number
from difffuzz._comparators.params import check_names, int_param, pointer_param
from difffuzz._exceptions import ConfigError
from difffuzz._inputs import Input
from difffuzz._outcome import NotJSON, Outcome
from difffuzz._pointer import MISSING, compile_pattern, find, resolve
from difffuzz._properties import Check, RuntimeProperty

__all__ = [
    "AT_MOST_K",
    "BUILTIN_PROPERTIES",
    "DIMENSION",
    "EXCLUDES_HONOURED",
    "PARSES",
    "STATUS_IN",
]


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parses(params: Mapping[str, Any]) -> Check:
    """The body is JSON; with ``pointer``, that place exists in it.

    >>> PARSES(Outcome(200, b"<html>"), None, {})
    "the body is not JSON: '<html>'"
    """
    check_names("parses", params, frozenset({"pointer"}), kind="property")
    pointer = (
        pointer_param("parses", params, "pointer", "", kind="property")
        if "pointer" in params
        else None
    )

    def check(outcome: Outcome, value: Input) -> str | None:
        if isinstance(outcome.json, NotJSON):
            return f"the body is not JSON: {outcome.text[:200]!r}"
        if pointer is not None and resolve(outcome.json, pointer) is MISSING:
            return f"the body has nothing at {pointer!r}"
        return None

    return check


def _results(outcome: Outcome, pointer: str) -> list[Any] | None:
    if isinstance(outcome.json, NotJSON):
        return None
    found = resolve(outcome.json, pointer)
    return found if isinstance(found, list) else None


def _excludes_honoured(params: Mapping[str, Any]) -> Check:
    """No result's id is one the request excluded.

    Parameters: ``list`` (default ``/results``) and ``id`` (default ``/id``) in
    the answer, ``exclude`` (default ``/exclude_ids``) in the request.

    >>> answer = Outcome(200, b'{"results": [{"id": "w7", "score": 0.9}]}')
    >>> EXCLUDES_HONOURED(answer, {"query": "welder", "k": 3, "exclude_ids": ["w7"]}, {})
    "result 0 has id 'w7', which the request excluded"
    """
    name = "excludes-honoured"
    check_names(name, params, frozenset({"list", "id", "exclude"}), kind="property")
    id_pointer = pointer_param(name, params, "id", "/id", kind="property")
    exclude_pointer = pointer_param(name, params, "exclude", "/exclude_ids", kind="property")
    list_pointer = pointer_param(name, params, "list", "/results", kind="property")

    def check(outcome: Outcome, value: Input) -> str | None:
        results = _results(outcome, list_pointer)
        excluded = resolve(value, exclude_pointer) if isinstance(value, dict | list) else MISSING
        if results is None or not isinstance(excluded, list) or not excluded:
            return None
        # Ids are strings or integers, looked up by (type, value) at once: a request
        # may exclude thousands (6.5M comparisons in one search campaign). Anything
        # else is compared with == over the rest: generated exclusions need not be
        # hashable, and a value of one type never equals an id of another here.
        plain = {(type(item), item) for item in excluded if isinstance(item, str | int)}
        rest = [item for item in excluded if not isinstance(item, str | int)]
        for index, result in enumerate(results):
            identifier = resolve(result, id_pointer)
            if identifier is MISSING:
                continue
            if isinstance(identifier, str | int):
                hit = (type(identifier), identifier) in plain
            else:
                hit = any(identifier == item and type(identifier) is type(item) for item in rest)
            if hit:
                return f"result {index} has id {identifier!r}, which the request excluded"
        return None

    return check


def _at_most_k(params: Mapping[str, Any]) -> Check:
    """No more results than the request's ``k`` (when k is an integer >= 0).

    Parameters: ``list`` (default ``/results``) in the answer, ``limit``
    (default ``/k``) in the request.

    >>> AT_MOST_K(Outcome(200, b'{"results": [{"id": "a"}, {"id": "b"}]}'), {"k": 1}, {})
    '2 results for k = 1'
    """
    check_names("at-most-k", params, frozenset({"list", "limit"}), kind="property")
    limit_pointer = pointer_param("at-most-k", params, "limit", "/k", kind="property")
    list_pointer = pointer_param("at-most-k", params, "list", "/results", kind="property")

    def check(outcome: Outcome, value: Input) -> str | None:
        results = _results(outcome, list_pointer)
        limit = resolve(value, limit_pointer) if isinstance(value, dict | list) else MISSING
        if results is None or not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
            return None
        if len(results) > limit:
            return f"{len(results)} results for k = {limit}"
        return None

    return check


def _dimension(params: Mapping[str, Any]) -> Check:
    """Every vector at ``pointer`` (a pattern: ``/embeddings/*`` checks them all) has
    the dimension the answer states at ``dimension_pointer``, or a fixed ``dimension``.

    >>> answer = Outcome(200, b'{"embeddings": [[0.6, 0.8]], "dimensions": 3}')
    >>> DIMENSION(answer, None, {"pointer": "/embeddings/*", "dimension_pointer": "/dimensions"})
    "the vector at '/embeddings/0' has 2 entries, expected 3 (from '/dimensions')"
    """
    check_names(
        "dimension",
        params,
        frozenset({"pointer", "dimension_pointer", "dimension"}),
        kind="property",
    )
    pattern = params.get("pointer")
    if not isinstance(pattern, str):
        raise ConfigError(
            f"property 'dimension' needs parameter 'pointer' (a pointer pattern such as "
            f"'/embeddings/*'), got {pattern!r}"
        )
    try:
        compile_pattern(pattern)
    except ValueError as exc:
        raise ConfigError(f"property 'dimension' parameter 'pointer': {exc}") from None
    if ("dimension" in params) == ("dimension_pointer" in params):
        raise ConfigError(
            "property 'dimension' needs exactly one of 'dimension' (an integer) or "
            f"'dimension_pointer' (where the answer states it); got {sorted(params)!r}"
        )
    fixed = (
        int_param("dimension", params, "dimension", None, kind="property")
        if "dimension" in params
        else None
    )
    source_pointer = (
        pointer_param("dimension", params, "dimension_pointer", "", kind="property")
        if fixed is None
        else ""
    )

    def check(outcome: Outcome, value: Input) -> str | None:
        if isinstance(outcome.json, NotJSON):
            return None
        vectors = find(outcome.json, pattern)
        if not vectors:
            return None
        expected: Any = fixed
        source = "fixed"
        if fixed is None:
            expected = resolve(outcome.json, source_pointer)
            source = f"from {source_pointer!r}"
            if not _is_count(expected):
                shown = "nothing" if expected is MISSING else repr(expected)
                return (
                    f"the answer states no integer dimension at {source_pointer!r} (found {shown})"
                )
        for pointer, vector in vectors:
            if not isinstance(vector, list) or not all(is_number(item) for item in vector):
                return f"the value at {pointer!r} is not an array of numbers"
            if len(vector) != expected:
                return (
                    f"the vector at {pointer!r} has {len(vector)} entries, "
                    f"expected {expected} ({source})"
                )
        return None

    return check


def _status_in(params: Mapping[str, Any]) -> Check:
    """The status (or exit code) is one of ``statuses``.

    >>> STATUS_IN(Outcome(500), None, {"statuses": [200, 422]})
    'status 500 is not one of [200, 422]'
    """
    check_names("status-in", params, frozenset({"statuses"}), kind="property")
    statuses = params.get("statuses")
    if not isinstance(statuses, list | tuple) or not statuses or not all(map(_is_count, statuses)):
        raise ConfigError(
            f"property 'status-in' needs parameter 'statuses', a non-empty list of integers "
            f"such as [200, 422], got {statuses!r}"
        )
    allowed = list(statuses)

    def check(outcome: Outcome, value: Input) -> str | None:
        if outcome.status not in allowed:
            return f"status {outcome.status} is not one of {allowed}"
        return None

    return check


PARSES = RuntimeProperty("parses", _parses)
EXCLUDES_HONOURED = RuntimeProperty("excludes-honoured", _excludes_honoured)
AT_MOST_K = RuntimeProperty("at-most-k", _at_most_k)
DIMENSION = RuntimeProperty("dimension", _dimension)
STATUS_IN = RuntimeProperty("status-in", _status_in)

#: The properties difffuzz brings, by the name a config gives them.
BUILTIN_PROPERTIES: Mapping[str, RuntimeProperty] = {
    entry.name: entry for entry in (PARSES, EXCLUDES_HONOURED, AT_MOST_K, DIMENSION, STATUS_IN)
}
