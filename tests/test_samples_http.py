"""The bundled sample runtimes over real loopback HTTP: contract probes, divergences, launcher."""

from __future__ import annotations

import http.client
import json
import math
import os
import re
import signal
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from lakehouse_samples import (
    SampleRuntime,
    SampleRuntimeError,
    SampleRuntimes,
    _ServerProcess,
    model,
    start_sample_runtimes,
)
from lakehouse_samples.make_workers import WORKERS_PATH, make_workers

# A 200-word text of real variety: the first worker profiles run together.
WORDS_200 = " ".join(
    " ".join(json.loads(line)["profile"] for line in WORKERS_PATH.open(encoding="utf-8")).split()[
        :200
    ]
)
EMBED_PROBES = [
    "Forklift operator with 5 years of warehouse experience",
    "Certified welder, MIG and TIG, pipe and structural",
    "OSHA-30 certified site safety lead",
    "Dental assistant with radiography certification",
    "CNC operator, Fanuc controls, blueprint reading",
    "Café résumé ⭐ 你好",
    "x",
    WORDS_200,
]
PLAIN_QUERIES = [
    "Need 3 Forklift Operators in Detroit MI starting at 7am for Beacon Freight",
    "Beacon Freight needs 2 Welders in Columbus OH starting Monday",
    "Looking for 4 Dental assistants in Memphis TN",
    "CDL driver Louisville",
]


@pytest.fixture(scope="module")
def runtimes() -> Iterator[SampleRuntimes]:
    with start_sample_runtimes() as started:
        yield started


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10.0) as session:
        yield session


def post(client: httpx.Client, runtime: SampleRuntime, surface: str, body: Any) -> httpx.Response:
    """POST a JSON value, or raw bytes, to one surface of one runtime."""
    url = runtime.base_url + runtime.routes[surface]
    if isinstance(body, bytes):
        return client.post(url, content=body)
    return client.post(url, json=body)


def both(
    client: httpx.Client, runtimes: SampleRuntimes, surface: str, body: Any
) -> tuple[httpx.Response, httpx.Response]:
    return post(client, runtimes.rust, surface, body), post(client, runtimes.go, surface, body)


def email(to: str) -> dict[str, Any]:
    return {"kind": "email", "payload": {"to": to, "subject": "Shift", "body": "See you Monday"}}


def sms(to: str, body: str) -> dict[str, Any]:
    return {"kind": "sms", "payload": {"to": to, "body": body}}


def fill(count: int, worker_ids: list[str]) -> dict[str, Any]:
    payload = {"role": "Forklift Operator", "count": count, "city": "Detroit", "state": "MI"}
    return {"kind": "fill", "payload": {**payload, "worker_ids": worker_ids}}


def cosine(left: list[float], right: list[float]) -> float:
    dot = sum(a * b for a, b in zip(left, right, strict=True))
    return dot / (model.norm(left) * model.norm(right))


# --- health and HTTP plumbing -------------------------------------------------


def test_health_answers_200_on_both(runtimes: SampleRuntimes, client: httpx.Client) -> None:
    assert [client.get(rt.base_url + "/health").status_code for rt in runtimes] == [200, 200]


def test_keep_alive_serves_many_requests_on_one_connection(runtimes: SampleRuntimes) -> None:
    for runtime in runtimes:
        host, port = runtime.base_url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        try:
            sockets = []
            for _ in range(3):
                connection.request("POST", runtime.routes["validator"], body=b"{}")
                answer = connection.getresponse()
                answer.read()
                assert answer.getheader("Content-Length") is not None
                assert not answer.will_close, runtime.name
                sockets.append(connection.sock)
            assert sockets[0] is sockets[1] is sockets[2]
        finally:
            connection.close()


def test_unknown_path_is_404_and_wrong_method_405(
    runtimes: SampleRuntimes, client: httpx.Client
) -> None:
    for runtime in runtimes:
        assert client.post(runtime.base_url + "/v2/nothing", json={}).status_code == 404
        assert client.get(runtime.base_url + runtime.routes["search"]).status_code == 405


# --- validator: the contract's six probes --------------------------------------


@pytest.mark.parametrize(
    "request_body",
    [
        email("dispatch@beaconfreight.com"),
        sms("+1 313 555 0142", "Your shift starts at 7am at Beacon Freight, dock 4"),
        sms("313-55-0142", "Reply to 313-55-0142 to confirm"),  # the phone itself looks like an SSN
        fill(2, ["W-00001", "W-00002"]),
    ],
    ids=["valid_email", "valid_sms", "sms_phone_exception", "valid_fill"],
)
def test_valid_requests_pass_on_both(
    runtimes: SampleRuntimes, client: httpx.Client, request_body: dict[str, Any]
) -> None:
    for answer in both(client, runtimes, "validator", request_body):
        assert (answer.status_code, answer.json()) == (200, {"valid": True})


