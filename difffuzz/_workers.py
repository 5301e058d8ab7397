"""A campaign on every core: surfaces, and shares of one surface's rounds, in worker processes.

``difffuzz run --workers N`` cuts the campaign into *shares*, one per surface, or,
when there are fewer surfaces than workers, several per surface (without
``--workers``, a worker per surface up to the cores, and no surface shared out): share ``k`` of
a surface runs its own rounds from a seed derived from the campaign seed, the
surface and ``k`` (share 0 keeps the campaign seed), with its part of the
example budget and the whole time budget. Each share runs in a worker process
(the engine, the transports and Hypothesis are all single-threaded per run), and
the parent merges a surface's shares as soon as the last one is in:

* statistics add up; a surface's causes are merged by identity
  (:mod:`difffuzz._engine.causes`: the same shrunk input, or the same bucket and
  signature), keeping the smaller input, so two shares that met one cause give
  one finding;
* the merged findings are saved then, by the parent alone, so a run writes each
  finding once (and :meth:`Corpus.save` is safe against other processes anyway);
* the engine's events reach the parent's listener (the live view) in batches,
  one surface start and one surface end per surface however many shares it has.

``split=False`` (``ci``) gives every surface exactly one share with the campaign
seed: the very run one process makes, so a seed gives the same inputs and
verdicts whatever the number of workers.

A surface whose strategy, rule or property was registered by the ``__main__``
module cannot be rebuilt in another process; it runs here, after the others.
Workers are started with ``spawn``: the parent has threads (the pair's), and a
forked copy of a threaded process can deadlock.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from difffuzz._comparators.base import get_comparator
from difffuzz._config import Config, SurfaceSpec
from difffuzz._corpus import Corpus
from difffuzz._engine.campaign import (
    campaign_seed,
    explain_error,
    known_fixtures,
    new_campaign_result,
    run_campaign,
    run_surface,
    save_findings,
)
from difffuzz._engine.causes import identity_of
from difffuzz._engine.findings import now_iso
from difffuzz._engine.settings import SurfaceSettings
from difffuzz._events import (
    CampaignFailed,
    CausesResolved,
    Event,
    ExampleObserved,
    FindingRecorded,
    Listener,
    ShrinkCalled,
    ShrinkingStarted,
    SurfaceFinished,
    SurfaceStarted,
    ignore_events,
)
from difffuzz._exceptions import CorpusError, DifffuzzError
from difffuzz._inputs import input_sort_key
from difffuzz._plan import Plan, compile_config
from difffuzz._properties import get_property
from difffuzz._registry import get_strategy
from difffuzz._results import (
    INTERRUPTED,
    CampaignResult,
    Finding,
    FindingStatus,
    SurfaceResult,
    SurfaceStats,
)
from difffuzz._store import SharedStore

__all__ = [
    "Share",
    "choose_workers",
    "default_workers",
    "merge_shares",
    "plan_shares",
    "run_with_workers",
]

#: Seconds a worker holds events back before sending them to the parent in one batch.
RELAY_INTERVAL = 0.1
#: Seconds an orphaned worker has to clean up before it exits.
_ORPHAN_GRACE = 5.0


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def choose_workers(requested: int | None, surfaces: int) -> tuple[int, bool]:
    """``(workers, split)`` for ``--workers``: given, that many, a surface's rounds
    shared out when there are fewer surfaces; not given, a worker per surface up to
    the cores, none shared out, so that ``run --seed`` is the same run on every
    machine.

    >>> choose_workers(None, 1), choose_workers(2, 1)
    ((1, False), (2, True))
    """
    if requested is None:
        return max(1, min(default_workers(), surfaces)), False
    return requested, True


@dataclass(frozen=True)
class Share:
    """One worker's part of a campaign: a surface's rounds from one seed, with a budget."""

    surface: str
    index: int
    shares: int
    seed: int
    max_examples: int


def share_seed(seed: int, surface: str, index: int) -> int:
    """Share 0 keeps the campaign seed; the others get seeds of their own."""
    if index == 0:
        return seed
    digest = hashlib.sha256(f"{seed}:{surface}:share {index}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def plan_shares(config: Config, seed: int, *, workers: int, split: bool) -> list[Share]:
    """The shares of a campaign, in config order (see the module docstring)."""
    surfaces = list(config.surfaces.values())
    per_surface = 1
    if split and surfaces and len(surfaces) < workers:
        per_surface = -(-workers // len(surfaces))  # ceiling: every worker gets work
    shares = []
    for surface in surfaces:
        budget = surface.max_examples or config.campaign.max_examples
        count = max(1, min(per_surface, budget))
        for index in range(count):
            part = budget // count + (1 if index < budget % count else 0)
            shares.append(
                Share(surface.name, index, count, share_seed(seed, surface.name, index), part)
            )
    return shares


# -- in the worker -----------------------------------------------------------------

_events: Any = None  # the queue to the parent, set by _start_worker
_loaded: set[str] = set()


class _Interrupt:
    """How a worker stops on SIGINT (Ctrl-C reaches the whole process group; the
    parent passes a SIGTERM on): like one process, the engine's round stops and
    the share returns what it found.

    The handler raises ``KeyboardInterrupt`` at once, which also ends a helper call
    that is waiting. Python drops an exception raised while a garbage-collector
    callback or a ``__del__`` runs (Hypothesis installs a gc callback): there the
    handler raises the signal again a moment later instead, and the interrupt is
    kept, so the next example the engine counts raises it too, a safe point inside
    the engine's own handling. A worker between shares only notes it.
    """

    def __init__(self) -> None:
        self.pending = False
        self.running = False

    def handle(self, number: int, frame: Any) -> None:
        self.pending = True
        if not self.running:
            return
        if _in_callback(frame):
            # Raised here it would be dropped: come back in a moment, outside it.
            threading.Timer(0.05, signal.raise_signal, (signal.SIGINT,)).start()
            return
        raise KeyboardInterrupt

    def again(self) -> None:
        """Called at each example: raise an interrupt Python dropped."""
        if self.pending and self.running:
            self.pending = False
            raise KeyboardInterrupt


_interrupt = _Interrupt()

#: Functions whose exceptions Python reports as "ignored" instead of raising them.
_DROPPING = frozenset({"gc_callback", "__del__"})


def _in_callback(frame: Any) -> bool:
    while frame is not None:
        if frame.f_code.co_name in _DROPPING:
            return True
        frame = frame.f_back
    return False


def _start_worker(events: Any) -> None:
    global _events
    _events = events
    signal.signal(signal.SIGINT, _interrupt.handle)
    threading.Thread(
        target=_stop_with_parent, args=(os.getppid(),), name="difffuzz parent watch", daemon=True
    ).start()


def _stop_with_parent(parent: int) -> None:
    """A parent killed outright collects nothing: stop as Ctrl-C would (the engine's
    cleanup ends the helpers it started), then leave."""
    while os.getppid() == parent:
        time.sleep(0.5)
    signal.raise_signal(signal.SIGINT)
    time.sleep(_ORPHAN_GRACE)
    os._exit(1)


class _Relay:
    """A listener that sends events to the parent in batches."""

    def __init__(self) -> None:
        self.pending: list[Event] = []
        self.sent_at = time.monotonic()
        if _events is not None:
            _events.put((os.getpid(), []))  # the parent learns whom to pass a SIGTERM on to

    def __call__(self, event: Event) -> None:
        self.pending.append(event)
        if time.monotonic() - self.sent_at >= RELAY_INTERVAL:
            self.flush()
        if isinstance(event, ExampleObserved):
            _interrupt.again()

    def flush(self) -> None:
        if self.pending and _events is not None:
            _events.put((os.getpid(), self.pending))
        self.pending = []
        self.sent_at = time.monotonic()


@dataclass
class _ShareResult:
    share: Share
    result: SurfaceResult
    errors: list[BaseException] = field(default_factory=list)


def _share(
    plan: Plan,
    share: Share,
    *,
    corpus: str | None,
    check: bool,
    listener: Listener,
    database: ExampleDatabase | None,
) -> _ShareResult:
    """One share, here: the surface's findings, not saved."""
    compiled = plan.surfaces[share.surface]
    settings = replace(
        SurfaceSettings.of(plan.config.campaign, compiled.spec, seed=share.seed),
        max_examples=share.max_examples,
    )
    known = known_fixtures(plan, Corpus(corpus) if corpus is not None else None, share.surface)
    result, errors = run_surface(
        plan,
        compiled,
        settings=settings,
        known=known,
        listener=listener,
        check_runtimes=check,
        database=database,
    )
    return _ShareResult(share, result, errors)


