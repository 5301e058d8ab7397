"""Send inputs to a runtime's helper program, one process per input.

Each call runs in its own process group, so a timeout, a finished call or an
interrupted one (Ctrl-C, SIGTERM) ends the helper *and* anything it spawned
with one ``killpg``. Output is pumped
through a selector with a size limit instead of ``communicate()``, which would
buffer an endless writer until memory runs out.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shlex
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import IO, Literal

from difffuzz._exceptions import ConfigError
from difffuzz._inputs import FileTree, Input, WireInput, input_to_bytes
from difffuzz._interruption import shielded
from difffuzz._outcome import Failure, Outcome
from difffuzz._secrets import Secret
from difffuzz._transports.base import ClosesOnExit, CommandRequest

__all__ = ["CommandTransport"]

INPUT_DIR = "{input_dir}"
INPUT_FILE = "{input_file}"
OUTPUT_FILE = "{output_file}"
_CHUNK = 65536
# Without a pidfd (not Linux), exit is noticed by polling at this interval.
_POLL_INTERVAL = 0.01
_NO_ENV: Mapping[str, str] = MappingProxyType({})


@dataclass
class _Capture:
    """What came back from one helper process while it ran."""

    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    failure: Failure | None = None
    overflowed: str = ""  # "stdout" or "stderr" when TOO_LARGE


class CommandTransport(ClosesOnExit):
    """Runs ``argv`` once per input and turns its exit into an :class:`~difffuzz.Outcome`.

    The input goes to stdin (``stdin="input"``, not for FileTree inputs), and
    ``argv`` may use placeholders: ``{input_dir}`` (a fresh folder holding a
    FileTree input), ``{input_file}`` (a file holding the input bytes) and
    ``{output_file}`` (a path whose content, after exit, becomes the body
    instead of stdout). The status is the exit code.

    >>> helper = CommandTransport(["materialize", "{input_dir}", "{output_file}"])
    >>> helper.target
    "materialize '{input_dir}' '{output_file}'"
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        stdin: Literal["input", "none"] = "input",
        timeout: float = 10.0,
        max_output_bytes: int = 10_000_000,
        env: Mapping[str, str] = _NO_ENV,
        cwd: str | None = None,
        secrets: Sequence[Secret] = (),
    ) -> None:
        if isinstance(argv, str) or not argv or not all(isinstance(a, str) for a in argv):
            raise ConfigError(
                f"argv={argv!r} must be a non-empty list of strings, like ['helper', '--flag']"
            )
        if stdin not in ("input", "none"):
            raise ConfigError(f"stdin={stdin!r} must be 'input' or 'none'")
        if timeout <= 0:
            raise ConfigError(f"timeout={timeout!r} must be a positive number of seconds")
        if max_output_bytes <= 0:
            raise ConfigError(f"max_output_bytes={max_output_bytes!r} must be positive")
        self.argv = tuple(argv)
        self.target = shlex.join(self.argv)
        self.stdin = stdin
        self.timeout = timeout
        self.max_output_bytes = max_output_bytes
        self.env = dict(env)
        self.cwd = cwd
        #: Values in ``env`` that reproductions read from the environment.
        self.secrets = tuple(secrets)

    def _uses(self, placeholder: str) -> bool:
        return any(placeholder in arg for arg in self.argv)

    def render(self, value: Input) -> CommandRequest:
        """The process :meth:`send` starts for ``value`` (placeholders unexpanded)."""
        if isinstance(value, WireInput):
            value = value.sent  # the mutated bytes, or the folder with one line mutated
        tree = value if isinstance(value, FileTree) else None
        if tree is not None and not self._uses(INPUT_DIR):
            raise ConfigError(
                f"a FileTree input needs {INPUT_DIR} in argv, but argv is {self.target!r}"
            )
        if tree is None and self._uses(INPUT_DIR):
            raise ConfigError(
                f"argv {self.target!r} uses {INPUT_DIR}, which needs a FileTree input; "
                f"got a {type(value).__name__} (use {INPUT_FILE} or stdin for it)"
            )
        if tree is not None and self._uses(INPUT_FILE):
            raise ConfigError(
                f"argv {self.target!r} uses {INPUT_FILE}, which cannot hold a FileTree input"
            )
        payload = b""
        if tree is None and (self.stdin == "input" or self._uses(INPUT_FILE)):
            try:
                payload = input_to_bytes(value)
            except (TypeError, ValueError) as exc:
                raise ConfigError(
                    f"cannot turn a {type(value).__name__} input into bytes for "
                    f"{self.target!r}: {exc}"
                ) from None
        return CommandRequest(
            argv=self.argv,
            stdin=payload,
            tree=tree,
            env=dict(self.env),
            cwd=self.cwd,
            feeds_stdin=self.stdin == "input" and tree is None,
            secrets=self.secrets,
        )

    def send(self, value: Input) -> Outcome:
        """Run the helper on ``value``; its temp folder is removed afterwards."""
        request = self.render(value)
        with tempfile.TemporaryDirectory(prefix="difffuzz-") as scratch:
            argv, output_file = self._expand(request, Path(scratch))
            return self._run(argv, request, output_file)

    def _expand(self, request: CommandRequest, scratch: Path) -> tuple[list[str], Path | None]:
        places: dict[str, Path] = {}
        if request.tree is not None:
            folder = places[INPUT_DIR] = scratch / "input"
            folder.mkdir()
            for relpath, content in request.tree:
                path = (folder / relpath).resolve()
                if not path.is_relative_to(folder.resolve()):
                    raise ConfigError(f"FileTree path {relpath!r} leaves the input folder")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
        if self._uses(INPUT_FILE):
            places[INPUT_FILE] = scratch / "input.bin"
            places[INPUT_FILE].write_bytes(request.stdin)
        if self._uses(OUTPUT_FILE):
            places[OUTPUT_FILE] = scratch / "output"
        argv = []
        for arg in request.argv:
            # Plain replace, not str.format: other braces in argv are the user's.
            for placeholder, path in places.items():
                arg = arg.replace(placeholder, str(path))
            argv.append(arg)
        return argv, places.get(OUTPUT_FILE)

    def _run(self, argv: list[str], request: CommandRequest, output_file: Path | None) -> Outcome:
        feeds_stdin = request.feeds_stdin
        started = time.perf_counter()
        process: subprocess.Popen[bytes] | None = None
        try:
            # A stop signal inside Popen, after the fork, would orphan the helper:
            # it waits until `process` is set and the finally below can kill it.
            with shielded():
                try:
                    process = subprocess.Popen(
                        argv,
                        stdin=subprocess.PIPE if feeds_stdin else subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        env={**os.environ, **request.env},
                        cwd=request.cwd,
                        start_new_session=True,
                    )
                except OSError as exc:
                    detail = _spawn_failure(exc, argv[0], request.cwd)
                    elapsed = time.perf_counter() - started
                    return Outcome(
                        None, elapsed=elapsed, failure=Failure.UNREACHABLE, detail=detail
                    )
            capture = _pump(process, request.stdin, started + self.timeout, self.max_output_bytes)
        finally:
            if process is not None:
                # Kill before reaping: until the leader is reaped its pid cannot be
                # reused, so the group id still names only this call's processes.
                _kill_group(process.pid)
                process.wait()
                for stream in (process.stdin, process.stdout, process.stderr):
                    if stream is not None:
                        with contextlib.suppress(OSError):
                            stream.close()
        elapsed = time.perf_counter() - started
        return self._outcome(process.returncode, capture, output_file, elapsed)

    def _outcome(
        self, returncode: int, capture: _Capture, output_file: Path | None, elapsed: float
    ) -> Outcome:
        program = self.argv[0]
        stderr = bytes(capture.stderr)
        if capture.failure is Failure.TIMEOUT:
            detail = f"{program!r} did not finish within {self.timeout}s; killed its process group"
            return Outcome(
                None, elapsed=elapsed, failure=Failure.TIMEOUT, detail=detail, stderr=stderr
            )
        if capture.failure is Failure.TOO_LARGE:
            return self._too_large(
                f"wrote more than {self.max_output_bytes} bytes to {capture.overflowed}",
                elapsed,
                stderr,
            )
        if returncode < 0:
            name = _signal_name(-returncode)
            return Outcome(
                None,
                body=bytes(capture.stdout),
                elapsed=elapsed,
                failure=Failure.CRASHED,
                detail=f"{program!r} was killed by signal {name} ({-returncode})",
                stderr=stderr,
            )
        if output_file is None:
            return Outcome(returncode, body=bytes(capture.stdout), elapsed=elapsed, stderr=stderr)
        if not output_file.exists():
            detail = f"{program!r} exited with {returncode} without writing {OUTPUT_FILE}"
            return Outcome(returncode, elapsed=elapsed, detail=detail, stderr=stderr)
        if output_file.stat().st_size > self.max_output_bytes:
            return self._too_large(
                f"wrote more than {self.max_output_bytes} bytes to {OUTPUT_FILE}", elapsed, stderr
            )
        return Outcome(returncode, body=output_file.read_bytes(), elapsed=elapsed, stderr=stderr)

    def _too_large(self, what: str, elapsed: float, stderr: bytes) -> Outcome:
        detail = (
            f"{self.argv[0]!r} {what}; raise max_output_bytes in the surface config "
            "if such answers are expected"
        )
        return Outcome(
            None, elapsed=elapsed, failure=Failure.TOO_LARGE, detail=detail, stderr=stderr
        )

    def close(self) -> None:
        """Nothing stays open between calls; present for the Transport protocol."""

    def __repr__(self) -> str:
        return f"CommandTransport({self.target!r})"


def _spawn_failure(exc: OSError, program: str, cwd: str | None) -> str:
    if cwd is not None and exc.filename == cwd:
        return f"cannot run {program!r}: the cwd {cwd!r} is missing ({exc.strerror}); fix cwd"
    reason = exc.strerror or str(exc)
    return f"cannot run {program!r}: {reason}; check the argv in the config"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _kill_group(pgid: int) -> None:
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


def _pump(process: subprocess.Popen[bytes], stdin: bytes, deadline: float, limit: int) -> _Capture:
    """Feed stdin and drain stdout/stderr until the helper has exited and its pipes closed.

    When the helper itself exits, its process group is killed at once, so a
    leftover background child cannot hold the pipes open until the deadline.
    """
    capture = _Capture()
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
                _kill_group(process.pid)
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
