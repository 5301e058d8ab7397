"""A helper program kept running: one input per line in, one answer per line out.

Starting a process costs far more than most helpers spend on an input (a Python
helper's interpreter start is tens of milliseconds, a busy machine's fork and
exec more), so a helper that can loop is started once and sent every input on
one pipe (``mode = "lines"``). The protocol, ``difffuzz.lines/1``, is one JSON
object per line each way, so that any bytes, newlines included, get through:

* difffuzz writes ``{"stdin": "<the input as text>"}``, or
  ``{"stdin_base64": "..."}`` when the input's bytes are not UTF-8;
* the helper answers ``{"status": 0, "stdout": "...", "stderr": "..."}`` (what the
  same input would have given as exit status, standard output and standard
  error; ``stdout_base64`` for output that is not UTF-8; ``status`` defaults to
  0, ``stdout`` and ``stderr`` to empty).

So a helper gives the same :class:`~difffuzz.Outcome` in either mode, and a
reproduction is still one command: the request line piped into the helper.

A helper that dies, hangs past the timeout, or answers something that is not a
protocol line is reported like a one-shot helper that did so (crashed, timed
out), its process group is killed, and the next input starts a fresh one. What
the process writes to its own standard error goes into the detail of such a
failure (the last few kilobytes), not into every outcome.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import selectors
import shlex
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import IO, Any

from difffuzz._exceptions import ConfigError
from difffuzz._inputs import FileTree, Input, input_to_bytes
from difffuzz._outcome import Failure, Outcome
from difffuzz._secrets import Secret
from difffuzz._transports.base import ClosesOnExit, CommandRequest

__all__ = ["LINES_PROTOCOL", "LinesTransport", "answer_line", "read_answer", "request_line"]

LINES_PROTOCOL = "difffuzz.lines/1"
_PLACEHOLDERS = ("{input_dir}", "{input_file}", "{output_file}")
_CHUNK = 65536
#: Bytes of the helper's own stderr kept for the detail of a failure.
_STDERR_TAIL = 4096
#: Seconds a closed helper gets to exit on its own before its group is killed.
_EXIT_GRACE = 0.5
_NO_ENV: Mapping[str, str] = MappingProxyType({})


def _text_or_base64(key: str, data: bytes) -> dict[str, str]:
    try:
        return {key: data.decode("utf-8")}
    except UnicodeDecodeError:
        return {f"{key}_base64": base64.b64encode(data).decode("ascii")}


def request_line(payload: bytes) -> bytes:
    """The protocol line that carries ``payload`` to a helper.

    >>> request_line(b'a\\n"b"')
    b'{"stdin": "a\\\\n\\\\"b\\\\""}\\n'
    >>> request_line(b"\\xff")
    b'{"stdin_base64": "/w=="}\\n'
    """
    return json.dumps(_text_or_base64("stdin", payload)).encode("ascii") + b"\n"


def answer_line(status: int, stdout: bytes, stderr: bytes = b"") -> bytes:
    """The protocol line a helper writes for one input (what the sample helpers use).

    >>> answer_line(1, b'{"error": "x"}\\n')
    b'{"status": 1, "stdout": "{\\\\"error\\\\": \\\\"x\\\\"}\\\\n"}\\n'
    """
    record: dict[str, Any] = {"status": status, **_text_or_base64("stdout", stdout)}
    if stderr:
        record.update(_text_or_base64("stderr", stderr))
    return json.dumps(record).encode("ascii") + b"\n"


def _field(record: Mapping[str, Any], key: str) -> bytes:
    if f"{key}_base64" in record:
        return base64.b64decode(record[f"{key}_base64"], validate=True)
    value = record.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"{key!r} must be a string, got {type(value).__name__}")
    return value.encode("utf-8", "surrogatepass")


def read_answer(line: bytes) -> tuple[int, bytes, bytes]:
    """``(status, stdout, stderr)`` from an answer line; ``ValueError`` says what is wrong."""
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if not isinstance(record, dict):
        raise ValueError(f"a JSON {type(record).__name__}, not an object")
    status = record.get("status", 0)
    if not isinstance(status, int) or isinstance(status, bool):
        raise ValueError(f"'status' must be an integer, got {status!r}")
    try:
        return status, _field(record, "stdout"), _field(record, "stderr")
    except (ValueError, TypeError) as exc:
        raise ValueError(str(exc)) from None


class _Helper:
    """One running helper process and what it has written so far."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        if process.stdin is None or process.stdout is None or process.stderr is None:
            raise AssertionError("the helper was started without its three pipes")
        self.process = process
        #: Its stdin, stdout and stderr, non-blocking: one selector serves all three.
        self.pipes: tuple[IO[bytes], IO[bytes], IO[bytes]] = (
            process.stdin,
            process.stdout,
            process.stderr,
        )
        for pipe in self.pipes:
            os.set_blocking(pipe.fileno(), False)
        self.stdout = bytearray()
        self.stderr = bytearray()

    def stderr_tail(self) -> str:
        text = bytes(self.stderr[-_STDERR_TAIL:]).decode("utf-8", "replace").strip()
        return f"; its stderr ends: {text}" if text else ""

    def stop(self, grace: float) -> None:
        """Close its stdin, give it ``grace`` seconds to exit, then kill its process group."""
        process = self.process
        with contextlib.suppress(OSError):
            self.pipes[0].close()
        if grace > 0:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(grace)
        # Kill before reaping: the group id names only this helper's processes
        # until its leader is reaped.
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        for stream in self.pipes[1:]:
            with contextlib.suppress(OSError):
                stream.close()


