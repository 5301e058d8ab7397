"""One divergence, as judged: the value a finding, its fixture and the reports share.

A finding (:class:`~difffuzz._results.Finding`) is a divergence with what the
campaign learnt about it (new or known, shrunk, flaky, how often seen); a
fixture (:class:`~difffuzz._fixture.Fixture`) is the same divergence with what
the corpus keeps (when found and fixed, which gap it stands for). Both hold
one :class:`Divergence` instead of copying its fields, so turning a finding
into its fixture, or redacting either for a report, handles it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar, cast, overload

from difffuzz._comparators.base import CompareSpec, Comparison
from difffuzz._inputs import Input
from difffuzz._outcome import Outcome
from difffuzz._signature import Signature

__all__ = ["Divergence", "Part"]

T = TypeVar("T")


@dataclass(frozen=True)
class Divergence:
    """An input on which two runtimes disagree: both answers and how they were judged.

    >>> from difffuzz._comparators.base import Difference, DiffKind
    >>> difference = Difference(DiffKind.VALUE, "/a", left=1, right=2)
    >>> found = Divergence(
    ...     "validator", Signature.of("validator", (200, 200), [difference]), {"a": 0},
    ...     ("rust", "go"), Outcome(200, b'{"a": 1}'), Outcome(200, b'{"a": 2}'),
    ...     Comparison("json", (difference,)), CompareSpec("json"))
    >>> found.signature.label
    'value: value /a [200/200]'
    """

    surface: str
    signature: Signature
    input: Input
    #: (left, right): the runtimes ``left`` and ``right`` answered for.
    runtimes: tuple[str, str]
    left: Outcome
    right: Outcome
    comparison: Comparison
    #: The spec the comparison was made under (normalize steps included).
    compare: CompareSpec


class Part(Generic[T]):
    """A field of the :class:`Divergence` a record holds, read as the record's own
    (``finding.input`` is ``finding.divergence.input``); ``of`` names another field.

    >>> class Held:
    ...     divergence = Divergence("s", Signature("s", (0, 0), ()), "x", ("a", "b"),
    ...                             Outcome(0), Outcome(0), Comparison("json"), CompareSpec())
    ...     input = Part[Input]()
    >>> Held().input
    'x'
    """

    def __init__(self, of: str = "") -> None:
        self.field = of

    def __set_name__(self, owner: type, name: str) -> None:
        self.field = self.field or name

    @overload
    def __get__(self, record: None, owner: type) -> Part[T]: ...
    @overload
    def __get__(self, record: object, owner: type) -> T: ...
    def __get__(self, record: object | None, owner: type) -> Part[T] | T:
        if record is None:
            return self
        return cast(T, getattr(cast(_Holder, record).divergence, self.field))


class _Holder(Protocol):
    """A record that holds a divergence (a frozen one: read-only)."""

    @property
    def divergence(self) -> Divergence: ...
