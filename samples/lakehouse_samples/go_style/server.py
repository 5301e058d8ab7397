"""The Go-style sample stack: ``python -m lakehouse_samples.go_style.server --port 0``.

Serves, like the Go gateway and its daemons behind :4110::

    GET  /health               200 {"status":"ok"}
    POST /v1/validate          validator (go_style.validator)
    POST /v1/embed             embed     (go_style.embed)
    POST /v1/matrix/retrieve   search    (go_style.search)

On start it embeds the worker corpus, binds, and prints ``LISTENING <port>`` as
the first line on stdout. HTTP/1.1 with keep-alive; every answer carries a
Content-Length. net/http habits kept: routes are ``http.ServeMux`` patterns
with a method (``"POST /v1/embed"``); an unknown path answers
``404 page not found`` and a known path with another method
``Method Not Allowed``, both as text/plain with a trailing newline; there is no
body size limit (no ``MaxBytesReader``); a handler that panics gets no answer at
all: net/http recovers the panic, logs it and closes the connection.
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

__all__ = ["Mux", "main", "make_server"]

Handler = Callable[[bytes], tuple[int, bytes]]


class Mux(ThreadingHTTPServer):
    """A threading HTTP server with a ServeMux: ``"METHOD /path"`` patterns to handlers."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], patterns: Mapping[str, Handler]) -> None:
        super().__init__(address, MuxHandler)
        self.patterns = patterns


class MuxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; without TCP_NODELAY, Nagle and the
    # peer's delayed ACK add ~40 ms to every keep-alive answer.
    disable_nagle_algorithm = True
    server_version = "lakehouse-go-sample"
    sys_version = ""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        assert isinstance(self.server, Mux)
        body = self._read_body()
        path = urllib.parse.urlsplit(self.path).path
        handler = self.server.patterns.get(f"{method} {path}")
        if handler is None:
            allowed = [p.split(" ")[0] for p in self.server.patterns if p.endswith(" " + path)]
            if allowed:
                self._write(405, b"Method Not Allowed\n", "text/plain; charset=utf-8", allowed)
            else:
                self._write(404, b"404 page not found\n", "text/plain; charset=utf-8")
            return
        try:
            status, answer = handler(body)
        except Exception as exc:
            # net/http: "http: panic serving ...", then the connection is closed unanswered.
            sys.stderr.write(f"go-sample: http: panic serving {path}: {exc!r}\n")
            self.close_connection = True
            return
        self._write(status, answer, "application/json")

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _write(
        self, status: int, body: bytes, content_type: str, allowed: list[str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if allowed:
            self.send_header("Allow", ", ".join(sorted(allowed)))
        if content_type.startswith("text/plain"):
            self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # no access log, as net/http


def make_server(host: str, port: int) -> Mux:
    """Build the search index and bind; the caller runs ``serve_forever``."""
    # Imported here so that main() can pin numpy's thread pool before numpy loads.
    from lakehouse_samples.go_style._http_wire import encode
    from lakehouse_samples.go_style.embed import handle_embed
    from lakehouse_samples.go_style.search import SearchIndex
    from lakehouse_samples.go_style.validator import handle_validate

    index = SearchIndex.from_corpus()
    health = encode({"status": "ok"})
    patterns: dict[str, Handler] = {
        "GET /health": lambda _body: (200, health),
        "POST /v1/validate": handle_validate,
        "POST /v1/embed": handle_embed,
        "POST /v1/matrix/retrieve": index.handle,
    }
    return Mux((host, port), patterns)


def _watch_parent(parent_pid: int) -> None:
    # Exit when the launcher is gone, even if it was killed before it could stop us.
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os._exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Go-style lakehouse sample stack.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4110)
    parser.add_argument("--parent-pid", type=int, help="exit when this process is gone")
    options = parser.parse_args(argv)
    # One request is one small matrix-vector product: OpenBLAS worker threads only
    # add hand-offs (about 15 ms a search on two cores), so keep numpy single-threaded.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    server = make_server(options.host, options.port)
    if options.parent_pid is not None:
        threading.Thread(target=_watch_parent, args=(options.parent_pid,), daemon=True).start()
    print(f"LISTENING {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
