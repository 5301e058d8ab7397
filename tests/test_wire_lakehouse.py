"""The structural families on the lakehouse samples: where typed decoders part.

Generic JSON readers agree on a key in another case or an unknown field (they
keep them all), so test_wire_quality.py has no library pair for those
families. Typed decoders do part, and the two sample runtimes decode the way
their originals do: the go-style side matches keys to struct fields the way
``encoding/json`` does (case-insensitively, with Unicode simple folding, so the
Kelvin sign K is a ``k``), the rust-style side the way serde does (exactly).

A campaign may fold such a divergence into a finding a plain document already
has (rust 422 and go 200 is one bucket whatever caused it). So the search here
asks the question directly, whatever the engine's grouping: a validator request
on which the samples agree, and one mutation of it on which they do not, shrunk
by Hypothesis through the layer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st

from difffuzz._config import SurfaceSpec, load_config
from difffuzz._connect import open_transport
from difffuzz._inputs import WireInput
from difffuzz._judge import Judge
from difffuzz._registry import get_strategy
from difffuzz._results import Verdict
from difffuzz._transports.base import Transport
from difffuzz._wire import WireContext, WireSettings, wire
from lakehouse_samples import SampleRuntimes
from lakehouse_samples.demo import write_sample_config

SEARCH = settings(
    max_examples=300, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)


@pytest.fixture
def validator(
    sample_runtimes: SampleRuntimes, tmp_path: Path
) -> Iterator[tuple[SurfaceSpec, Transport, Transport]]:
    config = load_config(write_sample_config(sample_runtimes, tmp_path))
    surface = config.surfaces["validator"]
    left, right = (
        open_transport(surface.requests[name], max_body_bytes=10**7) for name in ("rust", "go")
    )
    yield surface, left, right
    left.close()
    right.close()


def keys_of(body: bytes) -> list[str]:
    """Every key of every object in a JSON body, duplicates and all."""
    keys: list[str] = []
    json.loads(body, object_pairs_hook=lambda pairs: keys.extend(k for k, _ in pairs))
    return keys


@pytest.mark.parametrize(
    ("family", "respelled"),
    [
        ("key_case", lambda key: key != key.lower()),
        pytest.param(
            "key_lookalike",
            lambda key: "\u212a" in key or "\u017f" in key,
            marks=pytest.mark.slow,  # the same search again, ~8 s on a loaded machine
        ),
    ],
)
def test_go_style_field_matching_is_found_through_the_key_families(
    family: str,
    respelled: Callable[[str], bool],
    validator: tuple[SurfaceSpec, Transport, Transport],
) -> None:
    surface, left, right = validator
    judge = Judge(surface, ("rust", "go"))
    requests = get_strategy("validator_requests").build()
    only = WireSettings(rate=1, families=(family,))
    pairs = requests.flatmap(
        lambda plain: st.tuples(
            st.just(plain), wire(st.just(plain), only, WireContext(prose=False, http=True))
        )
    )

    def verdict(value: Any) -> Verdict:
        return judge.judge(value, left.send(value), right.send(value)).verdict

    def agree_then_part(pair: tuple[Any, Any]) -> bool:
        plain, mutated = pair
        if not isinstance(mutated, WireInput) or isinstance(plain, bytes):
            return False
        return verdict(plain) is Verdict.MATCH and verdict(mutated) is Verdict.DIVERGENCE

    plain, mutated = find(pairs, agree_then_part, settings=SEARCH)
    assert isinstance(plain, dict)  # a request the samples agree on...
    assert mutated.family == family  # ...and the one mutation that parts them
    assert isinstance(mutated.sent, bytes)
    assert any(respelled(key) for key in keys_of(mutated.sent))
    assert mutated.mutation.startswith("key ")  # it says which key, and how it was spelled
