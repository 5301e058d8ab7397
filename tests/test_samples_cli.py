"""The sample runtimes' CLI helpers (extract_json, session_log, materializer), end to end.

Every helper runs as a real subprocess, both sides at once for each input, as
``python -m lakehouse_samples.<side>_style.<surface>``: the argv the sample
launcher gives difffuzz. First the contract's probe fixtures: both sides give
the contract's answer (the baseline parity the team had before fuzzing). Then
divergences found by hand: each test names what the two sides disagree on and pins
both answers, so it fails if either side changes its habit.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SURFACES = ("extract_json", "session_log", "materializer")
SIDES = ("rust", "go")
DAEMONS = {"rust": "gateway", "go": "sessiond"}
TIMESTAMPS = {
    "rust": re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"),
    "go": re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$"),
}


@dataclass(frozen=True)
class Run:
    status: int
    stdout: bytes
    stderr: bytes

    def json(self) -> Any:
        return json.loads(self.stdout)


def helper_argv(side: str, surface: str) -> list[str]:
    return [sys.executable, "-m", f"lakehouse_samples.{side}_style.{surface}"]


def run_both(
    surface: str,
    stdin: bytes = b"",
    args: Callable[[str], Sequence[str]] = lambda side: (),
) -> dict[str, Run]:
    """Run one helper on both sides at once (each its own process), as difffuzz does."""
    processes = {
        side: subprocess.Popen(
            [*helper_argv(side, surface), *args(side)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for side in SIDES
    }
    runs: dict[str, Run] = {}
    try:
        for side, process in processes.items():
            stdout, stderr = process.communicate(stdin, timeout=60)
            runs[side] = Run(process.returncode, stdout, stderr)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return runs


def same_json(left: Any, right: Any) -> bool:
    """Equal as JSON: 1 == 1.0 (Go writes every number as a float64), but true != 1."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same_json(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(same_json, left, right))
    return type(left) is type(right) and left == right


def matched(value: Any) -> dict[str, Any]:
    return {"matched": True, "value": value}


NO_MATCH: dict[str, Any] = {"matched": False, "value": None}


# -- extract_json ---------------------------------------------------------------------

EXTRACT_FIXTURES: dict[str, tuple[str, dict[str, Any]]] = {
    "fenced json block": (
        'Here is the match:\n```json\n{"role": "Forklift Operator", "count": 3}\n```\nDone.',
        matched({"role": "Forklift Operator", "count": 3}),
    ),
    "unfenced block": (
        '{\n  "role": "Welder",\n  "city": "Detroit",\n  "state": "MI"\n}\n',
        matched({"role": "Welder", "city": "Detroit", "state": "MI"}),
    ),
    "bare braces with prose around": (
        'Sure! The best worker is {"id": "W-00042", "score": 0.93} as requested.',
        matched({"id": "W-00042", "score": 0.93}),
    ),
    "first balanced of many": (
        'First {"rank": 1, "id": "W-00007"} then {"rank": 2, "id": "W-00008"}',
        matched({"rank": 1, "id": "W-00007"}),
    ),
    "nested objects": (
        '{"shift": {"start": "07:00", "site": {"city": "Detroit", "state": "MI"}}, "count": 3}',
        matched(
            {"shift": {"start": "07:00", "site": {"city": "Detroit", "state": "MI"}}, "count": 3}
        ),
    ),
    "unicode in string values": (
        'Résultat : {"note": "Café résumé ⭐ 你好", "city": "Montréal"}',
        matched({"note": "Café résumé ⭐ 你好", "city": "Montréal"}),
    ),
    "escaped quotes": (
        'Answer: {"quote": "she said \\"bring {boots}\\"", "ok": true} end',
        matched({"quote": 'she said "bring {boots}"', "ok": True}),
    ),
    "empty object": ("Nothing to add: {}", matched({})),
    "top-level array": (
        '[{"id": "W-00001", "score": 0.9}, {"id": "W-00002", "score": 0.8}]',
        matched({"id": "W-00001", "score": 0.9}),
    ),
    "no JSON": ("I could not find any forklift operators in Detroit.", NO_MATCH),
    "depth-balanced but invalid syntax": ("{role: Welder, count: 3}", NO_MATCH),
    "trailing garbage": ('{"ok": true, "n": 2} <<<END>>> }}} ]', matched({"ok": True, "n": 2})),
    # Not one of the twelve, but the contract's second fence rule.
    "bare fence": (
        'Before {"draft": 1}\n```\n{"final": 2}\n```\n',
        matched({"final": 2}),
    ),
}


