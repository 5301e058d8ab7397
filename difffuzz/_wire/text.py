"""Families that change the document's bytes: escapes, encodings, and what surrounds it.

JSON's grammar is small, and each decoder draws its own line around it: Python's
``json`` takes lone surrogate escapes, a BOM, UTF-16 and ``NaN``; orjson and
serde refuse all four; RapidJSON stops at a NUL after the document; ujson takes
raw control characters inside strings. None of these can be written by a JSON
serialiser, so they are spliced in as raw bytes.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

from difffuzz._inputs import json_bytes
from difffuzz._wire.choice import pick
from difffuzz._wire.document import (
    Document,
    Mutation,
    Path,
    get_at,
    placeholder,
    render,
    replace_at,
    where,
)

__all__ = [
    "bom",
    "comment",
    "invalid_utf8",
    "overlong_utf8",
    "single_quotes",
    "string_escape",
    "trailing_data",
    "truncation",
    "whitespace",
]


def _string_with(doc: Document, path: Path, tail: bytes) -> bytes:
    """The document with ``tail`` just before the closing quote of the string at ``path``."""
    marker = placeholder(doc)
    raw = json_bytes(get_at(doc.value, path))[:-1] + tail + b'"'
    return render(replace_at(doc.value, path, marker), {marker: raw})


_ESCAPES: tuple[tuple[bytes, str], ...] = (
    (b"\\ud800", "a lone high surrogate escape \\ud800"),
    (b"\\udc00", "a lone low surrogate escape \\udc00"),
    (b"\\ude00\\ud83d", "a reversed surrogate pair \\ude00\\ud83d"),
    (b"\\u0000", "an escaped NUL \\u0000"),
    (b"\\/", "an escaped slash \\/"),
    (b"\\u00e9", "escaped non-ASCII \\u00e9"),
    (b"\x01", "a raw control character U+0001"),
    (b"\t", "a raw tab"),
    (b"\n", "a raw newline"),
    (b"\\x41", "an invalid escape \\x41"),
    (b"\\a", "an invalid escape \\a"),
    (b"\\'", "an invalid escape \\'"),
    (b"\\U0001F600", "an invalid escape \\U0001F600"),
    (b"\\u12", "a short escape \\u12"),
)


def string_escape(draw: st.DrawFn, doc: Document) -> Mutation | None:
    if not doc.sites.strings:
        return None
    path = pick(draw, doc.sites.strings)
    current = get_at(doc.value, path)
    if not current.isascii() and not draw(st.booleans()):
        # The same text with every non-ASCII character escaped (\u00e9, surrogate pairs).
        marker = placeholder(doc)
        raw = json.dumps(current, ensure_ascii=True).encode("ascii")
        sent = render(replace_at(doc.value, path, marker), {marker: raw})
        return Mutation(sent, f"string {where(path)} with its non-ASCII characters escaped")
    tail, what = pick(draw, _ESCAPES)
    return Mutation(_string_with(doc, path, tail), f"string {where(path)} ends with {what}")


_INVALID: tuple[tuple[bytes, str], ...] = (
    (b"\xff", "the byte FF (never valid)"),
    (b"\xc3", "a truncated two-byte sequence C3"),
    (b"\x80", "a lone continuation byte 80"),
    (b"\xed\xa0\x80", "an encoded surrogate ED A0 80 (U+D800)"),
    (b"\xf4\x90\x80\x80", "F4 90 80 80, past U+10FFFF"),
    (b"\xfe\xff", "the bytes FE FF"),
)


def _outside(draw: st.DrawFn, doc: Document, raw: bytes) -> tuple[bytes, str]:
    offset = pick(draw, doc.offsets)
    return doc.insert(offset, raw), f"at byte {offset}, outside strings"


def invalid_utf8(draw: st.DrawFn, doc: Document) -> Mutation | None:
    raw, what = pick(draw, _INVALID)
    if doc.sites.strings and not draw(st.booleans()):
        path = pick(draw, doc.sites.strings)
        return Mutation(_string_with(doc, path, raw), f"{what} inside the string {where(path)}")
    sent, place = _outside(draw, doc, raw)
    return Mutation(sent, f"{what} {place}")


_OVERLONG: tuple[tuple[bytes, str], ...] = (
    (b"\xc0\xaf", "an overlong '/' C0 AF"),
    (b"\xc1\x81", "an overlong 'A' C1 81"),
    (b"\xe0\x80\xaf", "a three-byte overlong '/' E0 80 AF"),
    (b"\xf0\x80\x80\xaf", "a four-byte overlong '/' F0 80 80 AF"),
    (b"\xc0\x80", "an overlong NUL C0 80 (modified UTF-8)"),
)


def overlong_utf8(draw: st.DrawFn, doc: Document) -> Mutation | None:
    raw, what = pick(draw, _OVERLONG)
    if doc.sites.strings:
        path = pick(draw, doc.sites.strings)
        return Mutation(_string_with(doc, path, raw), f"{what} inside the string {where(path)}")
    sent, place = _outside(draw, doc, raw)
    return Mutation(sent, f"{what} {place}")


def bom(draw: st.DrawFn, doc: Document) -> Mutation | None:
    variant = pick(draw, ("utf-8", "utf-8 twice", "utf-16-le", "utf-16-be"))
    if variant == "utf-8":
        return Mutation(b"\xef\xbb\xbf" + doc.text, "a UTF-8 byte order mark before the document")
    if variant == "utf-8 twice":
        return Mutation(b"\xef\xbb\xbf" * 2 + doc.text, "two UTF-8 byte order marks")
    text = doc.text.decode("utf-8", "surrogatepass")
    if variant == "utf-16-le":
        sent = b"\xff\xfe" + text.encode("utf-16-le", "surrogatepass")
        return Mutation(sent, "the document in UTF-16LE, with its byte order mark")
    return Mutation(text.encode("utf-16-be", "surrogatepass"), "the document in UTF-16BE, no BOM")


def trailing_data(draw: st.DrawFn, doc: Document) -> Mutation | None:
    suffixes: tuple[tuple[bytes, str], ...] = (
        (b"\n", "a newline"),
        (b" \t\r\n", "whitespace"),
        (b"\x00", "a NUL byte"),
        (b"\n\x00", "a newline and a NUL byte"),
        (b"{}", "a second document {}"),
        (doc.text, "the document again"),
        (b"x", "garbage 'x'"),
        (b"]", "a stray ']'"),
        (b"}", "a stray '}'"),
        (b",", "a stray ','"),
        (b"\x1a", "Ctrl-Z (SUB)"),
    )
    suffix, what = pick(draw, suffixes)
    return Mutation(doc.text + suffix, f"{what} after the document")


def truncation(draw: st.DrawFn, doc: Document) -> Mutation | None:
    length = len(doc.text)
    if length < 2:
        return None
    # The number of bytes cut shrinks to 1: the smallest truncation is the last byte.
    removed = draw(st.integers(min_value=1, max_value=length - 1))
    kept = length - removed
    return Mutation(doc.text[:kept], f"cut after {kept} of {length} bytes")


_WHITESPACE: tuple[tuple[bytes, str], ...] = (
    (b"\x0c", "a form feed \\f"),
    (b"\x0b", "a vertical tab \\v"),
    (b"\xc2\xa0", "a no-break space U+00A0"),
    (b"\xe2\x80\xa8", "a line separator U+2028"),
    (b"\xe3\x80\x80", "an ideographic space U+3000"),
    (b"\xc2\x85", "a next-line U+0085"),
    (b"\xef\xbb\xbf", "a zero-width no-break space U+FEFF"),
    (b"\r", "a lone carriage return"),
)


def whitespace(draw: st.DrawFn, doc: Document) -> Mutation | None:
    raw, what = pick(draw, _WHITESPACE)
    offset = pick(draw, doc.offsets)
    return Mutation(doc.insert(offset, raw), f"{what} at byte {offset}")


_COMMENTS = (b"/* note */", b"// note\n", b"# note\n", b"/* unterminated")


def comment(draw: st.DrawFn, doc: Document) -> Mutation | None:
    raw = pick(draw, _COMMENTS)
    offset = pick(draw, doc.offsets)
    text = raw.decode("ascii").replace("\n", "\\n")
    return Mutation(doc.insert(offset, raw), f"a comment {text} at byte {offset}")


def _single_quoted(text: str) -> bytes:
    inner = json_bytes(text)[1:-1].replace(b'\\"', b'"').replace(b"'", b"\\'")
    return b"'" + inner + b"'"


def single_quotes(draw: st.DrawFn, doc: Document) -> Mutation | None:
    keys, strings = doc.sites.members, doc.sites.strings
    if not keys and not strings:
        return None
    marker = placeholder(doc)
    if keys and (not strings or not draw(st.booleans())):
        path, key = pick(draw, keys)
        members = {(marker if k == key else k): v for k, v in get_at(doc.value, path).items()}
        sent = render(replace_at(doc.value, path, members), {marker: _single_quoted(key)})
        return Mutation(sent, f"key {json_bytes(key).decode()} in single quotes {where(path)}")
    path = pick(draw, strings)
    raw = _single_quoted(get_at(doc.value, path))
    sent = render(replace_at(doc.value, path, marker), {marker: raw})
    return Mutation(sent, f"string {where(path)} in single quotes")
