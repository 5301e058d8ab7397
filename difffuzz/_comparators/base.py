"""What a comparison returns, and the registry rules live in (:data:`COMPARATORS`).

A rule is a factory: :class:`Rule` ``compile(spec)`` reads a :class:`CompareSpec`
once (its parameters, ``select`` pointers and ``ignore`` patterns, each checked
then) and returns a ``compare(left, right) -> Comparison``. A user's comparator
may be a plain function ``(left, right, spec) -> Comparison`` instead. Either
sees only :class:`~difffuzz.Outcome` values; it knows nothing of Hypothesis,
transports or reports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from difffuzz._normalize.spec import StepSpec
from difffuzz._outcome import Outcome
from difffuzz._registry import Registry

__all__ = [
    "COMPARATORS",
    "Comparator",
    "Compare",
    "CompareSpec",
    "Comparison",
    "DiffKind",
    "Difference",
    "Rule",
    "comparator",
    "compile_compare",
    "get_comparator",
]


class DiffKind(StrEnum):
    """What kind of difference one :class:`Difference` is."""

    STATUS = "status"  # status codes / exit codes differ
    PARSE = "parse"  # one side's body is not JSON (validity gate)
    TYPE = "type"  # JSON types differ at a path
    MISSING = "missing"  # present on the left, absent on the right
    EXTRA = "extra"  # absent on the left, present on the right
    VALUE = "value"  # same type, different value (beyond tolerance)
    LENGTH = "length"  # arrays or texts of different length
    ORDER = "order"  # same elements, different order
    PROPERTY = "property"  # a single-runtime property does not hold
    # Lexical kinds (``spelling = true``): equal values, written differently.
    NUMBER_SPELLING = "number-spelling"  # 1 against 1.0, 1e2 against 100
    ESCAPE = "escape"  # "\u003c" against "<" in a string or a key
    KEY_ORDER = "key-order"  # the same keys in another order (``key_order = true``)

    @property
    def is_shape(self) -> bool:
        """Structural differences: what a caller parsing the answer trips over."""
        return self in (DiffKind.PARSE, DiffKind.TYPE, DiffKind.MISSING, DiffKind.EXTRA)

    @property
    def is_lexical(self) -> bool:
        """Differences in how equal values are written, not in what they are."""
        return self in (DiffKind.NUMBER_SPELLING, DiffKind.ESCAPE, DiffKind.KEY_ORDER)


@dataclass(frozen=True)
class Difference:
    """One way the two answers differ.

    ``path`` is normalised (array indices replaced by ``*``) so that it can take
    part in a signature; ``location`` is the concrete JSON pointer.
    """

    kind: DiffKind
    path: str
    location: str = ""
    left: Any = None
    right: Any = None
    detail: str = ""
    #: Extra words that make two differences at one path distinct, e.g. "int/str".
    qualifier: str = ""

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"kind": self.kind.value, "path": self.path}
        if self.location and self.location != self.path:
            record["location"] = self.location
        if self.qualifier:
            record["qualifier"] = self.qualifier
        if self.detail:
            record["detail"] = self.detail
        record["left"] = _excerpt(self.left)
        record["right"] = _excerpt(self.right)
        return record

    @classmethod
    def from_json(cls, record: Mapping[str, Any]) -> Difference:
        try:
            kind = DiffKind(record["kind"])
        except (KeyError, ValueError):
            raise ValueError(f"difference has an unknown kind: {record.get('kind')!r}") from None
        return cls(
            kind=kind,
            path=str(record.get("path", "")),
            location=str(record.get("location", record.get("path", ""))),
            left=record.get("left"),
            right=record.get("right"),
            detail=str(record.get("detail", "")),
            qualifier=str(record.get("qualifier", "")),
        )


def _excerpt(value: Any, limit: int = 200, depth: int = 0) -> Any:
    """Keep fixtures readable and strict JSON: long strings and lists are cut
    (marked with '…'), deep values elided, NaN and infinities written as strings."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value[:limit] + "…" if len(value) > limit else value
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, list | dict) and depth >= 20:
        return "…"
    if isinstance(value, list):
        head = [_excerpt(item, limit, depth + 1) for item in value[:20]]
        return [*head, f"… {len(value) - 20} more"] if len(value) > 20 else head
    if isinstance(value, dict):
        return {str(k): _excerpt(v, limit, depth + 1) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Comparison:
    """The result of comparing two outcomes."""

    rule: str
    differences: tuple[Difference, ...] = ()
    #: How far apart the answers are, where the rule has a measure
    #: (1 - cosine, largest numeric difference, 1 - overlap); 0.0 when equal.
    distance: float | None = None
    #: Paths that differed but were ignored by an ignore rule (shown in reports).
    ignored: tuple[str, ...] = ()

    @property
    def equal(self) -> bool:
        return not self.differences


@dataclass(frozen=True)
class CompareSpec:
    """A comparator choice with its parameters, as written in the config.

    ``select_left`` / ``select_right`` are JSON pointers applied to each side
    before comparing (e.g. ``/embeddings/0`` against ``/vectors/0``); ``ignore``
    are pointer patterns with ``*`` (one level) and ``**`` (any depth) wildcards.
    ``normalize_left`` / ``normalize_right`` are the normalize steps the judge
    applies to each side's parsed answer before the rule sees it (see
    :mod:`difffuzz._normalize`); they are part of the spec so that a fixture
    records them and a replay applies the same ones.
    """

    rule: str = "json"
    ignore: tuple[str, ...] = ()
    select_left: str = ""
    select_right: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    normalize_left: tuple[StepSpec, ...] = ()
    normalize_right: tuple[StepSpec, ...] = ()

    @property
    def normalizes(self) -> bool:
        return bool(self.normalize_left or self.normalize_right)

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"rule": self.rule}
        if self.ignore:
            record["ignore"] = list(self.ignore)
        if self.select_left or self.select_right:
            record["select"] = {"left": self.select_left, "right": self.select_right}
        if self.params:
            record["params"] = dict(sorted(self.params.items()))
        if self.normalizes:
            record["normalize"] = {
                "left": [step.to_json() for step in self.normalize_left],
                "right": [step.to_json() for step in self.normalize_right],
            }
        return record

    @classmethod
    def from_json(cls, record: Mapping[str, Any]) -> CompareSpec:
        """Read what :meth:`to_json` wrote; ``ValueError`` names a malformed step."""
        select = record.get("select", {}) or {}
        normalize = record.get("normalize", {}) or {}
        if not isinstance(normalize, Mapping):
            raise ValueError(f"compare 'normalize' must be an object, got {normalize!r}")
        steps = {
            side: tuple(StepSpec.from_json(step) for step in normalize.get(side, ()) or ())
            for side in ("left", "right")
        }
        return cls(
            rule=str(record.get("rule", "json")),
            ignore=tuple(str(p) for p in record.get("ignore", ())),
            select_left=str(select.get("left", "")),
            select_right=str(select.get("right", "")),
            params=dict(record.get("params", {}) or {}),
            normalize_left=steps["left"],
            normalize_right=steps["right"],
        )


