"""Run difffuzz on a real pair and score its fixtures against the pair's table of causes.

Only the public API is used (``difffuzz.load_config``, ``difffuzz.run_campaign``,
``difffuzz.Corpus``), so the measurement keeps its meaning while the engine's
notion of finding identity changes underneath it.

Scoring a fixture: it is *attributed* to the first cause of the table whose
predicate its input satisfies. A fixture no predicate accepts is replayed on the
two adapters: if they really disagree it is a *discovered* cause (listed, never
counted as known), otherwise it is a *false finding*. Sizes are the input's length
(characters or bytes, as the pair says), compared with the cause's minimal
trigger.
"""

from __future__ import annotations

import importlib
import json
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import difffuzz
from tests.quality.pairs import Pair, input_size

__all__ = [
    "PAIR_MODULES",
    "Attributed",
    "PairReport",
    "adapter",
    "all_pairs",
    "disagree",
    "pair_config_text",
    "run_pair",
    "score",
]

#: One module per real pair, in the order reports list them.
PAIR_MODULES = (
    "tests.quality.pairs.urls",
    "tests.quality.pairs.toml_documents",
    "tests.quality.pairs.timestamps",
    "tests.quality.pairs.regexes",
    "tests.quality.pairs.json_texts",
)

#: Worst ratio of a fixture's size to its cause's minimal trigger (issue 9's target).
SIZE_FACTOR = 2.0


def all_pairs() -> list[Pair]:
    return [importlib.import_module(name).PAIR for name in PAIR_MODULES]


def _runtime_name(library: str) -> str:
    return "".join(c for c in library.split(".")[0].split(" ")[0] if c.isalnum() or c == "_")


def pair_config_text(
    pair: Pair,
    *,
    seed: int,
    max_examples: int,
    workdir: Path,
    campaign: Mapping[str, int] | None = None,
) -> str:
    """The difffuzz config a user would write for ``pair`` (TOML text); ``campaign``
    adds ``[campaign]`` settings (``candidates_per_bucket = 16``) for a benchmark."""
    left, right = _runtime_name(pair.left), _runtime_name(pair.right)
    extra = "".join(f"{key} = {value}\n" for key, value in (campaign or {}).items())
    return f"""\
strategy_modules = ["{pair.module}"]

[campaign]
max_examples = {max_examples}
seed = {seed}
learn_noise = 0           # both sides are pure functions: nothing to learn
{extra}corpus = "{(workdir / "corpus").as_posix()}"
reports = "{(workdir / "reports").as_posix()}"

[runtimes.{left}]
[runtimes.{right}]

[surfaces.{pair.name}]
strategy = "{pair.strategy}"
transport = "python"
[surfaces.{pair.name}.runtimes.{left}]
target = "{pair.left_target}"
[surfaces.{pair.name}.runtimes.{right}]
target = "{pair.right_target}"
[surfaces.{pair.name}.compare]
rule = "json"
ignore = ["/error"]       # exception class names always differ; a refusal is a refusal
"""


def adapter(target: str) -> Callable[[Any], str]:
    module, _, name = target.partition(":")
    function: Callable[[Any], str] = getattr(importlib.import_module(module), name)
    return function


def _answer_without_error(adapter: Callable[[Any], str], value: Any) -> Any:
    document = json.loads(adapter(value))
    document.pop("error", None)
    return document


def disagree(pair: Pair, value: Any) -> bool:
    """Whether the pair's two libraries really answer ``value`` differently."""
    left = _answer_without_error(adapter(pair.left_target), value)
    right = _answer_without_error(adapter(pair.right_target), value)
    return bool(left != right)


@dataclass(frozen=True)
class Attributed:
    """One fixture, scored."""

    input: Any
    size: int
    #: The cause it is attributed to, or "" (discovered or false).
    cause: str
    #: Every cause whose predicate the input satisfies.
    exhibits: tuple[str, ...]
    genuine: bool
    shrunk: bool
    #: Size over the cause's minimal trigger (0.0 when attributed to no cause).
    ratio: float = 0.0


