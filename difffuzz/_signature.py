"""Divergence signatures: what makes two divergences "the same bug".

A signature is the surface, the pair of statuses, and the set of
``(kind, normalised path, qualifier)`` of the differences. Values are left out
on purpose: two inputs that make ``/Schema`` go missing on the right are one
finding however their error messages read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from difffuzz._comparators.base import Difference, DiffKind

__all__ = ["Signature", "collapse_path"]


def collapse_path(path: str, prefixes: Sequence[str]) -> str:
    """Fold everything under a collapse prefix into ``prefix/**``.

    Generated data has generated keys: without this, ``/value/aé`` and
    ``/value/b`` would be two signatures for one bug.

    >>> collapse_path("/value/a/0", ["/value"])
    '/value/**'
    """
    for prefix in prefixes:
        bare = prefix.rstrip("/")
        if path == bare or path.startswith(bare + "/"):
            return bare + "/**" if path != bare else bare
    return path


#: Differences of one kind at this many sibling keys or more are folded into one
#: ``parent/*`` part: a record with generated keys would otherwise give a new
#: signature for every combination of keys that happened to differ.
SIBLING_FOLD = 3


def _fold_siblings(parts: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    # Paths are kept exactly as given unless folded: the root ("" or "/") has no
    # parent and no siblings, and a fold must not rewrite it.
    groups: dict[tuple[str, str, str], set[str]] = {}
    for kind, path, qualifier in parts:
        parent, _, leaf = path.rpartition("/")
        if leaf:
            groups.setdefault((kind, parent, qualifier), set()).add(path)
    folded = set(parts)
    for (kind, parent, qualifier), paths in groups.items():
        if len(paths) >= SIBLING_FOLD:
            folded -= {(kind, path, qualifier) for path in paths}
            folded.add((kind, f"{parent}/*", qualifier))
    return folded


@dataclass(frozen=True, order=True)
class Signature:
    surface: str
    statuses: tuple[int | None, int | None]
    parts: tuple[tuple[str, str, str], ...]

    @classmethod
    def of(
        cls,
        surface: str,
        statuses: tuple[int | None, int | None],
        differences: Iterable[Difference],
        collapse: Sequence[str] = (),
    ) -> Signature:
        parts = {(d.kind.value, collapse_path(d.path, collapse), d.qualifier) for d in differences}
        return cls(surface=surface, statuses=statuses, parts=tuple(sorted(_fold_siblings(parts))))

    @property
    def canonical(self) -> str:
        return json.dumps(
            {"surface": self.surface, "statuses": list(self.statuses), "parts": self.parts},
            sort_keys=True,
            separators=(",", ":"),
        )

    @property
    def id(self) -> str:
        """A short stable identifier, used in fixture names and test ids."""
        return hashlib.sha256(self.canonical.encode()).hexdigest()[:10]

    @property
    def category(self) -> str:
        """``status``, ``shape``, ``property``, ``value`` or ``spelling``: the headline.

        ``spelling`` is a finding made of lexical differences only (equal values
        written differently), so a user can gate on it or mark it known on its own.
        """
        kinds = {DiffKind(kind) for kind, _, _ in self.parts}
        if DiffKind.STATUS in kinds:
            return "status"
        if DiffKind.PROPERTY in kinds:
            return "property"
        if any(kind.is_shape for kind in kinds):
            return "shape"
        if kinds and all(kind.is_lexical for kind in kinds):
            return "spelling"
        return "value"

    @property
    def label(self) -> str:
        """Readable one-liner: ``shape: missing /Schema, extra /Kind (422/422)``."""
        left, right = self.statuses
        pieces = []
        for kind, path, qualifier in self.parts[:6]:
            piece = f"{kind} {path or '/'}"
            if qualifier:
                piece += f" ({qualifier})"
            pieces.append(piece)
        if len(self.parts) > 6:
            pieces.append(f"+{len(self.parts) - 6} more")
        return f"{self.category}: {', '.join(pieces)} [{left}/{right}]"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "surface": self.surface,
            "category": self.category,
            "statuses": list(self.statuses),
            "parts": [list(part) for part in self.parts],
            "label": self.label,
        }

    @classmethod
    def from_json(cls, record: Mapping[str, Any]) -> Signature:
        try:
            statuses = record["statuses"]
            signature = cls(
                surface=str(record["surface"]),
                statuses=(statuses[0], statuses[1]),
                parts=tuple(sorted((str(k), str(p), str(q)) for k, p, q in record["parts"])),
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"malformed signature record ({exc!r}): {record!r}") from None
        # A hand-edited status or kind would otherwise surface later, far from the file.
        if len(statuses) != 2 or not all(
            status is None or (isinstance(status, int) and not isinstance(status, bool))
            for status in statuses
        ):
            raise ValueError(f"signature 'statuses' must be [int|null, int|null], got {statuses!r}")
        kinds = {kind.value for kind in DiffKind}
        for kind, path, _ in signature.parts:
            if kind not in kinds:
                raise ValueError(
                    f"signature part {path!r} has unknown kind {kind!r}; "
                    f"expected one of {', '.join(sorted(kinds))}"
                )
        stored_id = record.get("id")
        if stored_id is not None and stored_id != signature.id:
            raise ValueError(
                f"signature id {stored_id!r} does not match its parts (expected {signature.id!r}); "
                "the fixture was edited by hand or written by an incompatible difffuzz"
            )
        return signature
