"""The persistent mode of the sample helpers: ``--lines``, one input per line.

A helper started with ``--lines`` stays running and answers every line of its
standard input with one line, in difffuzz's ``difffuzz.lines/1`` protocol: each
request is ``{"stdin": "<text>"}`` (or ``{"stdin_base64": "..."}``), each answer
``{"status": N, "stdout": "<text>"}`` (or ``stdout_base64``) — the exit status and
output the same input gives a one-shot run, so both modes answer alike::

    $ echo '{"stdin": "{\\"a\\": 1}"}' | python -m lakehouse_samples.go_style.extract_json --lines
    {"status": 0, "stdout": "{\\"matched\\":true,\\"value\\":{\\"a\\":1}}\\n"}

A request line that is not in the protocol gets ``status`` 2 and the reason on
``stderr``, and the loop goes on. Written here from the protocol's description,
with the standard library only: the samples import nothing from difffuzz.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["Answer", "run_helper", "serve_lines"]

#: One input's bytes -> (exit status, standard output).
Answer = Callable[[bytes], tuple[int, bytes]]


def _text_or_base64(key: str, data: bytes) -> dict[str, str]:
    try:
        return {key: data.decode("utf-8")}
    except UnicodeDecodeError:
        return {f"{key}_base64": base64.b64encode(data).decode("ascii")}


def _payload(line: bytes) -> bytes:
    request: Any = json.loads(line)
    if not isinstance(request, dict):
        raise ValueError("a request line must be a JSON object")
    if "stdin_base64" in request:
        return base64.b64decode(request["stdin_base64"], validate=True)
    text = request.get("stdin", "")
    if not isinstance(text, str):
        raise ValueError("'stdin' must be a string")
    return text.encode("utf-8", "surrogatepass")


def serve_lines(answer: Answer) -> int:
    """Answer every request line on stdin until it closes; returns the exit status 0."""
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        try:
            payload = _payload(line)
        except (ValueError, TypeError) as error:
            record: dict[str, Any] = {"status": 2, "stdout": "", "stderr": f"bad request: {error}"}
        else:
            status, stdout = answer(payload)
            record = {"status": status, **_text_or_base64("stdout", stdout)}
        out.write(json.dumps(record).encode("ascii") + b"\n")
        out.flush()
    return 0


def run_helper(answer: Answer, argv: list[str] | None = None) -> int:
    """A helper's ``main``: one input from stdin, or ``--lines`` for the persistent mode."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--lines"]:
        return serve_lines(answer)
    if args:
        print(f"usage: {sys.argv[0]} [--lines]  (got {' '.join(args)!r})", file=sys.stderr)
        return 2
    status, stdout = answer(sys.stdin.buffer.read())
    sys.stdout.buffer.write(stdout)
    return status
