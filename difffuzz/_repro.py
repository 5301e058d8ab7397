"""Reproductions: copy-paste commands that send a finding's exact input again.

A finding's input is rendered into each runtime's request by that runtime's
transport kind, from the config alone (:func:`renderer_for`: nothing is opened
or sent), and the kind that sent a request writes the bash line that sends it
again (:func:`shell_command`; the quoting is :mod:`difffuzz._transports.shell`).
Bytes are delivered exactly as the transport sent them, because both come
from the transport's own :class:`~difffuzz._transports.base.Request`; secrets
are read from environment variables, never written.

>>> from difffuzz._transports.base import CommandRequest
>>> print(shell_command(CommandRequest(argv=("cat",), stdin=b"it's\\x00")))
printf 'it\\047s\\000' | cat
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from difffuzz._config import Config
from difffuzz._inputs import Input, input_literal
from difffuzz._results import Finding
from difffuzz._transports.base import Request
from difffuzz._transports.kind import TRANSPORTS, Renderer

__all__ = [
    "Reproduction",
    "RequestRenderer",
    "pytest_example",
    "renderer_for",
    "reproductions",
    "shell_command",
]

#: Renders one input of one surface into the (left, right) requests the
#: transports would send; ``None`` when the surface is unknown.
RequestRenderer = Callable[[str, Input], tuple[Request, Request] | None]


def shell_command(request: Request, *, python: str = "python3") -> str:
    """A bash command that sends ``request`` again, byte for byte: its kind writes it.

    ``python`` is the interpreter a ``python`` request's line runs.
    """
    kind = getattr(request, "kind", None)
    if not isinstance(kind, str):
        # A typed caller cannot get here; a report handed something else says so.
        raise TypeError(
            f"cannot build a reproduction for request {request!r} (type "
            f"{type(request).__name__}); expected a request a transport rendered"
        )
    return TRANSPORTS.get(kind).reproduce(request, python=python)


def pytest_example(finding: Finding, *, argument: str | None = None) -> str:
    """A ready ``@example(...)`` line for a Hypothesis test, from a finding's input.

    Pass ``argument`` to name the test's parameter; a ``FileTree`` input needs
    ``from difffuzz import FileTree`` next to the test, a mutated one
    ``from difffuzz import WireInput``.
    """
    literal = input_literal(finding.input)
    return f"@example({argument}={literal})" if argument else f"@example({literal})"


def renderer_for(config: Config) -> RequestRenderer:
    """A :data:`RequestRenderer` for every surface of ``config``, from its request specs.

    Each runtime's transport kind renders the request; no transport is opened
    (no connection, no helper, no import of a python target) and nothing is sent.
    A request that cannot be rendered fails when a reproduction is asked for.
    """
    renderers: dict[str, tuple[Renderer, Renderer]] = {}

    def pair(surface: str) -> tuple[Renderer, Renderer] | None:
        if surface not in renderers:
            spec = config.surfaces.get(surface)
            if spec is None:
                return None
            left, right = (spec.requests[name] for name in config.runtime_names)
            renderers[surface] = (
                TRANSPORTS.get(left.transport).renderer(left),
                TRANSPORTS.get(right.transport).renderer(right),
            )
        return renderers[surface]

    def render(surface: str, value: Input) -> tuple[Request, Request] | None:
        found = pair(surface)
        if found is None:
            return None
        return found[0](value), found[1](value)

    return render


@dataclass(frozen=True)
class Reproduction:
    """How to send a finding's input to one runtime again, by hand."""

    runtime: str
    command: str


def reproductions(
    surface: str, value: Input, runtimes: Sequence[str], render: RequestRenderer | None
) -> list[Reproduction]:
    """One shell command per runtime, or ``[]`` when no renderer is known.

    Rendering problems (an argv that cannot be quoted) become a visible note in
    place of the command, never an exception in the middle of a report.
    """
    if render is None:
        return []
    try:
        requests = render(surface, value)
    except Exception as exc:  # a report must not die on one surface's renderer
        return [Reproduction(runtime="?", command=f"# cannot render the requests: {exc!r}")]
    if requests is None:
        return []
    found = []
    for runtime, request in zip(runtimes, requests, strict=False):
        try:
            command = shell_command(request)
        except (TypeError, ValueError) as exc:
            command = f"# no shell reproduction: {exc}"
        found.append(Reproduction(runtime=runtime, command=command))
    return found
