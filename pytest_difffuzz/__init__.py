"""The pytest plugin: the corpus and the surfaces as test items.

``pytest --difffuzz-config FILE`` adds, to whatever else pytest collects:

* one item per corpus fixture, id ``difffuzz/<surface>/<signature id>``: the
  fixture is replayed against both runtimes and fails while it still diverges.
  A fixture of a known gap runs as a *strict* xfail: while the gap is open it
  xfails; the day it closes the item fails with XPASS(strict), so CI points at
  the ``known_gaps`` entry to remove;
* one item per surface, id ``difffuzz/<surface>/fuzz``, a fuzz run with the
  active Hypothesis profile's ``max_examples`` (so ``--hypothesis-profile``
  sets the budget); it fails on divergences the corpus does not hold yet, and
  saves them to ``<reports>/new-fixtures/``, never into the corpus it replays
  (as ``difffuzz ci`` does): the items of one commit stay the same from run to run.

The plugin does nothing unless ``--difffuzz-config`` is given, and costs nothing
then either: pytest imports it in every session of every project that has
difffuzz installed, so it lives outside the ``difffuzz`` package (importing any
module inside it imports the whole tool, about 250 ms) and imports difffuzz only
in the hooks that run once a config is given.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

__all__ = ["pytest_addoption", "pytest_collection_modifyitems"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("difffuzz", "differential fuzzing of two runtimes")
    group.addoption(
        "--difffuzz-config",
        action="store",
        default=None,
        metavar="FILE",
        help="difffuzz config: replay its corpus and fuzz its surfaces as test items.",
    )
    group.addoption(
        "--difffuzz-no-fuzz",
        action="store_true",
        default=False,
        help="Only replay the corpus; do not add the per-surface fuzz items.",
    )


class DifffuzzCollector(pytest.Collector):
    def __init__(self, *, config_path: Path, fuzz: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config_path = config_path
        self.fuzz = fuzz

    def _item_id(self, name: str) -> str:
        # Node ids are `difffuzz/<surface>/<sig id>`, as documented; pytest's default
        # would be `::difffuzz::<surface>/<sig id>` (the session's id is empty).
        return f"{self.nodeid}/{name}"

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from difffuzz._exceptions import DifffuzzError

        if isinstance(excinfo.value, DifffuzzError):
            return f"difffuzz: {excinfo.value}"
        return str(super().repr_failure(excinfo))

    def collect(self) -> Iterator[pytest.Item]:
        from difffuzz._config import load_config
        from difffuzz._corpus import Corpus
        from difffuzz._replay import config_gap_reason

        config = load_config(self.config_path)
        corpus = Corpus(config.campaign.corpus)
        fixtures, problems = corpus.load()
        for problem in problems:
            name = f"corpus/{problem.path.name}"
            yield CorpusProblemItem.from_parent(
                self, name=name, nodeid=self._item_id(name), message=str(problem)
            )
        seen: dict[str, int] = {}
        for fixture in fixtures:
            base = f"{fixture.surface}/{fixture.signature.id}"
            seen[base] = seen.get(base, 0) + 1
            name = base if seen[base] == 1 else f"{base}-{fixture.id.rsplit('-', 1)[-1]}"
            item = FixtureItem.from_parent(
                self, name=name, nodeid=self._item_id(name), fixture=fixture, difffuzz=config
            )
            reason = fixture.known_gap or config_gap_reason(config, fixture)
            if reason:
                # raises=: only the divergence itself is the expected failure; a
                # runtime that is down must fail the item, not hide as an xfail.
                item.add_marker(
                    pytest.mark.xfail(
                        strict=True, raises=FixtureDiverges, reason=f"known gap: {reason}"
                    )
                )
            yield item
        if self.fuzz:
            for surface in config.surfaces:
                name = f"{surface}/fuzz"
                yield FuzzItem.from_parent(
                    self,
                    name=name,
                    nodeid=self._item_id(name),
                    surface=surface,
                    difffuzz=config,
                    corpus=corpus,
                )


class FixtureItem(pytest.Item):
    def __init__(self, *, fixture: Any, difffuzz: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fixture = fixture
        self.difffuzz = difffuzz

    def runtest(self) -> None:
        from difffuzz._replay import ReplayVerdict, replay_fixtures

        result = replay_fixtures(self.difffuzz, [self.fixture])
        (case,) = result.cases
        if case.verdict is ReplayVerdict.FIXED:
            return
        if case.verdict is ReplayVerdict.UNREACHABLE:
            raise DifffuzzItemError(f"runtime unreachable: {case.detail}")
        if case.verdict is ReplayVerdict.BOTH_FAILING:
            # Not a divergence (replay and the CI gate do not fail on it either), but
            # not parity: say so instead of passing.
            pytest.skip(f"both runtimes fail on this fixture: {case.detail}")
        detail = f" ({case.detail})" if case.detail else ""
        raise FixtureDiverges(
            f"{case.verdict.value}{detail}: {self.fixture.signature.label}\n"
            f"fixture: {self.fixture.path}"
        )

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, DifffuzzItemError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return (self.fixture.path or Path("."), None, f"difffuzz fixture {self.name}")


class FuzzItem(pytest.Item):
    def __init__(self, *, surface: str, difffuzz: Any, corpus: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.surface = surface
        self.difffuzz = difffuzz
        self.corpus = corpus

    def runtest(self) -> None:
        from hypothesis import settings

        from difffuzz._corpus import Corpus
        from difffuzz._engine import run_campaign
        from difffuzz._results import FindingStatus

        profile = settings.default
        budget = profile.max_examples if profile is not None else 100
        config = self.difffuzz.select([self.surface]).override(max_examples=budget)
        # As in `difffuzz ci`: the corpus being replayed is never written; new
        # fixtures go beside the reports, for people to copy in.
        new_fixtures = Corpus(Path(config.campaign.reports) / "new-fixtures")
        result = run_campaign(config, corpus=self.corpus, save_to=new_fixtures)
        (surface,) = result.surfaces
        if surface.aborted:
            raise DifffuzzItemError(f"surface {self.surface!r} stopped: {surface.aborted}")
        new = [f for f in surface.findings if f.status is FindingStatus.NEW]
        if new:
            lines = [
                f"{len(new)} new divergence(s) on {self.surface} "
                f"({surface.stats.examples} examples):"
            ]
            lines += [
                f"  {f.signature.id} {f.signature.label}\n    input: {f.input!r}\n"
                f"    fixture: {f.fixture_path}"
                for f in new
            ]
            raise DifffuzzItemError("\n".join(lines))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, DifffuzzItemError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return (Path(self.difffuzz.path), None, f"difffuzz fuzz {self.surface}")


class CorpusProblemItem(pytest.Item):
    def __init__(self, *, message: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.message = message

    def runtest(self) -> None:
        raise DifffuzzItemError(self.message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return str(excinfo.value)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return (Path("."), None, f"corpus file {self.name}")


class DifffuzzItemError(AssertionError):
    """A difffuzz item failed; its message is the whole report."""


class FixtureDiverges(DifffuzzItemError):
    """A corpus fixture still diverges (the expected failure of a known gap)."""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add the difffuzz items first, so that ``-k``/``-m`` and other plugins see them."""
    path = config.getoption("difffuzz_config", None)
    if not path:
        return
    collector = DifffuzzCollector.from_parent(
        session,
        name="difffuzz",
        nodeid="difffuzz",
        config_path=Path(path),
        fuzz=not config.getoption("difffuzz_no_fuzz"),
    )
    # Through the session's own collection protocol (not collector.collect()): the
    # items are counted in "collected N items", and a bad config or corpus is a
    # collection error with difffuzz's message instead of an INTERNALERROR.
    items.extend(session.genitems(collector))
