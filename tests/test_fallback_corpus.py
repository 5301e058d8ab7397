"""A corpus that cannot be written sends fixtures elsewhere, and says so; none is dropped.

"Cannot be written" is a corpus path that names a regular file: a permission bit
would not stop a test run as root.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from difffuzz._corpus import Corpus
from difffuzz._exceptions import CorpusError
from difffuzz._fallback_corpus import FallbackCorpus
from tests.test_corpus import make_fixture


def _blocked(path: Path) -> Path:
    path.write_text("a file where a folder should be", encoding="utf-8")
    return path


def test_a_writable_corpus_is_used_as_it_is(tmp_path: Path) -> None:
    corpus = FallbackCorpus(tmp_path / "corpus", fallbacks=[tmp_path / "elsewhere"])
    path, written = corpus.save(make_fixture())
    assert written
    assert path.parent.parent == tmp_path / "corpus"
    assert corpus.diverted == []
    assert not (tmp_path / "elsewhere").exists()


def test_an_unwritable_corpus_diverts_to_the_first_fallback_that_takes_it(
    tmp_path: Path,
) -> None:
    fixture = make_fixture()
    corpus = FallbackCorpus(
        _blocked(tmp_path / "corpus"),
        fallbacks=[_blocked(tmp_path / "also-blocked"), tmp_path / "reports" / "new-fixtures"],
    )
    path, written = corpus.save(fixture)
    assert written
    assert path == Corpus(tmp_path / "reports" / "new-fixtures").path_for(fixture)
    assert Corpus(tmp_path / "reports" / "new-fixtures").read(path) == fixture
    (diversion,) = corpus.diverted
    assert diversion.path == path
    assert diversion.reason.startswith(f"cannot write fixture {tmp_path / 'corpus'}")
    assert corpus.save(fixture) == (path, False)  # the same fixture is not written twice


def test_with_no_fallback_left_a_temporary_folder_takes_it(tmp_path: Path) -> None:
    corpus = FallbackCorpus(_blocked(tmp_path / "corpus"))
    path, _ = corpus.save(make_fixture())
    try:
        assert path.parent.parent.name.startswith("difffuzz-fixtures-")
        assert path.is_file()
    finally:
        shutil.rmtree(path.parent.parent)


def test_when_nothing_can_be_written_the_fixture_is_held_and_the_error_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(_blocked(tmp_path / "tmp")))
    corpus = FallbackCorpus(_blocked(tmp_path / "corpus"), fallbacks=[tmp_path / "corpus" / "x"])
    fixture = make_fixture()
    with pytest.raises(CorpusError, match="cannot write fixture"):
        corpus.save(fixture)
    ((held, error),) = corpus.unsaved
    assert held == fixture
    assert "check that the corpus folder" in str(error)


def test_reading_is_the_real_corpus(tmp_path: Path) -> None:
    Corpus(tmp_path / "corpus").save(make_fixture())
    corpus = FallbackCorpus(tmp_path / "corpus", fallbacks=[tmp_path / "elsewhere"])
    fixtures, problems = corpus.load()
    assert len(fixtures) == 1
    assert problems == []
