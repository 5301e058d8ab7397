"""What runs in a worker process: one share at a time, its events relayed to the parent.

A worker (started with ``spawn`` by :mod:`difffuzz._workers`) imports the
modules that registered the surface's strategy, rule and properties, runs the
share (:func:`difffuzz._shares.run_share`) and sends the engine's events to the
parent in batches. It stops as one process would on Ctrl-C (the round ends, the
share returns what it found), and as soon as its parent is gone.
"""

from __future__ import annotations

import importlib
import os
import signal
import threading
import time
from collections.abc import Sequence
from typing import Any

from hypothesis.database import DirectoryBasedExampleDatabase

from difffuzz._config import Config
from difffuzz._events import Event, ExampleObserved
from difffuzz._plan import compile_config
from difffuzz._shares import Share, ShareResult, run_share
from difffuzz._store import SharedStore

__all__ = ["RELAY_INTERVAL", "start_worker", "work_on"]

#: Seconds a worker holds events back before sending them to the parent in one batch.
RELAY_INTERVAL = 0.1
#: Seconds an orphaned worker has to clean up before it exits.
_ORPHAN_GRACE = 5.0

_events: Any = None  # the queue to the parent, set by start_worker
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


def start_worker(events: Any) -> None:
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


_stores: dict[tuple[str, str], SharedStore] = {}


def work_on(
    config: Config,
    share: Share,
    modules: Sequence[str],
    corpus: str | None,
    check: bool,
    store: tuple[str, str] | None,
    examples: str | None = None,
) -> ShareResult:
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
        done = run_share(plan, share, corpus=corpus, check=check, listener=relay, database=database)
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
