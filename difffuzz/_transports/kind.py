"""What one kind of transport knows: the registry entry a config's ``transport`` names.

A kind (``http``, ``command``, ``python``) is one :class:`TransportKind` in
:data:`TRANSPORTS`. It is the only place that knows what its requests need
and mean, so nothing else switches on the kind's name:

* the config asks it what a request lacks (:meth:`TransportKind.problem`);
* the plan asks it for a live transport (:meth:`~TransportKind.open`), and the
  pre-flight check whether the runtime can answer at all
  (:meth:`~TransportKind.check_reachable`);
* reports ask it, without opening anything, for the request an input becomes
  (:meth:`~TransportKind.renderer`) and the shell line that sends it again
  (:meth:`~TransportKind.reproduce`);
* the judge asks which statuses are answers (:meth:`~TransportKind.answer_status`),
  the wire layer what reaches the wire (:meth:`~TransportKind.wire_traits`).

Adding a transport is one entry: a subclass, registered with
``TRANSPORTS.register(name, kind, origin=...)`` (the built-ins are in
:mod:`difffuzz._transports.kinds`, registered by
:func:`difffuzz._builtins.load_builtins`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from difffuzz._inputs import Input
from difffuzz._registry import Registry
from difffuzz._transports.base import Request, Transport

if TYPE_CHECKING:
    from difffuzz._config.records import RequestSpec, RuntimeSpec

__all__ = ["TRANSPORTS", "Renderer", "TransportKind", "WireTraits"]

#: Renders one input into the request a transport would make, without sending it.
Renderer = Callable[[Input], Request]


@dataclass(frozen=True)
class WireTraits:
    """What the wire-mutation layer needs to know of one request (see difffuzz._wire)."""

    #: The runtime reads JSON from the input: the layer is on by default ("auto").
    reads_json: bool
    #: Documents may be embedded in prose (a helper's text, a raw body).
    prose: bool = False
    #: The input is an HTTP body: the opt-in HTTP-level variants apply.
    http: bool = False
    #: The input reaches the runtime as a value, so the layer sends every value as bytes.
    as_bytes: bool = False


class TransportKind:
    """One kind of transport (see the module docstring); subclass it for a new one.

    The defaults suit a runtime that answers with an exit status: status 0 is
    an answer, an empty one is not.
    """

    #: The name a config gives it (``transport = "http"``).
    name: str = ""
    #: A request of this kind imports code from ``cwd``: it defaults to the config's folder.
    cwd_is_config_folder: bool = False

    def problem(self, request: RequestSpec) -> str | None:
        """What ``request`` lacks to be sent (the fix included), or None."""
        return None

    def describe(self, request: RequestSpec) -> str:
        """Where the requests go, for messages: a URL, an argv or a callable."""
        raise NotImplementedError

    def reach_key(self, request: RequestSpec) -> str:
        """Requests with one key reach one thing: its reachability is said once."""
        return self.describe(request)

    #: An empty answer counts as one (an HTTP 204 does; a helper that exits 0 and
    #: prints nothing did not answer).
    empty_answers: bool = False

    def answer_status(self, status: int) -> bool:
        """Does ``status`` count as an answer when the surface lists no ``answer_status``?"""
        return status == 0

    def open(self, request: RequestSpec, *, max_body_bytes: int) -> Transport:
        """A live transport for ``request`` (connections, imports: what sending needs)."""
        raise NotImplementedError

    def renderer(self, request: RequestSpec) -> Renderer:
        """Renders inputs into this kind's requests; opens nothing, sends nothing."""
        raise NotImplementedError

    def reproduce(self, request: Request, *, python: str = "python3") -> str:
        """A bash command that sends ``request`` again, byte for byte."""
        raise NotImplementedError

    def check_reachable(self, surface: str, request: RequestSpec, runtime: RuntimeSpec) -> None:
        """Raise :class:`~difffuzz.RuntimeUnreachable`, with the fix, when the runtime
        cannot possibly answer (nothing listens, no such program)."""

    def wire_traits(self, request: RequestSpec) -> WireTraits:
        """What the wire layer may do to inputs of ``request`` (off by default)."""
        return WireTraits(reads_json=False)


#: Transport kinds by the name a config gives them; the built-ins are registered
#: by :func:`difffuzz._builtins.load_builtins`.
TRANSPORTS: Registry[TransportKind] = Registry(
    "transport", advice="A transport kind is a TransportKind registered in TRANSPORTS."
)
