"""Generated inputs, and their lossless JSON form for fixtures.

A strategy may produce any of: ``None``, ``bool``, ``int``, ``float``, ``str``
(lone surrogates included), ``bytes`` (invalid UTF-8 included), ``list``,
``tuple``, ``dict`` and :class:`FileTree` (a folder of files, for helpers that
read a directory). :func:`encode_input` turns such a value into plain JSON that
reads well in review, and :func:`decode_input` gives back the identical value:
ordinary strings, numbers and objects stay as they are, and only what JSON
cannot hold is tagged with a ``$``-key::

    {"$bytes_base64": "..."}      bytes that are not UTF-8
    {"$bytes_utf8": "..."}        bytes that are UTF-8 (kept readable)
    {"$str_escaped": "..."}       a str with lone surrogates, unicode-escaped
    {"$float": "nan" | "inf" | "-inf"}
    {"$tuple": [...]}
    {"$object": [[key, value], ...]}   an object whose keys could be mistaken for tags
    {"$tree": {"relpath": <bytes>}}
    {"$wire": {"sent": <bytes or tree>, "family": ..., "mutation": ...}}
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

__all__ = [
    "FileTree",
    "Input",
    "WireInput",
    "decode_input",
    "encode_input",
    "input_literal",
    "input_sort_key",
    "input_to_bytes",
    "json_bytes",
]

Input: TypeAlias = (
    "bool | int | float | str | bytes | Sequence[Input] | Mapping[Any, Input] "
    "| FileTree | WireInput | None"
)
"""Whatever a strategy generates (see the module docstring): a JSON-shaped value with
bytes, tuples and lone surrogates allowed, a folder of files, or a wire-mutated
document. The containers are the read-only ``Sequence`` and ``Mapping`` so that a
strategy of ``list[str]`` or ``dict[str, int]`` is a strategy of inputs; the
codec stores lists, tuples and dicts (anything else is a ``TypeError`` naming
the type). Object keys are strings in every strategy difffuzz ships; the codec
keeps any other hashable key too (``$object``), hence ``Any`` there."""


@dataclass(frozen=True)
class FileTree:
    """A folder of files, relative POSIX paths to contents, for directory-shaped inputs.

    >>> tree = FileTree.of({"a.jsonl": b'{"x": 1}\\n'})
    >>> tree.paths()
    ['a.jsonl']
    """

    files: tuple[tuple[str, bytes], ...]

    @classmethod
    def of(cls, files: Mapping[str, bytes]) -> FileTree:
        for path in files:
            _check_relative(path)
        return cls(tuple(sorted(files.items())))

    def paths(self) -> list[str]:
        return [path for path, _ in self.files]

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)


@dataclass(frozen=True)
class WireInput:
    """What goes on the wire after one mutation of a document, and which mutation it was.

    The wire-mutation layer (``difffuzz._wire``) serialises a strategy's JSON
    value itself and changes the bytes. A fixture stores ``sent``, the exact
    bytes (or the folder, for JSON Lines files), so it replays byte for byte
    even after the mutation code changes; ``family`` and ``mutation`` are what
    reports show. ``headers`` (a value of None leaves the header out) and
    ``chunked`` are the opt-in HTTP-level variants.

    >>> WireInput(b'{"a":1,"a":2}', "duplicate_key", 'key "a" twice').sent
    b'{"a":1,"a":2}'
    """

    sent: bytes | FileTree
    family: str
    mutation: str
    headers: tuple[tuple[str, str | None], ...] = ()
    chunked: bool = False


def _check_relative(path: str) -> None:
    parts = path.split("/")
    if not path or path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"FileTree path {path!r} must be relative, without '.', '..' or '//'")


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _encode_bytes(raw: bytes) -> dict[str, str]:
    try:
        return {"$bytes_utf8": raw.decode("utf-8")}
    except UnicodeDecodeError:
        return {"$bytes_base64": base64.b64encode(raw).decode("ascii")}


def encode_input(value: Input) -> Any:
    """The JSON form of a generated input (see the module docstring)."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return {"$float": "nan"}
        if math.isinf(value):
            return {"$float": "inf" if value > 0 else "-inf"}
        return value
    if isinstance(value, str):
        if _has_surrogates(value):
            return {"$str_escaped": value.encode("unicode_escape").decode("ascii")}
        return value
    if isinstance(value, bytes | bytearray):
        return _encode_bytes(bytes(value))
    if isinstance(value, FileTree):
        return {"$tree": {path: _encode_bytes(content) for path, content in value.files}}
    if isinstance(value, WireInput):
        return {"$wire": _encode_wire(value)}
    if isinstance(value, tuple):
        return {"$tuple": [encode_input(v) for v in value]}
    if isinstance(value, list):
        return [encode_input(v) for v in value]
    if isinstance(value, dict):
        plain = all(
            isinstance(k, str) and not k.startswith("$") and not _has_surrogates(k) for k in value
        )
        if plain:
            return {k: encode_input(v) for k, v in value.items()}
        return {"$object": [[encode_input(k), encode_input(v)] for k, v in value.items()]}
    raise TypeError(
        f"cannot store an input of type {type(value).__name__}: strategies must generate "
        "None, bool, int, float, str, bytes, list, tuple, dict or difffuzz.FileTree"
    )


def _encode_wire(value: WireInput) -> dict[str, Any]:
    record: dict[str, Any] = {
        "family": value.family,
        "mutation": value.mutation,
        "sent": encode_input(value.sent),
    }
    if value.headers:
        record["headers"] = [list(pair) for pair in value.headers]
    if value.chunked:
        record["chunked"] = True
    return record


