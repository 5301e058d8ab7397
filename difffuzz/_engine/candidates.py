"""Candidates: which divergent examples in a known bucket may hide a new cause.

A bucket already shrunk holds at least one known cause, with its minimal input
(an *exemplar*). Most later examples in that bucket show the same cause again,
under padding: ``[NaN]`` when ``NaN`` is known. Shrinking them would only find
the known cause again, and, worse, a shrink started from a new cause slides to
the known one whenever the strategy's simpler choices lead there: the causes
share the bucket and Hypothesis accepts any input in it. So a candidate is an
example the known exemplars do not *explain*:

* it is not an exemplar, and holds none (``[NaN]`` holds ``NaN``: a string or
  bytes holds another as a substring, a list holds an item, an object a value);
* it is not an exemplar with letters or digits swapped for others of their kind
  (``\\z`` beside ``\\h``, ``0002`` beside ``0001``): the same syntax with
  another value.

The same test is the candidate's origin predicate while Hypothesis shrinks it,
so the shrink stays away from the known causes and ends on the smallest input
of a cause not known yet. Candidates are told apart by what the example
carries (:func:`candidate_key`): the first kind of character (its Unicode
category) that no exemplar of the bucket holds, so a bucket with several causes
gets one origin per novel feature in a round, and each shrinks on its own.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from difffuzz._inputs import FileTree, Input, WireInput, input_sort_key
from difffuzz._polish import reductions
from difffuzz._results import Observation

__all__ = [
    "WALK_CHARACTERS",
    "Exemplars",
    "candidate_key",
    "contains",
    "embeds",
    "explained",
    "features",
    "is_variant",
    "padding_of",
]


def _text(value: Input, *, numbers: bool = False) -> str | bytes | None:
    """The characters of a text-like input (a number's digits when ``numbers``)."""
    if isinstance(value, WireInput) and not isinstance(value.sent, FileTree):
        return value.sent
    if isinstance(value, str | bytes):
        return value
    if numbers and isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    if numbers and isinstance(value, dict | list):
        try:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError):
            return None
    return None


def contains(value: Input, part: Input) -> bool:
    """Does ``value`` hold ``part``: equal, a substring, an item, a value, at any depth?"""
    if value == part and type(value) is type(part):
        return True
    text, piece = _text(value), _text(part)
    if text is not None and piece is not None and type(text) is type(piece):
        return bool(piece) and piece in text  # type: ignore[operator]  # same type checked
    if isinstance(value, list | tuple):
        return any(contains(item, part) for item in value) or _sublist(value, part)
    if isinstance(value, dict):
        if (
            isinstance(part, dict)
            and part
            and all(
                any(contains(key, wanted) and contains(value[key], item) for key in value)
                for wanted, item in part.items()
            )
        ):
            return True  # every key of ``part`` held by a key of ``value``, with its value
        return any(contains(item, part) for item in value.values())
    return False


def _sublist(value: list[Input] | tuple[Input, ...], part: Input) -> bool:
    """``part`` is a list whose items appear in ``value`` in order (each held by one)."""
    if not isinstance(part, list | tuple) or not part:
        return False
    items = iter(value)
    return all(any(contains(item, wanted) for item in items) for wanted in part)


#: Kinds of character whose members stand in for one another in a variant.
_KINDS = ("word", "blank")


def _kind(char: str) -> str:
    if char.isalnum():
        return "word"
    if char.isspace() or unicodedata.category(char) == "Cc":
        return "blank"
    return char


