"""Families that change how a number is written, or push an integer to a width's edge.

The same number has many spellings (``100``, ``1e2``, ``1E+2``, ``100.0``) and
decoders disagree on which are integers, which are JSON at all (``+1``,
``01``), and what to do past float64 (``1e400``: infinity, an error, or a big
decimal). Integer fields part at 32 and 64 bits and at 2^53, where float64 stops
being exact.
"""

from __future__ import annotations

from hypothesis import strategies as st

from difffuzz._inputs import json_bytes
from difffuzz._wire.choice import pick
from difffuzz._wire.document import (
    Document,
    Mutation,
    get_at,
    placeholder,
    quoted,
    render,
    replace_at,
    where,
)

__all__ = ["integer_boundary", "non_finite", "number_spelling"]

# Out of float64's range either way, whatever the number was.
_OUT_OF_RANGE = ("1e400", "-1e400", "1e-400")


def spellings(number: int | float) -> list[str]:
    """Other ways to write ``number``, the value-keeping ones first.

    >>> spellings(100)[:4]
    ['100.0', '100e0', '100E+0', '0.100e3']
    """
    text = json_bytes(number).decode("ascii")
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    found: list[str] = []
    if isinstance(number, int):
        found += [f"{text}.0", f"{text}e0", f"{text}E+0"]
        found.append(f"{sign}0.{digits}e{len(digits)}")
        found.append(f"{text}.{'0' * 16}1")  # 17+ significant digits
        if number == 0:
            found += ["-0", "-0.0", "0e-5"]
    else:
        # 17 significant digits: the same float64, in exponent form.
        found += [f"{number:.16e}", f"{number:.16E}"]
        found.append(format(number, ".17g"))
        found.append(format(number, ".25g"))  # more digits than float64 holds
        if number == 0:
            found += ["-0.0", "0.0e0"]
    found += [f"+{digits}", f"{sign}0{digits}"]  # not JSON: a leading + or zero
    found += _OUT_OF_RANGE
    return [s for s in dict.fromkeys(found) if s != text]


def number_spelling(draw: st.DrawFn, doc: Document) -> Mutation | None:
    if not doc.sites.numbers:
        return None
    path = pick(draw, doc.sites.numbers)
    number = get_at(doc.value, path)
    spelled = pick(draw, spellings(number))
    marker = placeholder(doc)
    sent = render(replace_at(doc.value, path, marker), {marker: spelled.encode("ascii")})
    return Mutation(sent, f"number {where(path)} spelled {spelled} (was {quoted(number)})")


BOUNDARIES: tuple[int, ...] = (
    -1,
    2**31 - 1,
    2**31,
    -(2**31),
    -(2**31) - 1,
    2**32 - 1,
    2**32,
    2**53 - 1,
    2**53,
    2**53 + 1,
    -(2**53) - 1,
    2**63 - 1,
    2**63,
    -(2**63),
    -(2**63) - 1,
    2**64 - 1,
    2**64,
    2**64 + 1,
    10**30,
)


def integer_boundary(draw: st.DrawFn, doc: Document) -> Mutation | None:
    if not doc.sites.integers:
        return None
    path = pick(draw, doc.sites.integers)
    current = get_at(doc.value, path)
    new = pick(draw, [b for b in BOUNDARIES if b != current])
    sent = json_bytes(replace_at(doc.value, path, new))
    return Mutation(sent, f"integer {where(path)} set to {new} (was {current})")


_NON_FINITE = ("NaN", "Infinity", "-Infinity", "nan", "inf", "+Infinity")


def non_finite(draw: st.DrawFn, doc: Document) -> Mutation | None:
    # A number's place first; a document without numbers gets one anywhere.
    path = pick(draw, doc.sites.numbers or doc.sites.values)
    literal = pick(draw, _NON_FINITE)
    marker = placeholder(doc)
    sent = render(replace_at(doc.value, path, marker), {marker: literal.encode("ascii")})
    return Mutation(sent, f"{literal} {where(path)} (was {quoted(get_at(doc.value, path))})")