@pytest.mark.parametrize("category", list(EXTRACT_FIXTURES))
def test_extract_json_probe_fixtures_agree_with_the_contract(category: str) -> None:
    text, expected = EXTRACT_FIXTURES[category]
    runs = run_both("extract_json", text.encode("utf-8"))
    for side, run in runs.items():
        assert run.status == 0, (side, run.stderr)
        assert run.stdout.count(b"\n") == 1, (side, run.stdout)
        assert run.stdout.endswith(b"\n"), (side, run.stdout)
        assert same_json(run.json(), expected), (side, run.json())


def extract_both(raw: bytes) -> dict[str, Any]:
    runs = run_both("extract_json", raw)
    assert all(run.status == 0 for run in runs.values()), runs
    return {side: run.json() for side, run in runs.items()}


def test_sides_disagree_on_integers_beyond_2_pow_53() -> None:
    # serde_json keeps u64 integers exact; Go decodes every number into a float64.
    out = extract_both(b'{"id": 9007199254740993}')
    assert out["rust"] == matched({"id": 9007199254740993})
    assert out["go"] == matched({"id": 9007199254740992})


def test_sides_disagree_on_a_lone_surrogate_escape() -> None:
    # serde_json (and orjson) refuse a lone surrogate; encoding/json writes U+FFFD.
    out = extract_both(b'{"name": "\\ud800"}')
    assert out["rust"] == NO_MATCH
    assert out["go"] == matched({"name": "\ufffd"})


def test_sides_disagree_on_how_many_replacement_characters_a_truncated_emoji_gives() -> None:
    # from_utf8_lossy: one U+FFFD per maximal invalid subpart; Go: one per invalid byte.
    out = extract_both(b'{"note": "ok \xf0\x9f\x98"}')
    assert out["rust"] == matched({"note": "ok \ufffd"})
    assert out["go"] == matched({"note": "ok \ufffd\ufffd\ufffd"})


def test_sides_disagree_on_an_upper_case_fence_tag() -> None:
    # Rust's fence regex is case-insensitive; Go's strings.HasPrefix(line, "```json") is
    # not, so Go falls back to the first bare fence.
    out = extract_both(b'```\n{"draft": true}\n```\n```JSON\n{"final": true}\n```\n')
    assert out["rust"] == matched({"final": True})
    assert out["go"] == matched({"draft": True})


def test_sides_disagree_on_an_indented_fence() -> None:
    # The regex is not anchored to a line start; HasPrefix on the raw line is.
    out = extract_both(b'{"draft": true}\n  ```json\n{"final": true}\n  ```\n')
    assert out["rust"] == matched({"final": True})
    assert out["go"] == matched({"draft": True})


def test_sides_disagree_on_a_fence_marker_inside_a_json_string() -> None:
    # The lazy regex body stops at the first ``` (inside the string); Go's closing fence
    # must start a line.
    out = extract_both(b'```json\n{"cmd": "run ``` now"}\n```\n')
    assert out["rust"] == NO_MATCH
    assert out["go"] == matched({"cmd": "run ``` now"})


def test_sides_disagree_on_nesting_beyond_serde_jsons_recursion_limit() -> None:
    depth = 128
    raw = ('{"a":' * depth + "1" + "}" * depth).encode()
    out = extract_both(raw)
    assert out["rust"] == NO_MATCH
    assert out["go"]["matched"] is True


def test_go_side_html_escapes_and_formats_floats_like_encoding_json() -> None:
    # Not a divergence once parsed, but the bytes differ: Marshal escapes <, >, & and
    # writes 1.0 as 1; serde_json writes both as they are.
    runs = run_both("extract_json", b'{"tag": "<b>&", "n": 1.0, "big": 1e21}')
    assert b'"n":1.0,"tag":"<b>&"}}' in runs["rust"].stdout
    assert runs["go"].stdout == (
        b'{"matched":true,"value":{"big":1e+21,"n":1,"tag":"\\u003cb\\u003e\\u0026"}}\n'
    )


