"""The shared store against a real redis-server on 127.0.0.1, started here, stopped by PID.

Two "hosts" are two campaigns with corpora of their own and one store: what the
first finds, the second knows before it starts, and does not shrink again.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from difffuzz._config import Config
from difffuzz._corpus import Corpus
from difffuzz._exceptions import ConfigError
from difffuzz._results import FindingStatus
from difffuzz._store import SharedStore
from difffuzz._workers import run_with_workers
from tests.support.corpus_writer import fixture
from tests.test_engine_quality import planted_config

REDIS = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(
    REDIS is None, reason="needs redis-server (apt-get install redis-server; .ci/run installs it)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of its own on a free loopback port, nothing kept on disk; stopped
    by its PID."""
    assert REDIS is not None
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    argv = [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
    server = subprocess.Popen(
        [*argv, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def store(redis_url: str, request: pytest.FixtureRequest) -> Iterator[SharedStore]:
    opened = SharedStore.open(redis_url, namespace=request.node.name)
    yield opened
    opened.close()


def shared(config: Config, url: str, namespace: str) -> Config:
    return config.override(shared_store=url, shared_namespace=namespace)


# -- the store's verbs ---------------------------------------------------------------


def test_an_unreachable_store_is_a_config_error_with_the_fix() -> None:
    with pytest.raises(ConfigError, match=r"does not answer.*start redis-server there"):
        SharedStore.open(f"redis://127.0.0.1:{_free_port()}/0", namespace="x")


def test_fixtures_are_shared_once_by_content_key(store: SharedStore, tmp_path: Path) -> None:
    first, second = fixture(1), fixture(2)
    assert store.publish([first, second]) == 2
    assert store.publish([first, replace(first, seed=99)]) == 0  # the same finding
    assert [f.id for f in store.fixtures("planted")] == sorted([first.id, second.id])
    corpus = Corpus(tmp_path)
    assert store.adopt(corpus, "planted") == 2
    assert store.adopt(corpus, "planted") == 0
    assert sorted(p.stem for p in corpus.files("planted")) == sorted([first.id, second.id])


def test_counters_add_up_and_estimates_round_trip(store: SharedStore) -> None:
    store.count("text", examples=10, causes=1)
    store.count("text", examples=5)
    store.count("numbers", examples=3)
    assert store.counters() == {"numbers": {"examples": 3}, "text": {"examples": 15, "causes": 1}}
    store.save_estimates({"text": {"rate": 0.5, "seconds": 12.0}})
    assert store.load_estimates() == {"text": {"rate": 0.5, "seconds": 12.0}}
    assert store.problems == []


# -- two hosts, one campaign ------------------------------------------------------------


def test_a_cause_found_on_one_host_is_known_on_the_next(redis_url: str, tmp_path: Path) -> None:
    config = shared(
        planted_config("echo", "escaping_echo", "planted_text", max_examples=150),
        redis_url,
        "two-hosts",
    )
    first_corpus, second_corpus = Corpus(tmp_path / "a"), Corpus(tmp_path / "b")
    first = run_with_workers(config, workers=1, corpus=first_corpus)
    (found,) = first.findings
    assert (found.input, found.status) == ("<", FindingStatus.NEW)
    assert found.shrink_calls > 0
    store = SharedStore.open(redis_url, namespace="two-hosts")
    # Hypothesis kept its interesting examples in the shared database too. (The next
    # host replays them first; a cause it already knows is not interesting there, so
    # Hypothesis drops the entry then.)
    assert store.client.keys("difffuzz:two-hosts:examples:*")

    second = run_with_workers(replace(config), workers=1, corpus=second_corpus)
    (again,) = second.findings
    assert again.status is FindingStatus.KNOWN  # written into its corpus before it ran
    assert again.shrink_calls == 0
    assert [p.name for p in second_corpus.files("planted")] == [Path(found.fixture_path or "").name]
    counters = store.counters()["planted"]
    assert counters["examples"] == 300
    assert counters["causes"] == 1
    store.close()
