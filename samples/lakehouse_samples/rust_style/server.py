"""The Rust-style sample gateway: ``python -m lakehouse_samples.rust_style.server --port 0``.

Serves, like the axum gateway on :3100::

    GET  /health          200 "ok" (text/plain)
    POST /v1/validate     validator (rust_style.validator)
    POST /ai/embed        embed     (rust_style.embed)
    POST /vectors/hybrid  search    (rust_style.search)

On start it embeds the worker corpus, binds, and prints ``LISTENING <port>`` as
the first line on stdout. HTTP/1.1 with keep-alive; every answer carries a
Content-Length. axum habits kept: an unknown path is a 404 and a known path
with another method a 405, both with empty bodies; a body over 2 MiB (axum's
default limit) is a 413; a handler that panics answers 500 with an empty body
(``CatchPanicLayer``).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["BODY_LIMIT", "GatewayServer", "main", "make_server"]

BODY_LIMIT = 2 * 1024 * 1024
Route = Callable[[bytes], tuple[int, bytes]]


class GatewayServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its POST routes."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], routes: Mapping[str, Route]) -> None:
        super().__init__(address, GatewayHandler)
        self.routes = routes


class GatewayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; without TCP_NODELAY, Nagle and the
    # peer's delayed ACK add ~40 ms to every keep-alive answer.
    disable_nagle_algorithm = True
    server_version = "lakehouse-gateway-sample"
    sys_version = ""

    @property
    def routes(self) -> Mapping[str, Route]:
        assert isinstance(self.server, GatewayServer)
        return self.server.routes

    @property
    def route_path(self) -> str:
        return urllib.parse.urlsplit(self.path).path

    def do_GET(self) -> None:
        if self.route_path == "/health":
            self._answer(200, b"ok", "text/plain; charset=utf-8")
        else:
            self._discard_body()
            self._answer(405 if self.route_path in self.routes else 404, b"")

    def do_POST(self) -> None:
        route = self.routes.get(self.route_path)
        if route is None:
            self._discard_body()
            self._answer(405 if self.route_path == "/health" else 404, b"")
            return
        body = self._read_body()
        if body is None:
            self._answer(413, b"Failed to buffer the request body: length limit exceeded")
            return
        try:
            status, answer = route(body)
        except Exception as exc:  # a panic in a handler: CatchPanicLayer answers 500
            self.log_error("handler panicked: %r", exc)
            self._answer(500, b"")
            return
        self._answer(status, answer, "application/json")

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = _read_chunked(self)
        else:
            length = int(self.headers.get("Content-Length") or 0)
            if length > BODY_LIMIT:
                self.close_connection = True
                return None
            body = self.rfile.read(length)
        return None if len(body) > BODY_LIMIT else body

    def _discard_body(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            _read_chunked(self)
        else:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _answer(self, status: int, body: bytes, content_type: str | None = None) -> None:
        self.send_response(status)
        if status == 405:
            self.send_header("Allow", "GET,HEAD" if self.route_path == "/health" else "POST")
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        # Access logs would flood stderr during a campaign; errors still go through log_error.
        pass

    def log_error(self, format: str, *args: object) -> None:
        sys.stderr.write(f"rust-sample: {format % args}\n")


def _read_chunked(handler: BaseHTTPRequestHandler) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(parts)
        parts.append(handler.rfile.read(size))
        handler.rfile.readline()


def make_server(host: str, port: int) -> GatewayServer:
    """Build the search index and bind; the caller runs ``serve_forever``."""
    # Imported here so that main() can pin numpy's thread pool before numpy loads.
    from lakehouse_samples.rust_style.embed import handle_embed
    from lakehouse_samples.rust_style.search import SearchIndex
    from lakehouse_samples.rust_style.validator import handle_validate

    index = SearchIndex.from_corpus()
    routes = {
        "/v1/validate": handle_validate,
        "/ai/embed": handle_embed,
        "/vectors/hybrid": index.handle,
    }
    return GatewayServer((host, port), routes)


def _exit_with_parent(parent_pid: int) -> None:
    # If the launcher dies without cleaning up (SIGKILL), nothing else would stop us.
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os._exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Rust-style lakehouse sample gateway.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3100)
    parser.add_argument("--parent-pid", type=int, help="exit when this process is gone")
    options = parser.parse_args(argv)
    # One request is one small matrix-vector product: OpenBLAS worker threads only
    # add hand-offs (about 15 ms a search on two cores), so keep numpy single-threaded.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    server = make_server(options.host, options.port)
    if options.parent_pid is not None:
        threading.Thread(target=_exit_with_parent, args=(options.parent_pid,), daemon=True).start()
    print(f"LISTENING {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