_stores: dict[tuple[str, str], SharedStore] = {}


def _run_share(
    config: Config,
    share: Share,
    modules: Sequence[str],
    corpus: str | None,
    check: bool,
    store: tuple[str, str] | None,
    examples: str | None = None,
) -> _ShareResult:
    """One share, in a worker process (``store``: the shared store's URL and namespace;
    ``examples``: a folder for Hypothesis's examples when there is no store)."""
    for module in modules:
        if module not in _loaded:
            importlib.import_module(module)
            _loaded.add(module)
    plan = compile_config(config)
    database = None
    if store is not None:
        if store not in _stores:
            _stores[store] = SharedStore.open(store[0], namespace=store[1])
        database = _stores[store].examples()
    elif examples is not None:
        database = DirectoryBasedExampleDatabase(examples)
    relay = _Relay()
    _interrupt.running, _interrupt.pending = True, False
    try:
        done = _share(plan, share, corpus=corpus, check=check, listener=relay, database=database)
    finally:
        _interrupt.running = False
        relay.flush()
    done.errors = [_picklable(error) for error in done.errors]
    return done


def _picklable(error: BaseException) -> BaseException:
    import pickle

    try:
        pickle.dumps(error)
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


# -- in the parent -------------------------------------------------------------------


def _plugin_modules(surface: SurfaceSpec) -> tuple[str, ...] | None:
    """Modules a worker imports to rebuild ``surface``; None if one is ``__main__``."""
    functions: list[Any] = [
        get_strategy(surface.strategy).factory,
        get_comparator(surface.compare.rule).compile,
    ]
    functions.extend(get_property(prop.name).compile for prop in surface.properties)
    # A user's plain comparator or property is wrapped (its factory holds the function).
    functions = [getattr(function, "function", function) for function in functions]
    modules = {getattr(function, "__module__", None) or "__main__" for function in functions}
    if "__main__" in modules:
        return None
    return tuple(sorted(modules))


