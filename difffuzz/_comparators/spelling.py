"""The lexical mode of the JSON rules (``spelling = true``): equal values, written alike.

The ``json`` rule compares parsed values, so ``1`` and ``1.0``, or ``"\\u003c"``
and ``"<"``, agree. The team's probes wanted more where a file is shared
("everything else must be byte-equal"): a DuckDB query over one JSONL file
written by both runtimes sees ``1.0`` as a DOUBLE and ``1`` as a BIGINT. With
``spelling = true`` the rule, after select, ignore rules and normalizers, reads
each token as the runtime wrote it and reports

* ``number-spelling``: the same number spelt differently (``integer/fraction``
  for ``1`` against ``1.0``; ``fraction/exponent`` for ``100.0`` against ``1e2``);
* ``escape``: the same string (or key) escaped differently (``unicode-escape/raw``
  for ``"\\u003c"`` against ``"<"``);
* ``key-order`` (with ``key_order = true``): the same keys in another order.

The rule reads spellings only when the answers agree by value, so a lexical
finding is always a signature of its own (category ``spelling``), not a
variant of every value finding. Only tokens still where the runtime wrote them
are read: a value a normalizer moved or made has no spelling of its own and is
compared by value alone.

The lexer is a small one here that files each token under its JSON pointer.
Libraries were considered: ``ijson`` and ``json-stream`` give decoded values,
not spellings; ``tree-sitter-json`` keeps spellings but its grammar (0.24)
refuses ``1e+16``, which Python and Go both write; ``json-source-map`` is
unmaintained since 2022. JSON's lexical grammar is a few lines of regex.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from difffuzz._comparators.base import Difference, DiffKind
from difffuzz._comparators.numeric import is_number
from difffuzz._comparators.structure import display
from difffuzz._outcome import Outcome
from difffuzz._pointer import Pattern, compile_pattern, escape, join

__all__ = ["Lexicon", "lex", "spelling_differences"]


@dataclass
class Lexicon:
    """Every token of one body as written, by JSON pointer."""

    #: pointer -> the spelling of the string or number there.
    scalars: dict[str, str] = field(default_factory=dict)
    #: object pointer -> its keys in the order written, with their spellings.
    keys: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


# JSON's tokens, with the whitespace before them; NaN and Infinity as Python's
# json module (and so parse_json) accepts them.
_TOKEN = re.compile(
    r"""[ \t\n\r]*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
      | (?P<literal>true|false|null|NaN|-?Infinity)
      | (?P<punct>[][{}:,])
    )""",
    re.VERBOSE | re.DOTALL,
)


@dataclass
class _Frame:
    kind: str  # "object" or "array"
    pointer: str
    key: str = ""
    index: int = 0


def lex(body: bytes) -> Lexicon:
    """The tokens of a JSON body (or of JSON Lines, one document per line, ``/0``...).

    A document that does not lex stops where it breaks: the tokens before stay,
    and the rest has no spelling (the rule then compares it by value only).

    >>> lexicon = lex(b'{"a": 1.0, "b\\\\u0021": ["x"]}')
    >>> lexicon.scalars
    {'/a': '1.0', '/b!/0': '"x"'}
    >>> lexicon.keys
    {'': [('a', '"a"'), ('b!', '"b\\\\u0021"')]}
    """
    text = body.decode("utf-8", "replace")
    lexicon = Lexicon()
    end = _document(text, 0, "", lexicon)
    if end < 0 or not text[end:].strip(" \t\n\r"):
        return lexicon
    # Not one document: JSON Lines, numbered like parse_json numbers them.
    lexicon = Lexicon()
    lines = [line for line in text.split("\n") if line.strip()]
    for index, line in enumerate(lines):
        _document(line, 0, join("", index), lexicon)
    return lexicon


def _document(text: str, pos: int, pointer: str, lexicon: Lexicon) -> int:
    """Lex one JSON value starting at ``pos``; where it ends, or -1 where it breaks."""
    frames: list[_Frame] = []
    state, target = "value", pointer
    while True:
        if state == "after" and not frames:
            return pos
        match = _TOKEN.match(text, pos)
        if match is None:
            return -1
        pos, kind = match.end(), match.lastgroup
        token = match.group(kind or 0)
        frame = frames[-1] if frames else None
        if state in ("value", "value_or_close"):
            if state == "value_or_close" and token == "]":
                frames.pop()
                state = "after"
            elif kind in ("string", "number"):
                lexicon.scalars[target] = token
                state = "after"
            elif kind == "literal":
                state = "after"
            elif token == "{":
                frames.append(_Frame("object", target))
                lexicon.keys[target] = []
                state = "key_or_close"
            elif token == "[":
                frames.append(_Frame("array", target))
                state, target = "value_or_close", join(target, 0)
            else:
                return -1
        elif state in ("key", "key_or_close") and frame is not None:
            if state == "key_or_close" and token == "}":
                frames.pop()
                state = "after"
            elif kind == "string":
                try:
                    frame.key = json.loads(token)
                except ValueError:
                    return -1
                lexicon.keys[frame.pointer].append((frame.key, token))
                state = "colon"
            else:
                return -1
        elif state == "colon" and frame is not None and token == ":":
            state, target = "value", join(frame.pointer, frame.key)
        elif state == "after" and frame is not None:
            if token == ",":
                if frame.kind == "object":
                    state = "key"
                else:
                    frame.index += 1
                    state, target = "value", join(frame.pointer, frame.index)
            elif token == ("}" if frame.kind == "object" else "]"):
                frames.pop()
            else:
                return -1
        else:
            return -1


def _raw(outcome: Outcome) -> Outcome:
    from difffuzz._normalize import NormalizedOutcome

    if isinstance(outcome, NormalizedOutcome) and outcome.raw is not None:
        return outcome.raw
    return outcome


def _written(lexicon: Lexicon, pointer: str, value: Any) -> str | None:
    """The spelling at ``pointer`` when the token there still reads as ``value``."""
    spelt = lexicon.scalars.get(pointer)
    if spelt is None:
        return None
    try:
        read = json.loads(spelt)
    except ValueError:
        return None
    if isinstance(value, str):
        return spelt if read == value else None
    return spelt if is_number(read) and read == value else None


def _number_form(spelt: str) -> str:
    if "e" in spelt or "E" in spelt:
        return "exponent"
    return "fraction" if "." in spelt else "integer"


_UNIT = re.compile(r"\\u[0-9a-fA-F]{4}|\\.|.", re.DOTALL)


def _unit_kind(unit: str) -> str:
    if unit.startswith("\\u"):
        return "unicode-escape"
    return "short-escape" if unit.startswith("\\") else "raw"


def _first_change(left: str, right: str) -> tuple[str, str]:
    """The first differing escape or character of two spellings of one string."""
    for a, b in zip(_UNIT.findall(left[1:-1]), _UNIT.findall(right[1:-1]), strict=False):
        if a != b:
            return a, b
    return left, right


def _escape_difference(
    path: str, location: str, left: str, right: str, *, key: bool = False
) -> Difference:
    a, b = _first_change(left, right)
    qualifier = f"{_unit_kind(a)}/{_unit_kind(b)}"
    what = "key" if key else "string"
    return Difference(
        DiffKind.ESCAPE,
        path,
        location,
        left,
        right,
        detail=f"the same {what}, written {a!r} on the left and {b!r} on the right",
        qualifier=f"key:{_unit_kind(a)}/key:{_unit_kind(b)}" if key else qualifier,
    )


@dataclass(frozen=True)
class _Sides:
    lexicons: tuple[Lexicon, Lexicon]
    prefixes: tuple[str, str]


def spelling_differences(
    left: Outcome,
    right: Outcome,
    values: tuple[Any, Any],
    prefixes: tuple[str, str] = ("", ""),
    *,
    key_order: bool = False,
    unordered: tuple[str, ...] = (),
) -> Iterator[Difference]:
    """Lexical differences between two compared values (see the module docstring).

    ``values`` are what the rule compared (after select, ignore and normalizers);
    ``prefixes`` the select pointers that lead to them in each body. Arrays
    matching an ``unordered`` pattern are skipped: their elements are matched
    as a multiset, not by position.
    """
    sides = _Sides((lex(_raw(left).body), lex(_raw(right).body)), prefixes)
    skip: list[Pattern] = [compile_pattern(p) for p in unordered]
    stack: list[tuple[Any, Any, str, str]] = [(values[0], values[1], "", "")]
    while stack:
        a, b, loc, norm = stack.pop()
        at = (sides.prefixes[0] + loc, sides.prefixes[1] + loc)
        if isinstance(a, dict) and isinstance(b, dict):
            yield from _object(a, b, loc, norm, at, sides, key_order, stack)
        elif isinstance(a, list) and isinstance(b, list):
            if not any(pattern.matches(loc) for pattern in skip):
                stack.extend(
                    (x, y, join(loc, i), norm + "/*")
                    for i, (x, y) in reversed(list(enumerate(zip(a, b, strict=False))))
                )
        elif isinstance(a, str) and isinstance(b, str) and a == b:
            spelt = _written(sides.lexicons[0], at[0], a), _written(sides.lexicons[1], at[1], b)
            if spelt[0] is not None and spelt[1] is not None and spelt[0] != spelt[1]:
                yield _escape_difference(display(norm), display(loc), spelt[0], spelt[1])
        elif is_number(a) and is_number(b) and a == b:
            spelt = _written(sides.lexicons[0], at[0], a), _written(sides.lexicons[1], at[1], b)
            if spelt[0] is not None and spelt[1] is not None and spelt[0] != spelt[1]:
                forms = f"{_number_form(spelt[0])}/{_number_form(spelt[1])}"
                yield Difference(
                    DiffKind.NUMBER_SPELLING,
                    display(norm),
                    display(loc),
                    spelt[0],
                    spelt[1],
                    detail=f"the same number, written {spelt[0]} on the left "
                    f"and {spelt[1]} on the right",
                    qualifier=forms,
                )


def _object(
    a: dict[str, Any],
    b: dict[str, Any],
    loc: str,
    norm: str,
    at: tuple[str, str],
    sides: _Sides,
    key_order: bool,
    stack: list[tuple[Any, Any, str, str]],
) -> Iterator[Difference]:
    written = [dict(sides.lexicons[i].keys.get(at[i], ())) for i in (0, 1)]
    common = [key for key in a if key in b]
    for key in common:
        spelt = written[0].get(key), written[1].get(key)
        if spelt[0] is not None and spelt[1] is not None and spelt[0] != spelt[1]:
            path = f"{norm}/{escape(key)}"
            yield _escape_difference(path, join(loc, key), spelt[0], spelt[1], key=True)
    if key_order:
        shared = set(common)
        orders = [
            [key for key, _ in sides.lexicons[i].keys.get(at[i], ()) if key in shared]
            for i in (0, 1)
        ]
        # Compared only where both bodies still hold exactly these keys as written.
        if all(len(order) == len(shared) for order in orders) and orders[0] != orders[1]:
            yield Difference(
                DiffKind.KEY_ORDER,
                display(norm),
                display(loc),
                orders[0],
                orders[1],
                detail="the same keys in another order",
            )
    stack.extend(
        (a[key], b[key], join(loc, key), f"{norm}/{escape(key)}") for key in reversed(common)
    )
