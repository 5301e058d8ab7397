"""The lakehouse surface pack: one config for all six surfaces of the contract.

``examples/lakehouse.toml`` is exactly :func:`lakehouse_config` with the team's
default addresses and helper names (a test keeps the two identical), and
``difffuzz demo`` renders the same text against the bundled sample runtimes, so
the demo exercises the very config a team would adopt.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["LakehouseTargets", "lakehouse_config"]


@dataclass(frozen=True)
class LakehouseTargets:
    """Where the two runtimes listen and how their helper programs are called."""

    rust_url: str = "http://127.0.0.1:3100"
    go_url: str = "http://127.0.0.1:4110"
    embed_model: str = "nomic-embed-text"
    #: surface -> argv for each runtime; ``{input_dir}``/``{output_file}`` are placeholders.
    rust_commands: Mapping[str, Sequence[str]] = field(
        default_factory=lambda: {
            "extract_json": ["parity_extract_json"],
            "session_log": ["parity_session_log"],
            "materializer": ["parity_materialize", "{input_dir}", "{output_file}"],
        }
    )
    go_commands: Mapping[str, Sequence[str]] = field(
        default_factory=lambda: {
            "extract_json": ["extract_json_helper"],
            "session_log": ["session_log_helper"],
            "materializer": ["materialize", "{input_dir}", "{output_file}"],
        }
    )
    #: surface -> "lines" for a helper kept running (one JSON line per input, both
    #: runtimes' helpers must take it); unset: one process per input.
    helper_modes: Mapping[str, str] = field(default_factory=dict)
    max_examples: int = 300
    #: Seconds per surface (exploring and shrinking); None: no limit.
    max_seconds: float | None = None
    corpus: str = "corpus"
    reports: str = "reports"


def _argv(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _mode(targets: LakehouseTargets, surface: str) -> str:
    """The surface's ``mode`` line, or nothing for the default (a process per input)."""
    mode = targets.helper_modes.get(surface, "spawn")
    if mode == "spawn":
        return ""
    return f'mode = "{mode}"             # the helper kept running, one JSON line per call\n'


