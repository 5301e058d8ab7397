"""Both runtimes asked at once: the pair's concurrency, its order when in turn, its errors.

Concurrency is shown without timing: both runtimes wait on one barrier, which
only opens when the two requests are in flight together. Asked in turn, the
first would wait alone until the barrier's timeout broke it.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from difffuzz import Outcome
from difffuzz._inputs import Input
from difffuzz._transports import (
    CommandTransport,
    HTTPTransport,
    LinesTransport,
    MockTransport,
    Transport,
    TransportPair,
)
from tests.support.loopback import LoopbackServer, RecordedRequest, Reply


def test_http_runtimes_are_asked_at_the_same_time() -> None:
    both_in_flight = threading.Barrier(2, timeout=5)

    def meet(request: RecordedRequest) -> Reply:
        both_in_flight.wait()
        return Reply(body=request.body)

    with (
        LoopbackServer(meet) as rust,
        LoopbackServer(meet) as go,
        HTTPTransport(rust.url, body="raw") as left,
        HTTPTransport(go.url, body="raw") as right,
        TransportPair(left, right) as pair,
    ):
        for body in (b"first", b"second"):
            answers = pair.send(body)
            assert [(a.status, a.body) for a in answers] == [(200, body), (200, body)]


def test_in_turn_the_left_runtime_answers_before_the_right_one_is_asked() -> None:
    calls: list[str] = []

    def side(name: str) -> MockTransport:
        def answer(value: Input) -> tuple[int, Any]:
            calls.append(f"{name} start")
            calls.append(f"{name} end")
            return 200, value

        return MockTransport(answer, target=name)

    with TransportPair(side("rust"), side("go"), concurrent=False) as pair:
        pair.send(1)
    assert calls == ["rust start", "rust end", "go start", "go end"]


@given(value=st.integers() | st.text(max_size=20), concurrent=st.booleans())
def test_the_pair_answers_as_the_two_transports_do(value: Input, concurrent: bool) -> None:
    left = MockTransport(lambda v: (200, {"left": v}))
    right = MockTransport(lambda v: (422, {"right": v}))
    with TransportPair(left, right, concurrent=concurrent) as pair:
        answers = pair.send(value)
    assert answers == (
        Outcome(200, body=answers[0].body, elapsed=answers[0].elapsed),
        Outcome(422, body=answers[1].body, elapsed=answers[1].elapsed),
    )
    assert (answers[0].json, answers[1].json) == ({"left": value}, {"right": value})
    assert left.sent == right.sent == [value]


@pytest.mark.parametrize("broken", ["left", "right"])
def test_a_raising_side_raises_after_both_calls_are_done(broken: str) -> None:
    finished: list[str] = []

    def answer(name: str) -> MockTransport:
        def handler(value: Input) -> tuple[int, Any]:
            if name == broken:
                raise RuntimeError(f"{name} double is broken")
            finished.append(name)
            return 200, value

        return MockTransport(handler)

    with (
        TransportPair(answer("left"), answer("right")) as pair,
        pytest.raises(RuntimeError, match=f"{broken} double is broken"),
    ):
        pair.send(1)
    assert finished == [{"left": "right", "right": "left"}[broken]]


def test_close_stops_the_thread_and_leaves_the_transports_open() -> None:
    with LoopbackServer() as server:
        left = HTTPTransport(server.url, body="raw")
        right = HTTPTransport(server.url, body="raw")
        pair = TransportPair(left, right)
        before = {t.name for t in threading.enumerate()}
        pair.send(b"x")
        started = {t.name for t in threading.enumerate()} - before
        assert any(right.target in name for name in started)
        pair.close()
        assert not any(right.target in t.name for t in threading.enumerate())
        assert left.send(b"still open").body == b"still open"
        assert right.send(b"still open").body == b"still open"
        pair.send(b"and the pair starts again when used")
        pair.close()
        left.close()
        right.close()


@pytest.mark.parametrize("mode", ["spawn", "lines"])
def test_an_interrupt_ends_the_other_sides_helper_call(mode: str, tmp_path: Path) -> None:
    """Ctrl-C lands in the caller's thread, on the left side; the right side's helper,
    on the pair's thread, must not outlive the example (nor the campaign)."""
    pid_file = tmp_path / "pid"
    hang = (
        "import os, sys, time\n"
        # Written whole, then renamed: the file exists only once it holds the PID.
        f"open({str(pid_file) + '.tmp'!r}, 'w').write(str(os.getpid()))\n"
        f"os.replace({str(pid_file) + '.tmp'!r}, {str(pid_file)!r})\n"
        "time.sleep(60)\n"
    )
    script = tmp_path / "hang.py"
    script.write_text(hang, encoding="utf-8")
    argv = [sys.executable, "-I", str(script)]
    right: Transport = (
        CommandTransport(argv, timeout=120)
        if mode == "spawn"
        else LinesTransport(argv, timeout=120)
    )

    def ctrl_c(value: Input) -> tuple[int, Any]:
        deadline = time.monotonic() + 30
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        raise KeyboardInterrupt

    started = time.monotonic()
    with TransportPair(MockTransport(ctrl_c), right) as pair, pytest.raises(KeyboardInterrupt):
        pair.send("x")
    assert time.monotonic() - started < 30
    pid = int(pid_file.read_text(encoding="utf-8"))
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()
    right.close()