def run_with_workers(
    config: Config,
    *,
    workers: int,
    corpus: Corpus | None = None,
    save_to: Corpus | None = None,
    listener: Listener = ignore_events,
    check_runtimes: bool = True,
    split: bool = True,
    examples: Path | None = None,
) -> CampaignResult:
    """:func:`~difffuzz._engine.run_campaign` on ``workers`` processes (module docstring).

    ``examples`` is a folder where Hypothesis keeps its interesting examples
    between runs (``--duration``'s state), unless a shared store keeps them.
    One worker without a shared store or ``examples`` is exactly ``run_campaign``,
    in this process.
    The config's shared store (:mod:`difffuzz._store`) is used by a campaign that
    saves into ``corpus``; ``ci`` (which saves elsewhere) keeps to its own corpus.
    """
    url = config.campaign.shared_store
    shared = (url, config.campaign.shared_namespace) if url and corpus and not save_to else None
    if workers <= 1 and shared is None and examples is None:
        return run_campaign(
            config, corpus=corpus, save_to=save_to, listener=listener, check_runtimes=check_runtimes
        )
    plan = compile_config(config)  # a mistake in any surface stops the run here
    store = SharedStore.open(shared[0], namespace=shared[1]) if shared is not None else None
    try:
        return _run_shares(
            plan,
            workers=workers,
            corpus=corpus,
            save_to=save_to,
            listener=listener,
            check_runtimes=check_runtimes,
            split=split,
            store=store,
            examples=examples,
        )
    finally:
        if store is not None:
            store.close()


def _run_shares(
    plan: Plan,
    *,
    workers: int,
    corpus: Corpus | None,
    save_to: Corpus | None,
    listener: Listener,
    check_runtimes: bool,
    split: bool,
    store: SharedStore | None,
    examples: Path | None,
) -> CampaignResult:
    config = plan.config
    seed = campaign_seed(config)
    result = new_campaign_result(config, corpus, seed=seed)
    shares = plan_shares(config, seed, workers=workers, split=split)
    if store is not None and corpus is not None:
        for name in config.surfaces:
            store.adopt(corpus, name)  # causes other hosts found: known here, not shrunk again
    modules = {name: _plugin_modules(spec) for name, spec in config.surfaces.items()}
    in_workers = workers > 1
    remote = [s for s in shares if in_workers and modules[s.surface] is not None]
    local = [s for s in shares if s not in remote]
    merged = _Merger(config, shares, listener, corpus=corpus, save_to=save_to, store=store)
    root = str(corpus.root) if corpus is not None else None
    shared = (store.url, store.namespace) if store is not None else None
    errors: list[tuple[BaseException, SurfaceSpec]] = []
    if remote:
        context = multiprocessing.get_context("spawn")
        events = context.Queue()
        with ProcessPoolExecutor(
            max_workers=min(workers, len(remote)),
            mp_context=context,
            initializer=_start_worker,
            initargs=(events,),
        ) as pool:
            futures = [
                pool.submit(
                    _run_share,
                    config,
                    share,
                    modules[share.surface] or (),
                    root,
                    check_runtimes,
                    shared,
                    str(examples) if examples is not None else None,
                )
                for share in remote
            ]
            errors.extend(_collect(futures, events, merged))
    database: ExampleDatabase | None = None
    if store is not None:
        database = store.examples()
    elif examples is not None:
        database = DirectoryBasedExampleDatabase(examples)
    for share in local:
        if merged.interrupted or errors:
            break
        done = _share(
            plan,
            share,
            corpus=root,
            check=check_runtimes,
            listener=merged.relay,
            database=database,
        )
        merged.add(done)
        errors.extend((problem, config.surfaces[share.surface]) for problem in done.errors)
    result.surfaces = merged.in_config_order()
    result.finished_at = now_iso()
    if errors:
        error = explain_error(*errors[0])
        # As run_campaign does: the surfaces so far (their findings saved) are
        # announced with the error, so that the command can still report them.
        if isinstance(error, DifffuzzError):
            result.error, result.error_exit_code = str(error), error.exit_code
        else:  # a difffuzz bug: Python exits 1 on it
            result.error, result.error_exit_code = f"{type(error).__name__}: {error}", 1
        listener(CampaignFailed(result))
        raise error
    return result


