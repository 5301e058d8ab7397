"""Throughput of difffuzz against the lean limit, on the sample runtimes, in one run.

The *lean limit* is the same inputs sent by a tight loop with the same
concurrency: the inputs difffuzz sent during its run (recorded on the way out),
replayed without generating, judging or shrinking anything. What is left between
the two figures is difffuzz's own cost per example. Measured, alternating, in
``--rounds`` rounds (medians):

* HTTP surfaces (``--http``, default validator and search): ``difffuzz run`` with
  both runtimes asked at once (the default) against an ``http.client`` keep-alive
  loop that asks them at once too (a thread for the right side, as difffuzz does);
  then ``concurrent = false`` against the same loop asking them in turn, and a
  ``httpx.Client`` loop in turn (the client difffuzz used before httpcore).
* helper surfaces (``--helpers``, default extract_json and session_log):
  ``difffuzz run`` spawning both helpers per input against the *spawn limit*
  (``subprocess.run`` of both per input, at once), and ``mode = "lines"`` against
  the same spawn limit and against the lines limit (one request line to each
  kept-running helper, at once).
* workers (``--workers``): each HTTP surface on one worker, then shared out over
  two (``difffuzz/_workers.py``): examples and shrink calls of both shares over
  the wall time of the whole run, worker start-up included.

The rate of a difffuzz run is its examples and shrink calls over the surface's
time, as its results record them (the same measure for ``--baseline``); worker
runs are measured over their whole wall time, worker start-up included.
The machine is shared and noisy: the load average is printed before and after,
and only ratios taken in one run mean anything.

    python benchmarks/bench_throughput.py [--examples 1500] [--helper-examples 150] [--rounds 2]
        [--workers] [--only http|helpers|workers ...] [--baseline DIR]

``--baseline DIR`` also runs another checkout's difffuzz (``git archive main |
tar -x -C DIR``) on the same surfaces, against the same runtimes, in the same
rounds; its rate is examples and shrink calls over its surface time (what its
results record), beside the same lean limit.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import httpx

import difffuzz._plan as plan_module
from difffuzz._config import Config, RequestSpec, load_config
from difffuzz._connect import open_transport
from difffuzz._engine import run_campaign
from difffuzz._inputs import Input
from difffuzz._transports import CommandTransport, HTTPTransport, Transport
from difffuzz._transports.lines import request_line
from lakehouse_samples import start_sample_runtimes
from lakehouse_samples.demo import write_sample_config

#: What the lean loops do with the right side: at once (a thread), or after the left.
Pairwise = Callable[[Callable[[Any], object], Callable[[Any], object], Sequence[Any]], float]


def both(
    left: Callable[[Any], object], right: Callable[[Any], object], items: Sequence[Any]
) -> float:
    """Pairs per second calling ``right`` on a thread while ``left`` runs, per item."""
    with ThreadPoolExecutor(max_workers=1) as other:
        started = time.perf_counter()
        for item in items:
            pending = other.submit(right, item)
            left(item)
            pending.result()
        return len(items) / (time.perf_counter() - started)


def in_turn(
    left: Callable[[Any], object], right: Callable[[Any], object], items: Sequence[Any]
) -> float:
    started = time.perf_counter()
    for item in items:
        left(item)
        right(item)
    return len(items) / (time.perf_counter() - started)


# --- difffuzz, with the inputs it sent recorded -------------------------------------


class Recording:
    """A transport that notes each input on its way to the real one."""

    def __init__(self, transport: Transport, sent: list[Input]) -> None:
        self.transport = transport
        self.target = transport.target
        self.sent = sent

    def render(self, value: Input) -> Any:
        return self.transport.render(value)

    def send(self, value: Input) -> Any:
        self.sent.append(value)
        return self.transport.send(value)

    def close(self) -> None:
        self.transport.close()


@contextlib.contextmanager
def recording_left_side(left: str) -> Iterator[list[Input]]:
    """Every input run_campaign sends to the runtime named ``left``, in order."""
    sent: list[Input] = []

    def open_recording(request: RequestSpec, *, max_body_bytes: int) -> Any:
        transport = open_transport(request, max_body_bytes=max_body_bytes)
        return Recording(transport, sent) if request.runtime == left else transport

    # The plan (difffuzz/_plan.py) looks the function up in its module when a
    # surface's transports are opened.
    names = vars(plan_module)
    names["open_transport"] = open_recording
    try:
        yield sent
    finally:
        names["open_transport"] = open_transport


def difffuzz_rate(config: Config) -> tuple[float, list[Input]]:
    """Examples and shrink calls a second of the surface's run, and the inputs it sent.

    The same measure as :func:`baseline_rate` (what a surface's results record),
    so that the two checkouts compare like with like.
    """
    with recording_left_side(config.runtime_names[0]) as sent:
        result = run_campaign(config, corpus=None)
    (surface,) = result.surfaces
    return (surface.stats.examples + surface.stats.shrink_calls) / surface.stats.elapsed, sent


def baseline_rate(root: Path, config_path: Path, surface: str, examples: int) -> float:
    """Another checkout's difffuzz on one surface: (examples + shrink calls) / surface time.

    Its config is this one without the keys an older difffuzz does not know (the
    helpers' ``mode = "lines"``: only HTTP surfaces are measured there).
    """
    text = config_path.read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("mode = "))
    older = config_path.with_name("baseline.toml")
    older.write_text(text.replace(', "--lines"', ""), encoding="utf-8")
    config_path = older
    script = (
        "import json, sys\n"
        "from difffuzz._config import load_config\n"
        "from difffuzz._engine import run_campaign\n"
        f"config = load_config({str(config_path)!r}).select([{surface!r}]).override("
        f"max_examples={examples}, seed=1, max_seconds=None)\n"
        "stats = run_campaign(config, corpus=None).surfaces[0].stats\n"
        "print(json.dumps([stats.examples + stats.shrink_calls, stats.elapsed]))\n"
    )
    paths = (
        [root, root / "samples"] if (root / "samples" / "lakehouse_samples").is_dir() else [root]
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in paths)}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, check=True
    ).stdout
    pairs, elapsed = json.loads(out.splitlines()[-1])
    return float(pairs) / float(elapsed)


# --- the lean loops ------------------------------------------------------------------------


def http_client_call(transport: HTTPTransport) -> Callable[[Input], object]:
    """One keep-alive http.client connection sending what ``transport`` would send."""
    url = httpx.URL(transport.url)
    connection = http.client.HTTPConnection(url.host, url.port)
    path = url.raw_path.decode("ascii")

    def call(value: Input) -> object:
        request = transport.render(value)
        connection.request(request.method, path, body=request.body, headers=request.headers)
        return connection.getresponse().read()

    return call


def httpx_call(transport: HTTPTransport, client: httpx.Client) -> Callable[[Input], object]:
    def call(value: Input) -> object:
        request = transport.render(value)
        return client.request(
            request.method, request.url, content=request.body, headers=request.headers
        ).read()

    return call


def spawn_call(transport: CommandTransport) -> Callable[[Input], object]:
    def call(value: Input) -> object:
        request = transport.render(value)
        return subprocess.run(request.argv, input=request.stdin, capture_output=True).stdout

    return call


def lines_call(
    argv: Sequence[str], processes: list[subprocess.Popen[bytes]]
) -> Callable[[Input], object]:
    from difffuzz._inputs import input_to_bytes

    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    processes.append(process)
    assert process.stdin is not None
    assert process.stdout is not None
    stdin, stdout = process.stdin, process.stdout

    def call(value: Input) -> object:
        stdin.write(request_line(input_to_bytes(value)))
        stdin.flush()
        return stdout.readline()

    return call


def transports(config: Config, surface: str) -> tuple[Transport, Transport]:
    spec = config.surfaces[surface]
    left, right = (
        open_transport(spec.requests[n], max_body_bytes=10**7) for n in config.runtime_names
    )
    return left, right


# --- configs ---------------------------------------------------------------------------------


def surface_config(config: Config, surface: str, examples: int, **campaign: Any) -> Config:
    return config.select([surface]).override(
        max_examples=examples, seed=1, max_seconds=None, **campaign
    )


def in_mode(config: Config, surface: str, mode: Literal["spawn", "lines"]) -> Config:
    """``surface`` with its helpers started per input, or kept running (``--lines``)."""
    spec = config.surfaces[surface]
    requests = {}
    for name, request in spec.requests.items():
        argv = tuple(arg for arg in request.argv if arg != "--lines")
        requests[name] = replace(
            request, mode=mode, argv=(*argv, "--lines") if mode == "lines" else argv
        )
    return replace(config, surfaces={**config.surfaces, surface: replace(spec, requests=requests)})


# --- the report --------------------------------------------------------------------------------


class Table:
    def __init__(self) -> None:
        self.rates: dict[tuple[str, str], list[float]] = {}
        self.limits: dict[tuple[str, str], tuple[str, ...]] = {}

    def add(self, surface: str, path: str, rate: float, *limits: str) -> None:
        self.rates.setdefault((surface, path), []).append(rate)
        self.limits[(surface, path)] = limits
        # Printed as it comes too: a run stopped half-way still says what it measured.
        print(f"  {surface:<13} {path:<46} {rate:>9.1f}  (load {load()})", flush=True)

    def rate(self, surface: str, path: str) -> float:
        return statistics.median(self.rates[(surface, path)])

    def print(self) -> None:
        print(f"{'surface':<13} {'path':<46} {'pairs/s':>9}  ratio")
        for (surface, path), _ in self.rates.items():
            ratios = "  ".join(
                f"{self.rate(surface, path) / self.rate(surface, limit):.2f}x {limit}"
                for limit in self.limits[(surface, path)]
            )
            print(f"{surface:<13} {path:<46} {self.rate(surface, path):>9.1f}  {ratios}")


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--http", nargs="*", default=["validator", "search"])
    parser.add_argument("--helpers", nargs="*", default=["extract_json", "session_log"])
    parser.add_argument("--examples", type=int, default=1500, help="per HTTP surface")
    parser.add_argument("--helper-examples", type=int, default=150, help="per helper surface")
    parser.add_argument("--spawn-inputs", type=int, default=40, help="inputs in the spawn loop")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", action="store_true", help="also measure 1 and 2 workers")
    parser.add_argument(
        "--worker-examples", type=int, default=2000, help="per HTTP surface, in the worker runs"
    )
    parser.add_argument("--baseline", type=Path, help="another checkout to measure beside")
    parser.add_argument(
        "--only",
        choices=["http", "helpers", "workers"],
        action="append",
        help="measure only these parts (repeatable; default: http and helpers, and workers "
        "with --workers)",
    )
    options = parser.parse_args()
    parts = set(options.only or ["http", "helpers", *(["workers"] if options.workers else [])])

    table = Table()
    print(f"load average before: {load()}")
    with start_sample_runtimes() as runtimes, tempfile.TemporaryDirectory() as folder:
        config_path = write_sample_config(runtimes, Path(folder), max_seconds=None)
        config = load_config(config_path)
        for _ in range(options.rounds):
            for surface in options.http if "http" in parts else ():
                measure_http(table, config, config_path, surface, options)
            for surface in options.helpers if "helpers" in parts else ():
                measure_helper(table, config, surface, options)
            if "workers" in parts:
                measure_workers(table, config_path, options)
    print(f"load average after:  {load()}")
    print(
        f"rounds: {options.rounds} (medians); HTTP surfaces {options.examples} examples, "
        f"helper surfaces {options.helper_examples}"
    )
    table.print()


def measure_http(
    table: Table, config: Config, config_path: Path, surface: str, options: argparse.Namespace
) -> None:
    lean, lean_in_turn = "lean limit, at once", "lean limit, in turn"
    rate, sent = difffuzz_rate(surface_config(config, surface, options.examples))
    left, right = transports(config, surface)
    assert isinstance(left, HTTPTransport)
    assert isinstance(right, HTTPTransport)
    try:
        table.add(surface, lean, both(http_client_call(left), http_client_call(right), sent))
        table.add(surface, "difffuzz run", rate, lean)
        slow, _ = difffuzz_rate(surface_config(config, surface, options.examples, concurrent=False))
        table.add(
            surface, lean_in_turn, in_turn(http_client_call(left), http_client_call(right), sent)
        )
        table.add(surface, "difffuzz run, concurrent = false", slow, lean_in_turn)
        with httpx.Client() as client:
            old = in_turn(httpx_call(left, client), httpx_call(right, client), sent)
        table.add(surface, "httpx.Client loop, in turn", old, lean_in_turn)
        if options.baseline is not None:
            before = baseline_rate(options.baseline, config_path, surface, options.examples)
            table.add(surface, f"baseline {options.baseline.name}", before, lean, lean_in_turn)
    finally:
        left.close()
        right.close()


def measure_helper(table: Table, config: Config, surface: str, options: argparse.Namespace) -> None:
    spawn_limit, lines_limit = "spawn limit, at once", "lines limit, at once"
    spawning, lines = in_mode(config, surface, "spawn"), in_mode(config, surface, "lines")
    rate, sent = difffuzz_rate(surface_config(spawning, surface, options.helper_examples))
    left, right = transports(spawning, surface)
    assert isinstance(left, CommandTransport)
    assert isinstance(right, CommandTransport)
    sample = sent[: options.spawn_inputs]
    table.add(surface, spawn_limit, both(spawn_call(left), spawn_call(right), sample))
    table.add(surface, "difffuzz run (spawn)", rate, spawn_limit)
    fast, sent_lines = difffuzz_rate(surface_config(lines, surface, options.helper_examples))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        calls = [lines_call((*t.argv, "--lines"), processes) for t in (left, right)]
        table.add(surface, lines_limit, both(calls[0], calls[1], sent_lines))
    finally:
        for process in processes:
            assert process.stdin is not None
            process.stdin.close()
            process.wait()
    table.add(surface, 'difffuzz run (mode = "lines")', fast, lines_limit, spawn_limit)


def measure_workers(table: Table, config_path: Path, options: argparse.Namespace) -> None:
    """One HTTP surface on one worker, then shared out over two (rounds from two seeds)."""
    from difffuzz._workers import run_with_workers

    for surface in options.http:
        config = surface_config(load_config(config_path), surface, options.worker_examples)
        for count in (1, 2):
            started = time.perf_counter()
            result = run_with_workers(config, corpus=None, workers=count)
            elapsed = time.perf_counter() - started
            pairs = sum(s.stats.examples + s.stats.shrink_calls for s in result.surfaces)
            label = f"workers: {count}, whole run incl. start-up"
            limits = ("workers: 1, whole run incl. start-up",) if count == 2 else ()
            table.add(surface, label, pairs / elapsed, *limits)


if __name__ == "__main__":
    main()
