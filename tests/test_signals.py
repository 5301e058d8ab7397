"""Stop signals become Ctrl-C once, and wait for shielded moments; real signals, this process.

The end-to-end view (a real ``difffuzz run`` process, a helper running when the
signal arrives) is ``tests/faults/test_signals.py``.
"""

from __future__ import annotations

import doctest
import os
import signal
import threading
from dataclasses import replace

import pytest

import difffuzz._signals
from difffuzz._ci import CIResult
from difffuzz._comparators.base import CompareSpec
from difffuzz._exit import campaign_exit, ci_exit
from difffuzz._interruption import shielded
from difffuzz._replay import ReplayResult
from difffuzz._results import INTERRUPTED, CampaignResult, SurfaceResult
from difffuzz._signals import STOP_SIGNALS, StopSignals, stopped_by

pytestmark = pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(), reason="signals need the main thread"
)


STOP_NAMES = [s.name for s in STOP_SIGNALS]


def _send(number: int) -> None:
    # raise_signal runs the handler before it returns, like a signal from outside would
    # between two bytecodes.
    signal.raise_signal(number)


@pytest.mark.parametrize("number", STOP_SIGNALS, ids=[s.name for s in STOP_SIGNALS])
def test_each_stop_signal_interrupts_once_and_sets_the_exit_code(number: signal.Signals) -> None:
    with StopSignals() as stop:
        with pytest.raises(KeyboardInterrupt):
            _send(number)
        assert stop.first is number
        assert stop.exit_code(130) == 128 + number
        assert stopped_by(stop.exit_code(0)) is number


@pytest.mark.parametrize("number", [None, *STOP_SIGNALS], ids=["no handler", *STOP_NAMES])
def test_a_stopped_campaign_says_the_exit_code_of_the_signal(
    number: signal.Signals | None,
) -> None:
    # Stopped inside a surface: by the guard's signal, or a KeyboardInterrupt alone.
    surface = SurfaceResult("probe", ("rust", "go"), CompareSpec("json"), aborted=INTERRUPTED)
    result = CampaignResult([surface], seed=1, started_at="", stopped_by=number)
    expected = 130 if number is None else 128 + number
    assert campaign_exit(result) == expected
    assert ci_exit(CIResult(gate=[], replay=ReplayResult(), campaign=result)) == expected
    # A signal that came once every surface had finished still names the exit code.
    finished = replace(result, surfaces=[])
    assert campaign_exit(finished) == (0 if number is None else expected)


def test_a_second_signal_while_stopping_is_noted_not_raised(
    capfd: pytest.CaptureFixture[str],
) -> None:
    with StopSignals() as stop:
        with pytest.raises(KeyboardInterrupt):
            _send(signal.SIGTERM)
        _send(signal.SIGINT)  # saving is under way: it must not be cut short
        assert stop.received == [signal.SIGTERM, signal.SIGINT]
        assert stop.exit_code(1) == 143  # the first signal is the one that stopped it
    assert (
        "SIGINT: already stopping, saving what was found; 1 more to force" in capfd.readouterr().err
    )


def test_once_finishing_even_a_first_signal_only_waits() -> None:
    with StopSignals() as stop:
        stop.finishing()
        _send(signal.SIGHUP)
        assert stop.exit_code(0) == 129


def test_the_previous_handlers_come_back() -> None:
    before = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    with StopSignals():
        assert all(signal.getsignal(n) != before[n] for n in STOP_SIGNALS)
    assert {number: signal.getsignal(number) for number in STOP_SIGNALS} == before
    assert StopSignals().exit_code(1) == 1


def test_an_ignored_signal_stays_ignored() -> None:
    # nohup ignores SIGHUP: closing the terminal must not stop the run.
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with StopSignals() as stop:
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            _send(signal.SIGHUP)
            assert stop.first is None
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_a_signal_inside_a_shield_waits_for_its_end() -> None:
    reached = []
    with StopSignals() as stop, pytest.raises(KeyboardInterrupt):  # noqa: PT012
        with shielded():
            with shielded():
                _send(signal.SIGTERM)
                reached.append("inner")
            reached.append("outer")  # still shielded: the outer block holds it
        reached.append("after")  # not reached: the signal is raised as the shield ends
    assert reached == ["inner", "outer"]
    assert stop.first is signal.SIGTERM


def test_a_third_signal_forces_the_default_action() -> None:
    # In a child process: the default action of SIGTERM ends it.
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            with StopSignals():
                try:
                    _send(signal.SIGTERM)
                except KeyboardInterrupt:
                    _send(signal.SIGTERM)
                    _send(signal.SIGTERM)
        finally:
            os._exit(0)  # reached only if the third signal did not force
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status)
    assert os.WTERMSIG(status) == signal.SIGTERM


def test_doctests() -> None:
    assert doctest.testmod(difffuzz._signals).failed == 0
