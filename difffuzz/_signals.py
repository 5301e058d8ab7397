"""SIGTERM and SIGHUP stop a run the way Ctrl-C does, and nothing found is lost.

The engine already stops cleanly on ``KeyboardInterrupt``: the surface in
progress keeps its findings (marked unshrunk), they are saved, and the reports
are written. CI runners and ``timeout`` send SIGTERM, a closed terminal sends
SIGHUP; by default either kills Python on the spot, with no message, no saved
finding, and a helper process left running in its own process group. While a
:class:`StopSignals` guard is active, all three signals take the Ctrl-C path
instead, and the run ends with the conventional exit code, ``128 + N``
(130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).

Stopping means saving, so a signal while the run is already stopping, or once
the campaign is over and only the findings and reports remain to be written, is
noted and does not interrupt that work. A third signal forces: the default
action of the signal, at once.

    with StopSignals() as stop:
        result = run_campaign(config, corpus=corpus)
        stop.finishing()         # from here on, signals no longer interrupt
        write_reports(result, folder, exit_code=stop.exit_code(campaign_exit(result)))
    sys.exit(stop.exit_code(campaign_exit(result)))
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Self

from difffuzz._interruption import defer

__all__ = ["STOP_SIGNALS", "StopSignals", "signal_exit_code", "stopped_by"]

#: Signals that stop a run cleanly (those the platform has).
STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
#: The signal that forces: the default action of the signal, right away.
FORCE_AFTER = 3

_Handler = Callable[[int, FrameType | None], object] | int | None


def signal_exit_code(number: signal.Signals) -> int:
    """The shell's exit code for a process stopped by ``number``: ``128 + N``.

    >>> signal_exit_code(signal.SIGTERM)
    143
    """
    return 128 + int(number)


def stopped_by(exit_code: int) -> signal.Signals | None:
    """The signal an exit code of ``128 + N`` names, else ``None``.

    >>> stopped_by(130).name, stopped_by(1)
    ('SIGINT', None)
    """
    if exit_code <= 128:
        return None
    try:
        return signal.Signals(exit_code - 128)
    except ValueError:
        return None


class StopSignals:
    """While active, SIGINT, SIGTERM and SIGHUP raise ``KeyboardInterrupt`` once.

    Outside the main thread Python cannot install handlers; the guard then does
    nothing and the signals keep their usual behaviour. A signal the process
    was started with ignored (``nohup``) is left ignored.
    """

    def __init__(self) -> None:
        self.received: list[signal.Signals] = []
        self._finishing = False
        self._previous: dict[signal.Signals, _Handler] = {}

    @property
    def first(self) -> signal.Signals | None:
        """The signal that stopped the run, if one did."""
        return self.received[0] if self.received else None

    def finishing(self) -> None:
        """From now on only saving is left: a signal is noted, not raised."""
        self._finishing = True

    def exit_code(self, code: int) -> int:
        """``code``, or ``128 + N`` when signal N stopped the run."""
        return code if self.first is None else signal_exit_code(self.first)

    def _handle(self, number: int, frame: FrameType | None) -> None:
        if defer(number):
            return  # raised again when the shielded moment ends (see _interruption)
        received = signal.Signals(number)
        self.received.append(received)
        if len(self.received) >= FORCE_AFTER:
            signal.signal(received, signal.SIG_DFL)
            os.kill(os.getpid(), received)
            return
        if len(self.received) == 1 and not self._finishing:
            raise KeyboardInterrupt(received.name)
        # os.write, not print: this runs between two bytecodes of whatever the main
        # thread was doing, possibly in the middle of a print to stderr.
        os.write(
            2,
            f"difffuzz: {received.name}: already stopping, saving what was found; "
            f"{FORCE_AFTER - len(self.received)} more to force\n".encode(),
        )

    def __enter__(self) -> Self:
        if threading.current_thread() is threading.main_thread():
            for number in STOP_SIGNALS:
                # An ignored signal stays ignored: `nohup` ignores SIGHUP, a shell
                # ignores SIGINT for a background job, and they mean it.
                if signal.getsignal(number) is not signal.SIG_IGN:
                    self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for number, previous in self._previous.items():
            signal.signal(number, previous if previous is not None else signal.SIG_DFL)
        self._previous.clear()
