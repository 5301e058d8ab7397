"""Two bundled sample runtimes of the lakehouse contract, and their launcher.

``rust_style`` behaves like the Rust gateway and ``go_style`` like its Go port;
each is correct by its own reading of the contract, and the divergences
between them come from the habits of the two languages (see each module's
docstring). :func:`start_sample_runtimes` starts both HTTP servers on free
loopback ports and tells where they listen and how to call their helpers::

    with start_sample_runtimes() as runtimes:
        httpx.post(runtimes.rust.base_url + runtimes.rust.routes["validator"], json=...)
        subprocess.run(runtimes.go.commands["extract_json"], input=b"...")

Each server runs as ``python -m lakehouse_samples.<side>_style.server --port 0``,
prints ``LISTENING <port>`` as its first line, and is ready when
``GET /health`` answers 200. Leaving the ``with`` block stops both, whatever
happened inside it; a server also exits by itself when the process that
started it is gone, so none is left behind even if the launcher is killed.

The package is an application under test, not part of difffuzz: it imports
neither difffuzz nor Hypothesis (each helper program starts a fresh interpreter
through this module), and a server that fails raises its own
:class:`SampleRuntimeError`, which ``difffuzz demo`` reports as the tool's
"runtime unreachable" error.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import IO, NoReturn

__all__ = ["SampleRuntime", "SampleRuntimeError", "SampleRuntimes", "start_sample_runtimes"]

STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 3.0

#: Surface -> path on each side (the embed and search routes differ by design).
ROUTES: Mapping[str, Mapping[str, str]] = {
    "rust": {"validator": "/v1/validate", "embed": "/ai/embed", "search": "/vectors/hybrid"},
    "go": {"validator": "/v1/validate", "embed": "/v1/embed", "search": "/v1/matrix/retrieve"},
}
_PACKAGES = {"rust": "lakehouse_samples.rust_style", "go": "lakehouse_samples.go_style"}


class SampleRuntimeError(RuntimeError):
    """A sample runtime did not come up, or stopped while it was in use.

    ``runtime`` is ``"rust"`` or ``"go"``; ``target`` is its URL once known,
    else the program it runs.
    """

    def __init__(self, message: str, *, runtime: str, target: str) -> None:
        super().__init__(message)
        self.runtime = runtime
        self.target = target


@dataclass(frozen=True)
class SampleRuntime:
    """Where one running sample runtime listens, and how to call its helpers.

    ``commands`` maps a CLI surface to its argv (``{input_dir}`` and
    ``{output_file}`` are the command transport's placeholders); ``routes``
    maps an HTTP surface to its path.
    """

    name: str
    base_url: str
    commands: Mapping[str, tuple[str, ...]]
    routes: Mapping[str, str]
    pid: int


def helper_commands(name: str) -> dict[str, tuple[str, ...]]:
    """The argv of each CLI helper of the ``"rust"`` or ``"go"`` sample runtime.

    >>> helper_commands("go")["materializer"][-2:]
    ('{input_dir}', '{output_file}')
    """
    package = _PACKAGES[name]
    return {
        "extract_json": (sys.executable, "-m", f"{package}.extract_json"),
        "session_log": (sys.executable, "-m", f"{package}.session_log"),
        "materializer": (
            sys.executable,
            "-m",
            f"{package}.materializer",
            "{input_dir}",
            "{output_file}",
        ),
    }


class _ServerProcess:
    """One sample server subprocess, from launch to a clean stop."""

    def __init__(self, name: str, argv: list[str]) -> None:
        self.name = name
        self.argv = argv
        self.base_url = ""
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        try:
            self.process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                # Its own process group: Ctrl-C in a terminal reaches only us, and
                # stop() can signal the server and anything it might spawn.
                start_new_session=True,
            )
        except OSError as exc:
            self._stderr.close()
            raise SampleRuntimeError(
                f"cannot start the {name} sample runtime ({' '.join(argv)}): {exc}",
                runtime=name,
                target=" ".join(argv),
            ) from exc

    def wait_ready(self, host: str, deadline: float) -> None:
        """Wait for ``LISTENING <port>`` and then a 200 from ``GET /health``."""
        # Imported here: every CLI helper imports this package, and must start fast.
        import urllib.error
        import urllib.request

        line = self._first_line(deadline)
        words = line.split()
        if len(words) != 2 or words[0] != "LISTENING" or not words[1].isdigit():
            self._fail(f"printed {line!r} instead of 'LISTENING <port>' as its first line")
        self.base_url = f"http://{host}:{words[1]}"
        problem = "no answer yet"
        while True:
            try:
                with urllib.request.urlopen(self.base_url + "/health", timeout=1.0) as answer:
                    if answer.status == 200:
                        return
                    problem = f"status {answer.status}"
            except (OSError, urllib.error.URLError) as exc:
                problem = str(exc)
            if self.process.poll() is not None:
                self._fail(f"exited ({describe_exit(self.process.returncode)}) before /health")
            if time.monotonic() > deadline:
                self._fail(f"GET {self.base_url}/health did not answer 200 in time ({problem})")
            time.sleep(0.05)

    def _first_line(self, deadline: float) -> str:
        assert self.process.stdout is not None
        received = b""
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while b"\n" not in received:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._fail(f"did not print 'LISTENING <port>' within {STARTUP_TIMEOUT:.0f} s")
                if selector.select(timeout=remaining):
                    chunk = os.read(self.process.stdout.fileno(), 4096)
                    if not chunk:
                        self.process.wait(timeout=STOP_TIMEOUT)
                        code = describe_exit(self.process.returncode)
                        self._fail(f"exited ({code}) before printing 'LISTENING <port>'")
                    received += chunk
        return received.split(b"\n", 1)[0].decode("utf-8", "replace").strip()

    def stderr_tail(self, limit: int = 2000) -> str:
        if self._stderr.closed:
            return ""
        self._stderr.flush()
        self._stderr.seek(0)
        text = self._stderr.read().decode("utf-8", "replace").strip()
        return text[-limit:]

    def _fail(self, problem: str) -> NoReturn:
        message = f"the {self.name} sample runtime {problem}; command: {' '.join(self.argv)}"
        tail = self.stderr_tail()
        message += f"; its stderr ends with:\n{tail}" if tail else "; it wrote nothing to stderr"
        raise SampleRuntimeError(message, runtime=self.name, target=self.base_url or self.argv[0])

    def exit_problem(self) -> str | None:
        """How the process ended, if it has; ``None`` while it runs."""
        code = self.process.poll()
        return None if code is None else describe_exit(code)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and reap it; safe to call twice."""
        if self.process.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.process.wait(timeout=STOP_TIMEOUT)
                    break
                except subprocess.TimeoutExpired:
                    continue
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._stderr.close()


def describe_exit(returncode: int) -> str:
    """``exit code 3`` or ``killed by SIGKILL``.

    >>> describe_exit(-9)
    'killed by SIGKILL'
    """
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


class SampleRuntimes:
    """Both sample runtimes, running; a context manager that stops them on exit.

    Made by :func:`start_sample_runtimes`. :meth:`check_alive` raises
    :class:`SampleRuntimeError` naming a server that died; leaving
    the ``with`` block does the same (after stopping the other one) unless the
    block is already raising.
    """

    def __init__(
        self, rust: SampleRuntime, go: SampleRuntime, processes: list[_ServerProcess]
    ) -> None:
        self.rust = rust
        self.go = go
        self._processes = processes

    def __iter__(self) -> Iterator[SampleRuntime]:
        return iter((self.rust, self.go))

    def __enter__(self) -> SampleRuntimes:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self.check_alive()
        finally:
            self.stop()

    def check_alive(self) -> None:
        """Raise :class:`SampleRuntimeError` if a server is no longer running."""
        for process in self._processes:
            problem = process.exit_problem()
            if problem is not None:
                process._fail(
                    f"at {process.base_url} (pid {process.process.pid}) stopped during the run "
                    f"({problem}); its answers after that are connection failures, not findings. "
                    "Start the sample runtimes again"
                )

    def stop(self) -> None:
        """Stop both servers; safe to call more than once."""
        for process in self._processes:
            process.stop()


def start_sample_runtimes(*, host: str = "127.0.0.1") -> SampleRuntimes:
    """Start both sample HTTP servers on free ports of ``host`` and wait until they answer.

    Raises :class:`SampleRuntimeError` (with the server's stderr) if
    one does not come up within :data:`STARTUP_TIMEOUT` seconds; nothing is
    left running in that case.
    """
    processes: list[_ServerProcess] = []
    try:
        for name in ("rust", "go"):
            argv = [
                sys.executable,
                "-m",
                f"{_PACKAGES[name]}.server",
                "--host",
                host,
                "--port",
                "0",
                "--parent-pid",
                str(os.getpid()),
            ]
            processes.append(_ServerProcess(name, argv))
        deadline = time.monotonic() + STARTUP_TIMEOUT
        for process in processes:
            process.wait_ready(host, deadline)
    except BaseException:
        for process in processes:
            process.stop()
        raise
    rust, go = (
        SampleRuntime(
            name=process.name,
            base_url=process.base_url,
            commands=helper_commands(process.name),
            routes=ROUTES[process.name],
            pid=process.process.pid,
        )
        for process in processes
    )
    return SampleRuntimes(rust, go, processes)
