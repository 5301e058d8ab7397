"""Search buckets: the coarse "have we seen this kind of divergence?" key.

A divergence's *signature* (:mod:`difffuzz._signature`) is fine: the kind and
path of every difference. On runtimes written by different people that is too
fine and too coarse at once. One cause seen through different generated keys
and values gives dozens of signatures (every key that happens to differ makes
a new one), and distinct causes with the same diff shape (a NaN literal, a huge
exponent, an integer past 64 bits) give one. So the engine searches by bucket
and identifies a finding by its *shrunk minimal input* (see
:mod:`difffuzz._engine.causes`).

A bucket is the surface, the status pair, which side failed, the top-level
*fields* that differ (array indices folded, and three or more sibling fields
folded to ``/*``, since keys at the top of an answer are sometimes generated
data), never the kinds of difference (one cause often shows as a missing key in
one example and a type difference in the next), and each side's *error text*,
normalised so that numbers, positions and quoted values do not split it:
"invalid escape at line 1 column 7" and "... column 12" are one bucket, while
"number out of range" and "recursion limit exceeded" are two — that is how real
parsers name a cause. Parsers also echo the part of the input they stumbled on
without quoting it (Python's ``re``: "bad escape \\h", "unknown extension ?w");
a word of the message that is a piece of the input is stripped like a quoted
value, or one cause would give a bucket per character it can be spelled with.

>>> normalise_error("Unexpected character 'x': line 1 column 7 (char 6)")
"unexpected character '…': line N column N (char N)"
>>> normalise_error("bad escape \\h at position 3", echo="a\\hb")
'bad escape … at position N'
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from difffuzz._comparators.base import Difference, DiffKind
from difffuzz._inputs import FileTree, Input, WireInput, encode_input
from difffuzz._outcome import Outcome
from difffuzz._signature import SIBLING_FOLD

__all__ = ["Bucket", "echo_text", "error_text", "input_keys", "normalise_error"]

#: Top-level answer keys that carry an error message, in the order they are tried.
_ERROR_KEYS = ("error", "message", "reason", "detail", "err", "msg", "Error", "Message")
#: Error texts are cut to this many characters after normalising: what follows is
#: usually an echo of the input, which would split one cause into many buckets.
_ERROR_CHARS = 80

_QUOTED = re.compile(r"""'[^']*'|"[^"]*"|`[^`]*`|«[^»]*»""")
_HEX = re.compile(r"\b0x[0-9a-fA-F]+\b")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_SPACE = re.compile(r"\s+")
#: A word of a message (a colon ends one too: ``a.jsonl:3:`` is a file name and a
#: line), and the punctuation that ends a clause after it.
_WORD = re.compile(r"[^\s:]+")
_CLAUSE_END = ".,;:"


def _without_echoes(text: str, echo: str) -> str:
    """``text`` with every word that is a piece of ``echo`` (the input) replaced by "…".

    Only words holding a character that is neither a letter nor a digit count
    (``\\h``, ``?w``, ``a-\\d``): a plain word of the message ("at", "value") may
    occur in an input by chance, and a number is normalised anyway.
    """

    def strip(match: re.Match[str]) -> str:
        word = match[0]
        core = word.rstrip(_CLAUSE_END)
        echoed = len(core) >= 2 and not core.isalnum() and core in echo
        return "…" + word[len(core) :] if echoed else word

    return _WORD.sub(strip, text)


def _echoed_whole(text: str, echo: str) -> bool:
    return text in echo or json.dumps(text, ensure_ascii=False)[1:-1] in echo


def echo_text(value: Input) -> str:
    """The text an error message may echo from ``value``: the input as characters."""
    if isinstance(value, WireInput):
        value = value.sent
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, FileTree):
        # Helpers name the file they failed on ("error: a/.rows.jsonl:3: ..."): one
        # cause met in two files must not be two buckets.
        return "\n".join(f"{path}\n{content.decode('utf-8', 'replace')}" for path, content in value)
    try:
        return json.dumps(encode_input(value), ensure_ascii=False)
    except (TypeError, ValueError):
        return ""


def input_keys(value: Input) -> frozenset[str]:
    """The object keys of a structured input, at any depth (none for text and bytes).

    A runtime that answers with what it was sent names its top-level fields after
    the input's keys: an echo service dropping one-character keys differs at
    ``/0`` for ``{"0": null}`` and at ``/5`` for ``{"5": null}``. Those names are
    generated data, not the answer's schema, so they must not make a bucket each
    (one cause had become 115 buckets on the ``init http`` starter).
    """
    stack: list[object] = [value]
    if isinstance(value, WireInput):
        # A JSON document on the wire, mutated: the keys of what still parses.
        if isinstance(value.sent, FileTree):
            return frozenset()
        try:
            stack = [json.loads(value.sent)]
        except (ValueError, RecursionError):
            return frozenset()
    found: set[str] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.update(str(key) for key in item)
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return frozenset(found)


def normalise_error(text: str, echo: str = "") -> str:
    """An error message without the parts that vary with the input (``echo``).

    A message found whole in the input is data the runtime echoed (a session
    record's own ``"error"`` field sent back), not the runtime's reason: "…".
    """
    if echo and text.strip() and _echoed_whole(text, echo):
        return "…"
    if echo:
        text = _without_echoes(text, echo)
    text = _QUOTED.sub("'…'", text.lower())
    text = _HEX.sub("N", text)
    text = _NUMBER.sub("N", text)
    text = _SPACE.sub(" ", text).strip()
    return text[:_ERROR_CHARS]