# -- session_log -----------------------------------------------------------------------

SESSION_FIXTURES: dict[str, dict[str, Any]] = {
    "accepted_grounded": {
        "trace_id": "tr-0001",
        "session_id": "sess-01",
        "outcome": "accepted_grounded",
        "iterations": 2,
        "prompt": "Need 3 Forklift Operators in Detroit MI starting at 7am for Beacon Freight",
        "response": "W-00042, W-00107, W-00311",
        "model": "qwen2.5-7b-instruct",
        "latency_ms": 812.5,
    },
    "max_iter_exhausted": {
        "trace_id": "tr-0002",
        "session_id": "sess-02",
        "outcome": "max_iter_exhausted",
        "iterations": 5,
        "prompt": "Welder Toledo",
        "response": "no grounded answer",
        "model": "qwen2.5-7b-instruct",
        "error": "max iterations (5) reached",
        "latency_ms": 4031,
    },
    "infra_error": {
        "trace_id": "tr-0003",
        "session_id": "sess-03",
        "outcome": "infra_error",
        "iterations": 0,
        "prompt": "Looking for 2 CDL drivers at Acme Logistics in Gary IN",
        "response": "",
        "model": "qwen2.5-7b-instruct",
        "error": "upstream timeout after 30000 ms",
        "latency_ms": 30000.0,
    },
    "unicode_in_prompt": {
        "trace_id": "tr-0004",
        "session_id": "sess-04",
        "outcome": "accepted_grounded",
        "iterations": 1,
        "prompt": "Café résumé ⭐ 你好 — soudeur à Montréal",
        "response": "W-01234",
        "model": "qwen2.5-7b-instruct",
        "latency_ms": 95.25,
    },
}


def persisted(runs: Mapping[str, Run]) -> dict[str, dict[str, Any]]:
    """Each side's persisted record, after checking the producer fields it adds."""
    records = {}
    for side, run in runs.items():
        assert run.status == 0, (side, run.stdout, run.stderr)
        record = run.json()
        assert record.pop("daemon") == DAEMONS[side]
        assert TIMESTAMPS[side].match(record.pop("timestamp")), (side, run.stdout)
        records[side] = record
    return records


@pytest.mark.parametrize("name", list(SESSION_FIXTURES))
def test_session_log_probe_fixtures_are_persisted_as_given(name: str) -> None:
    record = SESSION_FIXTURES[name]
    runs = run_both("session_log", json.dumps(record).encode())
    for side, written in persisted(runs).items():
        assert same_json(written, record), (side, written)
        assert list(written) == list(record), "fields are written in the struct's order"


@pytest.mark.parametrize(
    "stdin",
    [
        pytest.param(b"not json at all", id="not JSON"),
        pytest.param(b'[{"trace_id": "t"}]', id="array"),
        pytest.param(
            json.dumps({**SESSION_FIXTURES["accepted_grounded"], "outcome": "accepted"}).encode(),
            id="unknown outcome",
        ),
        pytest.param(
            json.dumps({**SESSION_FIXTURES["accepted_grounded"], "iterations": "2"}).encode(),
            id="iterations as a string",
        ),
    ],
)
def test_session_log_invalid_input_gives_an_error_object_and_exit_1(stdin: bytes) -> None:
    for side, run in run_both("session_log", stdin).items():
        assert run.status == 1, (side, run.stdout)
        answer = run.json()
        assert list(answer) == ["error"], (side, answer)
        assert answer["error"], (side, answer)


def session_both(record: Mapping[str, Any] | bytes) -> dict[str, Run]:
    raw = record if isinstance(record, bytes) else json.dumps(record).encode()
    return run_both("session_log", raw)


BASE = SESSION_FIXTURES["accepted_grounded"]


def test_sides_disagree_on_negative_iterations() -> None:
    # u32 in the Rust struct, int (int64) in the Go struct.
    runs = session_both({**BASE, "iterations": -1})
    assert runs["rust"].status == 1
    assert "expected u32" in runs["rust"].json()["error"]
    assert persisted({"go": runs["go"]})["go"]["iterations"] == -1