@pytest.mark.parametrize(
    ("request_body", "kind", "field"),
    [
        (email("not-an-email"), "schema", "to"),
        (sms("+1 313 555 0142", "My SSN is 123-45-6789"), "policy", "body"),
        (fill(3, ["W-00001", "W-00002"]), "schema", "worker_ids"),
    ],
    ids=["invalid_email", "sms_with_ssn", "fill_count_mismatch"],
)
def test_rejections_are_422_in_each_sides_own_shape(
    runtimes: SampleRuntimes,
    client: httpx.Client,
    request_body: dict[str, Any],
    kind: str,
    field: str,
) -> None:
    rust, go = both(client, runtimes, "validator", request_body)
    assert (rust.status_code, go.status_code) == (422, 422)
    rust_error = rust.json()
    assert list(rust_error) == [kind.title()]
    assert rust_error[kind.title()]["field"] == field
    assert isinstance(rust_error[kind.title()]["reason"], str)
    go_error = go.json()
    assert list(go_error) == ["Kind", "Field", "Reason"]
    assert (go_error["Kind"], go_error["Field"]) == (kind, field)


@pytest.mark.parametrize("body", [b"not json", b"", b'{"kind": "email",'])
def test_validator_answers_400_to_a_body_that_is_not_json(
    runtimes: SampleRuntimes, client: httpx.Client, body: bytes
) -> None:
    rust, go = both(client, runtimes, "validator", body)
    assert (rust.status_code, go.status_code) == (400, 400)


# --- embed ----------------------------------------------------------------------


def test_embed_probes_point_the_same_way_on_both(
    runtimes: SampleRuntimes, client: httpx.Client
) -> None:
    request = {"texts": EMBED_PROBES, "model": model.MODEL_NAME}
    rust, go = both(client, runtimes, "embed", request)
    assert (rust.status_code, go.status_code) == (200, 200)
    rust_body, go_body = rust.json(), go.json()
    assert (rust_body["dimensions"], go_body["dimension"]) == (256, 256)
    assert rust_body["model"] == go_body["model"] == model.MODEL_NAME
    for text, unit, raw in zip(
        EMBED_PROBES, rust_body["embeddings"], go_body["vectors"], strict=True
    ):
        assert math.isclose(model.norm(unit), 1.0, rel_tol=1e-9), text
        assert 18.0 < model.norm(raw) < 26.0, text
        assert cosine(unit, raw) >= 0.99999, text


def test_embed_texts_differ_in_direction(runtimes: SampleRuntimes, client: httpx.Client) -> None:
    # The embedder must not be trivial: unrelated texts are far apart.
    answer = post(
        client, runtimes.rust, "embed", {"texts": ["forklift operator", "dental hygiene"]}
    )
    first, second = answer.json()["embeddings"]
    assert cosine(first, second) < 0.5


# --- search ---------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 5, 25])
@pytest.mark.parametrize("query", PLAIN_QUERIES)
def test_search_returns_at_most_k_results_best_first(
    runtimes: SampleRuntimes, client: httpx.Client, query: str, k: int
) -> None:
    for answer in both(client, runtimes, "search", {"query": query, "k": k, "exclude_ids": []}):
        results = answer.json()["results"]
        assert answer.status_code == 200
        assert 0 < len(results) <= k
        scores = [result["score"] for result in results]
        assert scores == sorted(scores, reverse=True)
        assert all(result["id"].startswith("W-") for result in results)


@pytest.mark.parametrize("query", PLAIN_QUERIES)
def test_search_top1_agrees_on_plain_queries(
    runtimes: SampleRuntimes, client: httpx.Client, query: str
) -> None:
    rust, go = both(client, runtimes, "search", {"query": query, "k": 10, "exclude_ids": []})
    rust_ids = [result["id"] for result in rust.json()["results"]]
    go_ids = [result["id"] for result in go.json()["results"]]
    assert rust_ids[0] == go_ids[0]
    assert len(set(rust_ids) & set(go_ids)) >= 8


def test_search_top1_is_relevant(runtimes: SampleRuntimes, client: httpx.Client) -> None:
    workers = {worker["id"]: worker for worker in map(json.loads, WORKERS_PATH.open())}
    answer = post(client, runtimes.rust, "search", {"query": PLAIN_QUERIES[0], "k": 1})
    best = workers[answer.json()["results"][0]["id"]]
    assert (best["role"], best["city"]) == ("Forklift Operator", "Detroit")


