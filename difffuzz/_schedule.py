"""A campaign with a time budget: ``difffuzz run --duration 30m``, slice after slice.

Instead of one budget per surface, the campaign runs in *slices*: a surface for
``slice_seconds`` at a time (with every worker, its rounds shared out), then the
scheduler picks the next one. It picks the surface with the highest estimated
rate of new behaviours per second, HypoFuzz's estimator
(``hypofuzz/bayes.py``): the chance that the next input shows something new is
taken as ``1 / inputs since the last new behaviour``, times the inputs a second
the surface runs at. A *behaviour* here is a signature or a cause not seen
before on the surface. A surface never run comes first; after that each surface
gets slices in proportion to its estimate (the next slice goes to the largest
``rate / (slices + 1)``, a deterministic stand-in for HypoFuzz's softmax
sampling): a surface that keeps finding new divergences gets most of the time,
and one that has gone quiet gets less, never none.

Each slice saves its findings as it ends, so the next slice of that surface
knows them (not shrunk again: exploring goes on past the first finding). Slices
use seeds of their own, derived from the campaign seed. The estimates are written
after every slice, to ``<state>/schedule.json`` (and to the shared store, when
there is one), and ``--resume`` starts from them instead of cold; a slice also
replays, first, the interesting examples Hypothesis saved in
``<state>/examples`` (or in the shared store).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from difffuzz._config import Config
from difffuzz._corpus import Corpus
from difffuzz._engine.campaign import campaign_seed, new_campaign_result
from difffuzz._engine.findings import now_iso
from difffuzz._events import Event, ExampleObserved, FindingRecorded, Listener, ignore_events
from difffuzz._exceptions import ConfigError
from difffuzz._results import INTERRUPTED, CampaignResult, FindingStatus, SurfaceResult
from difffuzz._shares import merge_shares
from difffuzz._workers import run_with_workers

__all__ = ["Estimate", "Scheduler", "parse_duration", "run_for"]

SCHEDULE_FILE = "schedule.json"
_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?")


def parse_duration(text: str) -> float:
    """Seconds in ``"30m"``, ``"2h"``, ``"1h30m"``, ``"90s"`` or ``"90"``.

    >>> parse_duration("1h30m"), parse_duration("45s"), parse_duration("90")
    (5400.0, 45.0, 90.0)
    """
    match = _DURATION.fullmatch(text.strip())
    if not text.strip() or match is None or not any(match.groups()):
        raise ConfigError(
            f"duration {text!r} is not a duration; write it like 30m, 2h, 1h30m or 90s"
        )
    hours, minutes, seconds = (float(group) if group else 0.0 for group in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise ConfigError(f"duration {text!r} must be longer than 0s")
    return total


@dataclass
class Estimate:
    """What the scheduler knows of one surface (stored between runs)."""

    surface: str
    examples: int = 0
    seconds: float = 0.0
    #: Examples since the last new behaviour.
    since: int = 0
    slices: int = 0
    #: Signatures and causes seen so far (a behaviour is new when it is not here).
    seen: set[str] = field(default_factory=set)

    @property
    def behaviours(self) -> int:
        return len(self.seen)

    @property
    def rate(self) -> float:
        """New behaviours a second this surface is expected to show next (HypoFuzz's)."""
        if self.slices == 0 or self.seconds <= 0:
            return math.inf  # never run: it goes first
        per_input = 1.0 / self.since if self.since > 0 else 1.0
        return per_input * self.examples / self.seconds

    def to_json(self) -> dict[str, Any]:
        return {
            "examples": self.examples,
            "seconds": round(self.seconds, 3),
            "since": self.since,
            "slices": self.slices,
            "seen": sorted(self.seen),
        }

    @classmethod
    def from_json(cls, surface: str, record: Mapping[str, Any]) -> Estimate:
        return cls(
            surface=surface,
            examples=int(record.get("examples", 0)),
            seconds=float(record.get("seconds", 0.0)),
            since=int(record.get("since", 0)),
            slices=int(record.get("slices", 0)),
            seen={str(item) for item in record.get("seen", [])},
        )


class Scheduler:
    """Which surface runs next, from the estimates (see the module docstring)."""

    def __init__(self, surfaces: Iterable[str], estimates: Mapping[str, Estimate] = {}) -> None:
        self.estimates = {name: estimates.get(name) or Estimate(name) for name in surfaces}

    def next(self) -> str:
        """The surface furthest below its share of slices (its estimate's share of all)."""
        order = list(self.estimates)

        def priority(name: str) -> tuple[float, int, int]:
            estimate = self.estimates[name]
            return (estimate.rate / (estimate.slices + 1), -estimate.slices, -order.index(name))

        return max(order, key=priority)

    def record(
        self, surface: str, examples: int, seconds: float, shown: Iterable[tuple[int, str]]
    ) -> None:
        """A slice of ``surface`` ran: ``shown`` holds (example number, behaviour) pairs."""
        estimate = self.estimates[surface]
        last_new = None
        for number, behaviour in shown:
            if behaviour not in estimate.seen:
                estimate.seen.add(behaviour)
                last_new = number
        estimate.since = examples - last_new if last_new is not None else estimate.since + examples
        estimate.examples += examples
        estimate.seconds += seconds
        estimate.slices += 1

    def to_json(self) -> dict[str, dict[str, Any]]:
        return {name: estimate.to_json() for name, estimate in self.estimates.items()}

    @classmethod
    def from_json(cls, surfaces: Iterable[str], record: Mapping[str, Any]) -> Scheduler:
        names = list(surfaces)
        return cls(
            names,
            {n: Estimate.from_json(n, record[n]) for n in names if isinstance(record.get(n), dict)},
        )


class _Watch:
    """A listener that notes, per example, which behaviours a slice showed."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self.examples = 0
        self.shown: list[tuple[int, str]] = []

    def __call__(self, event: Event) -> None:
        if isinstance(event, ExampleObserved):
            self.examples += 1
        elif isinstance(event, FindingRecorded):
            self.shown.append((self.examples, f"signature {event.signature_id}"))
        self.listener(event)


def _slice_seed(seed: int, surface: str, number: int) -> int:
    digest = hashlib.sha256(f"{seed}:{surface}:slice {number}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def run_for(
    config: Config,
    *,
    duration: float,
    corpus: Corpus,
    workers: int,
    state: Path,
    split: bool = True,
    resume: bool = False,
    slice_seconds: float | None = None,
    listener: Listener = ignore_events,
    clock: Callable[[], float] = time.monotonic,
) -> CampaignResult:
    """Fuzz ``config``'s surfaces for ``duration`` seconds, in slices (module docstring)."""
    seed = campaign_seed(config)
    result = new_campaign_result(config, corpus, seed=seed)
    names = list(config.surfaces)
    slice_length = slice_seconds or max(5.0, min(60.0, duration / (2 * len(names))))
    scheduler = _load(names, state, config) if resume else Scheduler(names)
    state.mkdir(parents=True, exist_ok=True)
    slices: dict[str, list[SurfaceResult]] = {name: [] for name in names}
    deadline = clock() + duration
    interrupted = False
    while not interrupted and clock() < deadline - 1.0:
        surface = scheduler.next()
        number = scheduler.estimates[surface].slices
        box = min(slice_length, deadline - clock())
        piece = config.select([surface]).override(
            seed=_slice_seed(seed, surface, number), max_examples=10**9, max_seconds=box
        )
        watch = _Watch(listener)
        started = clock()
        ran = run_with_workers(
            piece,
            workers=workers,
            corpus=corpus,
            listener=watch,
            examples=state / "examples",
            split=split,
        )
        (surface_result,) = ran.surfaces
        shown = list(watch.shown)
        shown.extend(
            (watch.examples, f"cause {f.fixture_path or f.signature.id}")
            for f in surface_result.findings
            if f.status is FindingStatus.NEW
        )
        scheduler.record(surface, surface_result.stats.examples, clock() - started, shown)
        slices[surface].append(surface_result)
        _save(scheduler, state, config)
        interrupted = surface_result.aborted == INTERRUPTED
    result.surfaces = [_merge_slices(parts) for name, parts in slices.items() if parts]
    result.finished_at = now_iso()
    return result


def _merge_slices(parts: list[SurfaceResult]) -> SurfaceResult:
    """One surface's slices, one after another: like shares, but the times add up."""
    merged = merge_shares(parts)
    offset_seconds, offset_examples = 0.0, 0
    timeline: list[tuple[float, int, int]] = []
    for part in parts:
        timeline.extend((t + offset_seconds, n + offset_examples, c) for t, n, c in part.timeline)
        offset_seconds += part.stats.elapsed
        offset_examples += part.stats.examples
    merged.timeline = timeline
    merged.stats = replace(merged.stats, elapsed=offset_seconds)
    return merged


def _load(names: list[str], state: Path, config: Config) -> Scheduler:
    store = _store_of(config)
    if store is not None:
        try:
            estimates = store.load_estimates()
        finally:
            store.close()
        if estimates:
            return Scheduler.from_json(names, estimates)
    path = state / SCHEDULE_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Scheduler(names)  # nothing to resume from: a cold start, as the first run
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot resume from {path}: {exc}; delete it to start the estimates afresh"
        ) from None
    return Scheduler.from_json(names, record.get("estimates", {}))


def _save(scheduler: Scheduler, state: Path, config: Config) -> None:
    record = {"schema": "difffuzz.schedule/1", "estimates": scheduler.to_json()}
    temporary = state / f".{SCHEDULE_FILE}.tmp"
    temporary.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(state / SCHEDULE_FILE)
    store = _store_of(config)
    if store is not None:
        try:
            store.save_estimates(scheduler.to_json())
        finally:
            store.close()


def _store_of(config: Config) -> Any:
    url = config.campaign.shared_store
    if not url:
        return None
    from difffuzz._store import SharedStore

    return SharedStore.open(url, namespace=config.campaign.shared_namespace)
