"""A small threaded HTTP/1.1 server on 127.0.0.1 for transport tests.

It records every request, counts accepted connections (to check keep-alive),
and answers with whatever :class:`Reply` the handler returns, including the
misbehaviours a runtime can show: a slow answer, a trickle, a connection
dropped mid-answer, bytes that are not HTTP, and bodies far larger than memory
should hold (streamed, never built).

    with LoopbackServer() as server:          # echoes request bodies
        httpx.post(server.url + "/x", content=b"hi")
        assert server.requests[0].body == b"hi"
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

__all__ = ["LoopbackServer", "RecordedRequest", "Reply", "echo"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it; header names lower-cased."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    connection: int  # 1 for the first accepted connection, 2 for the next...


@dataclass(frozen=True)
class Reply:
    """How to answer one request.

    ``repeat`` sends ``body`` that many times (a huge body without holding it);
    ``chunked`` omits Content-Length; ``delay`` waits before answering and
    ``pause`` between body pieces; ``drop_after`` sends that many body bytes of
    a longer declared body and closes; ``raw`` sends those bytes instead of an
    HTTP answer and closes (``raw=b""``: hang up without answering).
    """

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    repeat: int = 1
    chunked: bool = False
    delay: float = 0.0
    pause: float = 0.0
    drop_after: int | None = None
    raw: bytes | None = None


def echo(request: RecordedRequest) -> Reply:
    """The echo runtime: the request body back, with its content type."""
    content_type = request.headers.get("content-type", "application/octet-stream")
    return Reply(body=request.body, headers={"Content-Type": content_type})


Handler = Callable[[RecordedRequest], Reply]


class LoopbackServer:
    """An HTTP server on ``127.0.0.1`` and a free port, answering per ``handler``."""

    def __init__(self, handler: Handler = echo) -> None:
        self.handler = handler
        self.requests: list[RecordedRequest] = []
        self.connections = 0  # accepted so far
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._open)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, end open connections and wait for the serving thread."""
        self._stopping.set()
        self._server.shutdown()
        with self._lock:
            for conn in self._open:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # Called from the per-connection threads.
    def _accepted(self, conn: socket.socket) -> int:
        with self._lock:
            self.connections += 1
            self._open.add(conn)
            return self.connections

    def _closed(self, conn: socket.socket) -> None:
        with self._lock:
            self._open.discard(conn)

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)


def _handler_class(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class _Connection(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse is observable
        timeout = 10  # an idle kept-alive connection does not hold its thread forever
        number = 0

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in separate writes; without NODELAY the
            # second waits on the client's delayed ACK (~40 ms per request).
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.number = server._accepted(self.connection)

        def finish(self) -> None:
            with contextlib.suppress(OSError):
                super().finish()
            server._closed(self.connection)

        def handle_one_request(self) -> None:
            # A client that hangs up mid-answer is a scenario under test, not an error.
            try:
                super().handle_one_request()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: test output is not the place for access logs."""

        def _answer(self) -> None:
            request = RecordedRequest(
                method=self.command,
                path=self.path,
                headers={name.lower(): value for name, value in self.headers.items()},
                body=self._body(),
                connection=self.number,
            )
            server._record(request)
            reply = server.handler(request)
            if reply.delay and server._stopping.wait(reply.delay):
                self.close_connection = True
                return
            if reply.raw is not None:
                self.wfile.write(reply.raw)
                self._hang_up()
                return
            self._send(reply)

        def _body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
                return self.rfile.read(int(self.headers.get("Content-Length", "0")))
            pieces = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                pieces.append(self.rfile.read(size))
                self.rfile.readline()  # the CRLF after each chunk
            while self.rfile.readline().strip():  # trailers, up to the blank line
                pass
            return b"".join(pieces)

        def _send(self, reply: Reply) -> None:
            size = len(reply.body) * reply.repeat
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(size))
            self.end_headers()
            sent = 0
            for piece in _pieces(reply):
                if reply.drop_after is not None and sent + len(piece) > reply.drop_after:
                    self.wfile.write(piece[: reply.drop_after - sent])
                    self._hang_up()
                    return
                sent += len(piece)
                if reply.chunked:
                    piece = b"%x\r\n%s\r\n" % (len(piece), piece)
                self.wfile.write(piece)
                if reply.pause and server._stopping.wait(reply.pause):
                    return
            if reply.chunked:
                self.wfile.write(b"0\r\n\r\n")

        def _hang_up(self) -> None:
            self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    return _Connection


def _pieces(reply: Reply) -> Iterator[bytes]:
    # Bodies go out in pieces so a large one is streamed, and a pause or a
    # drop can fall between pieces.
    piece_size = 16384
    for _ in range(reply.repeat):
        for start in range(0, len(reply.body), piece_size):
            yield reply.body[start : start + piece_size]
