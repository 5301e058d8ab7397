"""Call a runtime that lives in this interpreter: a ``module:function`` target.

Useful for a reference implementation written in Python, and for the engine's
own tests. The function's return value and exceptions become an
:class:`~difffuzz.Outcome` by the conventions of :func:`outcome_from_answer`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from traceback import format_exception
from typing import Any

from difffuzz._exceptions import ConfigError
from difffuzz._inputs import Input, WireInput, json_bytes
from difffuzz._outcome import Failure, Outcome
from difffuzz._registry import import_from
from difffuzz._stack import FREE_FRAMES, free_frames
from difffuzz._transports.base import ClosesOnExit, PythonRequest

__all__ = ["PythonTransport", "outcome_from_answer", "python_request"]


def outcome_from_answer(answer: Any, elapsed: float) -> Outcome:
    """Turn what an in-process runtime returned into an Outcome.

    ``bytes`` or ``str`` become the body with status 0; a pair ``(int, body)``
    sets the status; an :class:`~difffuzz.Outcome` is kept (with ``elapsed``
    filled in when it has none); anything else is serialised as JSON, status 0.

    >>> outcome_from_answer((422, {"error": "to"}), 0.1).body
    b'{"error":"to"}'
    """
    if isinstance(answer, Outcome):
        if answer.elapsed:
            return answer
        return Outcome(
            status=answer.status,
            body=answer.body,
            headers=answer.headers,
            elapsed=elapsed,
            failure=answer.failure,
            detail=answer.detail,
            stderr=answer.stderr,
        )
    status = 0
    if (
        isinstance(answer, tuple)
        and len(answer) == 2
        and isinstance(answer[0], int)
        and not isinstance(answer[0], bool)
    ):
        status, answer = answer
    return Outcome(status=status, body=_body(answer), elapsed=elapsed)


def _body(answer: Any) -> bytes:
    if isinstance(answer, bytes | bytearray | memoryview):
        return bytes(answer)
    if isinstance(answer, str):
        # surrogatepass: a runtime that echoes a lone surrogate is seen doing so.
        return answer.encode("utf-8", "surrogatepass")
    return json_bytes(answer)


def _import_target(target: str, import_root: str | None = None) -> Callable[[Input], Any]:
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise ConfigError(
            f"python target {target!r} must be 'module:function', like 'mypkg.runtime:validate'"
        )
    try:
        found: Any = import_from(module_name, import_root)
    except ImportError as exc:
        where = f"{import_root} (the config's folder) and " if import_root else ""
        raise ConfigError(
            f"python target {target!r}: cannot import module {module_name!r} ({exc}); "
            f"check the name, and that it is in {where}sys.path"
        ) from exc
    for part in attribute.split("."):
        try:
            found = getattr(found, part)
        except AttributeError:
            raise ConfigError(
                f"python target {target!r}: {module_name!r} has no attribute {attribute!r}"
            ) from None
    if not callable(found):
        raise ConfigError(
            f"python target {target!r} is a {type(found).__name__}, not a function; "
            "name a callable that takes the input"
        )
    return found  # type: ignore[no-any-return]


def python_request(target: str, value: Input) -> PythonRequest:
    """The call of ``target`` a :class:`PythonTransport` makes for ``value`` (a mutated
    document: its bytes); importing nothing."""
    if isinstance(value, WireInput):
        value = value.sent
    return PythonRequest(target=target, argument=value)


class PythonTransport(ClosesOnExit):
    """Calls ``module:function`` with each input, in this interpreter.

    With ``timeout`` set, each call runs on its own daemon thread and a call
    that overruns is reported as TIMEOUT; Python cannot stop the thread, so it
    finishes in the background.

    >>> PythonTransport("operator:neg").send(3).body
    b'-3'
    """

    def __init__(
        self, target: str, *, timeout: float | None = None, import_root: str | None = None
    ) -> None:
        if timeout is not None and timeout <= 0:
            raise ConfigError(f"timeout={timeout!r} must be a positive number of seconds or None")
        self.target = target
        self.timeout = timeout
        self.function = _import_target(target, import_root)

    def render(self, value: Input) -> PythonRequest:
        """The call :meth:`send` makes for ``value`` (a mutated document: its bytes)."""
        return python_request(self.target, value)

    def send(self, value: Input) -> Outcome:
        """Call the function; an exception it raises becomes a CRASHED outcome."""
        value = self.render(value).argument
        started = time.perf_counter()
        if self.timeout is None:
            answer, error = self._call(value)
        else:
            answers: list[tuple[Any, BaseException | None]] = []
            worker = threading.Thread(
                target=lambda: answers.append(self._call(value)),
                name=f"difffuzz {self.target}",
                daemon=True,
            )
            worker.start()
            worker.join(self.timeout)
            if not answers:
                return Outcome(
                    status=None,
                    elapsed=time.perf_counter() - started,
                    failure=Failure.TIMEOUT,
                    detail=f"{self.target} did not return within {self.timeout}s",
                )
            answer, error = answers[0]
        elapsed = time.perf_counter() - started
        if error is not None:
            return _crash(self.target, error, elapsed)
        try:
            return outcome_from_answer(answer, elapsed)
        except (TypeError, ValueError) as exc:
            return _crash(self.target, exc, elapsed, what="returned a value with no JSON form")

    def _call(self, value: Input) -> tuple[Any, BaseException | None]:
        # SystemExit too: a runtime calling sys.exit() must not end the campaign.
        with free_frames(FREE_FRAMES):
            try:
                return self.function(value), None
            except (Exception, SystemExit) as exc:
                return None, exc

    def close(self) -> None:
        """Nothing to release; present for the Transport protocol."""

    def __repr__(self) -> str:
        return f"PythonTransport({self.target!r})"


def _crash(target: str, error: BaseException, elapsed: float, what: str = "raised") -> Outcome:
    formatted = "".join(format_exception(error))
    return Outcome(
        status=None,
        elapsed=elapsed,
        failure=Failure.CRASHED,
        detail=f"{target} {what} {type(error).__name__}: {error}",
        stderr=formatted.encode("utf-8", "backslashreplace"),
    )