def _decode_wire(record: Mapping[str, Any]) -> WireInput:
    sent = decode_input(record["sent"])
    if not isinstance(sent, bytes | FileTree):
        raise ValueError(f"a $wire input sends bytes or a $tree, got {type(sent).__name__}")
    return WireInput(
        sent=sent,
        family=str(record["family"]),
        mutation=str(record["mutation"]),
        headers=tuple((str(name), value) for name, value in record.get("headers", ())),
        chunked=bool(record.get("chunked", False)),
    )


def _decode_bytes(record: Mapping[str, Any]) -> bytes:
    if "$bytes_utf8" in record:
        return str(record["$bytes_utf8"]).encode("utf-8")
    return base64.b64decode(str(record["$bytes_base64"]), validate=True)


_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def decode_input(encoded: Any) -> Input:
    """Inverse of :func:`encode_input`; raises ``ValueError`` on a malformed tag, or on
    a value no stored input holds (anything but JSON: a fixture edited by hand)."""
    if isinstance(encoded, list):
        return [decode_input(v) for v in encoded]
    if encoded is None or isinstance(encoded, bool | int | float | str):
        return encoded
    if not isinstance(encoded, dict):
        raise ValueError(
            f"a stored input holds JSON values only, got a {type(encoded).__name__}: {encoded!r}"
        )
    if len(encoded) == 1:
        ((tag, body),) = encoded.items()
        if tag in ("$bytes_utf8", "$bytes_base64"):
            return _decode_bytes(encoded)
        if tag == "$str_escaped":
            return str(body).encode("ascii").decode("unicode_escape")
        if tag == "$float":
            if body not in _FLOATS:
                raise ValueError(f"unknown $float value {body!r}; expected nan, inf or -inf")
            return _FLOATS[body]
        if tag == "$tuple":
            return tuple(decode_input(v) for v in body)
        if tag == "$object":
            return {decode_input(k): decode_input(v) for k, v in body}
        if tag == "$tree":
            return FileTree.of({path: _decode_bytes(content) for path, content in body.items()})
        if tag == "$wire":
            return _decode_wire(body)
    for key in encoded:
        if key.startswith("$"):
            raise ValueError(f"unknown input tag {key!r} in a stored input")
    return {k: decode_input(v) for k, v in encoded.items()}


def input_sort_key(value: Input) -> tuple[int, str]:
    """Shortlex order on the stored form: smaller means a simpler fixture.

    Injective: two inputs get the same key only if they are the same input.
    Objects keep their key order (``{"a": 1, "b": 2}`` and ``{"b": 2, "a": 1}``
    reach the wire differently, so they are two inputs), and bytes are measured
    one character per byte rather than in their stored form: dropping a byte can
    turn UTF-8 bytes into base64 ones (or keep a base64 text the same length), and
    the shorter value must still sort first.
    """
    text = json.dumps(_bytes_as_latin1(encode_input(value)), ensure_ascii=False)
    return (len(text), text)


def _bytes_as_latin1(encoded: Any) -> Any:
    """The stored form with every bytes tag replaced by one character per byte."""
    if isinstance(encoded, list):
        return [_bytes_as_latin1(v) for v in encoded]
    if not isinstance(encoded, dict):
        return encoded
    # Only tags can carry a "$" key here: encode_input stores such user objects as $object.
    if len(encoded) == 1 and ("$bytes_utf8" in encoded or "$bytes_base64" in encoded):
        return {"$bytes": _decode_bytes(encoded).decode("latin-1")}
    return {k: _bytes_as_latin1(v) for k, v in encoded.items()}


def input_to_bytes(value: Input) -> bytes:
    """The raw bytes a byte-carrying transport sends for an input.

    ``bytes`` go as they are, a :class:`WireInput` as the bytes it sends, ``str``
    as UTF-8 (lone surrogates passed through, so the receiver sees the invalid
    sequence), anything else as compact JSON.
    """
    if isinstance(value, WireInput):
        if isinstance(value.sent, FileTree):
            raise TypeError("a mutated folder of files has no single byte form")
        return value.sent
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return json_bytes(value)


def json_bytes(value: Any) -> bytes:
    """Serialise a JSON-shaped input; lone surrogates become ``\\udXXX`` escapes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "backslashreplace")


def input_literal(value: Input) -> str:
    """Python source that evaluates to ``value`` (``FileTree`` needs importing).

    >>> input_literal({"k": [1.5, float("nan"), b"\\xff", "\\ud800"]})
    "{'k': [1.5, float('nan'), b'\\\\xff', '\\\\ud800']}"
    """
    if value is None or isinstance(value, bool | int | str):
        return repr(value)
    if isinstance(value, float):
        if value != value:
            return "float('nan')"
        if value in (float("inf"), float("-inf")):
            return "float('inf')" if value > 0 else "float('-inf')"
        return repr(value)
    if isinstance(value, bytes | bytearray):
        return repr(bytes(value))
    if isinstance(value, FileTree):
        files = ", ".join(f"{path!r}: {content!r}" for path, content in value)
        return f"FileTree.of({{{files}}})"
    if isinstance(value, WireInput):
        extra = f", headers={value.headers!r}" if value.headers else ""
        extra += ", chunked=True" if value.chunked else ""
        return (
            f"WireInput(sent={input_literal(value.sent)}, family={value.family!r}, "
            f"mutation={value.mutation!r}{extra})"
        )
    if isinstance(value, list):
        return "[" + ", ".join(map(input_literal, value)) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(map(input_literal, value))
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        items = (f"{input_literal(k)}: {input_literal(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise TypeError(
        f"cannot write input of type {type(value).__name__} as a Python literal: {value!r}; "
        "inputs must be None, bool, int, float, str, bytes, list, tuple, dict, FileTree "
        "or WireInput"
    )
