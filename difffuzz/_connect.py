"""From a config's request spec to a live transport, and the pre-flight reachability check."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx

from difffuzz._config import Config, RequestSpec, RuntimeSpec
from difffuzz._exceptions import RuntimeUnreachable
from difffuzz._transports.base import Transport
from difffuzz._transports.command import CommandTransport
from difffuzz._transports.http import HTTPTransport
from difffuzz._transports.python import PythonTransport

__all__ = ["check_reachable", "open_transport", "unreachable_runtimes"]


def open_transport(request: RequestSpec, *, max_body_bytes: int) -> Transport:
    """Build the transport a request spec describes."""
    if request.transport == "http":
        return HTTPTransport(
            request.base_url,
            method=request.method,
            path=request.path,
            headers=request.headers,
            body=request.body,
            template=request.template,
            marker=request.marker,
            timeout=request.timeout,
            max_body_bytes=max_body_bytes,
            secrets=request.secrets,
        )
    if request.transport == "command":
        return CommandTransport(
            request.argv,
            stdin=request.stdin,
            timeout=request.timeout,
            max_output_bytes=max_body_bytes,
            env=request.env,
            cwd=request.cwd,
            secrets=request.secrets,
        )
    return PythonTransport(request.target, timeout=request.timeout, import_root=request.cwd)


def check_reachable(surface: str, request: RequestSpec, runtime: RuntimeSpec) -> None:
    """Fail fast, with the fix, when a runtime cannot possibly answer.

    HTTP runtimes must answer their health path (any status below 500);
    helper programs must exist. Raises :class:`RuntimeUnreachable`.
    """
    if request.transport == "http":
        if not runtime.health:
            return
        url = request.base_url.rstrip("/") + runtime.health
        try:
            response = httpx.get(url, timeout=min(request.timeout, 5.0))
        except httpx.HTTPError as exc:
            raise RuntimeUnreachable(
                f"runtime {runtime.name!r} is unreachable at {url} ({type(exc).__name__}: "
                f"{exc}). Start it, or fix runtimes.{runtime.name}.base_url (set "
                f'runtimes.{runtime.name}.health = "" if it has no health route).',
                runtime=runtime.name,
                target=url,
            ) from None
        if response.status_code >= 500:
            raise RuntimeUnreachable(
                f"runtime {runtime.name!r} is not healthy: GET {url} answered "
                f"{response.status_code}. Fix the runtime before fuzzing it.",
                runtime=runtime.name,
                target=url,
            )
    elif request.transport == "command":
        program = request.argv[0]
        found = shutil.which(program) if "/" not in program else program
        if found is None or not Path(found).exists():
            raise RuntimeUnreachable(
                f"surface {surface!r}: the helper {program!r} of runtime {runtime.name!r} "
                f"was not found. Fix surfaces.{surface}.runtimes.{runtime.name}.argv, or put "
                "the program on PATH.",
                runtime=runtime.name,
                target=" ".join(request.argv),
            )


def unreachable_runtimes(config: Config) -> list[RuntimeUnreachable]:
    """Every runtime of ``config`` that cannot answer, each said once, before anything runs.

    The campaign checks each surface again as it starts it (a runtime may go down
    in between); this is for saying so first, not forty surfaces later.
    """
    found: dict[tuple[str, str], RuntimeUnreachable] = {}
    for surface in config.surfaces.values():
        for runtime in config.runtimes:
            request = surface.requests[runtime.name]
            key = (
                runtime.name,
                request.base_url if request.transport == "http" else request.describe,
            )
            if key in found:
                continue
            try:
                check_reachable(surface.name, request, runtime)
            except RuntimeUnreachable as unreachable:
                found[key] = unreachable
    return list(found.values())
