"""Send inputs to a runtime's helper program, one process per input.

Each call runs in its own process group (:mod:`.process`), so a timeout, a
finished call or an interrupted one (Ctrl-C, SIGTERM) ends the helper *and*
anything it spawned with one ``killpg``.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal, TypedDict, Unpack

from difffuzz._exceptions import ConfigError
from difffuzz._inputs import FileTree, Input, WireInput, input_to_bytes
from difffuzz._interruption import shielded
from difffuzz._outcome import Failure, Outcome
from difffuzz._secrets import Secret
from difffuzz._transports.base import ClosesOnExit, CommandRequest
from difffuzz._transports.process import Capture, kill_group, pump, signal_name

__all__ = [
    "INPUT_DIR",
    "INPUT_FILE",
    "OUTPUT_FILE",
    "CommandRenderer",
    "CommandTransport",
    "HelperParts",
]

INPUT_DIR = "{input_dir}"
INPUT_FILE = "{input_file}"
OUTPUT_FILE = "{output_file}"
_NO_ENV: Mapping[str, str] = MappingProxyType({})


class HelperParts(TypedDict, total=False):
    """How a helper process runs, beside its ``argv``: the keywords that
    :meth:`CommandRenderer.of`, :class:`CommandTransport` and
    :class:`~difffuzz._transports.lines.LinesTransport` share, passed on as one value."""

    env: Mapping[str, str]
    cwd: str | None
    secrets: Sequence[Secret]


@dataclass(frozen=True)
class CommandRenderer:
    """Turns inputs into one helper's process requests (placeholders unexpanded); runs nothing.

    >>> CommandRenderer.of(["helper", "{input_file}"]).render("x").stdin
    b'x'
    """

    argv: tuple[str, ...]
    stdin: Literal["input", "none"] = "input"
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None
    #: Values in ``env`` that reproductions read from the environment.
    secrets: tuple[Secret, ...] = ()

    @classmethod
    def of(
        cls,
        argv: Sequence[str],
        *,
        stdin: Literal["input", "none"] = "input",
        env: Mapping[str, str] = _NO_ENV,
        cwd: str | None = None,
        secrets: Sequence[Secret] = (),
    ) -> CommandRenderer:
        """Check the parts once (``ConfigError`` says what is wrong and the fix)."""
        if isinstance(argv, str) or not argv or not all(isinstance(a, str) for a in argv):
            raise ConfigError(
                f"argv={argv!r} must be a non-empty list of strings, like ['helper', '--flag']"
            )
        if stdin not in ("input", "none"):
            raise ConfigError(f"stdin={stdin!r} must be 'input' or 'none'")
        return cls(tuple(argv), stdin, dict(env), cwd, tuple(secrets))

    @property
    def target(self) -> str:
        return shlex.join(self.argv)

    def uses(self, placeholder: str) -> bool:
        return any(placeholder in arg for arg in self.argv)

    def render(self, value: Input) -> CommandRequest:
        """The process a :class:`CommandTransport` starts for ``value``."""
        if isinstance(value, WireInput):
            value = value.sent  # the mutated bytes, or the folder with one line mutated
        tree = value if isinstance(value, FileTree) else None
        if tree is not None and not self.uses(INPUT_DIR):
            raise ConfigError(
                f"a FileTree input needs {INPUT_DIR} in argv, but argv is {self.target!r}"
            )
        if tree is None and self.uses(INPUT_DIR):
            raise ConfigError(
                f"argv {self.target!r} uses {INPUT_DIR}, which needs a FileTree input; "
                f"got a {type(value).__name__} (use {INPUT_FILE} or stdin for it)"
            )
        if tree is not None and self.uses(INPUT_FILE):
            raise ConfigError(
                f"argv {self.target!r} uses {INPUT_FILE}, which cannot hold a FileTree input"
            )
        payload = b""
        if tree is None and (self.stdin == "input" or self.uses(INPUT_FILE)):
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


class CommandTransport(ClosesOnExit):
    """Runs ``argv`` once per input and turns its exit into an :class:`~difffuzz.Outcome`.

    The input goes to stdin (``stdin="input"``, not for FileTree inputs), and
    ``argv`` may use placeholders: ``{input_dir}`` (a fresh folder holding a
    FileTree input), ``{input_file}`` (a file holding the input bytes) and
    ``{output_file}`` (a path whose content, after exit, becomes the body
    instead of stdout). The status is the exit code. Each call runs in its own
    process group (:mod:`.process`). ``env``, ``cwd`` and ``secrets``
    (:class:`HelperParts`) go to its :class:`CommandRenderer`.

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
        **helper: Unpack[HelperParts],
    ) -> None:
        self.renderer = CommandRenderer.of(argv, stdin=stdin, **helper)
        if timeout <= 0:
            raise ConfigError(f"timeout={timeout!r} must be a positive number of seconds")
        if max_output_bytes <= 0:
            raise ConfigError(f"max_output_bytes={max_output_bytes!r} must be positive")
        self.argv = self.renderer.argv
        self.target = self.renderer.target
        self.timeout = timeout
        self.max_output_bytes = max_output_bytes
        #: The process group of the call in progress (for :meth:`cancel`).
        self._group: int | None = None
        self._group_lock = threading.Lock()

    def render(self, value: Input) -> CommandRequest:
        """The process :meth:`send` starts for ``value`` (placeholders unexpanded)."""
        return self.renderer.render(value)

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
        if self.renderer.uses(INPUT_FILE):
            places[INPUT_FILE] = scratch / "input.bin"
            places[INPUT_FILE].write_bytes(request.stdin)
        if self.renderer.uses(OUTPUT_FILE):
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
                    with self._group_lock:
                        self._group = process.pid
                except OSError as exc:
                    detail = _spawn_failure(exc, argv[0], request.cwd)
                    elapsed = time.perf_counter() - started
                    return Outcome(
                        None, elapsed=elapsed, failure=Failure.UNREACHABLE, detail=detail
                    )
            capture = pump(process, request.stdin, started + self.timeout, self.max_output_bytes)
        finally:
            if process is not None:
                # Kill before reaping: until the leader is reaped its pid cannot be
                # reused, so the group id still names only this call's processes.
                with self._group_lock:
                    kill_group(process.pid)
                    self._group = None
                process.wait()
                for stream in (process.stdin, process.stdout, process.stderr):
                    if stream is not None:
                        with contextlib.suppress(OSError):
                            stream.close()
        elapsed = time.perf_counter() - started
        return self._outcome(process.returncode, capture, output_file, elapsed)

    def _outcome(
        self, returncode: int, capture: Capture, output_file: Path | None, elapsed: float
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
            name = signal_name(-returncode)
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

    def cancel(self) -> None:
        """End the call in progress on another thread: its process group is killed.

        A :class:`~difffuzz._transports.pair.TransportPair` interrupted on one side
        uses it, so that the other side's helper does not outlive the campaign.
        """
        with self._group_lock:
            if self._group is not None:
                kill_group(self._group)

    def close(self) -> None:
        """Nothing stays open between calls; present for the Transport protocol."""

    def __repr__(self) -> str:
        return f"CommandTransport({self.target!r})"


def _spawn_failure(exc: OSError, program: str, cwd: str | None) -> str:
    if cwd is not None and exc.filename == cwd:
        return f"cannot run {program!r}: the cwd {cwd!r} is missing ({exc.strerror}); fix cwd"
    reason = exc.strerror or str(exc)
    return f"cannot run {program!r}: {reason}; check the argv in the config"
