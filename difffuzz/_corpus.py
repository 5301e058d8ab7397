"""The regression corpus: one reviewable JSON file per minimal divergence.

Layout: ``<corpus>/<surface>/<signature id>-<input digest>.json``. The name is a
function of the signature and the input, so the same finding is never written
twice. Flaky findings (a divergence that did not come back on every resend) go
to ``<corpus>/<surface>/flaky/``: kept for a look, never replayed as regressions.
Writes are atomic (temp file in the same folder, then ``os.replace``); files are
pretty-printed with sorted keys so a fixture reads well in review.

Fixtures hold the input itself (see :mod:`difffuzz._inputs`), never
Hypothesis's internal choice sequences, so they survive upgrades of Hypothesis,
of difffuzz's strategies, and of either runtime.

Schema 2 (``difffuzz.fixture/2``) records the normalize steps that were in
force (inside ``compare``, per side) and, beside each runtime's raw answer in
``outcomes``, its normalised answer in ``normalized``; a replay applies the
fixture's own steps. Schema 1 fixtures (no steps) are still read.

Like Hypothesis's ``ExampleDatabase`` the store has three verbs:
:meth:`Corpus.save`, :meth:`Corpus.fetch` and :meth:`Corpus.delete`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from difffuzz._comparators.base import CompareSpec, Comparison, Difference
from difffuzz._divergence import Divergence, Part
from difffuzz._exceptions import CorpusError
from difffuzz._inputs import Input, decode_input, encode_input
from difffuzz._outcome import Outcome
from difffuzz._signature import Signature
from difffuzz._version import __version__

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: saves are atomic, not serialised
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "FIXTURE_SCHEMA",
    "FLAKY_FOLDER",
    "Corpus",
    "CorpusProblem",
    "Fixture",
    "UnreadableFixture",
]

#: The sub-folder of a surface's folder that holds its flaky findings.
FLAKY_FOLDER = "flaky"

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
    Fixtures named before it was (:func:`_legacy_digest`) still read, since files
    are found by folder, and :meth:`Corpus.save` still knows them by that name.
    """
    encoded = json.dumps(encode_input(value), ensure_ascii=True)
    return hashlib.sha256(encoded.encode("ascii")).hexdigest()[:8]


def _legacy_digest(value: Input) -> str:
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


#: What to do about a fixture file that cannot be read (most problems).
FIX_OR_DELETE = (
    "Fix or delete the file; `difffuzz corpus show` reads the others, and a new run "
    "will re-find the divergence if it still exists"
)
#: What to do about a fixture a newer difffuzz wrote: the file is fine.
UPGRADE = (
    "Upgrade difffuzz to read it (pip install --upgrade difffuzz); keep the file, "
    "the other fixtures are read"
)


@dataclass(frozen=True)
class CorpusProblem:
    """A file in the corpus that could not be read as a fixture, and the fix."""

    path: Path
    message: str
    fix: str = FIX_OR_DELETE

    def __str__(self) -> str:
        return f"{self.path}: {self.message}. {self.fix}"