def is_variant(value: Input, exemplar: Input) -> bool:
    """Is ``value`` ``exemplar`` with other values in it: the same length, and either
    letters and digits swapped for letters and digits and blanks (spaces, controls)
    for blanks, every sign in its place; or one character changed, whatever it is.

    A lone sign is not a variant of another: ``<`` and ``&`` may well be two causes,
    and a longer input keeps the context that makes them one.

    Two inputs of the wire-mutation layer are variants when one mutation family made
    both, whatever the document and the bytes: the family is the malformation (a
    document replaced by another, bytes after it, a comment), the bytes its values.
    The document replaced by ``[]``, by ``0`` and by ``""`` are one cause of a bucket.
    """
    if isinstance(value, WireInput) and isinstance(exemplar, WireInput) and value.family:
        return value.family == exemplar.family
    text, known = _text(value, numbers=True), _text(exemplar, numbers=True)
    if text is None or known is None or type(text) is not type(known) or len(text) != len(known):
        return False
    if text == known:
        return True
    if isinstance(text, bytes) and isinstance(known, bytes):
        text, known = text.decode("latin-1"), known.decode("latin-1")
    changed = [(a, b) for a, b in zip(str(text), str(known), strict=True) if a != b]
    if len(changed) == 1 and len(text) >= 2:
        return True
    return all(_alike(a, b) for a, b in changed)


def _alike(one: str, other: str) -> bool:
    return _kind(one) == _kind(other) in _KINDS


@dataclass
class Exemplars:
    """What is known of one cause's inputs.

    ``forms`` are its minimal inputs (the first one found, and variants of it met
    later); ``padded`` are inputs found to be the cause with padding a shrink
    could not remove. An input shows the cause when it holds any of them, or is
    a variant of a minimal one. A padded input is never the base of a variant:
    ``0<`` is ``<`` with a digit, and ``0#`` beside it is another cause.
    """

    forms: list[Input] = field(default_factory=list)
    padded: list[Input] = field(default_factory=list)

    def explains(self, value: Input, *, variants: bool = True) -> bool:
        """Does ``value`` hold an input of this cause, or (``variants``) is it a variant
        of a minimal one?"""
        if any(contains(value, known) for known in (*self.forms, *self.padded)):
            return True
        return variants and any(is_variant(value, form) for form in self.forms)

    def relates(self, value: Input) -> bool:
        """Is ``value`` (a minimal input just found) this cause: it explains ``value``,
        ``value`` is smaller and a minimal form holds it, or ``value`` is a form with
        padding between its characters (:func:`embeds`)."""
        return (
            self.explains(value)
            or any(contains(form, value) for form in self.forms)
            or any(embeds(value, form) for form in self.forms)
        )

    def add(self, value: Input) -> None:
        """Remember ``value``, found to be this cause, as a form or as padded."""
        if any(value == known and type(value) is type(known) for known in self.inputs):
            return
        holds = any(contains(value, known) for known in self.inputs)
        (self.padded if holds else self.forms).append(value)

    @property
    def inputs(self) -> list[Input]:
        return [*self.forms, *self.padded]


#: The shortest minimal input :func:`embeds` trusts, and how much longer than it the
#: input may be: a character or two occur anywhere by chance.
EMBED_MIN = 3
EMBED_FACTOR = 3


def embeds(value: Input, form: Input) -> bool:
    """Is the text ``form`` a subsequence of the text ``value``, not much shorter?

    Both are minimal inputs of one bucket: ``{"":0,"\\ud800":0}`` is
    ``{"\\ud800":0}`` with a key before it, ``0001-01-01T00.0`` is
    ``00010101T00.0`` with separators. A shrink stops on the first when a
    candidate must keep away from the known causes (or when the strategy's
    choices cannot drop the padding at once); the shrunk form says which cause it
    is. Only judged between shrunk inputs, never while exploring: there a short
    form would account for any example that happens to hold its characters.
    """
    text, known = _text(value), _text(form)
    if text is None or known is None or type(text) is not type(known):
        return False
    if not EMBED_MIN <= len(known) < len(text) <= EMBED_FACTOR * len(known):
        return False
    rest = iter(text)
    return all(unit in rest for unit in known)


def explained(value: Input, known: Iterable[Exemplars], *, variants: bool = True) -> bool:
    """Does a known cause account for ``value`` (module docstring)? Without
    ``variants``, only by holding one of its inputs."""
    return any(exemplars.explains(value, variants=variants) for exemplars in known)