@dataclass
class PairReport:
    """What one campaign on one pair found, against the pair's table."""

    pair: Pair
    seed: int
    max_examples: int
    examples: int = 0
    seconds: float = 0.0
    fixtures: list[Attributed] = field(default_factory=list)
    aborted: str = ""

    @property
    def known(self) -> int:
        return len(self.pair.causes)

    @property
    def attributed(self) -> list[Attributed]:
        return [f for f in self.fixtures if f.cause]

    @property
    def causes_found(self) -> list[str]:
        found = {f.cause for f in self.attributed}
        return [c.id for c in self.pair.causes if c.id in found]

    @property
    def causes_missed(self) -> list[str]:
        return [c.id for c in self.pair.causes if c.id not in self.causes_found]

    @property
    def found_share(self) -> float:
        return len(self.causes_found) / self.known

    @property
    def fixtures_per_cause(self) -> float:
        found = len(self.causes_found)
        return len(self.attributed) / found if found else 0.0

    @property
    def ratios(self) -> list[float]:
        return [f.ratio for f in self.attributed]

    @property
    def median_ratio(self) -> float:
        return statistics.median(self.ratios) if self.ratios else 0.0

    @property
    def worst_ratio(self) -> float:
        return max(self.ratios, default=0.0)

    @property
    def oversized(self) -> list[Attributed]:
        return [f for f in self.attributed if f.ratio > SIZE_FACTOR]

    @property
    def discovered(self) -> list[Attributed]:
        return [f for f in self.fixtures if not f.cause and f.genuine]

    @property
    def false_findings(self) -> list[Attributed]:
        return [f for f in self.fixtures if not f.cause and not f.genuine]

    def per_cause(self) -> dict[str, list[Attributed]]:
        grouped: dict[str, list[Attributed]] = {c.id: [] for c in self.pair.causes}
        for fixture in self.attributed:
            grouped[fixture.cause].append(fixture)
        return grouped


def score(pair: Pair, inputs: Sequence[tuple[Any, bool]]) -> list[Attributed]:
    """Attribute each ``(input, shrunk)`` to a cause of ``pair``'s table."""
    scored = []
    for value, shrunk in inputs:
        exhibits = tuple(c.id for c in pair.causes if c.exhibits(value))
        cause = exhibits[0] if exhibits else ""
        size = input_size(value)
        ratio = size / input_size(pair.cause(cause).trigger) if cause else 0.0
        scored.append(
            Attributed(
                input=value,
                size=size,
                cause=cause,
                exhibits=exhibits,
                genuine=disagree(pair, value),
                shrunk=shrunk,
                ratio=ratio,
            )
        )
    return scored


def run_pair(
    pair: Pair,
    *,
    seed: int,
    max_examples: int,
    workdir: Path,
    campaign: Mapping[str, int] | None = None,
) -> PairReport:
    """Run one campaign on ``pair`` with an empty corpus in ``workdir`` and score it."""
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / f"{pair.name}.toml"
    config_path.write_text(
        pair_config_text(
            pair, seed=seed, max_examples=max_examples, workdir=workdir, campaign=campaign
        ),
        encoding="utf-8",
    )
    config = difffuzz.load_config(config_path)
    corpus = difffuzz.Corpus(workdir / "corpus")
    started = time.perf_counter()
    result = difffuzz.run_campaign(config, corpus=corpus)
    seconds = time.perf_counter() - started
    report = PairReport(pair=pair, seed=seed, max_examples=max_examples, seconds=seconds)
    for surface in result.surfaces:
        report.examples += surface.stats.examples
        report.aborted = surface.aborted
    fixtures = list(corpus.fetch(pair.name))
    report.fixtures = score(pair, [(f.input, f.shrunk) for f in fixtures])
    return report