class UnreadableFixture(CorpusError):
    """:meth:`Corpus.read` on a file that is not a fixture; ``problem`` says why."""

    def __init__(self, problem: CorpusProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class Corpus:
    """A folder of fixtures (see the module docstring).

    >>> corpus = Corpus("corpus")  # doctest: +SKIP
    >>> for fixture in corpus.fetch("validator"): ...  # doctest: +SKIP
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path_for(self, fixture: Fixture) -> Path:
        folder = self.root / _safe_name(fixture.surface)
        if fixture.flaky:
            folder = folder / FLAKY_FOLDER
        return folder / f"{fixture.id}.json"

    def save(self, fixture: Fixture) -> tuple[Path, bool]:
        """Write ``fixture`` unless the same signature+input exists; returns (path, written).

        Safe with other processes saving into the same corpus (workers, or two
        campaigns): the look for an existing file and the write happen under one
        lock, so no finding is written twice, flaky in one and not in the other.
        """
        target = self.path_for(fixture)
        with self._locked(fixture.surface):
            # The same finding, flaky or not, is one file: whichever was written first.
            for existing in (target, self.path_for(replace(fixture, flaky=not fixture.flaky))):
                found = self._saved_as(existing, fixture)
                if found is not None:
                    return found, False
            self._write(target, fixture)
        return target, True

    def _saved_as(self, path: Path, fixture: Fixture) -> Path | None:
        """The file, at ``path`` or under its old name, holding ``fixture``'s finding.

        Old names (:func:`_legacy_digest`) left key order out, so the file at
        ``path`` may hold the same input in another order: that fixture moves to
        its own name first. An unreadable file is never overwritten.
        """
        stored = _stored(fixture.input)
        if path.exists():
            held = _stored_input(path)
            if held is None or held == stored:
                return path
            self.rewrite(self.read(path))
        old = path.with_name(f"{fixture.signature.id}-{_legacy_digest(fixture.input)}.json")
        return old if old != path and _stored_input(old) == stored else None

    @contextlib.contextmanager
    def _locked(self, surface: str) -> Iterator[None]:
        """Hold the lock of one surface folder, between processes of this host.

        The lock file lives in the temporary folder, named after the surface
        folder's real path, so nothing but fixtures ever lands in the corpus;
        without a usable temporary folder the save goes on unserialised.
        """
        folder = (self.root / _safe_name(surface)).resolve()
        digest = hashlib.sha256(os.fsencode(folder)).hexdigest()[:16]
        lock = Path(tempfile.gettempdir()) / f"difffuzz-corpus-{digest}.lock"
        try:
            # Read-only is enough for flock, and works on a lock another user created.
            handle = os.open(lock, os.O_RDONLY | os.O_CREAT, 0o644)
        except OSError:
            # No usable temporary folder: saving stays atomic, only not serialised
            # with other processes (and the corpus's own error, if any, is the news).
            yield
            return
        try:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            os.close(handle)  # closing releases the lock

    def _write(self, target: Path, fixture: Fixture) -> None:
        """Atomically (temp file, then rename) put ``fixture`` at ``target``."""
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=target.parent)
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(fixture_text(fixture))
                # mkstemp makes the file private (0600); a fixture is committed and
                # read by the whole team, like any other file in the repository.
                os.chmod(temp, 0o644)
                os.replace(temp, target)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise CorpusError(
                f"cannot write fixture {target}: {exc}; check that the corpus folder "
                f"{self.root} is writable, or pass --corpus DIR"
            ) from exc

    def files(self, surface: str | None = None, *, flaky: bool = False) -> list[Path]:
        """The fixture files (of one surface, or all); ``flaky=True``: the flaky ones."""
        base = self.root / _safe_name(surface) if surface else self.root
        if not base.is_dir():
            return []
        return sorted(
            p
            for p in base.rglob("*.json")
            if not p.name.startswith(".tmp-") and (p.parent.name == FLAKY_FOLDER) == flaky
        )

    def read(self, path: Path) -> Fixture:
        """Read one fixture file; raises :class:`UnreadableFixture` naming the file and the fix."""
        fixture = _read_fixture(path)
        if isinstance(fixture, CorpusProblem):
            raise UnreadableFixture(fixture)
        return fixture

    def fetch(self, surface: str | None = None) -> Iterator[Fixture]:
        """Every readable fixture (of one surface, or all); unreadable ones raise."""
        for path in self.files(surface):
            yield self.read(path)

    def load(self, surface: str | None = None) -> tuple[list[Fixture], list[CorpusProblem]]:
        """Every fixture that reads, and a problem per file that does not (nothing is lost)."""
        fixtures: list[Fixture] = []
        problems: list[CorpusProblem] = []
        for path in self.files(surface):
            fixture = _read_fixture(path)
            if isinstance(fixture, CorpusProblem):
                problems.append(fixture)
            else:
                fixtures.append(fixture)
        return fixtures, problems

    def delete(self, fixture: Fixture) -> None:
        path = fixture.path or self.path_for(fixture)
        path.unlink(missing_ok=True)

    def rewrite(self, fixture: Fixture, **changes: Any) -> Fixture:
        """Replace a stored fixture by a changed copy (same file: the id does not change).

        The new file is in place before the old one goes, so an interrupted
        rewrite never loses the fixture.
        """
        updated = replace(fixture, **changes)
        old = fixture.path or self.path_for(fixture)
        target = self.path_for(updated)
        self._write(target, updated)
        if old.resolve() != target.resolve():
            old.unlink(missing_ok=True)
        return replace(updated, path=target)


def _read_fixture(path: Path) -> Fixture | CorpusProblem:
    try:
        record = json.loads(path.read_bytes())
    except OSError as exc:
        return CorpusProblem(path, f"cannot be read ({exc})")
    except (ValueError, RecursionError) as exc:
        return CorpusProblem(path, f"is not valid JSON ({exc})")
    try:
        return Fixture.from_json(record, path=path)
    except NewerFormat as exc:
        return CorpusProblem(path, str(exc), fix=UPGRADE)
    except (ValueError, TypeError, KeyError) as exc:
        return CorpusProblem(path, f"is not a difffuzz fixture ({exc})")


def _stored(value: Input) -> str:
    return json.dumps(encode_input(value))


def _stored_input(path: Path) -> str | None:
    """The stored form of the input of the fixture at ``path``; None: no readable one."""
    if not path.exists():
        return None
    fixture = _read_fixture(path)
    return None if isinstance(fixture, CorpusProblem) else _stored(fixture.input)


def _safe_name(surface: str | None) -> str:
    name = surface or ""
    if not name or "/" in name or name.startswith("."):
        raise CorpusError(f"surface name {name!r} cannot be used as a corpus folder name")
    return name


def redundant_fixtures(
    fixtures: list[Fixture], *, related: Callable[[Input, Input], bool] | None = None
) -> list[tuple[Fixture, Fixture]]:
    """Fixtures that another, smaller fixture already shows: (redundant, kept).

    Two fixtures can show one cause only when they have the same signature and the
    same error texts (the bucket refinement of :mod:`difffuzz._bucket`); they do when
    ``related(larger, smaller)`` says the larger input is the smaller with padding
    (the engine's identity by shrunk input: ``NaN`` and a BOM share a signature and
    are two causes). Without ``related``, any two such fixtures are one cause.
    Known-gap and fixed fixtures are kept: their markings carry information.
    """
    from difffuzz._inputs import input_sort_key

    def cause(fixture: Fixture) -> tuple[str, Signature, tuple[str, str]]:
        return (fixture.surface, fixture.signature, _error_texts(fixture))

    groups: dict[tuple[str, Signature, tuple[str, str]], list[Fixture]] = {}
    for fixture in sorted(fixtures, key=lambda f: input_sort_key(f.input)):
        groups.setdefault(cause(fixture), []).append(fixture)
    redundant = []
    for group in groups.values():
        kept: list[Fixture] = []
        for fixture in group:  # smallest first
            smaller = next(
                (k for k in kept if related is None or related(fixture.input, k.input)), None
            )
            if smaller is None or fixture.known_gap or fixture.fixed_at:
                kept.append(fixture)
            else:
                redundant.append((fixture, smaller))
    return redundant


def _error_texts(fixture: Fixture) -> tuple[str, str]:
    from difffuzz._bucket import echo_text, error_text

    def answered(outcome: Outcome) -> bool:
        if outcome.failure is not None or outcome.status is None:
            return False
        if fixture.answer_status is not None:
            return outcome.status in fixture.answer_status
        return outcome.status == 0 or 200 <= outcome.status < 300

    echo = echo_text(fixture.input)
    return (
        error_text(fixture.left, answered=answered(fixture.left), echo=echo),
        error_text(fixture.right, answered=answered(fixture.right), echo=echo),
    )
