"""A campaign on every core: surfaces, and shares of one surface's rounds, in worker processes.

``difffuzz run --workers N`` cuts the campaign into *shares* (:mod:`difffuzz._shares`),
one per surface, or, when there are fewer surfaces than workers, several per
surface (without ``--workers``, a worker per surface up to the cores, and no
surface shared out). Each share runs in a worker process (:mod:`difffuzz._worker`;
the engine, the transports and Hypothesis are all single-threaded per run), and
the parent, here, merges a surface's shares as soon as the last one is in:

* the merged findings are saved then, by the parent alone, so a run writes each
  finding once (and :meth:`Corpus.save` is safe against other processes anyway);
* with a shared store (:mod:`difffuzz._store`), the fixtures other hosts found
  are written into the corpus before anything runs, and the new ones published;
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
import multiprocessing
import os
import queue
import signal
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from difffuzz._comparators.base import get_comparator
from difffuzz._config import Config, SurfaceSpec
from difffuzz._corpus import Corpus
from difffuzz._engine.campaign import (
    campaign_seed,
    explain_error,
    new_campaign_result,
    run_campaign,
    save_findings,
)
from difffuzz._engine.findings import now_iso
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
from difffuzz._plan import Plan, compile_config
from difffuzz._properties import get_property
from difffuzz._registry import get_strategy
from difffuzz._results import INTERRUPTED, CampaignResult, FindingStatus, SurfaceResult
from difffuzz._shares import Share, ShareResult, merge_shares, plan_shares, run_share
from difffuzz._store import SharedStore
from difffuzz._worker import start_worker, work_on

__all__ = ["choose_workers", "default_workers", "run_with_workers"]


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
            initializer=start_worker,
            initargs=(events,),
        ) as pool:
            futures = {
                pool.submit(
                    work_on,
                    config,
                    share,
                    modules[share.surface] or (),
                    root,
                    check_runtimes,
                    shared,
                    str(examples) if examples is not None else None,
                ): share
                for share in remote
            }
            errors.extend(_collect(futures, events, merged))
    database: ExampleDatabase | None = None
    if store is not None:
        database = store.examples()
    elif examples is not None:
        database = DirectoryBasedExampleDatabase(examples)
    for share in local:
        if merged.interrupted or errors:
            break
        try:
            done = run_share(
                plan,
                share,
                corpus=root,
                check=check_runtimes,
                listener=merged.relay,
                database=database,
            )
        except Exception as error:  # a tool error raised, not returned (as in _collect)
            errors.append((error, config.surfaces[share.surface]))
            break
        merged.add(done)
        errors.extend((problem, config.surfaces[share.surface]) for problem in done.errors)
    result.surfaces = merged.in_config_order()
    result.finished_at = now_iso()
    if errors:
        failure = explain_error(*errors[0])
        # As run_campaign does: the surfaces so far (their findings saved) are
        # announced with the error, so that the command can still report them.
        if isinstance(failure, DifffuzzError):
            result.error, result.error_exit_code = str(failure), failure.exit_code
        else:  # a difffuzz bug: Python exits 1 on it
            result.error, result.error_exit_code = f"{type(failure).__name__}: {failure}", 1
        listener(CampaignFailed(result))
        raise failure
    return result


def _collect(
    futures: dict[Future[ShareResult], Share], events: Any, merged: _Merger
) -> list[tuple[BaseException, SurfaceSpec]]:
    """Relay events until every share is in; the tool errors they reported or raised.

    A share that raises (a config error met only at run time, in a normalize step)
    stops the campaign as one that returns its errors does: nothing more starts,
    the shares running finish and are saved, and the error is reported with them.
    """
    errors: list[tuple[BaseException, SurfaceSpec]] = []
    pending = set(futures)
    workers: set[int] = set()
    while pending:
        try:
            _drain(events, merged, workers, wait=0.05)
            for future in [f for f in pending if f.done()]:
                pending.discard(future)
                share = futures[future]
                spec = merged.config.surfaces[share.surface]
                try:
                    done = future.result()
                except BrokenProcessPool as broken:
                    merged.lost(share, f"a worker process died: {broken}")
                    continue
                except Exception as error:
                    errors.append((error, spec))
                else:
                    merged.add(done)
                    errors.extend((problem, spec) for problem in done.errors)
                if merged.interrupted or errors:
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
        self._results: dict[str, list[ShareResult]] = {name: [] for name in self._expected}
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

    def add(self, done: ShareResult) -> None:
        name = done.share.surface
        self._results[name].append(done)
        if done.result.aborted == INTERRUPTED:
            self.interrupted = True
        if len(self._results[name]) == self._expected[name]:
            self._finish(name)

    def lost(self, share: Share, reason: str) -> None:
        """A share whose worker died: the surface reports why, with what the rest found."""
        spec = self.config.surfaces[share.surface]
        empty = SurfaceResult(
            surface=share.surface,
            runtimes=self.config.runtime_names,
            compare_spec=spec.compare,
            aborted=reason,
        )
        self.add(ShareResult(share, empty))

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