def error_text(outcome: Outcome, *, answered: bool, echo: str = "") -> str:
    """The normalised error message of one side, or "" when it has none.

    A side that failed speaks through its failure, its stderr's last line (a
    traceback ends with the exception) or its body; a side that answered may
    still carry an error in its answer (``{"ok": false, "error": "..."}``).
    ``echo`` is the input's text (:func:`echo_text`), whose pieces are stripped.
    """
    if outcome.failure is not None:
        return outcome.failure.value
    if not answered:
        for stream in (outcome.stderr, outcome.body):
            lines = [
                line for line in stream.decode("utf-8", "replace").splitlines() if line.strip()
            ]
            if lines:
                return normalise_error(
                    _message_in(lines[-1]) if stream is outcome.body else lines[-1], echo
                )
        return ""
    body = outcome.body.decode("utf-8", "replace")
    return normalise_error(_message_in(body, answered=True), echo)


def _lines(stream: bytes) -> list[str]:
    return [line for line in stream.decode("utf-8", "replace").splitlines() if line.strip()]


def _message_in(text: str, *, answered: bool = False) -> str:
    """The message inside a JSON error answer; the text itself when it is not one."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return "" if answered else text
    if isinstance(document, dict):
        for key in _ERROR_KEYS:
            value = document.get(key)
            if isinstance(value, str):
                return value
            if isinstance(value, dict):
                inner = next((value[k] for k in _ERROR_KEYS if isinstance(value.get(k), str)), None)
                if inner is not None:
                    return str(inner)
                return " ".join(sorted(str(k) for k in value))
    return "" if answered else text


def _field(path: str) -> str:
    """The top-level field of a normalised path; array indices (``*``) are folded."""
    kept = []
    for segment in path.split("/")[1:]:
        kept.append(segment)
        if segment != "*":
            break
    return "/" + "/".join(kept) if kept else "/"


@dataclass(frozen=True, order=True)
class Bucket:
    surface: str
    statuses: tuple[int | None, int | None]
    #: "", "left", "right" or "both": which side did not answer.
    failed: str
    #: The top-level fields that differ ("status" for a status difference,
    #: "property NAME" for a property that fails).
    fields: tuple[str, ...]
    #: The normalised error text of each side ("" when it has none).
    errors: tuple[str, str]

    @classmethod
    def of(
        cls,
        surface: str,
        left: Outcome,
        right: Outcome,
        differences: Iterable[Difference],
        *,
        answered: tuple[bool, bool],
        echo: str = "",
        keys: frozenset[str] = frozenset(),
    ) -> Bucket:
        """The bucket of one divergence; ``echo`` is the input's text (:func:`echo_text`)
        and ``keys`` the input's own object keys (:func:`input_keys`): a top-level
        field named after one is data the runtime echoed, folded to ``/*``."""
        fields: set[str] = set()
        paths: set[str] = set()
        for difference in differences:
            if difference.kind is DiffKind.PROPERTY:
                fields.add(f"property {difference.path.strip('/')}")
            elif difference.kind is DiffKind.STATUS:
                fields.add("status")
            else:
                field = _field(difference.path)
                name = field[1:].partition("/")[0].replace("~1", "/").replace("~0", "~")
                paths.add("/*" if name in keys else field)
        if len(paths) >= SIBLING_FOLD:
            paths = {"/*"}
        fields |= paths
        failed = {(True, True): "", (False, True): "left", (True, False): "right"}.get(
            answered, "both"
        )
        return cls(
            surface=surface,
            statuses=(left.status, right.status),
            failed=failed,
            fields=tuple(sorted(fields)),
            errors=(
                error_text(left, answered=answered[0], echo=echo),
                error_text(right, answered=answered[1], echo=echo),
            ),
        )

    @property
    def shape(self) -> tuple[object, ...]:
        """The bucket without the words of its error texts (which side has one is kept):
        what one cause keeps when a parser names it differently by context
        (``[Infinity]`` and ``Infinity`` refused with two messages)."""
        refused = (bool(self.errors[0]), bool(self.errors[1]))
        return (self.surface, self.statuses, self.failed, self.fields, refused)

    @property
    def key(self) -> str:
        return json.dumps(
            [self.surface, list(self.statuses), self.failed, list(self.fields), list(self.errors)],
            ensure_ascii=True,
            separators=(",", ":"),
        )

    @property
    def id(self) -> str:
        return hashlib.sha256(self.key.encode()).hexdigest()[:10]

    @property
    def label(self) -> str:
        """``422/400, right failed: /Schema, status (- | json: cannot unmarshal …)``."""
        left, right = self.statuses
        failed = f", {self.failed} failed" if self.failed else ""
        errors = f" ({self.errors[0] or '-'} | {self.errors[1] or '-'})" if any(self.errors) else ""
        return f"{left}/{right}{failed}: {', '.join(self.fields) or '-'}{errors}"

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "statuses": list(self.statuses),
            "failed": self.failed,
            "kinds": list(self.fields),
            "errors": list(self.errors),
            "label": self.label,
        }
