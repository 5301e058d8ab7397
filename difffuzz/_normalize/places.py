"""Apply a function at every place a pointer pattern names, without mutating the input.

Built-in steps take ``at``: a pointer pattern (``*`` one level, ``**`` any
depth, see :mod:`difffuzz._pointer`) naming the values they rewrite. Children
are rewritten before their parents, so ``at = "/**"`` renames keys at every
depth with each object seeing its already-renamed children. The walk uses an
explicit stack (answers can nest as deep as the JSON parser accepts), and only
the containers on the way to a rewritten place are copied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from difffuzz._pointer import Pattern, compile_pattern

__all__ = ["rewrite_at"]


def rewrite_at(value: Any, pattern: str | Pattern, change: Callable[[Any], Any]) -> Any:
    """``value`` with ``change`` applied to every place ``pattern`` matches.

    >>> rewrite_at({"a": [1, 2], "b": 3}, "/a/*", lambda v: v * 10)
    {'a': [10, 20], 'b': 3}
    >>> rewrite_at({"a": 1}, "", lambda v: {**v, "b": 2})
    {'a': 1, 'b': 2}
    """
    compiled = compile_pattern(pattern) if isinstance(pattern, str) else pattern
    if not compiled.tokens:
        return change(value)  # the answer itself: the common case, no walk at all
    limit = compiled.max_depth
    # Pre-order list of (node, tokens, child indices); rebuilt in reverse order so
    # that every child is done before its parent.
    nodes: list[Any] = []
    tokens_of: list[tuple[str, ...]] = []
    children: list[list[int]] = []
    stack: list[tuple[Any, tuple[str, ...], int]] = [(value, (), -1)]
    while stack:
        node, tokens, parent = stack.pop()
        index = len(nodes)
        nodes.append(node)
        tokens_of.append(tokens)
        children.append([])
        if parent >= 0:
            children[parent].append(index)
        if limit is not None and len(tokens) >= limit:
            continue
        if isinstance(node, dict):
            below = [(child, (*tokens, str(key)), index) for key, child in node.items()]
        elif isinstance(node, list):
            below = [(child, (*tokens, str(i)), index) for i, child in enumerate(node)]
        else:
            continue
        stack.extend(reversed(below))
    results: list[Any] = [None] * len(nodes)
    touched = [False] * len(nodes)
    for index in range(len(nodes) - 1, -1, -1):
        node = nodes[index]
        kids = children[index]
        if any(touched[child] for child in kids):
            # The children were listed in the container's own order.
            if isinstance(node, dict):
                node = {key: results[child] for key, child in zip(node, kids, strict=True)}
            else:
                node = [results[child] for child in kids]
            touched[index] = True
        if compiled.matches_tokens(tokens_of[index]):
            node = change(node)
            touched[index] = True
        results[index] = node
    return results[0]