def test_search_sorted_exclusions_never_appear(
    runtimes: SampleRuntimes, client: httpx.Client
) -> None:
    query = {"query": PLAIN_QUERIES[0], "k": 5, "exclude_ids": []}
    top = [
        result["id"] for result in post(client, runtimes.rust, "search", query).json()["results"]
    ]
    excluded = sorted(top[:3])
    for answer in both(client, runtimes, "search", {**query, "exclude_ids": excluded}):
        ids = {result["id"] for result in answer.json()["results"]}
        assert not ids & set(excluded)


def test_search_negative_k_is_422_and_bad_body_400(
    runtimes: SampleRuntimes, client: httpx.Client
) -> None:
    rust, go = both(client, runtimes, "search", {"query": "welder", "k": -1, "exclude_ids": []})
    assert (rust.status_code, go.status_code) == (422, 422)
    rust, go = both(client, runtimes, "search", b"{not json")
    assert (rust.status_code, go.status_code) == (400, 400)


# --- divergences that come from the two ports' habits ---------------------------
# Each test pins one honest disagreement, so that the demo keeps something to find
# and a change to either side that removes it is noticed.


@pytest.mark.parametrize(
    ("request_body", "rust_status", "go_status"),
    [
        # chars vs bytes: 100 'é' is 100 characters but 200 bytes.
        (sms("+1 313 555 0142", "é" * 100), 200, 422),
        # Unicode \d (regex crate) vs ASCII \d (RE2): an SSN in Arabic-Indic digits.
        (sms("+1 313 555 0142", "SSN ١٢٣-٤٥-٦٧٨٩"), 422, 200),
        # Unicode \w vs ASCII \w in the e-mail pattern.
        (email("josé@example.com"), 200, 422),
        # encoding/json matches keys case-insensitively; serde does not.
        ({"KIND": "email", "PAYLOAD": email("a@b.co")["payload"]}, 422, 200),
        # A missing field is Go's zero value; serde wants it.
        ({"kind": "email", "payload": {"to": "a@b.co"}}, 422, 200),
        # A wrong type is a 422 (serde data error) in Rust, a 400 (decode error) in Go.
        (fill(2.0, ["W-1", "W-2"]), 422, 400),  # type: ignore[arg-type]
    ],
    ids=[
        "sms_bytes",
        "ssn_unicode_digits",
        "email_unicode",
        "key_case",
        "zero_value",
        "float_count",
    ],
)
def test_validator_divergences(
    runtimes: SampleRuntimes,
    client: httpx.Client,
    request_body: dict[str, Any],
    rust_status: int,
    go_status: int,
) -> None:
    rust, go = both(client, runtimes, "validator", request_body)
    assert (rust.status_code, go.status_code) == (rust_status, go_status)


@pytest.mark.parametrize(
    ("body", "rust_status", "go_status"),
    [
        (b'{"texts": ["\\ud800 forklift"]}', 400, 200),  # serde refuses a lone surrogate
        (b'{"texts": ["forklift"]} trailing', 400, 200),  # Go's Decoder stops after one value
        (b'{"texts": [null]}', 422, 200),  # Go: null is the zero value ""
        (b'{"texts": []}', 200, 400),  # Go: "texts must not be empty"
        (b'{"texts": ["x"], "model": ""}', 422, 200),  # Go: "" means the default model
    ],
    ids=["lone_surrogate", "trailing_data", "null_text", "empty_batch", "empty_model"],
)
def test_embed_request_divergences(
    runtimes: SampleRuntimes, client: httpx.Client, body: bytes, rust_status: int, go_status: int
) -> None:
    rust, go = both(client, runtimes, "embed", body)
    assert (rust.status_code, go.status_code) == (rust_status, go_status)


def test_embed_zero_vector_is_nulls_in_rust_and_zeros_in_go(
    runtimes: SampleRuntimes, client: httpx.Client
) -> None:
    rust, go = both(client, runtimes, "embed", {"texts": ["!!!"]})
    assert set(rust.json()["embeddings"][0]) == {None}
    assert set(go.json()["vectors"][0]) == {0.0}


@pytest.mark.parametrize(
    "text",
    [
        "cafe\u0301 forklift",  # NFD: Rust normalises to NFC first, Go does not
        "forklift operator " + "é" * 260 + " welder",  # 512 chars vs 512 bytes
        "ΣΑΣ ΟΔΟΣ",  # final sigma in to_lowercase vs rune-by-rune ToLower
    ],
    ids=["nfd", "truncation", "final_sigma"],
)
def test_embed_direction_diverges_on_text_pipeline(
    runtimes: SampleRuntimes, client: httpx.Client, text: str
) -> None:
    rust, go = both(client, runtimes, "embed", {"texts": [text]})
    assert cosine(rust.json()["embeddings"][0], go.json()["vectors"][0]) < 0.99999


