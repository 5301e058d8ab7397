"""Coordinator queries and search requests: ``staffing_queries``, ``search_requests``.

Why a cluster: the team's first real-data run found a retrieval bug that no
synthetic probe could reach, because real demand clusters on (client, city) and
the bug lived inside such a cluster. The fuzzer sends one input per test case,
so a cluster cannot be one value; it has to show up *across* test cases. With
``clustered=True`` three draws in four take their (client, city) from a small
fixed pool of hot pairs (:data:`HOT_CLUSTERS`), and a hot pair also keeps its
count and start, so a campaign of a few hundred examples sends dozens of
queries per hot pair that differ only in role or style: exactly the
neighbourhood where two HNSW indexes disagree on the top-K. ``st.shared`` would
not do it: it shares a value within one test case, and a test case here holds
one query.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

import difffuzz
from difffuzz import ConfigError

from ._categories import report, tagged
from ._pools import CERTIFICATIONS, CITIES, CLIENTS, PEOPLE, ROLES, STARTS, choice, plural

__all__ = [
    "HOT_CLUSTERS",
    "STYLES",
    "WORKER_IDS",
    "WORKER_ID_PATTERN",
    "DemandRow",
    "render_query",
    "search_requests",
    "staffing_queries",
    "worker_id",
]

#: The four ways coordinators type a demand row (see the contract).
STYLES: tuple[str, ...] = ("need", "client_first", "looking", "shorthand")

#: Worker ids of the sample corpus look like ``W-00042``.
WORKER_ID_PATTERN = re.compile(r"W-[0-9]{5}")
#: The ids the sample worker corpus holds: W-00000 .. W-04999.
WORKER_IDS = range(5000)

#: (client, (city, state)) pairs that clustered draws favour. Fixed per seed so
#: a campaign keeps returning to the same few neighbourhoods.
HOT_CLUSTERS: tuple[tuple[str, tuple[str, str]], ...] = (
    (CLIENTS[0], CITIES[0]),  # Beacon Freight, Detroit MI: the contract's own example
    *(
        (client, city)
        for client, city in zip(
            random.Random(7).sample(CLIENTS[1:], 3),
            random.Random(11).sample(CITIES[1:], 3),
            strict=True,
        )
    ),
)

_COUNTS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 40, 50)
# Inside a hot cluster only role and style vary: each pair keeps one count and
# one start, the way one client's standing order reads week after week.
_HOT_DEMAND: dict[tuple[str, tuple[str, str]], tuple[int, str]] = dict(
    zip(
        HOT_CLUSTERS,
        [(3, "starting at 7am"), (5, "starting Monday"), (2, "ASAP"), (10, "next week")],
        strict=True,
    )
)


def worker_id(number: int) -> str:
    """The id of worker ``number``: ``worker_id(42) == "W-00042"``."""
    return f"W-{number:05d}"


@dataclass(frozen=True)
class DemandRow:
    """One line of a client's staffing demand, before a coordinator phrases it."""

    role: str
    count: int
    client: str
    city: str
    state: str
    start: str
    certification: str | None = None
    contact: str | None = None


def render_query(row: DemandRow, style: str) -> str:
    """The query a coordinator types for ``row`` in ``style``.

    >>> row = DemandRow("Forklift Operator", 3, "Beacon Freight", "Detroit", "MI", "at 7am")
    >>> render_query(row, "need")
    'Need 3 Forklift Operators in Detroit MI at 7am for Beacon Freight'
    >>> render_query(row, "shorthand")
    'Forklift Operator Detroit'
    """
    if style == "shorthand":
        # Role and city run together, no "in", no comma: what the team saw typed.
        return f"{row.role} {row.city}"
    roles = row.role if row.count == 1 else plural(row.role)
    if row.certification:
        roles = f"{roles} with {row.certification}"
    where = f"{row.city} {row.state} {row.start}"
    if style == "need":
        text = f"Need {row.count} {roles} in {where} for {row.client}"
    elif style == "client_first":
        text = f"{row.client} needs {row.count} {roles} in {where}"
    elif style == "looking":
        text = f"Looking for {row.count} {roles} at {row.client} in {where}"
    else:
        raise ConfigError(f"unknown query style {style!r}; choose from {', '.join(STYLES)}")
    return f"{text}, ask for {row.contact}" if row.contact else text


