"""A fixture: one minimal divergence as the corpus keeps it, and its file form.

A :class:`Fixture` holds the input itself (see :mod:`difffuzz._inputs`), never
Hypothesis's internal choice sequences, so it survives upgrades of Hypothesis,
of difffuzz's strategies, and of either runtime. :func:`fixture_text` is the
exact bytes of its file (pretty-printed, sorted keys, so a fixture reads well in
review) and :func:`input_digest` its input's part of the file name; where files
live, and how they are saved, is :mod:`difffuzz._corpus`.

Schema 2 (``difffuzz.fixture/2``) records the normalize steps that were in
force (inside ``compare``, per side) and, beside each runtime's raw answer in
``outcomes``, its normalised answer in ``normalized``; a replay applies the
fixture's own steps. Schema 1 fixtures (no steps) are still read; a newer
schema is :class:`NewerFormat`, whose fix is upgrading.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from difffuzz._comparators.base import CompareSpec, Comparison, Difference
from difffuzz._divergence import Divergence, Part
from difffuzz._inputs import Input, decode_input, encode_input
from difffuzz._outcome import Outcome
from difffuzz._signature import Signature
from difffuzz._version import __version__

__all__ = [
    "FIXTURE_SCHEMA",
    "READABLE_SCHEMAS",
    "Fixture",
    "NewerFormat",
    "fixture_text",
    "input_digest",
    "legacy_digest",
]

FIXTURE_SCHEMA = "difffuzz.fixture/2"
#: Schemas this version reads: 1 has no normalize steps and no normalised answers.
READABLE_SCHEMAS = ("difffuzz.fixture/1", FIXTURE_SCHEMA)
_SCHEMA_VERSION = re.compile(r"difffuzz\.fixture/(\d+)")


class NewerFormat(ValueError):
    """A fixture in a format newer than this difffuzz reads: upgrading is the fix."""


def _schema_version(schema: Any) -> int | None:
    match = _SCHEMA_VERSION.fullmatch(schema) if isinstance(schema, str) else None
    return int(match[1]) if match else None


def _check_schema(schema: Any) -> None:
    if schema in READABLE_SCHEMAS:
        return
    readable = ", ".join(READABLE_SCHEMAS)
    newest = max(_schema_version(s) or 0 for s in READABLE_SCHEMAS)
    theirs = _schema_version(schema)
    if theirs is not None and theirs > newest:
        raise NewerFormat(
            f"is in format {schema!r}, written by a newer difffuzz; difffuzz {__version__} "
            f"reads {readable}"
        )
    raise ValueError(f"field 'schema' is {schema!r}, expected one of {readable}")


@dataclass(frozen=True)
class Fixture:
    """A saved minimal divergence: the input, what each runtime said, and how it was
    judged (the :class:`~difffuzz._divergence.Divergence`, shared with the finding it
    was saved from), and what the corpus keeps about it."""

    divergence: Divergence
    collapse: tuple[str, ...] = ()
    answer_status: tuple[int, ...] | None = None
    shrunk: bool = True
    flaky: bool = False
    known_gap: str = ""
    #: When a replay first saw the runtimes agree on it; a fixed fixture that
    #: diverges again is a regression.
    fixed_at: str = ""
    seed: int | None = None
    found_at: str = ""
    difffuzz_version: str = ""
    hypothesis_version: str = ""
    #: Each side's answer after the compare spec's normalize steps, as stored
    #: (``None``: not stored, computed from the steps when written).
    normalized: tuple[Any, Any] | None = field(default=None, compare=False)
    #: Where it was loaded from; not stored in the file.
    path: Path | None = field(default=None, compare=False)

    # The divergence's parts, read as the fixture's own (not annotated: not fields).
    surface = Part[str]()
    signature = Part[Signature]()
    input = Part[Input]()
    runtimes = Part[tuple[str, str]]()
    left = Part[Outcome]()
    right = Part[Outcome]()
    compare = Part[CompareSpec]()

    @property
    def differences(self) -> tuple[Difference, ...]:
        """What a replay compares against: all a fixture stores of its comparison."""
        return self.divergence.comparison.differences

    def normalized_answers(self) -> tuple[Any, Any] | None:
        """Both normalised answers (``None`` without steps; a body that is not JSON: None).

        Stored ones win: a fixture shows what its steps made of the answers when
        it was found, even if a hook has changed since.
        """
        if self.normalized is not None:
            return self.normalized
        if not self.compare.normalizes:
            return None
        from difffuzz._normalize import compile_pipeline, normalize_outcome
        from difffuzz._outcome import NotJSON

        answers = []
        for outcome, steps in (
            (self.left, self.compare.normalize_left),
            (self.right, self.compare.normalize_right),
        ):
            value = normalize_outcome(outcome, compile_pipeline(steps)).json
            answers.append(None if isinstance(value, NotJSON) else value)
        return answers[0], answers[1]

    @property
    def id(self) -> str:
        """``<signature id>-<input digest>``: the file name without ``.json``."""
        return f"{self.signature.id}-{input_digest(self.input)}"

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "schema": FIXTURE_SCHEMA,
            "surface": self.surface,
            "signature": self.signature.to_json(),
            "input": encode_input(self.input),
            "runtimes": list(self.runtimes),
            "outcomes": {
                self.runtimes[0]: self.left.to_json(),
                self.runtimes[1]: self.right.to_json(),
            },
            "differences": [d.to_json() for d in self.differences],
            "compare": self.compare.to_json(),
            "shrunk": self.shrunk,
            "flaky": self.flaky,
            "found_at": self.found_at,
            "seed": self.seed,
            "difffuzz_version": self.difffuzz_version,
            "hypothesis_version": self.hypothesis_version,
        }
        if self.collapse:
            record["collapse"] = list(self.collapse)
        if self.answer_status is not None:
            record["answer_status"] = list(self.answer_status)
        if self.known_gap:
            record["known_gap"] = {"reason": self.known_gap}
        if self.fixed_at:
            record["fixed_at"] = self.fixed_at
        try:
            normalized = self.normalized_answers()
        except Exception as exc:  # a hook that changed or went away: keep the fixture
            normalized = None
            record["normalized_error"] = f"the normalize steps failed when written: {exc}"
        if normalized is not None:
            record["normalized"] = {
                self.runtimes[0]: _strict(normalized[0]),
                self.runtimes[1]: _strict(normalized[1]),
            }
        return record

    @classmethod
    def from_json(cls, record: Mapping[str, Any], *, path: Path | None = None) -> Fixture:
        """Read a fixture; ``ValueError`` names the first field that is wrong."""
        if not isinstance(record, Mapping):
            raise ValueError("a fixture must be a JSON object")
        _check_schema(record.get("schema"))
        for key in ("surface", "signature", "input", "runtimes", "outcomes", "compare"):
            if key not in record:
                raise ValueError(f"required field {key!r} is missing")
        runtimes = record["runtimes"]
        if not (isinstance(runtimes, list) and len(runtimes) == 2):
            raise ValueError(f"field 'runtimes' must name two runtimes, got {runtimes!r}")
        outcomes = record["outcomes"]
        if not isinstance(outcomes, Mapping) or set(outcomes) != set(runtimes):
            raise ValueError(f"field 'outcomes' must have one entry per runtime {runtimes}")
        for key in ("signature", "compare"):
            if not isinstance(record[key], Mapping):
                raise ValueError(f"field {key!r} must be an object, got {record[key]!r}")
        for key in ("differences", "collapse", "answer_status"):
            if record.get(key) is not None and not isinstance(record[key], list):
                raise ValueError(f"field {key!r} must be a list, got {record[key]!r}")
        gap = record.get("known_gap") or {}
        answer_status = record.get("answer_status")
        normalized = record.get("normalized")
        if normalized is not None and (
            not isinstance(normalized, Mapping) or set(normalized) != set(runtimes)
        ):
            raise ValueError(f"field 'normalized' must have one entry per runtime {runtimes}")
        compare = CompareSpec.from_json(record["compare"])
        differences = tuple(Difference.from_json(d) for d in record.get("differences", []))
        return cls(
            Divergence(
                surface=str(record["surface"]),
                signature=Signature.from_json(record["signature"]),
                input=decode_input(record["input"]),
                runtimes=(str(runtimes[0]), str(runtimes[1])),
                left=Outcome.from_json(outcomes[runtimes[0]]),
                right=Outcome.from_json(outcomes[runtimes[1]]),
                # Only the differences are stored: what a replay compares against.
                comparison=Comparison(rule=compare.rule, differences=differences),
                compare=compare,
            ),
            collapse=tuple(record.get("collapse", ())),
            answer_status=tuple(answer_status) if answer_status is not None else None,
            shrunk=bool(record.get("shrunk", True)),
            flaky=bool(record.get("flaky", False)),
            known_gap=str(gap.get("reason", "")) if isinstance(gap, Mapping) else "",
            fixed_at=str(record.get("fixed_at", "")),
            seed=record.get("seed"),
            found_at=str(record.get("found_at", "")),
            difffuzz_version=str(record.get("difffuzz_version", "")),
            hypothesis_version=str(record.get("hypothesis_version", "")),
            normalized=(normalized[runtimes[0]], normalized[runtimes[1]]) if normalized else None,
            path=path,
        )


def _strict(value: Any) -> Any:
    """A value strict JSON can hold: non-finite floats as "NaN", "Infinity", "-Infinity"."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, list):
        return [_strict(item) for item in value]
    if isinstance(value, dict):
        return {key: _strict(item) for key, item in value.items()}
    return value