def _collect(
    futures: list[Future[_ShareResult]], events: Any, merged: _Merger
) -> list[tuple[BaseException, SurfaceSpec]]:
    """Relay events until every share is in; the tool errors they reported."""
    errors: list[tuple[BaseException, SurfaceSpec]] = []
    pending = set(futures)
    workers: set[int] = set()
    while pending:
        try:
            _drain(events, merged, workers, wait=0.05)
            for future in [f for f in pending if f.done()]:
                pending.discard(future)
                try:
                    done = future.result()
                except BrokenProcessPool as broken:
                    merged.lost(futures.index(future), f"a worker process died: {broken}")
                    continue
                merged.add(done)
                spec = merged.config.surfaces[done.share.surface]
                errors.extend((error, spec) for error in done.errors)
                if merged.interrupted or done.errors:
                    # The user asked to stop, or difffuzz broke: start nothing more.
                    for future in pending:
                        future.cancel()
                    pending = {f for f in pending if not f.cancelled()}
        except KeyboardInterrupt:
            # Workers stop their rounds and return what they found; shares not
            # started are dropped. Ctrl-C in a terminal reached them already, a
            # SIGTERM to this process did not: pass it on.
            merged.interrupted = True
            for future in pending:
                future.cancel()
            for pid in workers:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGINT)
            pending = {f for f in pending if not f.cancelled()}
    _drain(events, merged, workers, wait=0)
    return errors


def _drain(events: Any, merged: _Merger, workers: set[int], *, wait: float) -> None:
    while True:
        try:
            pid, batch = events.get(timeout=wait) if wait else events.get_nowait()
        except queue.Empty:
            return
        workers.add(pid)
        for event in batch:
            merged.relay(event)
        wait = 0