def _check_styles(styles: Sequence[str]) -> tuple[str, ...]:
    chosen = tuple(styles)
    unknown = [style for style in chosen if style not in STYLES]
    if unknown or not chosen:
        raise ConfigError(
            f"staffing_queries(styles={list(chosen)!r}) names unknown or no styles; "
            f"choose one or more of {', '.join(STYLES)}"
        )
    return chosen


_SPREAD = st.tuples(st.sampled_from(CLIENTS), st.sampled_from(CITIES))
# Three hot branches to one spread branch: a 3-in-4 bias without a custom
# weighting, and the first branch (the contract's pair) is where shrinking goes.
_CLUSTERED = st.one_of(
    tagged("staffing_queries", "hot_cluster", st.sampled_from(HOT_CLUSTERS)),
    tagged("staffing_queries", "hot_cluster", st.sampled_from(HOT_CLUSTERS)),
    tagged("staffing_queries", "hot_cluster", st.sampled_from(HOT_CLUSTERS)),
    tagged("staffing_queries", "spread", _SPREAD),
)


_SPREAD_ONLY = tagged("staffing_queries", "spread", _SPREAD)
_CERTIFICATION = st.none() | st.sampled_from(CERTIFICATIONS)
_CONTACT = st.none() | st.sampled_from(PEOPLE)


@st.composite
def _query(draw: st.DrawFn, clustered: bool, styles: tuple[str, ...]) -> str:
    pair = draw(_CLUSTERED if clustered else _SPREAD_ONLY)
    client, (city, state) = pair
    style = draw(choice(styles))
    report("staffing_queries", style)
    role = draw(choice(ROLES))
    if clustered and pair in _HOT_DEMAND:
        count, start = _HOT_DEMAND[pair]
        row = DemandRow(role, count, client, city, state, start)
    else:
        row = DemandRow(
            role=role,
            count=draw(choice(_COUNTS)),
            client=client,
            city=city,
            state=state,
            start=draw(choice(STARTS)),
            certification=draw(_CERTIFICATION),
            contact=draw(_CONTACT),
        )
    if row.certification and style != "shorthand":
        report("staffing_queries", "certification")
    if row.contact and style != "shorthand":
        report("staffing_queries", "contact")
    return render_query(row, style)


_QUERY_EXAMPLES = [
    "Need 3 Forklift Operators in Detroit MI starting at 7am for Beacon Freight",
    "Beacon Freight needs 3 Forklift Operators in Detroit MI starting at 7am",
    "Looking for 3 Forklift Operators at Beacon Freight in Detroit MI starting at 7am",
    "Forklift Operator Detroit",
]


@difffuzz.strategy(
    "staffing_queries",
    description="Coordinator queries from demand rows in the four styles; optional clustering.",
    examples=_QUERY_EXAMPLES,
    categories=[*STYLES, "certification", "contact", "hot_cluster", "spread"],
)
def staffing_queries(
    clustered: bool = False, styles: Sequence[str] = STYLES
) -> st.SearchStrategy[str]:
    """Queries as coordinators type them, built from generated demand rows.

    With ``clustered=True`` most queries share one of a few (client, city)
    pairs (see the module docstring); ``hot_cluster`` is reported only then.

    >>> staffing_queries(styles=["shorthand"]).example()  # doctest: +SKIP
    'Welder Toledo'
    """
    return _query(clustered, _check_styles(styles))