Compare = Callable[[Outcome, Outcome], Comparison]
"""A rule with its parameters already read: two answers in, a comparison out."""

Comparator = Callable[[Outcome, Outcome, CompareSpec], Comparison]
"""What ``@difffuzz.comparator`` registers: a function that reads its spec on every call."""


@dataclass(frozen=True)
class Rule:
    """A comparison rule: ``compile(spec)`` reads and checks the spec once, and
    returns the :data:`Compare` a surface then calls for every example.

    A bad parameter, ``select`` pointer or ``ignore`` pattern is a
    :class:`~difffuzz.ConfigError` from ``compile``, before any answer is read.
    Calling the rule itself compiles and compares once (handy in tests).

    >>> same = Rule("same", lambda spec: lambda left, right: Comparison(rule="same"))
    >>> same(Outcome(0, b"1"), Outcome(0, b"2"), CompareSpec("same")).equal
    True
    """

    name: str
    compile: Callable[[CompareSpec], Compare]

    def __call__(self, left: Outcome, right: Outcome, spec: CompareSpec) -> Comparison:
        return self.compile(spec)(left, right)


#: What a plain comparator is checked on when it is compiled: two ``null`` answers.
_PROBE = Outcome(status=0, body=b"null")


@dataclass(frozen=True)
class _EachCall:
    """A user's plain comparator as a rule's factory: the spec goes to every call.

    Such a function reads its spec only when it compares, so compiling it compares
    two ``null`` answers once: a parameter it refuses fails then, before the run,
    as for the built-in rules.
    """

    function: Comparator

    def __call__(self, spec: CompareSpec) -> Compare:
        function = self.function
        function(_PROBE, _PROBE, spec)
        return lambda left, right: function(left, right, spec)


#: Rules by name; the built-ins are registered by :func:`difffuzz._builtins.load_builtins`.
COMPARATORS: Registry[Rule] = Registry(
    "comparator rule", advice="Register your own with @difffuzz.comparator(name)."
)


def comparator(name: str) -> Callable[[Comparator], Comparator]:
    """Register a comparator under ``name`` so configs can say ``rule = "name"``.

    A name already taken (a built-in rule such as ``"json"``, or another
    comparator) raises :class:`~difffuzz.RegistryError`.

    >>> @comparator("same-length")
    ... def same_length(left, right, spec):
    ...     diffs = () if len(left.body) == len(right.body) else (
    ...         Difference(DiffKind.LENGTH, "/"),)
    ...     return Comparison(rule="same-length", differences=diffs)
    """

    def register(function: Comparator) -> Comparator:
        rule = Rule(name, _EachCall(function))
        COMPARATORS.register(name, rule, origin=f"{function.__module__}.{function.__qualname__}")
        return function

    return register


def get_comparator(name: str) -> Rule:
    """The rule registered as ``name`` (raises :class:`~difffuzz.RegistryError` if none)."""
    return COMPARATORS.get(name)


def compile_compare(spec: CompareSpec) -> Compare:
    """The compare function of ``spec``: its rule's factory, called once with it.

    Raises :class:`~difffuzz.RegistryError` for an unknown rule and
    :class:`~difffuzz.ConfigError` for a bad parameter, pointer or pattern.
    """
    return get_comparator(spec.rule).compile(spec)
