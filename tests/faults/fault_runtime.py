"""A runtime that misbehaves on purpose: an HTTP server, or a helper program.

Both forms serve one tiny, correct service, the *length* surface: given a text,
answer ``{"text": <text>, "chars": <number of characters>}``. Its twin in a
fault test is the same service without faults, so any divergence a campaign
reports between them is false, unless the fault is made input-dependent
(``--plant`` counts UTF-8 bytes instead of characters: a real, planted bug).

Faults hit a share of requests (``--share``, drawn at random, so they do not
depend on the input), every request with ``--share 1``, or every Nth arrival of
the same request (``--on-repeat N``: a finding's confirming resends are
repeats; a helper needs ``--count-file`` for it):

=================  ===========================================================
``--fault``        what the runtime does instead of answering
=================  ===========================================================
``hang``           sleeps ``--hang-seconds`` before answering
``error500``       answers 500 with a JSON error body
``truncate``       declares the whole body, sends half of it, closes
``short-length``   declares a Content-Length 5 bytes short, sends all, closes
``reset``          sends the headers and part of the body, then a TCP reset
``flood``          streams a body of ``--flood-bytes`` bytes
``garbage``        answers 200 with an HTML page (not JSON)
``crash``          (helper) kills itself with SIGKILL
``stderr-only``    (helper) writes a traceback to stderr only and exits 1
=================  ===========================================================

``--die-after N`` makes the server exit abruptly on its request N+1 (a runtime
that dies mid-campaign). ``--count-file`` records one line per request, so a
test counts what reached the runtime. ``--echo-header NAME`` (server) and
``--echo-env NAME`` (helper) copy a credential into the answer, as a careless
error page or log line would. Helpers also honour ``--pid-dir`` (a file
per running helper, removed when it answers) and ``--hold-file`` (while that
file exists, a helper sleeps instead of answering: a call in progress when a
test sends a signal); ``--spawn-child`` leaves a sleeping grandchild behind.

    python tests/faults/fault_runtime.py serve --fault hang --share 0.1
    listening 43121
    printf 'é' | python tests/faults/fault_runtime.py helper --plant
    {"chars": 2, "text": "é"}

It uses the standard library only, and imports nothing from difffuzz.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

GARBAGE = b"<html><body><h1>Service temporarily unavailable</h1></body></html>\n"


def answer(text: str, *, plant: bool) -> bytes:
    """The service itself: the text and its length, as JSON."""
    chars = len(text.encode("utf-8", "surrogatepass")) if plant else len(text)
    return json.dumps({"chars": chars, "text": text}, sort_keys=True).encode("utf-8")


def _options(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["serve", "helper"])
    parser.add_argument("--fault", default="none")
    parser.add_argument("--share", type=float, default=1.0)
    parser.add_argument(
        "--on-repeat", type=int, default=0, help="strike on every Nth sight of one body"
    )
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--plant", action="store_true")
    parser.add_argument("--die-after", type=int, default=None)
    parser.add_argument("--hang-seconds", type=float, default=3600.0)
    parser.add_argument("--flood-bytes", type=int, default=64 * 1024 * 1024)
    parser.add_argument("--count-file", type=Path, default=None)
    parser.add_argument("--pid-dir", type=Path, default=None)
    parser.add_argument("--hold-file", type=Path, default=None)
    parser.add_argument("--echo-header", default="", help="copy this request header into the body")
    parser.add_argument(
        "--echo-env", default="", help="helper: copy this variable into the answer and stderr"
    )
    parser.add_argument("--spawn-child", action="store_true", help="helper: start a sleeping child")
    return parser.parse_args(argv)


class _Faults:
    """Decides, per request, whether the fault strikes (thread-safe).

    The draw depends on ``--seed`` and the request's number, never on its
    content. A server numbers its own requests; a helper, one process per
    call, numbers them by the lines already in ``--count-file``, so that a run
    with the same seed sees the same faults at the same calls. With
    ``--on-repeat`` what counts is how often the same request was seen before:
    a server remembers, a helper reads the digests in ``--count-file``.
    """

    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.lock = threading.Lock()
        self.requests = 0
        self.sightings: dict[str, int] = {}

    def count(self, body: bytes = b"") -> tuple[int, int]:
        """Record one request: (its number, how many times this body has arrived)."""
        digest = hashlib.sha256(body).hexdigest()[:16]
        with self.lock:
            if self.options.count_file is not None:
                with self.options.count_file.open("a+", encoding="utf-8") as stream:
                    stream.seek(0)
                    lines = stream.read().splitlines()
                    stream.write(f"{os.getpid()} {digest}\n")
                self.requests = len(lines) + 1
                seen = 1 + sum(1 for line in lines if line.endswith(f" {digest}"))
            else:
                self.requests += 1
                seen = self.sightings[digest] = self.sightings.get(digest, 0) + 1
            return self.requests, seen

    def strikes(self, number: int, seen: int) -> bool:
        if self.options.fault == "none":
            return False
        if self.options.on_repeat:
            # Every Nth time the same request arrives: whatever the campaign's order,
            # one of any N resends of an input (a finding's confirmations) is hit.
            return seen % int(self.options.on_repeat) == 0
        draw = random.Random(f"{self.options.seed}:{number}").random()
        return draw < float(self.options.share)


def serve(options: argparse.Namespace) -> None:
    # Imported here: a helper, started once per call, should not pay for it.
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    faults = _Faults(options)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes; without NODELAY the second
            # waits for the client's delayed ACK (~40 ms a request).
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

        def do_GET(self) -> None:
            self._send(200, b'{"ok": true}')

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            number, seen = faults.count(body)
            if options.die_after is not None and number > options.die_after:
                os._exit(1)  # no answer, no cleanup: a crash
            try:
                text = json.loads(body)["text"]
            except (ValueError, KeyError, TypeError, RecursionError):
                text = None
            if not isinstance(text, str):
                # Both sides refuse alike whatever a wire mutation sent: that is parity.
                self._send(400, b'{"error": "expected {\\"text\\": \\"...\\"}"}')
                return
            payload = answer(text, plant=options.plant)
            if options.echo_header:
                record = json.loads(payload)
                record["header"] = self.headers.get(options.echo_header, "")
                payload = json.dumps(record, sort_keys=True).encode("utf-8")
            if faults.strikes(number, seen):
                self._misbehave(payload)
            else:
                self._send(200, payload)

        def _send(
            self, status: int, payload: bytes, content_type: str = "application/json"
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _misbehave(self, payload: bytes) -> None:
            fault = options.fault
            if fault == "hang":
                time.sleep(options.hang_seconds)
                self._send(200, payload)
            elif fault == "error500":
                self._send(500, b'{"error": "internal server error"}')
            elif fault == "garbage":
                self._send(200, GARBAGE, "text/html")
            elif fault == "truncate":
                self._head(len(payload))
                self.wfile.write(payload[: len(payload) // 2])
                self._close()
            elif fault == "short-length":
                # "Connection: close": the client must not reuse the connection and
                # read the 5 extra bytes as the next answer (that would make the
                # fault hit a later request, at a moment that depends on timing).
                self._head(max(len(payload) - 5, 0), close=True)
                self.wfile.write(payload)
                self._close()
            elif fault == "reset":
                self._head(len(payload))
                self.wfile.write(payload[: len(payload) // 2])
                self.wfile.flush()
                # SO_LINGER with a zero timeout: close() sends a RST, not a FIN.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
                self.connection.close()
            elif fault == "flood":
                self._head(options.flood_bytes)
                piece = b" " * 65536
                sent = 0
                # The client stops reading at its limit: an OSError here is the point.
                with contextlib.suppress(OSError):
                    while sent < options.flood_bytes:
                        self.wfile.write(piece)
                        sent += len(piece)
                self._close()
            else:
                raise SystemExit(f"fault {fault!r} is not an HTTP fault")

        def _head(self, length: int, *, close: bool = False) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(length))
            if close:
                self.send_header("Connection", "close")
            self.end_headers()

        def _close(self) -> None:
            self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

        def handle_one_request(self) -> None:
            try:
                super().handle_one_request()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"listening {server.server_address[1]}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server.serve_forever(poll_interval=0.05)


def helper(options: argparse.Namespace) -> int:
    faults = _Faults(options)
    raw = sys.stdin.buffer.read()
    number, seen = faults.count(raw)
    marker = None
    if options.pid_dir is not None:
        marker = options.pid_dir / str(os.getpid())
        marker.write_text("running", encoding="utf-8")
    if options.spawn_child and options.pid_dir is not None:
        # A grandchild in the helper's process group, as a helper that forks would leave.
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
        (options.pid_dir / str(child.pid)).write_text("child", encoding="utf-8")
    text = raw.decode("utf-8", "surrogateescape")
    if options.hold_file is not None and options.hold_file.exists():
        if marker is not None:
            marker.write_text("holding", encoding="utf-8")
        time.sleep(options.hang_seconds)
    if options.fault == "stderr-only":
        sys.stderr.write("fatal: cannot load the model weights from /models/length.bin\n")
        return 1
    if faults.strikes(number, seen):
        if options.fault == "crash":
            os.kill(os.getpid(), signal.SIGKILL)
        elif options.fault == "hang":
            time.sleep(options.hang_seconds)
        elif options.fault == "garbage":
            sys.stdout.buffer.write(GARBAGE)
            return 0
        else:
            raise SystemExit(f"fault {options.fault!r} is not a helper fault")
    payload = answer(text, plant=options.plant)
    if options.echo_env:
        # The way a helper logs its configuration: the token on stderr and in the answer.
        value = os.environ.get(options.echo_env, "")
        sys.stderr.write(f"using {options.echo_env}={value}\n")
        payload = json.dumps({**json.loads(payload), "env": value}, sort_keys=True).encode()
    sys.stdout.buffer.write(payload + b"\n")
    if marker is not None:
        marker.unlink()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    options = _options(sys.argv[1:] if argv is None else argv)
    if options.mode == "serve":
        serve(options)
        return 0
    return helper(options)


if __name__ == "__main__":
    sys.exit(main())
