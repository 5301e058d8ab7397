"""The ``bytes`` and ``json`` rules, and the steps every JSON-reading rule shares.

A JSON-reading rule runs, in order: the validity gate (a body that is not JSON
is a PARSE difference), ``select`` (a pointer per side; after it every path,
ignore and unordered pattern is relative to the selected value), ``ignore``
(matching places are removed from both sides and, where they differed, listed
in ``Comparison.ignored`` so a report shows what was normalised away), then its
own comparison.

Each rule is a factory (:class:`~difffuzz._comparators.base.Rule`): its spec is
read and checked once, when a surface's comparator is compiled, so a bad
parameter, pointer or pattern fails before the first answer is read and
nothing is parsed again per example.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from difffuzz._comparators.base import (
    Compare,
    CompareSpec,
    Comparison,
    Difference,
    DiffKind,
    Rule,
)
from difffuzz._comparators.numeric import TOLERANCE_PARAMS, Tolerance
from difffuzz._comparators.params import check_names, flag_param, int_param, patterns_param
from difffuzz._comparators.spelling import spelling_differences
from difffuzz._comparators.structure import DiffOptions, Walk
from difffuzz._exceptions import ConfigError
from difffuzz._outcome import NotJSON, Outcome
from difffuzz._pointer import MISSING, compile_pattern, delete_matching, parse, resolve

__all__ = [
    "BYTES",
    "JSON",
    "JSON_PARAMS",
    "JSONRule",
    "SelectedPair",
    "byte_differences",
    "check_pointers",
    "collect",
    "compile_bytes",
    "compile_json",
    "diff_options",
    "ignore_pair",
    "max_differences",
    "parse_and_select",
    "refuse_ignore",
    "select_pair",
    "validity_gate",
]

JSON_PARAMS = TOLERANCE_PARAMS | {
    "unordered",
    "ignore_order",
    "max_differences",
    "spelling",
    "key_order",
}
DEFAULT_MAX_DIFFERENCES = 200


def byte_differences(left: bytes, right: bytes) -> tuple[Difference, ...]:
    """One VALUE (same length) or LENGTH difference at ``/``, or none."""
    if left == right:
        return ()
    index = next(
        (i for i, (x, y) in enumerate(zip(left, right, strict=False)) if x != y),
        min(len(left), len(right)),
    )
    if len(left) != len(right):
        detail = (
            f"{len(left)} bytes on the left, {len(right)} on the right; "
            f"first difference at byte {index}"
        )
        return (Difference(DiffKind.LENGTH, "/", "/", left, right, detail=detail),)
    return (
        Difference(
            DiffKind.VALUE, "/", "/", left, right, detail=f"first difference at byte {index}"
        ),
    )


def compile_bytes(spec: CompareSpec) -> Compare:
    """Body bytes must be identical (no parameters, no select, no ignore).

    >>> compare = compile_bytes(CompareSpec("bytes"))
    >>> compare(Outcome(200, b"ok"), Outcome(200, b"ok")).equal
    True
    """
    check_names("bytes", spec.params, frozenset())
    if spec.ignore or spec.select_left or spec.select_right:
        raise ConfigError(
            "rule 'bytes' compares raw bodies and cannot apply select or ignore "
            f"(got select={spec.select_left!r}/{spec.select_right!r}, "
            f"ignore={list(spec.ignore)!r}); "
            "use rule 'json' to select or ignore parts of a JSON body"
        )

    def compare(left: Outcome, right: Outcome) -> Comparison:
        return Comparison(rule="bytes", differences=byte_differences(left.body, right.body))

    return compare


def validity_gate(left: Outcome, right: Outcome) -> tuple[Difference, ...]:
    """A PARSE difference at ``/`` when exactly one body is not JSON."""
    left_ok, right_ok = not isinstance(left.json, NotJSON), not isinstance(right.json, NotJSON)
    if left_ok == right_ok:
        return ()
    side = "right" if left_ok else "left"
    qualifier = f"{'json' if left_ok else 'not-json'}/{'json' if right_ok else 'not-json'}"
    return (
        Difference(
            DiffKind.PARSE,
            "/",
            "/",
            left.body,
            right.body,
            detail=f"the {side} body is not JSON",
            qualifier=qualifier,
        ),
    )


def check_pointers(spec: CompareSpec) -> None:
    """Reject malformed ``select`` pointers and ``ignore`` patterns (``ConfigError``).

    Every rule's factory calls it, so a bad spec fails when the comparator is
    compiled, whatever the runtimes would answer.
    """
    for side, pointer in (("left", spec.select_left), ("right", spec.select_right)):
        try:
            parse(pointer)
        except ValueError as exc:
            raise ConfigError(f"compare select.{side}: {exc}") from None
    for pattern in spec.ignore:
        if pattern == "":
            raise ConfigError(
                "ignore pattern '' names the whole body; ignore its parts instead, "
                "e.g. '/**' for everything under the top level"
            )
        try:
            compile_pattern(pattern)
        except ValueError as exc:
            raise ConfigError(f"compare ignore pattern: {exc}") from None


@dataclass(frozen=True)
class SelectedPair:
    """Both sides after ``select``; ``stop`` when there is nothing further to compare."""

    left: Any
    right: Any
    differences: tuple[Difference, ...] = ()
    stop: bool = False


def select_pair(left: Any, right: Any, spec: CompareSpec) -> SelectedPair:
    """Apply ``select_left``/``select_right``; a pointer that names nothing is a difference.

    Absent on the right is MISSING, absent on the left EXTRA (the same words as
    for object keys); absent on both sides is agreement. The pointers were
    checked when the rule was compiled (:func:`check_pointers`).
    """
    chosen_left = resolve(left, spec.select_left)
    chosen_right = resolve(right, spec.select_right)
    if chosen_left is MISSING and chosen_right is MISSING:
        return SelectedPair(MISSING, MISSING, stop=True)
    if chosen_right is MISSING:
        where = spec.select_right or "/"
        detail = f"select pointer {spec.select_right!r} names nothing in the right body"
        missing = Difference(DiffKind.MISSING, where, where, chosen_left, None, detail=detail)
        return SelectedPair(chosen_left, MISSING, (missing,), stop=True)
    if chosen_left is MISSING:
        where = spec.select_left or "/"
        detail = f"select pointer {spec.select_left!r} names nothing in the left body"
        extra = Difference(DiffKind.EXTRA, where, where, None, chosen_right, detail=detail)
        return SelectedPair(MISSING, chosen_right, (extra,), stop=True)
    return SelectedPair(chosen_left, chosen_right)


def parse_and_select(
    rule: str, left: Outcome, right: Outcome, spec: CompareSpec
) -> Comparison | SelectedPair:
    """What every JSON-reading rule does first: the validity gate, then the select
    pointers. A Comparison when that already decides, else the selected pair.

    Two bodies that are not JSON agree when their text does (the engine's
    both-failed rule, not this one, decides whether such agreement is trivial).
    """
    if isinstance(left.json, NotJSON) and isinstance(right.json, NotJSON):
        return Comparison(rule=rule, differences=byte_differences(left.body, right.body))
    gate = validity_gate(left, right)
    if gate:
        return Comparison(rule=rule, differences=gate)
    selected = select_pair(left.json, right.json, spec)
    if selected.stop:
        return Comparison(rule=rule, differences=selected.differences)
    return selected


def refuse_ignore(rule: str, spec: CompareSpec, what: str, fix: str) -> None:
    """Rules that judge whole values (vectors, rankings) take no ignore patterns."""
    if spec.ignore:
        raise ConfigError(
            f"rule {rule!r} compares {what} and cannot ignore parts of them "
            f"(got ignore={list(spec.ignore)!r}); {fix}"
        )


def ignore_pair(
    left: Any,
    right: Any,
    patterns: Iterable[str],
    differs: Callable[[Any, Any, str], bool],
) -> tuple[Any, Any, tuple[str, ...]]:
    """Remove ignored places from both sides; list those that actually differed.

    ``differs(left_value, right_value, pointer)`` decides, with ``MISSING`` for
    a side that lacks the place. The patterns were checked when the rule was
    compiled (:func:`check_pointers`).
    """
    patterns = tuple(patterns)
    new_left, removed_left = delete_matching(left, patterns)
    new_right, removed_right = delete_matching(right, patterns)
    ignored: list[str] = []
    for pointer in dict.fromkeys((*removed_left, *removed_right)):
        if differs(resolve(left, pointer), resolve(right, pointer), pointer):
            ignored.append(pointer)
    return new_left, new_right, tuple(ignored)


def collect(differences: Iterable[Difference], cap: int) -> tuple[Difference, ...]:
    """The first ``cap`` differences, then only those with a new (kind, path, qualifier).

    The whole iterable is consumed, so measures gathered while walking stay right.
    """
    kept: list[Difference] = []
    seen: set[tuple[DiffKind, str, str]] = set()
    for difference in differences:
        key = (difference.kind, difference.path, difference.qualifier)
        if len(kept) < cap or key not in seen:
            kept.append(difference)
        seen.add(key)
    return tuple(kept)


def diff_options(rule: str, params: Mapping[str, Any]) -> DiffOptions:
    return DiffOptions(
        tolerance=Tolerance.from_params(rule, params),
        unordered=patterns_param(rule, params, "unordered"),
        ignore_order=flag_param(rule, params, "ignore_order", False),
    )


def max_differences(rule: str, params: Mapping[str, Any]) -> int:
    cap = int_param(rule, params, "max_differences", DEFAULT_MAX_DIFFERENCES, low=1)
    return DEFAULT_MAX_DIFFERENCES if cap is None else cap


@dataclass(frozen=True)
class JSONRule:
    """The ``json`` rule with its spec read: a compare function (``http`` reuses it).

    Parameters: ``abs_tol``, ``rel_tol``, ``ulps`` (numbers equal when any
    passes), ``unordered`` (patterns of arrays compared as multisets; a pure
    permutation is one ORDER difference), ``ignore_order`` (drop those ORDER
    differences, listing them as ignored), ``max_differences`` (default 200),
    ``spelling`` (also compare how equal numbers and strings are written, see
    :mod:`~difffuzz._comparators.spelling`) and ``key_order`` (with
    ``spelling``: the order of object keys too).

    >>> compare = JSONRule.of("json", CompareSpec("json", ignore=("/timestamp",)))
    >>> result = compare(Outcome(0, b'{"a": 1, "timestamp": 1}'),
    ...                  Outcome(0, b'{"timestamp": 2, "a": 1.0}'))
    >>> result.equal, result.ignored, result.distance
    (True, ('/timestamp',), 0.0)
    """

    #: The name differences are reported under (``json``, ``http``, ``topk``).
    rule: str
    spec: CompareSpec
    options: DiffOptions
    cap: int
    spelling: bool
    key_order: bool

    @classmethod
    def of(cls, rule: str, spec: CompareSpec) -> JSONRule:
        """Read and check ``spec`` for ``rule`` (``ConfigError`` names what is wrong)."""
        check_names(rule, spec.params, JSON_PARAMS)
        options = diff_options(rule, spec.params)
        cap = max_differences(rule, spec.params)
        spelling = flag_param(rule, spec.params, "spelling", False)
        key_order = flag_param(rule, spec.params, "key_order", False)
        if key_order and not spelling:
            raise ConfigError(
                f"rule {rule!r}: key_order = true compares how keys are written, which is part "
                "of the lexical mode; set spelling = true as well"
            )
        check_pointers(spec)
        return cls(rule, spec, options, cap, spelling, key_order)

    def __call__(self, left: Outcome, right: Outcome) -> Comparison:
        rule, spec, options = self.rule, self.spec, self.options
        selected = parse_and_select(rule, left, right, spec)
        if isinstance(selected, Comparison):
            return selected

        def differs(a: Any, b: Any, pointer: str) -> bool:
            if a is MISSING or b is MISSING:
                return a is not b
            return not Walk(options).equal(a, b, pointer)

        chosen_left, chosen_right, ignored = ignore_pair(
            selected.left, selected.right, spec.ignore, differs
        )
        walk = Walk(options)
        differences = collect(walk.differences(chosen_left, chosen_right), self.cap)
        if self.spelling and not differences:
            # Only answers equal by value are read for spelling: a lexical finding is
            # then always its own signature (category "spelling"), never a variant of
            # a value or shape finding that happens to contain a 1.0 somewhere.
            lexical = spelling_differences(
                left,
                right,
                (chosen_left, chosen_right),
                (spec.select_left, spec.select_right),
                key_order=self.key_order,
                unordered=options.unordered,
            )
            differences = collect(lexical, self.cap)
        order_ignored = tuple(loc or "/" for loc in walk.order_ignored)
        return Comparison(
            rule=rule,
            differences=differences,
            distance=walk.largest_delta,
            ignored=tuple(dict.fromkeys((*ignored, *order_ignored))),
        )


def compile_json(spec: CompareSpec) -> Compare:
    """Parsed bodies must be structurally equal (after select and ignore); see
    :class:`JSONRule` for the parameters."""
    return JSONRule.of("json", spec)


#: The rules of this module, as the registry holds them.
BYTES = Rule("bytes", compile_bytes)
JSON = Rule("json", compile_json)
