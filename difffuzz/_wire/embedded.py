"""Documents that are part of a bigger input: JSON Lines files in a folder, JSON in prose.

A materializer reads one document per line of each ``.jsonl`` file; an LLM
answer carries its document inside text. The families apply to one such
embedded document at a time, and the mutated bytes go back exactly where the
document was, so everything around it (other lines, other files, the prose)
stays as the strategy made it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from difffuzz._inputs import FileTree

__all__ = ["Embedded", "in_prose", "in_tree", "splice", "tree_with"]

#: Documents looked for per input; the first ones are the ones mutated.
LIMIT = 64
#: Opening brackets tried in prose before giving up (each try is one raw_decode).
PROSE_TRIES = 32

_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class Embedded:
    """One document inside an input: where its bytes are, and its value."""

    value: Any
    start: int
    end: int
    #: The file it is in (``FileTree`` inputs), "" for prose.
    path: str = ""
    line: int = 0

    @property
    def label(self) -> str:
        if self.path:
            return f"{self.path} line {self.line}"
        return f"the JSON at byte {self.start}"


def in_tree(tree: FileTree) -> list[Embedded]:
    """Every line of every file that parses as a JSON object or array (offsets per file)."""
    found: list[Embedded] = []
    for path, content in tree:
        start = 0
        for number, line in enumerate(content.split(b"\n"), start=1):
            end = start + len(line)
            body = line[:-1] if line.endswith(b"\r") else line
            if body.strip()[:1] in (b"{", b"["):
                try:
                    value = json.loads(body)
                except ValueError:
                    value = None
                if isinstance(value, dict | list):
                    found.append(Embedded(value, start, start + len(body), path, number))
                    if len(found) >= LIMIT:
                        return found
            start = end + 1
    return found


def in_prose(text: bytes) -> list[Embedded]:
    """JSON objects and arrays inside text, first found first, never overlapping."""
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        return []  # bytes that are not UTF-8 already are the strategy's own mutation
    found: list[Embedded] = []
    position, tries = 0, 0
    while tries < PROSE_TRIES and len(found) < LIMIT:
        brace = _next_bracket(decoded, position)
        if brace < 0:
            break
        tries += 1
        try:
            value, end = _DECODER.raw_decode(decoded, brace)
        except ValueError:
            position = brace + 1
            continue
        if isinstance(value, dict | list) and value:
            start_byte = len(decoded[:brace].encode("utf-8"))
            end_byte = start_byte + len(decoded[brace:end].encode("utf-8"))
            found.append(Embedded(value, start_byte, end_byte))
        position = end
    return found


def _next_bracket(text: str, position: int) -> int:
    candidates = [i for i in (text.find("{", position), text.find("[", position)) if i >= 0]
    return min(candidates, default=-1)


def splice(content: bytes, document: Embedded, sent: bytes) -> bytes:
    """``content`` with the document's bytes replaced by ``sent``."""
    return content[: document.start] + sent + content[document.end :]


def tree_with(tree: FileTree, document: Embedded, sent: bytes) -> FileTree:
    """``tree`` with one file's document replaced by ``sent``."""
    files = dict(tree.files)
    files[document.path] = splice(files[document.path], document, sent)
    return FileTree.of(files)
