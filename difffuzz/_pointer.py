"""JSON pointers (RFC 6901) and pointer patterns with wildcards.

A *pointer* names one place in a JSON document: ``""`` is the document itself,
``/results/0/id`` is the ``id`` of the first result; ``~0`` stands for ``~`` and
``~1`` for ``/`` inside a key. A *pattern* is a pointer whose segments may be
wildcards: ``*`` matches exactly one level (any key or index) and ``**`` any
number of levels, none included, so ``/**/timestamp`` matches ``/timestamp``
and ``/a/b/timestamp``. Wildcards are whole segments; a key that is literally
``*`` can only be matched by a wildcard.

Comparators use patterns for ``ignore`` and ``unordered`` rules, and
*normalised* paths (array indices replaced by ``*``) in differences so that
``/results/3/score`` and ``/results/7/score`` are one signature part.

>>> resolve({"results": [{"id": "w1"}]}, "/results/0/id")
'w1'
>>> matches("/results/*/score", "/results/12/score")
True
>>> delete_matching({"a": 1, "ts": 2}, ["/ts"])
({'a': 1}, ('/ts',))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

__all__ = [
    "MISSING",
    "Pattern",
    "compile_pattern",
    "delete_matching",
    "escape",
    "find",
    "join",
    "matches",
    "normalise",
    "parse",
    "resolve",
]

ONE: Final = "*"
ANY: Final = "**"


class _Missing:
    """The marker :func:`resolve` returns when a pointer names nothing."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()


def escape(token: str) -> str:
    """One key as a pointer segment: ``escape("a/b") == "a~1b"``."""
    return token.replace("~", "~0").replace("/", "~1")


def join(pointer: str, token: str | int) -> str:
    """The pointer one level below ``pointer``: ``join("/a", 0) == "/a/0"``."""
    return f"{pointer}/{escape(str(token))}"


def _unescape(segment: str, text: str) -> str:
    index = segment.find("~")
    while index != -1:
        if segment[index + 1 : index + 2] not in ("0", "1"):
            raise ValueError(
                f"JSON pointer {text!r} has '~' not followed by '0' or '1' in segment "
                f"{segment!r}; write '~0' for a literal '~' and '~1' for '/'"
            )
        index = segment.find("~", index + 2)
    return segment.replace("~1", "/").replace("~0", "~")


@lru_cache(maxsize=4096)
def parse(pointer: str) -> tuple[str, ...]:
    """The unescaped segments of a pointer; ``ValueError`` when it is malformed.

    >>> parse("/a~1b/0")
    ('a/b', '0')
    """
    if pointer == "":
        return ()
    if not pointer.startswith("/"):
        raise ValueError(
            f"JSON pointer {pointer!r} must start with '/' (write '/{pointer}'), "
            "or be '' for the whole document"
        )
    return tuple(_unescape(segment, pointer) for segment in pointer[1:].split("/"))


def _index(token: str, length: int) -> int | None:
    # RFC 6901: "0" or digits without a leading zero; "-" (past the end) names nothing.
    if not token.isascii() or not token.isdigit() or (len(token) > 1 and token[0] == "0"):
        return None
    index = int(token)
    return index if index < length else None


def resolve(value: Any, pointer: str) -> Any:
    """The value ``pointer`` names in ``value``, or ``MISSING``.

    >>> resolve([10, 20], "/1"), resolve([10, 20], "/2")
    (20, MISSING)
    """
    current = value
    for token in parse(pointer):
        if isinstance(current, dict):
            if token not in current:
                return MISSING
            current = current[token]
        elif isinstance(current, list):
            index = _index(token, len(current))
            if index is None:
                return MISSING
            current = current[index]
        else:
            return MISSING
    return current


@dataclass(frozen=True)
class Pattern:
    """A compiled pointer pattern; build it with :func:`compile_pattern`."""

    text: str
    tokens: tuple[str, ...]

    @property
    def max_depth(self) -> int | None:
        """The depth of every pointer it matches, or ``None`` when it has ``**``."""
        return None if ANY in self.tokens else len(self.tokens)

    def matches_tokens(self, tokens: Sequence[str]) -> bool:
        """Glob matching on segments: ``*`` is one segment, ``**`` any run of them."""
        pattern = self.tokens
        p = t = 0
        star_p, star_t = -1, 0
        while t < len(tokens):
            if p < len(pattern) and pattern[p] == ANY:
                star_p, star_t = p, t
                p += 1
            elif p < len(pattern) and pattern[p] in (ONE, tokens[t]):
                p += 1
                t += 1
            elif star_p != -1:
                # Let the last ``**`` swallow one more segment and retry from there.
                star_t += 1
                p, t = star_p + 1, star_t
            else:
                return False
        return all(token == ANY for token in pattern[p:])

    def matches(self, pointer: str) -> bool:
        return self.matches_tokens(parse(pointer))


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Pattern:
    """Parse a pattern once; ``ValueError`` names the pattern and the fix.

    >>> compile_pattern("/results/*/score").tokens
    ('results', '*', 'score')
    """
    if pattern != "" and not pattern.startswith("/"):
        raise ValueError(
            f"pointer pattern {pattern!r} must start with '/' (write '/{pattern}'); "
            "'*' matches one level and '**' any number of levels"
        )
    tokens = parse(pattern)
    for raw in pattern[1:].split("/") if pattern else ():
        if "*" in raw and raw not in (ONE, ANY):
            raise ValueError(
                f"pointer pattern {pattern!r} has segment {raw!r} that mixes '*' with other "
                "characters; a wildcard must be a whole segment: '*' (one level) or '**' "
                "(any number of levels)"
            )
    return Pattern(pattern, tokens)