def test_sides_disagree_on_iterations_of_2_pow_32() -> None:
    runs = session_both({**BASE, "iterations": 2**32})
    assert runs["rust"].status == 1
    assert persisted({"go": runs["go"]})["go"]["iterations"] == 2**32


def test_sides_disagree_on_an_empty_error_string() -> None:
    # Option<String> writes Some(""); Go's `json:"error,omitempty"` drops "".
    records = persisted(session_both({**BASE, "error": ""}))
    assert records["rust"]["error"] == ""
    assert "error" not in records["go"]


def test_sides_disagree_on_null_and_missing_fields() -> None:
    # serde refuses both; encoding/json leaves the zero value.
    for record in ({**BASE, "prompt": None}, {k: v for k, v in BASE.items() if k != "prompt"}):
        runs = session_both(record)
        assert runs["rust"].status == 1
        assert runs["rust"].json()["error"] in (
            "invalid type: null, expected a string",
            "missing field `prompt`",
        )
        assert persisted({"go": runs["go"]})["go"]["prompt"] == ""


def test_sides_disagree_on_key_case() -> None:
    # encoding/json matches struct fields case-insensitively, with Unicode simple folding
    # (the long s folds to "s"); serde's derive matches exactly.
    renamed = {"trace_id": "Trace_ID", "session_id": "\u017fession_id"}
    runs = session_both({renamed.get(k, k): v for k, v in BASE.items()})
    assert runs["rust"].json() == {"error": "missing field `trace_id`"}
    go = persisted({"go": runs["go"]})["go"]
    assert (go["trace_id"], go["session_id"]) == (BASE["trace_id"], BASE["session_id"])


def test_sides_disagree_on_data_after_the_record() -> None:
    # serde_json::from_slice rejects trailing characters; Decoder.Decode stops after one value.
    runs = session_both(json.dumps(BASE).encode() + b' {"second": "record"}')
    assert runs["rust"].status == 1
    assert same_json(persisted({"go": runs["go"]})["go"], BASE)


def test_sides_disagree_on_invalid_utf8_in_the_prompt() -> None:
    raw = json.dumps(BASE).encode().replace(b"Forklift", b"Fork\xfflift")
    runs = session_both(raw)
    assert runs["rust"].status == 1
    assert persisted({"go": runs["go"]})["go"]["prompt"].startswith("Need 3 Fork\ufffdlift")


# -- materializer ----------------------------------------------------------------------


def write_tree(root: Path, files: Mapping[str, bytes]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root


def materialize_both(tmp_path: Path, files: Mapping[str, bytes]) -> dict[str, Run]:
    source = write_tree(tmp_path / "src", files)
    return run_both(
        "materializer", args=lambda side: (str(source), str(tmp_path / f"{side}.jsonl"))
    )


def evidence(tmp_path: Path, side: str) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (tmp_path / f"{side}.jsonl").read_bytes().splitlines()]
    for row in rows:
        assert TIMESTAMPS[side].match(row["provenance"].pop("recorded_at")), row
    return rows


def test_materializer_probe_fixture_two_files(tmp_path: Path) -> None:
    files = {
        "placements.jsonl": b'{"worker": "W-00042", "client": "Beacon Freight"}\n'
        b'{"worker": "W-00107", "client": "Beacon Freight"}\n',
        "timesheets.jsonl": b'{"worker": "W-00042", "hours": 38.5}\n{"worker": "W-00107", '
        b'"hours": 40}\n',
    }
    runs = materialize_both(tmp_path, files)
    expected = [
        {"source": name, "provenance": {"line_offset": offset}, "record": json.loads(line)}
        for name, content in files.items()
        for offset, line in enumerate(content.splitlines())
    ]
    for side, run in runs.items():
        assert run.status == 0, (side, run.stderr)
        rows = evidence(tmp_path, side)
        assert same_json(rows, expected), (side, rows)
        # Offset 0 is a real value: the first row of every file carries it.
        assert [row["provenance"]["line_offset"] for row in rows] == [0, 1, 0, 1]


def test_materializer_usage_error_exits_2(tmp_path: Path) -> None:
    for side, run in run_both("materializer", args=lambda side: (str(tmp_path),)).items():
        assert run.status == 2, side
        assert b"usage: materializer SRC_DIR OUT_FILE" in run.stderr


