"""The lean HTTP path: httpcore's connection pool, used directly, with corked writes.

``httpx.Client`` is httpcore plus a request/response model, URL and header
normalisation, cookies, auth and redirect handling. A fuzzer needs none of that
per call (its URL and headers are fixed when the transport is built), and it
costs about as much as the exchange itself on loopback. So the HTTP transport
talks to httpcore, httpx's own transport layer, directly: the same connection
handling, the same HTTP/1.1 parser (h11), the same exceptions.

One more thing matters on a busy machine: httpcore writes the request headers
and the body in separate ``send`` calls, and each one can hand the CPU to the
runtime before the request is complete. :class:`CorkedStream` holds small
writes back until the first read, so a request leaves in one segment — what
``http.client`` does for a body that fits in one buffer.

No cookie jar: every request is independent of the ones before it, as it is in
a reproduction with ``curl``. No ``Accept-Encoding`` either: answers arrive as
the runtime writes them, and are compared as they arrive.
"""

from __future__ import annotations

import ssl
import typing

import httpcore

__all__ = ["CORK_LIMIT", "HTTPCORE_ERRORS", "CorkedBackend", "CorkedStream", "connection_pool"]

#: Writes held back until the first read, at most: a larger request goes out as
#: httpcore writes it, so a runtime that answers before reading it all (a 413)
#: is heard, as httpcore arranges for.
CORK_LIMIT = 64 * 1024

#: Every exception httpcore raises for a failed exchange (it has no common base).
HTTPCORE_ERRORS: tuple[type[Exception], ...] = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.ProxyError,
    httpcore.UnsupportedProtocol,
)


class CorkedStream(httpcore.NetworkStream):
    """A network stream whose small writes leave together, at the first read."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream
        self._pending: list[bytes] = []
        self._size = 0
        self._timeout: float | None = None

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if self._size + len(buffer) > CORK_LIMIT:
            self._stream.write(self._take() + buffer, timeout)
            return
        self._pending.append(buffer)
        self._size += len(buffer)
        self._timeout = timeout

    def _take(self) -> bytes:
        data = b"".join(self._pending)
        self._pending, self._size = [], 0
        return data

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._pending:
            try:
                self._stream.write(self._take(), self._timeout)
            except httpcore.WriteError as unsent:
                # As httpcore does for a write error: the runtime may have answered
                # and closed before taking the whole request. Read what it said.
                try:
                    return self._stream.read(max_bytes, timeout)
                except httpcore.NetworkError:
                    raise unsent from None
        return self._stream.read(max_bytes, timeout)

    def close(self) -> None:
        self._pending, self._size = [], 0
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        # The TLS handshake reads and writes on its own: nothing may be held back.
        return self._stream.start_tls(ssl_context, server_hostname, timeout)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class CorkedBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend, handing out :class:`CorkedStream` s."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return CorkedStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        return CorkedStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def connection_pool() -> httpcore.ConnectionPool:
    """A keep-alive pool for one runtime; TLS is set up only if an https URL needs it."""
    return httpcore.ConnectionPool(network_backend=CorkedBackend(), retries=0)
