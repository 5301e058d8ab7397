"""The opt-in HTTP-level family: the document as it is, the request around it changed.

Servers part on what they do with a body whose headers do not say JSON: a
framework that dispatches on ``Content-Type`` answers 415 where another decodes
anyway, a charset parameter is honoured, ignored or refused, and a chunked body
with no ``Content-Length`` trips readers that wanted one. Whether that matters is
a team's call, so the family is off unless a surface turns it on, and it reports
its variants as ``wire-http:<variant>``, apart from the document families.
"""

from __future__ import annotations

from hypothesis import strategies as st

from difffuzz._wire.choice import pick
from difffuzz._wire.document import Document, Mutation

__all__ = ["VARIANTS", "http"]

#: (variant name, Content-Type sent or None to send none).
_CONTENT_TYPES: tuple[tuple[str, str | None], ...] = (
    ("no-content-type", None),
    ("charset-utf-8", "application/json; charset=utf-8"),
    ("charset-latin-1", "application/json; charset=latin-1"),
    ("charset-upper", "application/json;charset=UTF-8"),
    ("upper-case", "APPLICATION/JSON"),
    ("text-plain", "text/plain"),
    ("text-plain-utf-8", "text/plain; charset=utf-8"),
    ("form", "application/x-www-form-urlencoded"),
)

VARIANTS: tuple[str, ...] = ("empty-body", "chunked", *(name for name, _ in _CONTENT_TYPES))


def http(draw: st.DrawFn, doc: Document) -> Mutation | None:
    variant = pick(draw, VARIANTS)
    if variant == "empty-body":
        return Mutation(b"", "an empty request body", variant=variant)
    if variant == "chunked":
        return Mutation(
            doc.text, "the body sent chunked, without Content-Length", chunked=True, variant=variant
        )
    content_type = dict(_CONTENT_TYPES)[variant]
    said = f"Content-Type: {content_type}" if content_type else "no Content-Type header"
    return Mutation(
        doc.text,
        f"the body sent with {said}",
        headers=(("content-type", content_type),),
        variant=variant,
    )