def matches(pattern: str, pointer: str) -> bool:
    """Whether the concrete ``pointer`` is one of the places ``pattern`` names.

    >>> matches("/**/ts", "/ts"), matches("/*", "/a/b")
    (True, False)
    """
    return compile_pattern(pattern).matches(pointer)


def normalise(pointer: str, document: Any = MISSING) -> str:
    """``pointer`` with array indices replaced by ``*``.

    With ``document`` the segments that index an array *in that document* are
    replaced; without it every all-digit segment is taken for an index (a key
    such as ``"2024"`` then normalises too). Comparators do better still: they
    build normalised paths while they walk, and never call this.

    >>> normalise("/results/3/id")
    '/results/*/id'
    >>> normalise("/by_year/2024", {"by_year": {"2024": 1}})
    '/by_year/2024'
    """
    parts: list[str] = []
    current = document
    for token in parse(pointer):
        if isinstance(current, dict | list):
            is_index = isinstance(current, list)
            current = resolve(current, join("", token))
        else:  # no document, or past its end
            is_index = token.isascii() and token.isdigit()
        parts.append(ONE if is_index else escape(token))
    return "".join("/" + part for part in parts)


def _children(value: Any) -> Iterable[tuple[str | int, Any]]:
    if isinstance(value, dict):
        return value.items()
    if isinstance(value, list):
        return enumerate(value)
    return ()


def find(value: Any, pattern: str) -> list[tuple[str, Any]]:
    """Every ``(pointer, value)`` in ``value`` that ``pattern`` matches, in document order.

    >>> find({"embeddings": [[1.0], [2.0]]}, "/embeddings/*")
    [('/embeddings/0', [1.0]), ('/embeddings/1', [2.0])]
    """
    compiled = compile_pattern(pattern)
    found: list[tuple[str, Any]] = []
    # An explicit stack: documents can nest as deep as the JSON parser allows.
    stack: list[tuple[str, tuple[str, ...], Any]] = [("", (), value)]
    while stack:
        pointer, tokens, node = stack.pop()
        if compiled.matches_tokens(tokens):
            found.append((pointer, node))
        if compiled.max_depth is not None and len(tokens) >= compiled.max_depth:
            continue
        below = [(join(pointer, key), (*tokens, str(key)), child) for key, child in _children(node)]
        stack.extend(reversed(below))
    return found


def delete_matching(value: Any, patterns: Iterable[str]) -> tuple[Any, tuple[str, ...]]:
    """A copy of ``value`` without the places any pattern matches, and their pointers.

    The input is never mutated; only the containers on the way to a removed
    place are copied. The document itself is never removed (``/**`` empties it).
    A removed array element shifts the ones after it; the pointers returned are
    those of the original document.

    >>> delete_matching({"rows": [{"t": 1, "v": 2}]}, ["/rows/*/t"])
    ({'rows': [{'v': 2}]}, ('/rows/0/t',))
    """
    compiled = [compile_pattern(pattern) for pattern in patterns]
    if not compiled:
        return value, ()
    depths = [pattern.max_depth for pattern in compiled]
    limit = None if None in depths else max(d for d in depths if d is not None)

    removed: list[tuple[str, tuple[str | int, ...]]] = []
    stack: list[tuple[str, tuple[str | int, ...], tuple[str, ...], Any]] = [("", (), (), value)]
    while stack:
        pointer, keys, tokens, node = stack.pop()
        if keys and any(pattern.matches_tokens(tokens) for pattern in compiled):
            removed.append((pointer, keys))
            continue
        if limit is not None and len(tokens) >= limit:
            continue
        below = [
            (join(pointer, key), (*keys, key), (*tokens, str(key)), child)
            for key, child in _children(node)
        ]
        stack.extend(reversed(below))
    if not removed:
        return value, ()
    return _without(value, [keys for _, keys in removed]), tuple(p for p, _ in removed)


def _without(value: Any, removals: list[tuple[str | int, ...]]) -> Any:
    """Copy the containers on the paths to ``removals`` and drop the named children."""
    trie: dict[Any, Any] = {}
    for keys in removals:
        node = trie
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = None  # None marks "remove this child"

    def copy(container: Any) -> Any:
        return dict(container) if isinstance(container, dict) else list(container)

    root = copy(value)
    stack: list[tuple[Any, dict[Any, Any]]] = [(root, trie)]
    while stack:
        container, branch = stack.pop()
        doomed: list[Any] = []
        for key, sub in branch.items():
            if sub is None:
                doomed.append(key)
            else:
                container[key] = copy(container[key])
                stack.append((container[key], sub))
        if isinstance(container, dict):
            for key in doomed:
                del container[key]
        else:
            for index in sorted(doomed, reverse=True):
                del container[index]
    return root