def input_digest(value: Input) -> str:
    """The input's part of a fixture's file name: a digest of its stored form.

    Key order is part of it: it reaches the wire, so two orders are two inputs.
    Fixtures named before it was (:func:`legacy_digest`) still read, since files
    are found by folder, and :meth:`difffuzz._corpus.Corpus.save` still knows
    them by that name.
    """
    encoded = json.dumps(encode_input(value), ensure_ascii=True)
    return hashlib.sha256(encoded.encode("ascii")).hexdigest()[:8]


def legacy_digest(value: Input) -> str:
    """The digest older fixtures are named by: key order left out (not injective)."""
    encoded = json.dumps(encode_input(value), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(encoded.encode("ascii")).hexdigest()[:8]


def fixture_text(fixture: Fixture) -> bytes:
    """The exact bytes of a fixture file: sorted keys, indented, UTF-8, newline at end.

    Every object's keys are sorted except inside ``input``: the input's objects
    keep the order they were generated and sent in (key order reaches the wire,
    and a runtime may depend on it), so a replay sends the very same bytes.
    """
    record = {
        key: value if key == "input" else _sorted_keys(value)
        for key, value in sorted(fixture.to_json().items())
    }
    text = json.dumps(record, indent=2, ensure_ascii=False)
    # Lone surrogates can only sit inside JSON strings, where "\\udXXX" is the
    # JSON escape for them: backslashreplace writes exactly that.
    return (text + "\n").encode("utf-8", "backslashreplace")


def _sorted_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    return value