def test_search_k_zero_means_none_in_rust_and_default_in_go(
    runtimes: SampleRuntimes, client: httpx.Client
) -> None:
    rust, go = both(client, runtimes, "search", {"query": "welder", "k": 0, "exclude_ids": []})
    assert (len(rust.json()["results"]), len(go.json()["results"])) == (0, 10)


def test_search_exclusions_filtered_before_top_k_in_rust_after_in_go(
    runtimes: SampleRuntimes, client: httpx.Client
) -> None:
    query = {"query": PLAIN_QUERIES[1], "k": 5, "exclude_ids": []}
    best = post(client, runtimes.go, "search", query).json()["results"][0]["id"]
    rust, go = both(client, runtimes, "search", {**query, "exclude_ids": [best]})
    assert (len(rust.json()["results"]), len(go.json()["results"])) == (5, 4)


def test_search_exclusions_hold_on_both_sides_sorted_or_not(
    runtimes: SampleRuntimes, client: httpx.Client
) -> None:
    query = {"query": PLAIN_QUERIES[0], "k": 5, "exclude_ids": []}
    top = [r["id"] for r in post(client, runtimes.rust, "search", query).json()["results"]]
    excluded = sorted([top[0], "W-99999"], reverse=True)
    rust, go = both(client, runtimes, "search", {**query, "exclude_ids": excluded})
    assert top[0] not in [r["id"] for r in rust.json()["results"]]
    assert top[0] not in [r["id"] for r in go.json()["results"]]


# --- the launcher -------------------------------------------------------------


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_launcher_leaves_no_process_behind() -> None:
    with start_sample_runtimes() as started:
        pids = [runtime.pid for runtime in started]
        assert not any(_gone(pid) for pid in pids)
    assert all(_gone(pid) for pid in pids)


def test_launcher_stops_servers_when_the_body_raises() -> None:
    pids: list[int] = []

    def campaign() -> None:
        with start_sample_runtimes() as started:
            pids.extend(runtime.pid for runtime in started)
            raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        campaign()
    assert len(pids) == 2
    assert all(_gone(pid) for pid in pids)


def test_a_server_killed_mid_run_is_reported_by_name_and_signal() -> None:
    pids: list[int] = []
    message = r"go sample runtime .*killed by SIGKILL"

    def campaign() -> None:
        with start_sample_runtimes() as started:
            pids.extend(runtime.pid for runtime in started)
            started.check_alive()  # both up: no error
            os.kill(started.go.pid, signal.SIGKILL)
            # The kernel reports the death once every thread of the server is gone.
            reported = ""
            deadline = time.monotonic() + 5
            while not reported and time.monotonic() < deadline:
                try:
                    started.check_alive()
                except SampleRuntimeError as error:
                    reported = str(error)
                time.sleep(0.02)
            assert re.search(message, reported), reported or "check_alive() noticed nothing in 5 s"

    # Leaving the block reports it too, and still stops the live Rust server.
    with pytest.raises(SampleRuntimeError, match=message) as raised:
        campaign()
    assert raised.value.runtime == "go"
    assert all(_gone(pid) for pid in pids)


def test_a_server_that_fails_to_start_is_reported_with_its_stderr() -> None:
    argv = [sys.executable, "-c", "import sys; sys.stderr.write('index build failed'); sys.exit(3)"]
    process = _ServerProcess("rust", argv)
    try:
        with pytest.raises(SampleRuntimeError, match=r"(?s)exit code 3.*index build failed"):
            process.wait_ready("127.0.0.1", time.monotonic() + 5)
    finally:
        process.stop()


def test_a_server_with_the_wrong_first_line_is_reported() -> None:
    argv = [sys.executable, "-c", "print('hello'); import time; time.sleep(30)"]
    process = _ServerProcess("go", argv)
    try:
        with pytest.raises(
            SampleRuntimeError, match="printed 'hello' instead of 'LISTENING <port>'"
        ):
            process.wait_ready("127.0.0.1", time.monotonic() + 5)
    finally:
        process.stop()
    assert _gone(process.process.pid)


# --- the corpus -------------------------------------------------------------------


def test_bundled_corpus_is_what_the_seeded_script_makes() -> None:
    bundled = [json.loads(line) for line in WORKERS_PATH.read_text("utf-8").splitlines()]
    remade = make_workers()
    assert [worker["id"] for worker in bundled] == [f"W-{n:05d}" for n in range(len(bundled))]
    # Names and client names come from Faker, whose seeded output may change between
    # Faker releases; everything drawn from the script's own seeded RNG must match.
    drawn = ("role", "certifications", "city", "state", "years")
    assert [[w[f] for f in drawn] for w in bundled] == [[w[f] for f in drawn] for w in remade]
    assert all(
        w["profile"].startswith(f"{w['role']} in {w['city']}, {w['state']}") for w in bundled
    )
