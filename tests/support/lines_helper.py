"""A helper that speaks ``difffuzz.lines/1`` and misbehaves on request, for transport tests.

Run as ``python tests/support/lines_helper.py``. It answers each request line by
echoing the input as stdout, unless the input starts with a command:

* ``status:N:text`` — answer with status N, stdout ``text`` and stderr ``err:text``;
* ``exit:N`` — write ``dying`` to stderr and exit with N without answering;
* ``hang`` — never answer; ``garbage`` — answer a line that is not JSON;
* ``big:N`` — answer a line of N bytes; ``pid`` — answer with this process's pid.

Standard library only, and no difffuzz import: it stands for a helper written in
any language from the protocol's description.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time


def _answer(payload: bytes) -> bytes | None:
    text = payload.decode("utf-8", "replace")
    command, _, rest = text.partition(":")
    if command == "status":
        status, _, body = rest.partition(":")
        record = {"status": int(status), "stdout": body, "stderr": f"err:{body}"}
    elif command == "exit":
        sys.stderr.write("dying\n")
        sys.stderr.flush()
        os._exit(int(rest))
    elif text == "hang":
        time.sleep(3600)
    elif text == "garbage":
        return b"this is not json\n"
    elif command == "big":
        return b"x" * int(rest) + b"\n"
    elif text == "pid":
        record = {"stdout": str(os.getpid())}
    else:
        record = {"stdout_base64": base64.b64encode(payload).decode("ascii")}
    return json.dumps(record).encode("ascii") + b"\n"


def main() -> None:
    for line in sys.stdin.buffer:
        request = json.loads(line)
        if "stdin_base64" in request:
            payload = base64.b64decode(request["stdin_base64"])
        else:
            payload = request["stdin"].encode("utf-8")
        answer = _answer(payload)
        if answer is not None:
            sys.stdout.buffer.write(answer)
            sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
