"""Raw LLM output for ``extract_json``: ``llm_json`` and ``llm_json_bytes``.

A value is one of the team's 12 fixture kinds (:data:`FIXTURES`), each a
generator rather than a constant, with zero to three mutations
(:data:`MUTATIONS`) applied. Objects are assembled as JSON *text*, never through
``json.dumps`` of a dict, because most mutations are things a dict cannot hold:
duplicate keys, ``1e400``, ``-0``, invalid escapes, ``"\\ud800"`` as escape text.

Mutations come in two kinds. Payload mutations add one member to the first
object (a string holding ``}`` or a fence, a huge number, a duplicate key, a
deep value); text mutations work on the whole answer afterwards (truncate it,
unbalance it, change the fence, add candidates, a BOM, a NUL, CRLF).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TypeVar

from hypothesis import strategies as st

import difffuzz

from ._categories import report
from ._pools import BOOLEANS, CLIENTS, ROLES, choice, up_to

__all__ = ["FIXTURES", "MUTATIONS", "llm_json", "llm_json_bytes"]

T = TypeVar("T")

#: The team's 12 extract_json fixture kinds, simplest first.
FIXTURES: tuple[str, ...] = (
    "fenced_json",
    "unfenced_block",
    "bare_braces_prose",
    "first_balanced_of_many",
    "nested_objects",
    "unicode_strings",
    "escaped_quotes",
    "empty_object",
    "top_level_array",
    "no_json",
    "balanced_invalid",
    "trailing_garbage",
)

# Raw JSON value texts injected by the payload mutations.
_PAYLOAD: dict[str, tuple[str, ...]] = {
    "brace_in_string": ('"}"', '"{"', '"}{"', '"a}b"', '"{\\"x\\": 1}"', '"{{}}"'),
    "fence_in_string": ('"```"', '"```json"', '"```json\\n{\\"a\\": 1}\\n```"', '"~~~"'),
    "escapes": ('"say \\"hi\\""', '"\\\\"', '"C:\\\\temp\\\\"', '"\\\\\\""', '"a\\/b"'),
    "edge_numbers": (
        "-0",
        "1.0",
        "1e400",
        "-1e400",
        "1e-400",
        "9007199254740993",  # 2**53 + 1: not a float64
        "18446744073709551616",  # 2**64: not a u64
        "-9223372036854775809",  # below i64
        "1E+308",
        "0.1e99999",
        "5e-324",
        "123456789012345678901234567890.5",
    ),
    # A raw tab or newline inside a string is as invalid as a bad escape.
    "invalid_escape": ('"\\x41"', '"\\u12"', '"\\\'"', '"\\a"', '"tab\there"', '"line\nbreak"'),
    "lone_surrogate": ('"\\ud800"', '"\\udc00"', '"\\ud83d"', '"\\udc00\\ud800"', '"x\\uD800y"'),
}
_TEXT_MUTATIONS = (
    "truncated",
    "unbalanced",
    "fence_variant",
    "crlf",
    "many_candidates",
    "bom",
    "nul",
)
#: Every mutation, payload ones first.
MUTATIONS: tuple[str, ...] = (*_PAYLOAD, "duplicate_keys", "deep_nesting", *_TEXT_MUTATIONS)

# Fixtures whose text has no object for a payload mutation to go into.
_NO_PAYLOAD = frozenset({"empty_object", "no_json", "balanced_invalid"})

_KEYS = st.sampled_from(("a", "id", "ok", "role", "city", "count", "score", "worker_id", "notes"))
_STRINGS = ("", "x", "ok", "W-00042", "OSHA-10", *ROLES, *CLIENTS[:20])
_SCALARS = st.one_of(
    st.integers(min_value=0, max_value=100).map(str),
    st.sampled_from(("true", "false", "null", "1.5", "-3", "0.25")),
    st.sampled_from(_STRINGS).map(json.dumps),
)
_UNICODE_VALUES = ("Café résumé ⭐ 你好", "José", "e\u0301", "😀", "\u200b", "שלום", "ß", "İ")
_PROSE_BEFORE = ("", "Here is the JSON:", "Sure!", "Result:", "I found 3 matching workers.")
_PROSE_AFTER = ("", "Hope this helps!", "Let me know if you need more.", "(scores are cosine)")
_NO_JSON = (
    "No JSON here.",
    "",
    "I could not find any matching workers.",
    "```\nplain text, no object\n```",
    "```json\n```",
    "Use the [brackets] and (parens) only.",
)
_INVALID = (
    "{role: Welder}",
    "{'role': 'Welder'}",
    '{"a": }',
    '{"a" 1}',
    '{"a": 1,}',
    "{,}",
    '{"a": [1, 2}',
    '{"a": 01}',
    '{"a": NaN}',
    '{"a": undefined}',
    '{"a": .5}',
    '{"a": +1}',
    '{"a": 0x10}',
)
_GARBAGE = (" and that is all.", "}", "]", ",", ' {"b":', "```", "\n```\nmore text}")
_FENCES = ("```JSON", "```Json", "``` json", "```json ", "```jsonc", "````json", "~~~json")
_DEPTHS = (100, 127, 128, 129, 200, 255, 256, 257, 500, 1000)  # serde_json stops at 128
# A mutation and its variant: the variant picks a value from the mutation's
# options (modulo their count), and for deep_nesting also arrays or objects.
_MUTATION = st.tuples(
    st.sampled_from(MUTATIONS), st.integers(min_value=0, max_value=4 * len(_DEPTHS))
)


def _object(members: list[tuple[str, str]], pretty: bool) -> str:
    if not members:
        return "{}"
    if pretty:
        lines = ",\n".join(f'  "{key}": {value}' for key, value in members)
        return "{\n" + lines + "\n}"
    return "{" + ", ".join(f'"{key}": {value}' for key, value in members) + "}"


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


_MEMBERS = st.lists(st.tuples(_KEYS, _SCALARS), min_size=1, max_size=4, unique_by=lambda m: m[0])
_OTHER_OBJECTS = st.lists(_MEMBERS.map(lambda m: _object(m, False)), min_size=1, max_size=3)
_NESTING_KEYS = st.lists(_KEYS, min_size=1, max_size=4)
_MUTATIONS = st.lists(_MUTATION, max_size=3)


def _pick(options: Sequence[T], variant: int) -> T:
    return options[variant % len(options)]


def _payload_member(mutation: str, variant: int, first_key: str) -> tuple[str, str]:
    if mutation == "duplicate_keys":
        return first_key, _pick(('"dup"', "2", "null"), variant)
    if mutation == "deep_nesting":
        depth = _pick(_DEPTHS, variant)
        if (variant // len(_DEPTHS)) % 2:
            return "deep", '{"a": ' * depth + "1" + "}" * depth
        return "deep", "[" * depth + "]" * depth
    return mutation, _pick(_PAYLOAD[mutation], variant)


def _fixture(draw: st.DrawFn, kind: str, obj: str) -> str:
    before = draw(choice(_PROSE_BEFORE))
    after = draw(choice(_PROSE_AFTER))
    if kind in ("fenced_json", "nested_objects", "unicode_strings"):
        return _lines(before, "```json", obj, "```", after)
    if kind == "unfenced_block":
        # "Unfenced" read both ways: a fence with no json tag, or no fence at all.
        if draw(BOOLEANS):
            return _lines(before, "```", obj, "```", after)
        return _lines(before, "", obj, "", after)
    if kind in ("bare_braces_prose", "escaped_quotes"):
        return f"{before} {obj} {after}".strip()
    if kind == "first_balanced_of_many":
        others = draw(_OTHER_OBJECTS)
        return " then ".join([obj, *others])
    if kind == "empty_object":
        return draw(choice(("{}", "```json\n{}\n```", "Result: {} done", "{ }")))
    if kind == "top_level_array":
        second = _object(draw(_MEMBERS), False)
        shapes = ("[{obj}, {second}]", "[1, {obj}]", "[[{obj}]]", '["{{not}}", {obj}]', "[]")
        array = draw(choice(shapes)).format(obj=obj, second=second)
        return _lines("```json", array, "```") if draw(BOOLEANS) else array
    if kind == "no_json":
        return draw(choice(_NO_JSON))
    if kind == "balanced_invalid":
        return f"{before} {draw(choice(_INVALID))} {after}".strip()
    return obj + draw(choice(_GARBAGE))  # trailing_garbage


def _first_object(draw: st.DrawFn, kind: str) -> list[tuple[str, str]]:
    if kind == "nested_objects":
        members = draw(_MEMBERS)
        inner = _object(draw(_MEMBERS), False)
        for key in draw(_NESTING_KEYS):
            inner = _object([(key, inner)], False)
        return [*members, ("nested", inner)]
    if kind == "unicode_strings":
        value = draw(choice(_UNICODE_VALUES))
        return [("name", json.dumps(value, ensure_ascii=draw(BOOLEANS)))]
    if kind == "escaped_quotes":
        value = draw(choice(('He said "hi"', '"quoted"', 'a\\"b', "back\\slash")))
        return [*draw(_MEMBERS), ("quote", json.dumps(value))]
    return draw(_MEMBERS)


def _mutate_text(draw: st.DrawFn, mutation: str, variant: int, text: str) -> str:
    if mutation == "truncated":
        return text[: len(text) - draw(up_to(max(1, len(text)), low=1))]
    if mutation == "unbalanced":
        where = _pick(("drop_last_close", "extra_open", "extra_close"), variant)
        if where == "drop_last_close" and "}" in text:
            cut = text.rfind("}")
            return text[:cut] + text[cut + 1 :]
        return "{" + text if where == "extra_open" else text + "}"
    if mutation == "fence_variant":
        fence = _pick(_FENCES, variant)
        if "```json" in text:
            return text.replace("```json", fence, 1)
        return _lines(fence, text, "~~~" if fence.startswith("~") else "```")
    if mutation == "crlf":
        return text.replace("\n", "\r\n") if "\n" in text else text + "\r\n"
    if mutation == "many_candidates":
        candidates = (
            '```\n{"decoy": true}\n```\n' + text,  # a bare fence before the json one
            '{"decoy": true} ' + text,
            "{oops} " + text,
            text + '\n```json\n{"second": 2}\n```',
            text + ' {"second": 2}',
        )
        return _pick(candidates, variant)
    if mutation == "bom":
        return "\ufeff" + text
    position = draw(up_to(len(text)))  # nul
    return text[:position] + "\x00" + text[position:]


@st.composite
def _llm_answer(draw: st.DrawFn) -> str:
    kind = draw(choice(FIXTURES))
    report("llm_json", kind)
    # Each mutation is drawn together with its variant (which value, which
    # fence, how deep), so the shrinker deletes a mutation and its variant as
    # one element and the draws after it keep their meaning. A plain list, not
    # unique=True, for the same reason; a repeated mutation is applied once.
    mutations: dict[str, int] = {}
    for mutation, variant in draw(_MUTATIONS):
        mutations.setdefault(mutation, variant)
    members = [] if kind in _NO_PAYLOAD else _first_object(draw, kind)
    for mutation, variant in mutations.items():
        if mutation in _TEXT_MUTATIONS or not members:
            continue
        members.append(_payload_member(mutation, variant, members[0][0]))
        report("llm_json", mutation)
    text = _fixture(draw, kind, _object(members, pretty=draw(BOOLEANS)))
    for mutation, variant in mutations.items():
        if mutation in _TEXT_MUTATIONS:
            text = _mutate_text(draw, mutation, variant, text)
            report("llm_json", mutation)
    return text


_ANSWERS = _llm_answer()

_FIXTURE_EXAMPLES = [
    'Here is the JSON:\n```json\n{"role": "Welder", "count": 3}\n```',
    'The result:\n```\n{"role": "Welder", "count": 3}\n```',
    'Sure! {"role": "Welder", "count": 3} Hope this helps.',
    'First {"a": 1} then {"b": 2}',
    '{"worker": {"id": "W-00042", "skills": {"forklift": true}}}',
    '{"name": "Café résumé ⭐ 你好"}',
    '{"quote": "He said \\"hi\\""}',
    "{}",
    '[{"id": "W-00001"}, {"id": "W-00002"}]',
    "I could not find any matching workers.",
    "{role: Welder}",
    '{"role": "Welder"} and that is all.',
]


@difffuzz.strategy(
    "llm_json",
    description="LLM answers for extract_json: the 12 fixture kinds, mutated.",
    examples=_FIXTURE_EXAMPLES,
    categories=[*FIXTURES, *MUTATIONS],
)
def llm_json() -> st.SearchStrategy[str]:
    """Raw LLM output text around (or without) a JSON object.

    Reports one fixture kind and each applied mutation per value. The text is
    always a valid ``str`` (lone surrogates appear only as ``\\ud800`` escape
    text); :func:`llm_json_bytes` adds byte-level damage.

    >>> llm_json().example()  # doctest: +SKIP
    'Sure! {"role": "Welder", "deep": [[[...]]]} Hope this helps!'
    """
    return _ANSWERS


def _bom(text: str) -> bytes:
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def _utf16(text: str) -> bytes:
    return text.encode("utf-16")  # with its BOM, as a Windows tool would write it


def _latin1(text: str) -> bytes:
    return ("Café " + text).encode("latin-1", "replace")


#: How an answer becomes bytes: (category, bytes inserted into its UTF-8) or
#: (category, a whole re-encoding).
_BYTE_WAYS: tuple[tuple[str, bytes | Callable[[str], bytes]], ...] = (
    ("utf8", b""),
    ("invalid_utf8", b"\xff"),
    ("invalid_utf8", b"\xc3\x28"),
    ("invalid_utf8", b"\x80"),
    ("overlong", b"\xc0\xaf"),
    ("overlong", b"\xe0\x80\xaf"),
    ("surrogate_bytes", b"\xed\xa0\x80"),  # U+D800 encoded as if it were a scalar
    ("truncated_sequence", b"\xe4\xbd"),
    ("nul_byte", b"\x00"),
    ("utf8_bom", _bom),
    ("utf16", _utf16),
    ("latin1", _latin1),
)
_BYTE_CATEGORIES = tuple(dict.fromkeys(category for category, _ in _BYTE_WAYS))


@st.composite
def _llm_bytes(draw: st.DrawFn) -> bytes:
    text = draw(_ANSWERS)
    category, way = draw(choice(_BYTE_WAYS))
    # Drawn for every way, so that re-encodings never shrink better than an
    # inserted byte just because they make one choice fewer.
    where = draw(choice(("start", "in_string", "end")))
    report("llm_json_bytes", category)
    if callable(way):
        return way(text)
    raw = text.encode("utf-8")
    # Inside the first string value when there is one: where a lenient decoder
    # and a strict one part ways without the damage being trivially at the edge.
    opening = raw.find(b'": "')
    position = {"start": 0, "in_string": opening + 4 if opening >= 0 else 0, "end": len(raw)}
    return raw[: position[where]] + way + raw[position[where] :]


@difffuzz.strategy(
    "llm_json_bytes",
    description="llm_json as raw bytes, with invalid UTF-8, BOMs, UTF-16 and NUL bytes.",
    examples=[example.encode("utf-8") for example in _FIXTURE_EXAMPLES],
    categories=_BYTE_CATEGORIES,
)
def llm_json_bytes() -> st.SearchStrategy[bytes]:
    """:func:`llm_json` answers as bytes, some damaged below the text level.

    For transports that carry bytes (a CLI's stdin, a raw HTTP body).

    >>> llm_json_bytes().example()  # doctest: +SKIP
    b'{"role": "\\xffWelder"}'
    """
    return _llm_bytes()