def test_sides_disagree_on_file_order_hidden_names_and_big_integers(tmp_path: Path) -> None:
    files = {
        "a.jsonl": b'{"n": 9007199254740993}\n',
        "a/b.jsonl": b'{"n": 1}\n',
        ".jsonl": b'{"n": 2}\n',  # a hidden file: Path::extension() is None
        "notes.txt": b'{"n": 3}\n',  # never read by either side
    }
    runs = materialize_both(tmp_path, files)
    assert {side: run.status for side, run in runs.items()} == {"rust": 0, "go": 0}
    rust, go = evidence(tmp_path, "rust"), evidence(tmp_path, "go")
    # Rust sorts whole path strings ("." < "/"); filepath.Walk enters directory "a" first.
    assert [row["source"] for row in rust] == ["a.jsonl", "a/b.jsonl"]
    assert [row["source"] for row in go] == [".jsonl", "a/b.jsonl", "a.jsonl"]
    # serde_json keeps the u64; Go's map[string]any holds a float64.
    assert rust[0]["record"] == {"n": 9007199254740993}
    assert go[2]["record"] == {"n": 9007199254740992}


def test_sides_disagree_on_a_line_that_is_not_an_object(tmp_path: Path) -> None:
    # Rust's `?` fails the run and writes nothing; Go logs the line and skips it.
    runs = materialize_both(tmp_path, {"a.jsonl": b'{"n": 1}\nnot json\n{"n": 2}\n'})
    assert runs["rust"].status == 1
    assert b"a.jsonl:2" in runs["rust"].stderr
    assert not (tmp_path / "rust.jsonl").exists()
    assert runs["go"].status == 0
    assert b"skip a.jsonl:2" in runs["go"].stderr
    assert [(r["provenance"]["line_offset"], r["record"]) for r in evidence(tmp_path, "go")] == [
        (0, {"n": 1}),
        (2, {"n": 2}),
    ]


def test_sides_disagree_on_a_line_of_64_kib(tmp_path: Path) -> None:
    # bufio.Scanner's default buffer stops at 64 KiB: "token too long" ends the Go run.
    long_line = b'{"text": "' + b"x" * (64 * 1024) + b'"}\n'
    runs = materialize_both(tmp_path, {"big.jsonl": long_line})
    assert runs["rust"].status == 0
    assert evidence(tmp_path, "rust")[0]["record"]["text"] == "x" * (64 * 1024)
    assert runs["go"].status == 1
    assert b"bufio.Scanner: token too long" in runs["go"].stderr
    assert not (tmp_path / "go.jsonl").exists()


def test_sides_agree_on_lines_just_under_the_scanner_limit(tmp_path: Path) -> None:
    # The boundary itself: a line of 65535 bytes (plus "\r\n") still fits Go's buffer.
    padding = 65535 - len(b'{"text": ""}')
    line = b'{"text": "' + b"x" * padding + b'"}'
    assert len(line) == 65535
    runs = materialize_both(tmp_path, {"edge.jsonl": line + b"\n" + line})
    assert {side: run.status for side, run in runs.items()} == {"rust": 0, "go": 0}
    assert evidence(tmp_path, "rust") == evidence(tmp_path, "go")


# -- what a helper imports ------------------------------------------------------------


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("surface", SURFACES)
def test_a_helper_imports_neither_difffuzz_nor_hypothesis(side: str, surface: str) -> None:
    # Every call of a helper is a new process: importing the tool (Hypothesis, numpy,
    # httpx) would cost more than the helper's work, and the samples must stand alone.
    argv = [sys.executable, "-X", "importtime", *helper_argv(side, surface)[1:]]
    if surface == "materializer":
        argv += ["/nonexistent-src", "/nonexistent-out.jsonl"]
    done = subprocess.run(argv, input=b"{}", capture_output=True, timeout=60, check=False)
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.decode("utf-8", "replace").splitlines()
        if line.startswith("import time:") and "|" in line
    }
    # The package itself is on the list (-m imports it first): the list was read.
    assert f"lakehouse_samples.{side}_style" in imported, done.stderr[-2000:]
    tool = sorted(n for n in imported if n.split(".")[0] in {"difffuzz", "hypothesis", "httpx"})
    assert not tool, tool
