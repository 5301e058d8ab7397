"""The layer as a strategy: any JSON-shaped strategy, sometimes with one wire mutation.

Each drawn value gets at most one mutation. Whether it gets one is **one**
integer draw (0-99; below ``100 × (1 - rate)`` means "no mutation"), which
Hypothesis shrinks towards zero: a finding that does not need a mutation loses
it, and one that does keeps exactly the family that matters, on top of the
simplest document the wrapped strategy can shrink to. Which family is a second
draw from a table holding each family as often as its weight says (shrinking
towards the first families of the catalogue). A family that does not apply to
the drawn document (no object to repeat a key in) hands over to the next one in
catalogue order, without another draw.

A mutated value is a :class:`~difffuzz.WireInput` (the bytes sent, the family,
a sentence); an unmutated one is the wrapped strategy's own value, so fixtures
without a mutation look exactly as they did before the layer existed. Every
value reports ``event("wire:<family>")`` (``wire:unmutated`` when none), and the
HTTP family ``event("wire-http:<variant>")``, so a campaign's statistics show
the coverage.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hypothesis import currently_in_test_context, event
from hypothesis import strategies as st

from difffuzz._inputs import FileTree, Input, WireInput, json_bytes
from difffuzz._transports.kind import TRANSPORTS
from difffuzz._wire import embedded
from difffuzz._wire.catalog import FAMILIES, HTTP_FAMILY, WireSettings
from difffuzz._wire.document import Document, Mutation
from difffuzz._wire.enums import enum_alternatives
from difffuzz._wire.families import IMPLEMENTATIONS

if TYPE_CHECKING:
    from difffuzz._config import SurfaceSpec

__all__ = [
    "WireContext",
    "mark_wired",
    "report",
    "rewire",
    "surface_context",
    "wire",
    "wrap_examples",
    "wrap_strategy",
]

#: The rate is resolved to 1/_PERCENT and the weights to entries of a table of
#: about _PERCENT names: Hypothesis draws small ranges near-uniformly, large ones not.
_PERCENT = 100

# Strategies that already carry the layer (json_documents), with what they wrap,
# so that wrapping one for a surface applies the surface's settings, not twice.
_WIRED: weakref.WeakKeyDictionary[st.SearchStrategy[Any], st.SearchStrategy[Any]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True)
class WireContext:
    """Where a surface's values go, which decides what a family may touch.

    ``prose``: a ``str`` value is text sent as it is (stdin, ``body = "raw"``),
    whose embedded JSON documents are mutated; otherwise a ``str`` is a JSON
    string document. ``http``: the surface is HTTP on both sides, so the opt-in
    HTTP family may apply. ``as_bytes``: every value is sent as bytes, mutated or
    not (a ``python`` surface's function then always receives bytes).
    """

    prose: bool = True
    http: bool = False
    as_bytes: bool = False


@dataclass(frozen=True)
class _Plan:
    unmutated: int  # a draw from 0.._PERCENT-1 below this means "no mutation"
    table: tuple[str, ...]  # family names, each as often as its weight says
    enums: frozenset[str]
    context: WireContext

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.table))


def _plan(settings: WireSettings, context: WireContext, enums: frozenset[str]) -> _Plan:
    weights = {
        name: settings.weight(name)
        for name in FAMILIES
        if settings.weight(name) > 0 and (name != HTTP_FAMILY or context.http)
    }
    total = sum(weights.values())
    table = tuple(
        name
        for name, weight in weights.items()
        for _ in range(max(1, round(weight / total * _PERCENT)))
    )
    unmutated = round(_PERCENT * (1 - settings.rate)) if table else _PERCENT
    return _Plan(unmutated, table, enums, context)


def wire(
    strategy: st.SearchStrategy[Any],
    settings: WireSettings | None = None,
    context: WireContext | None = None,
) -> st.SearchStrategy[Any]:
    """``strategy``'s values, a share of them with one wire mutation.

    >>> values = wire(st.fixed_dictionaries({"kind": st.sampled_from(["sms"])}))
    """
    settings = settings or WireSettings()
    plan = _plan(settings, context or WireContext(), enum_alternatives(strategy))
    if plan.unmutated >= _PERCENT and not plan.context.as_bytes:
        return strategy
    return _wired(strategy, plan)


@st.composite
def _wired(draw: st.DrawFn, base: st.SearchStrategy[Any], plan: _Plan) -> Any:
    # The value first: Hypothesis completes many new prefixes with the simplest
    # choices, so whatever is drawn first keeps its full spread. Drawn after the
    # mutation, the documents were trivial ("{}", "null") half the time; drawn
    # before it, some of the mutations stay "none" instead (the observed share is
    # below the rate), which costs less.
    value = draw(base)
    # The one choice that shrinks to "no mutation": a draw below plan.unmutated.
    mutated = draw(st.integers(min_value=0, max_value=_PERCENT - 1)) >= plan.unmutated
    family = draw(st.sampled_from(plan.table)) if mutated else ""
    # Bytes and WireInputs already are what goes on the wire: the strategy's own choice.
    if not mutated or isinstance(value, bytes | bytearray | WireInput):
        return _unmutated(value, plan)
    return _mutate(draw, value, plan, plan.families.index(family))


def _unmutated(value: Any, plan: _Plan) -> Any:
    report("wire:unmutated")
    return json_bytes(value) if plan.context.as_bytes and _is_document(value) else value


def _is_document(value: Any) -> bool:
    return not isinstance(value, bytes | bytearray | FileTree | WireInput)


def _embedded(value: Any, context: WireContext) -> list[embedded.Embedded] | None:
    """The documents inside ``value``, or None when ``value`` is itself the document."""
    if isinstance(value, FileTree):
        return embedded.in_tree(value)
    if isinstance(value, str) and context.prose:
        return embedded.in_prose(value.encode("utf-8", "surrogatepass"))
    return None


def _mutate(draw: st.DrawFn, value: Any, plan: _Plan, first: int) -> Any:
    found = _embedded(value, plan.context)
    where: embedded.Embedded | None = None
    if found is None:
        document = Document(value, plan.enums)
    elif not found:
        return _unmutated(value, plan)  # nothing JSON inside to mutate
    else:
        where = found[0] if len(found) == 1 else _pick_document(draw, found)
        document = Document(where.value, plan.enums)
    for offset in range(len(plan.families)):
        family = plan.families[(first + offset) % len(plan.families)]
        if family == HTTP_FAMILY and where is not None:
            continue  # the request is not the embedded document's
        mutation = IMPLEMENTATIONS[family](draw, document)
        if mutation is None:
            continue
        report(f"wire-http:{mutation.variant}" if mutation.variant else f"wire:{family}")
        if where is None:
            return _wire_input(mutation.sent, family, mutation)
        return _embed(value, where, family, mutation)
    return _unmutated(value, plan)


def _pick_document(draw: st.DrawFn, documents: Sequence[embedded.Embedded]) -> embedded.Embedded:
    index = draw(st.integers(min_value=0, max_value=len(documents) - 1))
    return documents[index]


def _embed(value: Any, where: embedded.Embedded, family: str, mutation: Mutation) -> WireInput:
    description = f"{where.label}: {mutation.description}"
    if isinstance(value, FileTree):
        return WireInput(embedded.tree_with(value, where, mutation.sent), family, description)
    text = value.encode("utf-8", "surrogatepass")
    return WireInput(embedded.splice(text, where, mutation.sent), family, description)


def _wire_input(sent: bytes, family: str, mutation: Mutation) -> WireInput:
    return WireInput(
        sent=sent,
        family=family,
        mutation=mutation.description,
        headers=mutation.headers,
        chunked=mutation.chunked,
    )


def report(label: str) -> None:
    """Record a category with ``event()``, inside a test only."""
    # A tool drawing outside a test (sampling through .example()) has nowhere to record it.
    if currently_in_test_context():
        event(label)


def mark_wired(wired: st.SearchStrategy[Any], base: st.SearchStrategy[Any]) -> None:
    """Remember that ``wired`` is ``base`` with the layer (see :func:`wrap_strategy`)."""
    _WIRED[wired] = base


def surface_context(surface: SurfaceSpec) -> WireContext | None:
    """The context the layer works in for ``surface``, or None when it is off there.

    On by default ("auto") where both runtimes read JSON (each request's
    transport kind says: HTTP surfaces with ``body = "json"`` or ``"template"``
    and command surfaces: stdin, an input file, a folder of JSON Lines);
    ``wire = "on"`` adds ``raw`` bodies and ``python`` surfaces, ``wire =
    "off"`` turns it off.
    """
    settings = surface.wire
    if settings.mode == "off":
        return None
    traits = [
        TRANSPORTS.get(request.transport).wire_traits(request)
        for request in surface.requests.values()
    ]
    if settings.mode == "auto" and not all(t.reads_json for t in traits):
        return None
    return WireContext(
        prose=any(t.prose for t in traits),
        http=all(t.http for t in traits),
        as_bytes=any(t.as_bytes for t in traits),
    )


def rewire(
    strategy: st.SearchStrategy[Any],
    settings: WireSettings | None,
    context: WireContext | None,
) -> st.SearchStrategy[Any]:
    """``strategy`` (without any layer it carries) under ``settings``, or bare when None."""
    base = _WIRED.get(strategy, strategy)
    if settings is None or context is None:
        return base
    return wire(base, settings, context)


def wrap_examples(examples: Sequence[Input], surface: SurfaceSpec) -> tuple[Input, ...]:
    """A strategy's probe examples as the layer would send them on ``surface``.

    They are sent as they are, except where the layer sends every value as
    bytes (``python`` surfaces with ``wire`` on): there a probe document is
    serialised too, so the function always receives one kind of argument.
    """
    context = surface_context(surface)
    if context is None or not context.as_bytes:
        return tuple(examples)
    return tuple(json_bytes(v) if _is_document(v) else v for v in examples)


def wrap_strategy(
    strategy: st.SearchStrategy[Input], surface: SurfaceSpec
) -> st.SearchStrategy[Input]:
    """The strategy the engine runs for ``surface``: ``strategy`` under the surface's ``wire``.

    Call it where a surface's strategy is built (``entry.build(params)``); with
    the layer off it returns the strategy unchanged (a strategy that carries the
    layer itself, like ``json_documents``, without it).
    """
    return rewire(strategy, surface.wire, surface_context(surface))
