"""A last, value-level shrinking pass over each finding's input.

Hypothesis shrinks the *choices* behind an input and is excellent at it, but a
predicate that is not monotone can leave it on a local minimum: "a negative
multiple of seven" may stop at -49 because -48 … -8 all fail to reproduce. The
polisher looks at the *value* instead: it proposes simpler values (smaller
integers, shorter strings, fewer keys, fewer files), sends each to both
runtimes, and keeps a candidate only if it reproduces the same signature and is
smaller in shortlex order on the stored form. It is bounded by a call budget per
finding, so it can only improve a fixture, never stall a campaign.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import TypeVar

from difffuzz._inputs import FileTree, Input, input_sort_key

__all__ = ["deletions", "polish", "reductions", "simpler_values"]

_SIMPLE_CHARS = ("a", "0", " ")


def _integers(value: int) -> Iterator[int]:
    if value == 0:
        return
    yield 0
    sign = 1 if value > 0 else -1
    # Small magnitudes first: the likeliest minimal triggers.
    for magnitude in range(1, min(abs(value), 65)):
        yield sign * magnitude
    for divisor in (2, 10, 100):
        if abs(value) // divisor:
            yield value // divisor
    if value < 0:
        yield -value


def _floats(value: float) -> Iterator[float]:
    if value == 0.0 or math.isnan(value):
        return
    yield 0.0
    if math.isfinite(value):
        yield float(math.trunc(value))
        for digits in (0, 1, 3, 6):
            yield round(value, digits)
        if value < 0:
            yield -value


S = TypeVar("S", str, bytes)


def _sequences(value: S) -> Iterator[S]:
    length = len(value)
    if length == 0:
        return
    yield value[:0]
    # Halves and quarters, then single deletions (bounded: long values keep the halves).
    for size in (length // 2, length // 4):
        if size:
            for start in range(0, length, size):
                yield value[:start] + value[start + size :]
    if length <= 128:
        for index in range(length):
            yield value[:index] + value[index + 1 :]
        for index in range(length):
            for simple in _SIMPLE_CHARS:
                piece = _like(value, simple)
                if value[index : index + 1] != piece:
                    yield value[:index] + piece + value[index + 1 :]


def _like(value: S, text: str) -> S:
    """``text`` as the same type as ``value`` (str, or ASCII bytes)."""
    if isinstance(value, str):
        return text
    return text.encode("ascii")


def simpler_values(value: Input) -> Iterator[Input]:
    """Candidate values that are plausibly simpler than ``value`` (not all are)."""
    yield from _walk(value, _simpler_leaf, shrink_files=True)


def deletions(value: Input) -> Iterator[Input]:
    """``value`` with one part dropped (a key, an item, a file, a run of characters),
    never a value changed."""
    yield from _walk(value, _shorter_leaf, shrink_files=False)


def _simpler_leaf(value: Input) -> Iterator[Input]:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        yield from _integers(value)
    elif isinstance(value, float):
        yield from _floats(value)
    elif isinstance(value, str):  # noqa: SIM114 - two branches so mypy binds S to one type
        yield from _sequences(value)
    elif isinstance(value, bytes):
        yield from _sequences(value)


def reductions(value: Input) -> Iterator[Input]:
    """:func:`deletions` and smaller numbers, then every run of two to four characters
    dropped and every bracketed group replaced by ``0``: the moves of a test that asks
    whether an input is another with padding (not of a shrinker, which keeps to the
    strategy's values).
    """
    yield from _walk(value, _reduced_leaf, shrink_files=False)
    if isinstance(value, str | bytes) and len(value) <= 64:
        text = value if isinstance(value, str) else value.decode("latin-1")
        for size in (2, 3, 4):
            for start in range(len(text) - size + 1):
                kept = text[:start] + text[start + size :]
                yield kept if isinstance(value, str) else kept.encode("latin-1")
        for opened, closed in _groups(text):
            kept = text[:opened] + "0" + text[closed + 1 :]
            yield kept if isinstance(value, str) else kept.encode("latin-1")


def _reduced_leaf(value: Input) -> Iterator[Input]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        yield from _simpler_leaf(value)
    else:
        yield from _shorter_leaf(value)


def _shorter_leaf(value: Input) -> Iterator[Input]:
    # Whole groups first: one call then does what a run of single deletions cannot.
    if isinstance(value, str):  # noqa: SIM114 - two branches so mypy binds S to one type
        yield from _unwrapped(value)
        yield from (v for v in _sequences(value) if len(v) < len(value))
    elif isinstance(value, bytes):
        yield from _unwrapped(value)
        yield from (v for v in _sequences(value) if len(v) < len(value))


_OPENERS = {"(": ")", "[": "]", "{": "}"}


def _groups(text: str) -> list[tuple[int, int]]:
    """The balanced ``()``, ``[]``, ``{}`` and ``"..."`` groups of ``text``: (open, close)."""
    found: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == '"':
            end = index + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if end < len(text):
                found.append((index, end))
            index = end + 1
            continue
        if char in _OPENERS:
            stack.append((char, index))
        elif stack and char == _OPENERS[stack[-1][0]]:
            found.append((stack.pop()[1], index))
        index += 1
    return found


def _parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans of the top-level items of a group's content, split at ``,`` and ``:``."""
    spans: list[tuple[int, int]] = []
    depth, begin = 0, start
    for index in range(start, end):
        char = text[index]
        if char in _OPENERS:
            depth += 1
        elif char in _OPENERS.values():
            depth -= 1
        elif char in ",:" and depth == 0:
            spans.append((begin, index))
            begin = index + 1
    spans.append((begin, end))
    return [span for span in spans if span[1] > span[0]]


def _unwrapped(value: str | bytes) -> Iterator[str | bytes]:
    """``value`` with one bracketed or quoted group dropped, or replaced by its content
    or by one of its items: ``[x]`` and ``{"k":x}`` become ``x`` (deletions a
    chunk-by-chunk reducer cannot make, since dropping either bracket alone breaks
    the syntax).

    The balanced-delimiter passes of C-Reduce, reduced to what needs no grammar.
    """
    if len(value) > 128:
        return
    text = value if isinstance(value, str) else value.decode("latin-1")
    seen: set[str] = set()
    for opened, closed in _groups(text):
        spans = [(opened, opened), (opened + 1, closed), *_parts(text, opened + 1, closed)]
        for begin, end in spans:
            kept = text[:opened] + text[begin:end] + text[closed + 1 :]
            if kept not in seen:
                seen.add(kept)
                yield kept if isinstance(value, str) else kept.encode("latin-1")


def _walk(
    value: Input, leaf: Callable[[Input], Iterator[Input]], *, shrink_files: bool
) -> Iterator[Input]:
    """Drop one part of a container, then apply ``leaf`` (or recurse) inside each part."""
    if isinstance(value, list | tuple):
        items = list(value)
        rebuild = tuple if isinstance(value, tuple) else list
        for index in range(len(items)):
            yield rebuild(items[:index] + items[index + 1 :])
        for index, item in enumerate(items):
            for smaller in _walk(item, leaf, shrink_files=shrink_files):
                yield rebuild([*items[:index], smaller, *items[index + 1 :]])
    elif isinstance(value, dict):
        for key in value:
            yield {k: v for k, v in value.items() if k != key}
        for key, item in value.items():
            for smaller in _walk(item, leaf, shrink_files=shrink_files):
                yield {**value, key: smaller}
        if leaf is _reduced_leaf:  # a key holds data too (generated keys)
            for key in value:
                for shorter in _shorter_leaf(key):
                    if shorter not in value:
                        yield {(shorter if k == key else k): v for k, v in value.items()}
    elif isinstance(value, FileTree):
        files = dict(value.files)
        for path in files:
            yield FileTree.of({p: c for p, c in files.items() if p != path})
        if shrink_files:
            for path, content in files.items():
                for simpler in _sequences(content):
                    yield FileTree.of({**files, path: simpler})
    else:
        yield from leaf(value)


def polish(
    value: Input,
    reproduces: Callable[[Input], bool],
    *,
    budget: int = 300,
    deletions_only: bool = False,
) -> Input:
    """Greedily replace ``value`` by simpler values for which ``reproduces`` holds.

    ``reproduces`` is called at most ``budget`` times; candidates that are not
    smaller in shortlex order are skipped without a call. ``deletions_only``
    proposes only :func:`deletions`.
    """
    propose = deletions if deletions_only else simpler_values
    best, best_key = value, input_sort_key(value)
    calls = 0
    improved = True
    tried: set[tuple[int, str]] = set()
    while improved and calls < budget:
        improved = False
        for candidate in propose(best):
            try:
                key = input_sort_key(candidate)
            except (TypeError, ValueError):
                continue
            if key >= best_key or key in tried:
                continue
            tried.add(key)
            calls += 1
            if reproduces(candidate):
                best, best_key = candidate, key
                improved = True
                break
            if calls >= budget:
                break
    return best