class _Merger:
    """Shares in, surfaces out: merged, saved and announced as each surface completes."""

    def __init__(
        self,
        config: Config,
        shares: Sequence[Share],
        listener: Listener,
        *,
        corpus: Corpus | None,
        save_to: Corpus | None,
        store: SharedStore | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.shares = list(shares)
        self.listener = listener
        self.corpus = corpus
        self.save_to = save_to
        self.interrupted = False
        self._expected = {s.surface: s.shares for s in shares}
        self._budgets = {s.surface: 0 for s in shares}
        for share in shares:
            self._budgets[share.surface] += share.max_examples
        self._results: dict[str, list[_ShareResult]] = {name: [] for name in self._expected}
        self._done: dict[str, SurfaceResult] = {}
        self._started: set[str] = set()
        self._announced: set[tuple[str, str]] = set()

    def relay(self, event: Event) -> None:
        """Pass a worker's event on, as one process would have sent it."""
        if isinstance(event, SurfaceStarted):
            if event.surface not in self._started:
                self._started.add(event.surface)
                self.listener(SurfaceStarted(event.surface, self._budgets[event.surface]))
        elif isinstance(event, FindingRecorded):
            key = (event.surface, event.signature_id)
            if key not in self._announced:
                self._announced.add(key)
                self.listener(event)
        elif isinstance(event, ExampleObserved | ShrinkCalled | ShrinkingStarted | CausesResolved):
            # A share's cause count is its own: the live view sees each share's rounds.
            self.listener(event)
        # SurfaceFinished: the merged one is announced by add().

    def add(self, done: _ShareResult) -> None:
        name = done.share.surface
        self._results[name].append(done)
        if done.result.aborted == INTERRUPTED:
            self.interrupted = True
        if len(self._results[name]) == self._expected[name]:
            self._finish(name)

    def lost(self, index: int, reason: str) -> None:
        """A share whose worker died: the surface reports why, with what the rest found."""
        share = self.shares[index] if index < len(self.shares) else None
        if share is None:
            return
        spec = self.config.surfaces[share.surface]
        empty = SurfaceResult(
            surface=share.surface,
            runtimes=self.config.runtime_names,
            compare_spec=spec.compare,
            aborted=reason,
        )
        self.add(_ShareResult(share, empty))

    def _finish(self, name: str) -> None:
        parts = sorted(self._results[name], key=lambda done: done.share.index)
        result = merge_shares([done.result for done in parts])
        if self.corpus is not None:
            spec = self.config.surfaces[name]
            target = self.save_to or self.corpus
            result.findings = save_findings(target, spec, result)
            if self.store is not None:
                self._share_with_other_hosts(target, result)
        self._done[name] = result
        self.listener(SurfaceFinished(name, result))

    def _share_with_other_hosts(self, corpus: Corpus, result: SurfaceResult) -> None:
        assert self.store is not None
        saved = []
        for finding in result.findings:
            if finding.fixture_path and finding.status is not FindingStatus.KNOWN:
                with contextlib.suppress(CorpusError):
                    saved.append(corpus.read(Path(finding.fixture_path)))
        added = self.store.publish(saved)
        stats = result.stats
        self.store.count(
            result.surface,
            examples=stats.examples,
            shrink_calls=stats.shrink_calls,
            divergent_examples=stats.divergent_examples,
            causes=added,
        )

    def in_config_order(self) -> list[SurfaceResult]:
        return [self._done[name] for name in self.config.surfaces if name in self._done]


def merge_shares(results: Sequence[SurfaceResult]) -> SurfaceResult:
    """One surface's result from its shares' (in share order): see the module docstring."""
    first = results[0]
    merged = SurfaceResult(
        surface=first.surface, runtimes=first.runtimes, compare_spec=first.compare_spec
    )
    merged.stats = _sum_stats(r.stats for r in results)
    merged.findings = merge_findings(f for r in results for f in r.findings)
    for result in results:
        merged.infra_events.extend(result.infra_events)
        merged.learned_noise.extend(
            p for p in result.learned_noise if p not in merged.learned_noise
        )
        merged.aborted = merged.aborted or result.aborted
        merged.dropped_signatures += result.dropped_signatures
        merged.candidates_examined += result.candidates_examined
        merged.candidates_merged += result.candidates_merged
    merged.timeline = _merge_timelines([r.timeline for r in results])
    return merged


def _sum_stats(parts: Iterable[SurfaceStats]) -> SurfaceStats:
    total = SurfaceStats()
    for stats in parts:
        total.examples += stats.examples
        total.matches += stats.matches
        total.divergent_examples += stats.divergent_examples
        total.both_failed += stats.both_failed
        total.infra_errors += stats.infra_errors
        total.shrink_calls += stats.shrink_calls
        total.elapsed = max(total.elapsed, stats.elapsed)  # shares run side by side
    return total


def _same_cause(one: Finding, other: Finding) -> bool:
    if one.fixture_path and one.fixture_path == other.fixture_path:
        return True  # the same known fixture, met by two shares
    if identity_of(one.input) == identity_of(other.input):
        return True
    return (
        one.bucket is not None and one.bucket == other.bucket and one.signature == other.signature
    )


def merge_findings(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per cause across shares, the smaller input kept, counts added."""
    kept: list[Finding] = []
    for finding in findings:
        for index, other in enumerate(kept):
            if not _same_cause(finding, other):
                continue
            smaller, larger = (
                (finding, other)
                if input_sort_key(finding.input) < input_sort_key(other.input)
                else (other, finding)
            )
            kept[index] = replace(
                smaller,
                occurrences=smaller.occurrences + larger.occurrences,
                shrink_calls=smaller.shrink_calls + larger.shrink_calls,
                merged=smaller.merged + larger.merged + (0 if smaller.fixture_path else 1),
            )
            break
        else:
            kept.append(finding)
    return kept


def _merge_timelines(
    timelines: Sequence[list[tuple[float, int, int]]],
) -> list[tuple[float, int, int]]:
    """(elapsed, examples, causes) over shares run side by side: examples add up."""
    times = sorted({t for timeline in timelines for t, _, _ in timeline})
    merged = []
    for moment in times:
        examples = causes = 0
        for timeline in timelines:
            before = [point for point in timeline if point[0] <= moment]
            if before:
                examples += before[-1][1]
                causes = max(causes, before[-1][2])
        merged.append((moment, examples, causes))
    return merged