_HITS = st.integers(min_value=WORKER_IDS.start, max_value=WORKER_IDS.stop - 1).map(worker_id)
_MISSES = st.one_of(
    # In the id pattern but outside the corpus, then near-misses of the pattern.
    st.integers(min_value=WORKER_IDS.stop, max_value=99_999).map(worker_id),
    st.sampled_from(["", "W-0", "W-42", "w-00042", "W00042", " W-00042", "W-00042 ", "W-0004２"]),
)

# Not unique=True (slow to draw); duplicates are dropped after the draw.
_HIT_LISTS = st.lists(_HITS, min_size=1, max_size=5).map(lambda ids: list(dict.fromkeys(ids)))
_CORPUS_IDS = tuple(worker_id(number) for number in WORKER_IDS)
_MISS_LISTS = st.lists(_MISSES, min_size=1, max_size=3)


@st.composite
def _exclusions(draw: st.DrawFn) -> list[str]:
    shape = draw(choice(("none", "hit", "miss", "mixed", "duplicate", "many")))
    if shape == "none":
        report("search_requests", "exclude_none")
        return []
    # Drawn for every shape, so that a shape never shrinks better than "hit"
    # just because it makes fewer choices.
    hits = draw(_HIT_LISTS)
    misses = draw(_MISS_LISTS)
    if shape == "hit":
        ids = hits
    elif shape == "miss":
        ids = misses
    elif shape == "mixed":
        ids = draw(st.permutations(hits + misses))
    elif shape == "duplicate":
        ids = hits + hits[:1]
        report("search_requests", "exclude_duplicate")
    else:
        size = draw(choice((100, 500, 5000)))
        ids = list(dict.fromkeys([*hits, *_CORPUS_IDS[:size]]))
        report("search_requests", "exclude_many")
    if shape != "miss":
        report("search_requests", "exclude_hit")
    if shape in ("miss", "mixed"):
        report("search_requests", "exclude_miss")
    return ids


_K = st.one_of(
    tagged("search_requests", "k_typical", st.integers(min_value=2, max_value=20)),
    tagged("search_requests", "k_one", st.just(1)),
    tagged("search_requests", "k_zero", st.just(0)),
    tagged("search_requests", "k_large", st.sampled_from([1000, 4999, 5000, 5001, 100_000])),
    tagged("search_requests", "k_negative", st.sampled_from([-1, -1000])),
    tagged("search_requests", "k_overflow", st.sampled_from([2**31, 2**32, 2**63, 2**64])),
)

_EDGE_QUERIES = tagged(
    "search_requests",
    "query_edge",
    st.sampled_from(["x", "", " ", "W-00042", "Café résumé ⭐ 你好", "forklift " * 300]),
)


@difffuzz.strategy(
    "search_requests",
    description="Search bodies {query, k, exclude_ids}: clustered queries, k at its edges.",
    examples=[{"query": query, "k": 5, "exclude_ids": []} for query in _QUERY_EXAMPLES]
    + [{"query": _QUERY_EXAMPLES[0], "k": 5, "exclude_ids": ["W-00042"]}],
    categories=[
        "k_typical",
        "k_one",
        "k_zero",
        "k_large",
        "k_negative",
        "k_overflow",
        "exclude_none",
        "exclude_hit",
        "exclude_miss",
        "exclude_duplicate",
        "exclude_many",
        "query_edge",
    ],
)
def search_requests(clustered: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """Retrieve bodies ``{"query": str, "k": int, "exclude_ids": [str]}``.

    Queries come from :func:`staffing_queries` (clustered by default, so the
    same neighbourhoods are searched again and again), with a few edge queries.
    Exclusions hit the sample corpus (:data:`WORKER_IDS`), miss it, or both.

    >>> search_requests().example()  # doctest: +SKIP
    {'query': 'Welder Detroit', 'k': 0, 'exclude_ids': ['W-00042']}
    """
    # tuples, not fixed_dictionaries: the body keeps the contract's key order.
    return st.tuples(staffing_queries(clustered=clustered) | _EDGE_QUERIES, _K, _exclusions()).map(
        lambda parts: {"query": parts[0], "k": parts[1], "exclude_ids": parts[2]}
    )
