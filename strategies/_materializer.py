"""Source folders for ``materialize SRC_DIR OUT_FILE``: ``materializer_trees``.

The materializer reads every ``*.jsonl`` under a folder, sorted by path, and
writes one evidence row per line with its ``line_offset``. The bug the team
already met (Go's ``omitempty`` dropping ``line_offset: 0``) hid in the first
row of every file, so files hold several rows, and the trees add what a fixed
probe never had: empty files, blank lines (also before the first row),
an invalid line, CRLF, a BOM, a missing final newline, Unicode and nested file
names, files that must be skipped, a hidden file, and names whose order
differs between "sort full paths" and "walk each folder in order"
(``a-b.jsonl`` sorts before ``a/b.jsonl``; a folder walk visits ``a/`` first).
"""

from __future__ import annotations

import json
import unicodedata

from hypothesis import strategies as st

import difffuzz
from difffuzz import FileTree

from ._categories import report
from ._pools import choice, up_to

__all__ = ["materializer_trees"]

_NAME = "materializer_trees"

_ROWS: tuple[str, ...] = tuple(
    json.dumps(row, ensure_ascii=False)
    for row in (
        {"n": 0},
        {"id": "W-00042", "role": "Welder"},
        {"id": "W-00107", "role": "Forklift Operator", "city": "Detroit", "state": "MI"},
        {"outcome": "accepted_grounded", "iterations": 1, "latency_ms": 812},
        {"name": "Café résumé ⭐ 你好"},
        {"nested": {"a": [1, 2, {"b": None}]}},
        {"big": 2**53 + 1, "neg": -0.0},
        {},
    )
)
_INVALID_LINES = ("not json", "{", '{"a": 1', "[1, 2]", "null", '"text"', "{'a': 1}")
_BLANK = st.sampled_from(("", "   ", "\t"))
_INVALID = st.sampled_from(_INVALID_LINES)
_LINES = st.lists(st.sampled_from(_ROWS), min_size=2, max_size=4)

_NAMES: dict[str, tuple[str, ...]] = {
    "plain": ("a.jsonl", "b.jsonl", "evidence.jsonl", "sessions.jsonl", "2024-06-01.jsonl"),
    "unicode_name": ("café.jsonl", "cafe\u0301.jsonl", "日本.jsonl", "😀.jsonl", "two words.jsonl"),
    "nested": ("a/b.jsonl", "2024/06/01.jsonl", "deep/er/still/rows.jsonl", "a/z/c.jsonl"),
    "hidden_file": (".hidden.jsonl", "a/.rows.jsonl"),
    "skipped_file": ("notes.txt", "rows.json", "ROWS.JSONL", "rows.jsonl.bak", "README"),
}
# Pairs whose order depends on how the folder is walked.
_ORDER_PAIRS = (("a-b.jsonl", "a/b.jsonl"), ("B.jsonl", "a.jsonl"), ("a.jsonl", "a0.jsonl"))
_CONTENT_KINDS = (
    "rows",
    "empty_file",
    "blank_lines",
    "invalid_line",
    "no_trailing_newline",
    "crlf",
    "bom",
)


@st.composite
def _content(draw: st.DrawFn) -> tuple[bytes, str]:
    kind = draw(choice(_CONTENT_KINDS))
    if kind == "empty_file":
        return b"", kind
    lines = draw(_LINES)
    if kind == "blank_lines":
        # Anywhere, the first line included: is the first *row* still at offset 0?
        lines.insert(draw(up_to(len(lines))), draw(_BLANK))
    elif kind == "invalid_line":
        lines.insert(draw(up_to(len(lines), low=1)), draw(_INVALID))
    end = "\r\n" if kind == "crlf" else "\n"
    text = end.join(lines) + ("" if kind == "no_trailing_newline" else end)
    raw = text.encode("utf-8")
    return (b"\xef\xbb\xbf" + raw if kind == "bom" else raw), kind


_CONTENT = _content()


def _portable_key(entry: tuple[str, bytes, str, str]) -> str:
    # Two names that one filesystem would merge (macOS folds case and
    # normalisation) must not both be in one tree.
    return unicodedata.normalize("NFC", entry[0]).casefold()


@st.composite
def _file(draw: st.DrawFn) -> tuple[str, bytes, str, str]:
    name_kind = draw(choice(tuple(_NAMES)))
    path = draw(choice(_NAMES[name_kind]))
    content, content_kind = draw(_CONTENT)
    return path, content, name_kind, content_kind


_FILES = st.lists(_file(), min_size=1, max_size=5, unique_by=_portable_key)


@st.composite
def _tree(draw: st.DrawFn) -> FileTree:
    if draw(up_to(7)) == 7:
        report(_NAME, "empty_tree")
        return FileTree.of({})
    entries = draw(_FILES)
    if draw(up_to(3)) == 3:
        pair = draw(choice(_ORDER_PAIRS))
        taken = {_portable_key(entry) for entry in entries}
        for path in pair:
            if _portable_key((path, b"", "", "")) not in taken:
                content, content_kind = draw(_CONTENT)
                entries.append((path, content, "sort_order", content_kind))
    for _, _, name_kind, content_kind in entries:
        report(_NAME, name_kind)
        report(_NAME, content_kind)
    return FileTree.of({path: content for path, content, _, _ in entries})


_FIXTURE = FileTree.of(
    {
        "a.jsonl": b'{"id": "W-00042", "role": "Welder"}\n{"id": "W-00107", "role": "Picker"}\n',
        "b.jsonl": b'{"outcome": "accepted_grounded"}\n{"outcome": "infra_error"}\n',
    }
)


@difffuzz.strategy(
    _NAME,
    description="Folders of JSONL files: empty files, blank and invalid lines, odd names.",
    examples=[_FIXTURE],
    categories=(*_NAMES, "sort_order", *_CONTENT_KINDS, "empty_tree"),
)
def materializer_trees() -> st.SearchStrategy[FileTree]:
    """A folder for the materializer (see the module docstring).

    >>> materializer_trees().example()  # doctest: +SKIP
    FileTree(files=(('a.jsonl', b'{"n": 0}\\n{"n": 0}\\n'),))
    """
    return _tree()
