"""Running one helper process under a deadline and an output limit, in its own group.

Output is pumped through a selector with a size limit instead of
``communicate()``, which would buffer an endless writer until memory runs out.
The helper runs in its own process group, so one ``killpg`` ends it *and*
anything it spawned.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import IO

from difffuzz._outcome import Failure

__all__ = ["Capture", "kill_group", "pump", "signal_name"]

_CHUNK = 65536
# Without a pidfd (not Linux), exit is noticed by polling at this interval.
_POLL_INTERVAL = 0.01


@dataclass
class Capture:
    """What came back from one helper process while it ran."""

    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    failure: Failure | None = None
    overflowed: str = ""  # "stdout" or "stderr" when TOO_LARGE


def kill_group(pgid: int) -> None:
    # ESRCH (group already empty) and EPERM are both "nothing left to kill".
    with contextlib.suppress(OSError):
        os.killpg(pgid, signal.SIGKILL)


def _open_pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _has_exited(pid: int) -> bool:
    """True once ``pid`` has exited, without reaping it (WNOWAIT)."""
    flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
    return os.waitid(os.P_PID, pid, flags) is not None


def pump(process: subprocess.Popen[bytes], stdin: bytes, deadline: float, limit: int) -> Capture:
    """Feed stdin and drain stdout/stderr until the helper has exited and its pipes closed.

    When the helper itself exits, its process group is killed at once, so a
    leftover background child cannot hold the pipes open until the deadline.
    """
    capture = Capture()
    sinks: dict[int, tuple[bytearray, str]] = {}
    selector = selectors.DefaultSelector()
    pidfd = _open_pidfd(process.pid)
    try:
        for stream, sink, name in (
            (process.stdout, capture.stdout, "stdout"),
            (process.stderr, capture.stderr, "stderr"),
        ):
            assert stream is not None
            selector.register(stream, selectors.EVENT_READ)
            sinks[stream.fileno()] = (sink, name)
        if process.stdin is not None:
            os.set_blocking(process.stdin.fileno(), False)
            if stdin:
                selector.register(process.stdin, selectors.EVENT_WRITE)
            else:
                process.stdin.close()
        if pidfd is not None:
            selector.register(pidfd, selectors.EVENT_READ)
        written = 0
        exited = group_killed = False
        while not exited or sinks:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                capture.failure = Failure.TIMEOUT
                return capture
            wait = remaining if pidfd is not None else min(remaining, _POLL_INTERVAL)
            for key, _ in selector.select(wait):
                if key.fileobj == pidfd:
                    exited = True
                    selector.unregister(pidfd)
                elif key.fileobj is process.stdin:
                    written = _feed(selector, process.stdin, stdin, written)
                else:
                    sink, name = sinks[key.fd]
                    chunk = os.read(key.fd, _CHUNK)
                    if not chunk:
                        selector.unregister(key.fileobj)
                        del sinks[key.fd]
                    sink += chunk
                    if len(sink) > limit:
                        capture.failure, capture.overflowed = Failure.TOO_LARGE, name
                        return capture
            if pidfd is None and not exited:
                exited = _has_exited(process.pid)
            if exited and not group_killed:
                kill_group(process.pid)
                group_killed = True
        return capture
    finally:
        selector.close()
        if pidfd is not None:
            os.close(pidfd)


def _feed(selector: selectors.BaseSelector, pipe: IO[bytes], payload: bytes, written: int) -> int:
    """Write the next piece of stdin; close it when done or when the helper stopped reading."""
    try:
        written += os.write(pipe.fileno(), payload[written : written + _CHUNK])
    except BlockingIOError:
        return written
    except BrokenPipeError:
        written = len(payload)
    if written >= len(payload):
        selector.unregister(pipe)
        with contextlib.suppress(OSError):
            pipe.close()
    return written


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
