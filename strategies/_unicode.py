"""Text that tells Unicode handling apart: ``unicode_text``.

Rust, Go and Python disagree at the edges: what counts as whitespace
(Python's ``str.isspace`` takes U+001C..U+001F, Rust's ``char::is_whitespace``
does not), what a "character" is (bytes in Go's ``len``, scalar values in
Rust's ``chars().count()``, UTF-16 units in JavaScript), which case mappings
change the length (``"ß".upper() == "SS"``), whether a digit is ASCII. Each
category below is a small pool of such pieces; a value joins one to three
pieces with ASCII words around them, so the shrunk example shows the one piece
that matters.
"""

from __future__ import annotations

import unicodedata

from hypothesis import strategies as st

import difffuzz

from ._categories import tagged

__all__ = ["CONTRACT_TEXTS", "TWO_HUNDRED_WORDS", "unicode_text"]

_SENTENCES = (
    "Beacon Freight needs forklift operators with OSHA-10 cards for the Detroit dock.",
    "The night shift starts at seven and the site lead meets new workers at gate four.",
    "Welders must bring their own hood, gloves and a copy of the AWS D1.1 certificate.",
    "Dental assistants work from the Toledo clinic and rotate between two practices.",
    "CNC operators read prints, set offsets and keep the spindle log for every job.",
)
_WORDS = " ".join(_SENTENCES).split()

#: The contract's 200-word probe text: staffing prose, ASCII, exactly 200 words.
TWO_HUNDRED_WORDS = " ".join(_WORDS[i % len(_WORDS)] for i in range(200))

#: The texts every Unicode-sensitive surface was probed with.
CONTRACT_TEXTS: tuple[str, ...] = ("x", "Café résumé ⭐ 你好", TWO_HUNDRED_WORDS)

_NFC_WORDS = ("café", "résumé", "Å", "ñandú", "각", "Ångström", "Việt")

_POOLS: dict[str, tuple[str, ...]] = {
    "combining_marks": (
        "e\u0301",
        "\u0301",  # a mark with no base, at the start of a piece
        "a\u0300\u0301\u0302\u0303",
        "Z\u0351\u0324\u0308\u0301",
        "\u0915\u094d\u0937",  # Devanagari conjunct
        "\u1100\u1161\u11a8",  # Hangul jamo that NFC composes
        "\u0627\u064e",  # Arabic letter with harakat
    ),
    "nfc_nfd": (
        *_NFC_WORDS,
        *(unicodedata.normalize("NFD", word) for word in _NFC_WORDS),
        # Both forms in one text: equal after normalisation, unequal before.
        *(f"{word} {unicodedata.normalize('NFD', word)}" for word in _NFC_WORDS[:3]),
        "\u212b",  # ANGSTROM SIGN: NFC turns it into U+00C5
        "\u2126",  # OHM SIGN: NFC turns it into U+03A9
    ),
    "case_mapping": (
        "ß",  # upper is "SS": longer
        "İ",  # lower is "i̇": two code points
        "ŉ",  # upper is "ʼN"
        "ΟΔΟΣ",  # final sigma: lower depends on position
        "ΣΑΣ ΣΑΣ",
        "ǅ",  # titlecase digraph
        "ﬃ",  # upper is "FFI"
        "ΐ",  # upper is three code points
        "ı",  # dotless i
        "\u212a",  # KELVIN SIGN lowers to ASCII k
        "ẞ",  # capital sharp s lowers to ß
        "Ⱥ",  # lower is longer in UTF-8 bytes
        "ſ",  # long s uppers to ASCII S
    ),
    "emoji": (
        "⭐",
        "😀",
        "👍🏽",
        "❤️",
        "1️⃣",
        "🇺🇸",
        "👨\u200d👩\u200d👧\u200d👦",  # a ZWJ family: one grapheme, seven code points
        "🏳️\u200d🌈",
        "🧑\u200d🔧",
    ),
    "cjk": ("你好", "日本語", "한국어", "ｶﾀｶﾅ", "々", "𠀋", "漢字かな交じり文"),
    "bidi": (
        "שלום",
        "مرحبا",
        "abc \u05d0\u05d1 123",
        "\u202eabc\u202c",  # RIGHT-TO-LEFT OVERRIDE ... POP
        "\u200fx\u200e",  # RLM, LRM
        "\u2067\u05e9\u2069",  # RIGHT-TO-LEFT ISOLATE ... POP ISOLATE
        "\u061c1",  # ARABIC LETTER MARK
    ),
    "zero_width": ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"),
    "whitespace": (
        "\u00a0",
        *(chr(code) for code in range(0x2000, 0x200B)),
        "\u3000",
        "\u0085",
        "\u2028",
        "\u2029",
        "\u1680",
        "\u202f",
        "\u205f",
        "\t",
        "\x0b",
        "\x0c",
        "\r\n",
        "\x1c\x1d\x1e\x1f",  # whitespace to Python, not to Rust or Go
    ),
    "digits": ("٣", "۳", "३", "３", "৩", "𝟛", "①", "²", "Ⅻ", "٣٤٥", "１２３"),
    "astral": ("𝐀", "𐍈", "𝄞", "\U000e0041", "\U0010ffff", "\U0001f600\U0001f600"),
    "control": ("\x00", "\x01", "\x07", "\x1b[31mred\x1b[0m", "\x7f", "\x80", "\x9f", "\ufffe"),
}
CATEGORIES: tuple[str, ...] = (*_POOLS, "long_text", "contract")

_FILLER = st.sampled_from(["", "a", "x ", " ", "ab", "Welder ", "role: ", " OK"])


def _piece(category: str) -> st.SearchStrategy[str]:
    return tagged("unicode_text", category, st.sampled_from(_POOLS[category]))


_PIECES = st.one_of([_piece(category) for category in _POOLS])


def _join(parts: tuple[str, list[str], str]) -> str:
    before, pieces, after = parts
    return before + "".join(pieces) + after


_LONG = tagged(
    "unicode_text",
    "long_text",
    st.tuples(
        st.sampled_from(["a", "é", "你", "😀", "e\u0301", "a ", TWO_HUNDRED_WORDS + " "]),
        # Around the 16-bit and 64 KiB boundaries that length fields and buffers have.
        st.sampled_from([1000, 4096, 65_535, 65_536, 65_537, 100_000]),
    ).map(lambda unit: (unit[0] * (unit[1] // len(unit[0]) + 1))[: unit[1]]),
)


@difffuzz.strategy(
    "unicode_text",
    description="Unicode edge cases: normalisation, case mapping, emoji, bidi, spaces, digits.",
    examples=CONTRACT_TEXTS,
    categories=CATEGORIES,
)
def unicode_text() -> st.SearchStrategy[str]:
    """Text built from 1-3 Unicode edge-case pieces with ASCII around them.

    Also the contract's texts (:data:`CONTRACT_TEXTS`) and very long texts
    (lengths around 2**16). Never lone surrogates: every value encodes as UTF-8.

    >>> unicode_text().example()  # doctest: +SKIP
    'x ΟΔΟΣ'
    """
    return st.one_of(
        st.tuples(_FILLER, st.lists(_PIECES, min_size=1, max_size=3), _FILLER).map(_join),
        tagged("unicode_text", "contract", st.sampled_from(CONTRACT_TEXTS)),
        _LONG,
    )
