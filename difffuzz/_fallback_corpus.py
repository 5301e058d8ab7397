"""A corpus that does not lose a fixture when its folder cannot be written.

A finding costs minutes of fuzzing and shrinking; a read-only checkout, a full
disk or a corpus path that names a file must not throw it away. When saving
into the corpus fails, :class:`FallbackCorpus` saves the fixture into the first
fallback folder that takes it (``<reports>/new-fixtures/``, then a fresh
temporary folder) and records the diversion, so the run can say where the
fixtures went and how to move them. Only when no folder at all can be written
does ``save`` raise; the fixtures it was given are then still in
:attr:`FallbackCorpus.unsaved`, for the CLI to print in full.

Reading (``load``, ``fetch``, ``files``) is the corpus's own: known signatures
still come from the real corpus.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from difffuzz._corpus import Corpus, Fixture
from difffuzz._exceptions import CorpusError

__all__ = ["Diversion", "FallbackCorpus"]


@dataclass(frozen=True)
class Diversion:
    """A fixture saved somewhere other than the corpus, and why."""

    fixture: Fixture
    path: Path
    reason: str


class FallbackCorpus(Corpus):
    """A :class:`~difffuzz._corpus.Corpus` whose ``save`` falls back to other folders."""

    def __init__(self, root: str | Path, *, fallbacks: Sequence[str | Path] = ()) -> None:
        super().__init__(root)
        self.fallbacks = [Path(folder) for folder in fallbacks]
        self.diverted: list[Diversion] = []
        #: Fixtures no folder would take, with the corpus's own error.
        self.unsaved: list[tuple[Fixture, CorpusError]] = []
        self._temporary: Path | None = None

    def save(self, fixture: Fixture) -> tuple[Path, bool]:
        try:
            return super().save(fixture)
        except CorpusError as error:
            for folder in [*self.fallbacks, None]:
                try:
                    path, written = Corpus(folder or self._temporary_folder()).save(fixture)
                except (CorpusError, OSError):
                    continue
                self.diverted.append(Diversion(fixture, path, str(error)))
                return path, written
            self.unsaved.append((fixture, error))
            raise

    def _temporary_folder(self) -> Path:
        """The last resort, made on first use (``OSError`` when even that fails)."""
        if self._temporary is None:
            self._temporary = Path(tempfile.mkdtemp(prefix="difffuzz-fixtures-"))
        return self._temporary
