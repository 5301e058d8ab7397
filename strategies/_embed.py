"""Texts for the embed surface: ``embed_texts`` and ``embed_batches``.

The embed match rule is direction (cosine similarity), so what matters is text
that the two runtimes might *tokenise* differently before the model sees it:
staffing vocabulary, Unicode edge cases, the empty and the one-character text,
whitespace only, and texts long enough to be truncated at a token limit.
Batches add what a single text cannot show: order, duplicates within one
request, and batch size (a runtime that pads a batch may shift every vector).
"""

from __future__ import annotations

from hypothesis import strategies as st

import difffuzz

from ._categories import report, tagged
from ._pools import choice, up_to
from ._staffing import staffing_queries
from ._unicode import CONTRACT_TEXTS, unicode_text

__all__ = ["EMBED_PROBES", "embed_batches", "embed_texts"]

_STAFFING_TEXTS = (
    "Forklift operator with three years of warehouse experience.",
    "Certified welder, MIG and TIG, AWS D1.1.",
    "OSHA-30 certified site supervisor.",
    "Dental assistant with radiology license.",
    "CNC operator, Haas and Mazak, reads blueprints.",
)

#: The contract's 8 embed probes: five staffing texts and the three contract texts.
EMBED_PROBES: tuple[str, ...] = (*_STAFFING_TEXTS, *CONTRACT_TEXTS)

_NAME = "embed_texts"
_TEXTS = st.one_of(
    tagged(_NAME, "single_char", st.sampled_from(("x", "a", "1", ".", "é", "你", "😀"))),
    tagged(_NAME, "staffing", st.sampled_from(_STAFFING_TEXTS)),
    tagged(_NAME, "query", staffing_queries(clustered=True)),
    tagged(_NAME, "unicode", unicode_text()),
    tagged(_NAME, "empty", st.just("")),
    tagged(_NAME, "whitespace_only", st.sampled_from((" ", "\n", "\t \t", "\u00a0", "\u3000"))),
    # Around common token limits (512, 8192): repeated words, so each is a token or two.
    tagged(
        _NAME,
        "long",
        st.sampled_from((256, 511, 512, 513, 2048, 8192, 8193)).map(
            lambda words: " ".join(["forklift"] * words)
        ),
    ),
    tagged(_NAME, "contract", st.sampled_from(CONTRACT_TEXTS)),
)


@difffuzz.strategy(
    _NAME,
    description="Single texts to embed: staffing vocabulary, Unicode, empty and long texts.",
    examples=EMBED_PROBES,
    categories=(
        "single_char",
        "staffing",
        "query",
        "unicode",
        "empty",
        "whitespace_only",
        "long",
        "contract",
    ),
)
def embed_texts() -> st.SearchStrategy[str]:
    """One text to embed.

    >>> embed_texts().example()  # doctest: +SKIP
    'OSHA-30 certified site supervisor.'
    """
    return _TEXTS


_FEW = st.lists(_TEXTS, min_size=2, max_size=5)


@st.composite
def _batch(draw: st.DrawFn) -> list[str]:
    shape = draw(choice(("few", "single", "empty", "duplicates", "large")))
    report("embed_batches", shape)
    if shape == "empty":
        return []
    if shape == "single":
        return [draw(_TEXTS)]
    if shape == "large":
        # Many short texts: batch size, not text length, is what this one stresses.
        size = draw(choice((32, 64, 100, 256)))
        return [f"{EMBED_PROBES[n % 5]} #{n}" for n in range(size)]
    texts = draw(_FEW)
    if shape == "duplicates":
        # The same text twice in one request must get the same vector both times.
        position = draw(up_to(len(texts)))
        texts.insert(position, texts[0])
    return texts


@difffuzz.strategy(
    "embed_batches",
    description="Batches of texts to embed: empty, single, duplicates, large.",
    examples=[[probe] for probe in EMBED_PROBES] + [list(EMBED_PROBES)],
    categories=("few", "single", "empty", "duplicates", "large"),
)
def embed_batches() -> st.SearchStrategy[list[str]]:
    """A list of texts for one embed request (each drawn like :func:`embed_texts`).

    >>> embed_batches().example()  # doctest: +SKIP
    ['x', 'Certified welder, MIG and TIG, AWS D1.1.', 'x']
    """
    return _batch()