def _characters(value: Input, into: set[str]) -> None:
    """Add the distinct characters of ``value``'s texts to ``into`` (a byte past ASCII
    as one stand-in). Sets, not a stream: inputs are long, their alphabets short."""
    if isinstance(value, WireInput):
        value = value.sent
    if isinstance(value, str):
        into.update(value)
    elif isinstance(value, bytes):
        distinct = set(value)
        into.update(chr(byte) for byte in distinct if byte < 0x80)
        if any(byte >= 0x80 for byte in distinct):
            into.add("\x80")
    elif isinstance(value, dict):
        for key, item in value.items():
            _characters(key, into)
            _characters(item, into)
    elif isinstance(value, list | tuple):
        for item in value:
            _characters(item, into)
    elif isinstance(value, FileTree):
        for path, content in value:
            _characters(path, into)
            _characters(content, into)


def _category(char: str) -> str:
    if char == "\x80":
        return "non-ascii byte"
    return unicodedata.category(char)


def features(value: Input) -> frozenset[str]:
    """What an input carries, coarsely: the Unicode categories of its characters, and the
    kinds of its values (``int``, ``float``, ``bool``, ``null``)."""
    characters: set[str] = set()
    _characters(value, characters)
    found = {_category(char) for char in characters}
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, bool):
            found.add("bool")
        elif item is None:
            found.add("null")
        elif isinstance(item, int):
            found.add("int")
        elif isinstance(item, float):
            found.add("float")
    return frozenset(found)


def candidate_key(observation: Observation, known: Iterable[Exemplars]) -> str:
    """The origin a candidate raises for, within its bucket: the first (in sorted order)
    kind of character no known cause of the bucket carries, or "" (module docstring)."""
    carried: set[str] = set()
    for exemplars in known:
        for exemplar in exemplars.inputs:
            carried |= features(exemplar)
    novel = sorted(features(observation.input) - carried)
    return novel[0] if novel else ""


#: How much of the reductions :func:`padding_of` may look at, in characters of their
#: stored forms, all steps together (about a second of encoding). A shrunk input's
#: walk stays well within it; a large input (a list of thousands of ids) has tens of
#: thousands of reductions, each a copy of it, and one walk took minutes of CPU.
WALK_CHARACTERS = 2_000_000


def padding_of(
    value: Input,
    known: Sequence[Exemplars],
    stays: Callable[[Input], bool],
    *,
    budget: int,
    loose: Sequence[Exemplars] = (),
) -> Exemplars | None:
    """The known cause ``value`` reduces to while it ``stays`` in its bucket, if any:
    one that accounts for a reduction, or, for the ``loose`` ones (fixtures of the
    corpus, which may be unshrunk), one whose form holds it. A shrunk form that
    holds a smaller input of its bucket is no evidence: its shrink did not reach
    that input, so it is likely another cause.

    A greedy walk down :func:`difffuzz._polish.reductions` (groups, runs and
    characters dropped, numbers lowered), at most ``budget`` calls of ``stays`` and
    :data:`WALK_CHARACTERS` of reductions looked at.
    At each step the reductions a known cause accounts for are tried first: one
    that stays in the bucket decides it, so the walk does not slide past a known
    cause to another divergence of the bucket (``1{e}*?`` must meet ``1{e}*``
    before it reaches ``{e``).
    """
    calls, looked = 0, 0
    current, tried = value, {input_sort_key(value)}
    while calls < budget and looked < WALK_CHARACTERS:
        size = input_sort_key(current)
        options = []
        for option in reductions(current):
            key = input_sort_key(option)
            looked += key[0]
            if looked > WALK_CHARACTERS:
                break  # a large input: thousands of reductions, each a copy of it
            if key not in tried and key < size:
                tried.add(key)
                options.append(option)
        for option in options:
            cause = next(
                (
                    exemplars
                    for exemplars in known
                    if exemplars.explains(option)
                    or (any(exemplars is k for k in loose) and exemplars.relates(option))
                ),
                None,
            )
            if cause is not None and calls < budget:
                calls += 1
                if stays(option):
                    return cause
        step = None
        for option in options:
            if calls >= budget:
                break
            calls += 1
            if stays(option):
                step = option
                break
        if step is None:
            return None
        current = step
    return None