class LinesTransport(ClosesOnExit):
    """Sends each input to one long-running helper, one protocol line per input.

    ``argv`` starts the helper (no ``{input_dir}``-style placeholders: there is one
    process for every input). The helper is started at the first :meth:`send` and
    again after a failure; :meth:`close` ends it.

    >>> helper = LinesTransport(["extract_json_helper", "--lines"])
    >>> helper.render("{}").stdin
    b'{"stdin": "{}"}\\n'
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        timeout: float = 10.0,
        max_output_bytes: int = 10_000_000,
        env: Mapping[str, str] = _NO_ENV,
        cwd: str | None = None,
        secrets: Sequence[Secret] = (),
    ) -> None:
        if isinstance(argv, str) or not argv or not all(isinstance(a, str) for a in argv):
            raise ConfigError(
                f"argv={argv!r} must be a non-empty list of strings, like ['helper', '--lines']"
            )
        used = [p for p in _PLACEHOLDERS if any(p in arg for arg in argv)]
        if used:
            raise ConfigError(
                f"argv {shlex.join(argv)!r} uses {used[0]}, but mode = 'lines' runs one "
                "process for every input; use mode = 'spawn' for a helper that takes paths"
            )
        if timeout <= 0:
            raise ConfigError(f"timeout={timeout!r} must be a positive number of seconds")
        if max_output_bytes <= 0:
            raise ConfigError(f"max_output_bytes={max_output_bytes!r} must be positive")
        self.argv = tuple(argv)
        self.target = shlex.join(self.argv)
        self.timeout = timeout
        self.max_output_bytes = max_output_bytes
        self.env = dict(env)
        self.cwd = cwd
        #: Values in ``env`` that reproductions read from the environment.
        self.secrets = tuple(secrets)
        self._helper: _Helper | None = None
        #: Processes started so far (1 while the helper keeps running).
        self.started = 0

    def render(self, value: Input) -> CommandRequest:
        """The command and the one line :meth:`send` writes for ``value``."""
        if isinstance(value, FileTree):
            raise ConfigError(
                f"{self.target!r} runs with mode = 'lines', which sends one line per input; "
                "a FileTree input needs mode = 'spawn' with {input_dir} in argv"
            )
        try:
            payload = input_to_bytes(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"cannot turn a {type(value).__name__} input into bytes for {self.target!r}: {exc}"
            ) from None
        return CommandRequest(
            argv=self.argv,
            stdin=request_line(payload),
            env=dict(self.env),
            cwd=self.cwd,
            secrets=self.secrets,
        )

    def send(self, value: Input) -> Outcome:
        """Write ``value``'s line to the helper and read its answer line."""
        request = self.render(value)
        started = time.perf_counter()
        helper = self._helper
        if helper is None:
            try:
                helper = self._helper = self._start()
            except OSError as exc:
                reason = exc.strerror or str(exc)
                detail = f"cannot run {self.argv[0]!r}: {reason}; check the argv in the config"
                elapsed = time.perf_counter() - started
                return Outcome(None, elapsed=elapsed, failure=Failure.UNREACHABLE, detail=detail)
        outcome = self._exchange(helper, request.stdin, started)
        if outcome.failure is not None:
            self._discard(grace=0)  # out of step with us, or gone: the next input starts anew
        return outcome

    def _start(self) -> _Helper:
        process = subprocess.Popen(
            self.argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **self.env},
            cwd=self.cwd,
            start_new_session=True,
        )
        self.started += 1
        return _Helper(process)

    def _exchange(self, helper: _Helper, line: bytes, started: float) -> Outcome:
        stdin, stdout, stderr = helper.pipes
        deadline = started + self.timeout
        written = 0
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            selector.register(stderr, selectors.EVENT_READ)
            selector.register(stdin, selectors.EVENT_WRITE)
            while True:
                end = helper.stdout.find(b"\n")
                if end >= 0:
                    answer = bytes(helper.stdout[:end])
                    del helper.stdout[: end + 1]
                    return self._outcome(helper, answer, time.perf_counter() - started)
                if len(helper.stdout) > self.max_output_bytes:
                    return self._failure(
                        Failure.TOO_LARGE,
                        f"{self.argv[0]!r} wrote a line longer than {self.max_output_bytes} "
                        "bytes; raise max_output_bytes in the surface config if such answers "
                        "are expected",
                        started,
                    )
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    return self._failure(
                        Failure.TIMEOUT,
                        f"{self.argv[0]!r} did not answer within {self.timeout}s; killed its "
                        "process group",
                        started,
                    )
                for key, _ in selector.select(remaining):
                    if key.fileobj is stdin:
                        try:
                            written += os.write(key.fd, line[written : written + _CHUNK])
                        except BlockingIOError:
                            continue
                        except BrokenPipeError:
                            written = len(line)  # it stopped reading: its exit tells why
                        if written >= len(line):
                            selector.unregister(stdin)
                        continue
                    chunk = os.read(key.fd, _CHUNK)
                    if not chunk:
                        if key.fileobj is stdout:
                            return self._exited(helper, started)
                        selector.unregister(key.fileobj)
                    elif key.fileobj is stdout:
                        helper.stdout += chunk
                    else:
                        helper.stderr += chunk
                        del helper.stderr[:-_STDERR_TAIL]

    def _outcome(self, helper: _Helper, line: bytes, elapsed: float) -> Outcome:
        try:
            status, stdout, stderr = read_answer(line)
        except ValueError as problem:
            shown = line[:200].decode("utf-8", "replace")
            detail = (
                f"{self.argv[0]!r} answered {shown!r}, which is not a {LINES_PROTOCOL} answer "
                f"({problem}): with mode = 'lines' a helper answers each input with one line "
                '{"status": N, "stdout": "..."}' + helper.stderr_tail()
            )
            return Outcome(None, elapsed=elapsed, failure=Failure.CRASHED, detail=detail)
        return Outcome(status, body=stdout, elapsed=elapsed, stderr=stderr)

    def _exited(self, helper: _Helper, started: float) -> Outcome:
        process = helper.process
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(_EXIT_GRACE)
        code = process.returncode
        if code is None:
            how = "closed its standard output"
        elif code < 0:
            how = f"was killed by signal {_signal_name(-code)} ({-code})"
        else:
            how = f"exited with {code}"
        detail = f"{self.argv[0]!r} {how} before answering" + helper.stderr_tail()
        return Outcome(
            None,
            elapsed=time.perf_counter() - started,
            failure=Failure.CRASHED,
            detail=detail,
            stderr=bytes(helper.stderr),
        )

    def _failure(self, failure: Failure, detail: str, started: float) -> Outcome:
        return Outcome(None, elapsed=time.perf_counter() - started, failure=failure, detail=detail)

    def _discard(self, *, grace: float) -> None:
        helper, self._helper = self._helper, None
        if helper is not None:
            helper.stop(grace)

    def cancel(self) -> None:
        """End the call in progress on another thread: the helper's group is killed
        (the call then reports it crashed, and the next input starts a fresh one)."""
        helper = self._helper
        if helper is not None:
            with contextlib.suppress(OSError):
                os.killpg(helper.process.pid, signal.SIGKILL)

    def close(self) -> None:
        """End the helper: its stdin closes, and its process group is killed after a moment."""
        self._discard(grace=_EXIT_GRACE)

    def __repr__(self) -> str:
        return f"LinesTransport({self.target!r})"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
