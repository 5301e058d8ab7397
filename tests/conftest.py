"""Fixtures shared by the end-to-end tests: the sample runtimes and configs pointed at them.

The two sample runtimes (``lakehouse_samples``, the ``samples/`` distribution) are
real HTTP servers and real helper programs; starting them costs about two seconds,
so they start once per test session, and only if a test asks for them. Every
config is written into the test's own ``tmp_path``, so corpora and reports never
leak between tests.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from difffuzz._corpus import Fixture
from lakehouse_samples import SampleRuntimes, start_sample_runtimes
from lakehouse_samples.demo import write_sample_config

# In CI the property tests are derandomized: a red build must mean a change
# broke something, not that this run's random draw found an old corner. Local
# runs stay random, which is where new corners get found.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def _hangup_ignored_here(signum: int, frame: object) -> None:
    """Run under ``nohup``, the suite still ignores a hangup (a closed terminal)."""


# A signal ignored when the suite starts is ignored in every process it starts too:
# ``nohup`` ignores SIGHUP, and a shell ignores SIGINT for a command it runs in the
# background (``bash .ci/run &``). The signal tests (in-process, and of the ``difffuzz
# run`` processes they start) would meet a signal difffuzz rightly leaves ignored.
# Handlers of the suite's own are not inherited across exec: a child starts with the
# default. Ctrl-C interrupts as Python's default does; a hangup is still ignored.
if signal.getsignal(signal.SIGHUP) is signal.SIG_IGN:
    signal.signal(signal.SIGHUP, _hangup_ignored_here)
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

#: A small campaign: enough for the HTTP surfaces to diverge, quick for the CLI ones.
SMALL_EXAMPLES = 20
#: Seconds per surface: a cap, so that a loaded machine cannot stretch a test.
SMALL_SECONDS = 4.0


@pytest.fixture(scope="session")
def sample_runtimes() -> Iterator[SampleRuntimes]:
    """Both sample runtimes, running on free loopback ports for the whole session."""
    with start_sample_runtimes() as runtimes:
        yield runtimes


@pytest.fixture
def sample_config(sample_runtimes: SampleRuntimes, tmp_path: Path) -> Path:
    """The lakehouse config for the running samples, with a small budget, in ``tmp_path``.

    Its corpus and reports folders are ``tmp_path/corpus`` and ``tmp_path/reports``.
    """
    return write_sample_config(
        sample_runtimes, tmp_path, max_examples=SMALL_EXAMPLES, max_seconds=SMALL_SECONDS
    )


@pytest.fixture
def twin_config(sample_runtimes: SampleRuntimes, tmp_path: Path) -> Path:
    """A config whose two runtimes are both the rust-style sample: nothing may diverge.

    See :func:`twin_config_text`.
    """
    path = tmp_path / "twin.toml"
    path.write_text(twin_config_text(sample_runtimes), encoding="utf-8")
    return path


def twin_config_text(runtimes: SampleRuntimes, *, max_examples: int = SMALL_EXAMPLES) -> str:
    """Every lakehouse surface, with the rust-style sample on *both* sides.

    The runtimes keep the names ``rust`` and ``go`` so that fixtures found
    between the real pair replay against this config (and agree: ``fixed``).
    The single-runtime properties of the lakehouse config are left out: they
    judge one side alone, and would report the rust sample's own habits (a
    vector of nulls for an empty text) even against itself. Producer fields
    are ignored as in the lakehouse config; ``recorded_at`` also at the top
    level, because a one-line JSONL output parses as one object, not a list.
    """
    rust = runtimes.rust
    argv = {surface: json.dumps(list(command)) for surface, command in rust.commands.items()}
    return f"""\
[campaign]
max_examples = {max_examples}
max_seconds = {SMALL_SECONDS:g}
corpus = "twin-corpus"
reports = "twin-reports"
learn_noise = 2             # the producer fields are ignored below; noise is a backstop

[runtimes.rust]
base_url = "{rust.base_url}"

[runtimes.go]
base_url = "{rust.base_url}"

[surfaces.validator]
strategy = "validator_requests"
path = "{rust.routes["validator"]}"
answer_status = [200, 422]
compare = {{ rule = "http" }}

[surfaces.embed]
strategy = "embed_texts"
path = "{rust.routes["embed"]}"
template = {{ texts = ["$input"] }}

[surfaces.embed.compare]
rule = "cosine"
min = 0.99999
select = {{ rust = "/embeddings/0", go = "/embeddings/0" }}

[surfaces.search]
strategy = "search_requests"
path = "{rust.routes["search"]}"
answer_status = [200, 422]
compare = {{ rule = "topk", k = 10, min_overlap = 0.8 }}

[surfaces.extract_json]
strategy = "llm_json"
transport = "command"
argv = {argv["extract_json"]}

[surfaces.session_log]
strategy = "session_records"
transport = "command"
argv = {argv["session_log"]}
compare = {{ rule = "json", ignore = ["/timestamp", "/daemon"] }}

[surfaces.materializer]
strategy = "materializer_trees"
transport = "command"
stdin = "none"
argv = {argv["materializer"]}
compare = {{ rule = "json", ignore = ["/*/provenance/recorded_at", "/provenance/recorded_at"] }}
"""


@pytest.fixture
def closed_port_url() -> str:
    """``http://127.0.0.1:<port>`` where nothing listens (the port was just released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


#: A validator fixture of the 422 shape, found before the lakehouse gap carried its
#: normalizer (the repository's corpus keeps it). Campaigns with the tracked gap
#: no longer save such fixtures themselves; tests that need one copy this one.
LAKEHOUSE_GAP_FIXTURE = (
    Path(__file__).resolve().parent.parent / "corpus" / "validator" / "0a28efa726-dc5fbf7c.json"
)


def add_lakehouse_gap_fixture(corpus: Path) -> Path:
    """Copy :data:`LAKEHOUSE_GAP_FIXTURE` into ``corpus``; returns its new path."""
    target = corpus / "validator" / LAKEHOUSE_GAP_FIXTURE.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(LAKEHOUSE_GAP_FIXTURE, target)
    return target


def is_lakehouse_gap(fixture: Fixture) -> bool:
    """Does the lakehouse config's known gap (422 body shape) cover this fixture?

    Gaps live in the config, not in the fixtures, so tests ask the same question
    the config does.
    """
    return fixture.signature.category == "shape" and fixture.signature.statuses == (422, 422)