def lakehouse_config(targets: LakehouseTargets | None = None, *, header: str = "") -> str:
    """The TOML text of the lakehouse config for ``targets``."""
    t = targets or LakehouseTargets()
    rust, go = t.rust_commands, t.go_commands
    intro = header or (
        "# difffuzz config for the lakehouse staffing platform: the Rust gateway (left)\n"
        "# against the Go port (right), every surface of the contract with its match rule.\n"
        "# Change the helper argv lines below to your builds, then: difffuzz run --config THIS"
    )
    time_line = (
        f"max_seconds = {t.max_seconds:g}        # per surface, exploring and shrinking\n"
        if t.max_seconds is not None
        else ""
    )
    return f"""{intro}

[campaign]
max_examples = {t.max_examples}       # generated inputs per surface
{time_line}
corpus = "{t.corpus}"            # minimal fixtures, one JSON file each, committed
reports = "{t.reports}"          # Markdown, JSON, HTML and JUnit reports per run
timeout = 10.0              # seconds per call
infra_error_limit = 5       # unreachable/timeouts in a row before the run stops
learn_noise = 8             # inputs sent twice to each side to learn noisy fields

[runtimes.rust]
base_url = "{t.rust_url}"
health = "/health"

[runtimes.go]
base_url = "{t.go_url}"
health = "/health"

# validator: status + JSON body. 400 (not JSON) is not an answer: both sides
# refusing the same way is counted as both-failed, never as parity.
[surfaces.validator]
strategy = "validator_requests"
transport = "http"
method = "POST"
path = "/v1/validate"
body = "json"
answer_status = [200, 422]

[surfaces.validator.compare]
rule = "http"

# The 422 body shape is a known gap that carries its normalizer: Rust's
# {{"Schema": {{"field", "reason"}}}} and Go's {{"Kind", "Field", "Reason"}} are both
# read as {{"kind", "field", "reason"}} before comparing, so the gap is counted (not
# hidden) and a different reason, field or kind inside a 422 is still a finding.
# Both steps run on both sides: one canonical form, whichever side changes.
[[surfaces.validator.known_gaps]]
reason = "422 body shape: Rust serialises its error enum externally tagged, Go writes exported struct fields. Left open by the team; remove this entry when it is fixed."
normalize = [{{ step = "untag_enum", case = "lower" }}, {{ step = "rename_keys", case = "lower" }}]

# embed: different routes and field names; the direction of the vector must agree.
# Both answers are read with Go's field names and unit vectors, so the side-by-side
# view compares like with like (the properties read the raw answers).
[surfaces.embed]
strategy = "embed_texts"
transport = "http"
template = {{ texts = ["$input"], model = "{t.embed_model}" }}
properties = [
    {{ name = "dimension", runtimes = ["rust"], pointer = "/embeddings/0", dimension_pointer = "/dimensions" }},
    {{ name = "dimension", runtimes = ["go"], pointer = "/vectors/0", dimension_pointer = "/dimension" }},
]
normalize = [
    {{ step = "rename_keys", map = {{ embeddings = "vectors", dimensions = "dimension" }} }},
    {{ step = "unit_vector", at = "/vectors/*" }},
]

[surfaces.embed.runtimes.rust]
path = "/ai/embed"

[surfaces.embed.runtimes.go]
path = "/v1/embed"

[surfaces.embed.compare]
rule = "cosine"
min = 0.99999
select = {{ rust = "/vectors/0", go = "/vectors/0" }}

# extract_json: one helper process per call, raw LLM text on stdin.
[surfaces.extract_json]
strategy = "llm_json"
transport = "command"
{_mode(t, "extract_json")}collapse = ["/value"]       # generated keys under /value are one signature
properties = ["parses"]

[surfaces.extract_json.runtimes.rust]
argv = {_argv(rust["extract_json"])}

[surfaces.extract_json.runtimes.go]
argv = {_argv(go["extract_json"])}

[surfaces.extract_json.compare]
rule = "json"

# session_log: the persisted record, minus the producer fields.
[surfaces.session_log]
strategy = "session_records"
transport = "command"
{_mode(t, "session_log")}
[surfaces.session_log.runtimes.rust]
argv = {_argv(rust["session_log"])}

[surfaces.session_log.runtimes.go]
argv = {_argv(go["session_log"])}

[surfaces.session_log.compare]
rule = "json"
ignore = ["/timestamp", "/daemon"]
# The team's probe: "everything else must be byte-equal". Operators query the shared
# JSONL file with DuckDB, which reads 1.0 as a DOUBLE and 1 as a BIGINT.
spelling = true
key_order = true

# materializer: a folder of JSONL files in, one evidence row per line out.
[surfaces.materializer]
strategy = "materializer_trees"
transport = "command"
stdin = "none"
collapse = ["/*/record", "/record"]  # generated records: one signature whatever keys differ

[surfaces.materializer.runtimes.rust]
argv = {_argv(rust["materializer"])}

[surfaces.materializer.runtimes.go]
argv = {_argv(go["materializer"])}

[surfaces.materializer.compare]
rule = "json"
ignore = ["/*/provenance/recorded_at", "/provenance/recorded_at"]  # one row is one object
spelling = true             # the team's probe: rows byte-equivalent, modulo recorded_at
key_order = true

# search: the recommendation must agree (top-1, top-K overlap); exclusions are a
# property of each side alone, a finding even when both sides agree.
[surfaces.search]
strategy = "search_requests"
transport = "http"
answer_status = [200, 422]
properties = ["excludes-honoured", "at-most-k"]

[surfaces.search.runtimes.rust]
path = "/vectors/hybrid"

[surfaces.search.runtimes.go]
path = "/v1/matrix/retrieve"

[surfaces.search.compare]
rule = "topk"
k = 10
min_overlap = 0.8
unranked = "json"           # two error bodies (422/422) must say the same thing

# The same 422 shape as the validator's, read the same way.
[[surfaces.search.known_gaps]]
reason = "422 body shape (as on the validator): Rust's externally tagged error enum against Go's exported struct fields."
normalize = [{{ step = "untag_enum", case = "lower" }}, {{ step = "rename_keys", case = "lower" }}]
"""
