"""The regression corpus: one reviewable JSON file per minimal divergence.

Layout: ``<corpus>/<surface>/<signature id>-<input digest>.json``. The name is a
function of the signature and the input, so the same finding is never written
twice. Flaky findings (a divergence that did not come back on every resend) go
to ``<corpus>/<surface>/flaky/``: kept for a look, never replayed as regressions.
Writes are atomic (temp file in the same folder, then ``os.replace``) and
serialised between processes per surface folder, so workers and concurrent
campaigns can save into one corpus.

What a file holds, its schema and its exact bytes are :mod:`difffuzz._fixture`
(its names are importable from here too, as they always were).

Like Hypothesis's ``ExampleDatabase`` the store has three verbs:
:meth:`Corpus.save`, :meth:`Corpus.fetch` and :meth:`Corpus.delete`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from difffuzz._exceptions import CorpusError
from difffuzz._fixture import (
    FIXTURE_SCHEMA,
    READABLE_SCHEMAS,
    Fixture,
    NewerFormat,
    fixture_text,
    input_digest,
    legacy_digest,
)
from difffuzz._inputs import Input, encode_input
from difffuzz._outcome import Outcome
from difffuzz._signature import Signature

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: saves are atomic, not serialised
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "FIXTURE_SCHEMA",
    "FLAKY_FOLDER",
    "READABLE_SCHEMAS",
    "Corpus",
    "CorpusProblem",
    "Fixture",
    "UnreadableFixture",
    "fixture_text",
    "input_digest",
    "redundant_fixtures",
]

#: The sub-folder of a surface's folder that holds its flaky findings.
FLAKY_FOLDER = "flaky"

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

        Old names (:func:`legacy_digest`) left key order out, so the file at
        ``path`` may hold the same input in another order: that fixture moves to
        its own name first. An unreadable file is never overwritten.
        """
        stored = _stored(fixture.input)
        if path.exists():
            held = _stored_input(path)
            if held is None or held == stored:
                return path
            self.rewrite(self.read(path))
        old = path.with_name(f"{fixture.signature.id}-{legacy_digest(fixture.input)}.json")
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
