"""From a config's request spec to a live transport, and the pre-flight reachability check.

Both are the transport kind's (:mod:`difffuzz._transports.kind`): this module
only looks the kind up and says each unreachable runtime once.
"""

from __future__ import annotations

from difffuzz._config import Config, RequestSpec, RuntimeSpec
from difffuzz._exceptions import RuntimeUnreachable
from difffuzz._transports.base import Transport
from difffuzz._transports.kind import TRANSPORTS

__all__ = ["check_reachable", "open_transport", "unreachable_runtimes"]


def open_transport(request: RequestSpec, *, max_body_bytes: int) -> Transport:
    """Build the transport a request spec describes."""
    return TRANSPORTS.get(request.transport).open(request, max_body_bytes=max_body_bytes)


def check_reachable(surface: str, request: RequestSpec, runtime: RuntimeSpec) -> None:
    """Fail fast, with the fix, when a runtime cannot possibly answer.

    What that means is the transport kind's: an HTTP runtime must answer its
    health path (any status below 500), a helper program must exist. Raises
    :class:`RuntimeUnreachable`.
    """
    TRANSPORTS.get(request.transport).check_reachable(surface, request, runtime)


def unreachable_runtimes(config: Config) -> list[RuntimeUnreachable]:
    """Every runtime of ``config`` that cannot answer, each said once, before anything runs.

    The campaign checks each surface again as it starts it (a runtime may go down
    in between); this is for saying so first, not forty surfaces later.
    """
    found: dict[tuple[str, str], RuntimeUnreachable] = {}
    for surface in config.surfaces.values():
        for runtime in config.runtimes:
            request = surface.requests[runtime.name]
            key = (runtime.name, TRANSPORTS.get(request.transport).reach_key(request))
            if key in found:
                continue
            try:
                check_reachable(surface.name, request, runtime)
            except RuntimeUnreachable as unreachable:
                found[key] = unreachable
    return list(found.values())
