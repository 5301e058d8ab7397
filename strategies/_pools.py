"""Fixed value pools for the lakehouse domain, built once at import.

Faker supplies plausible clients, cities and people, but calling it inside a
draw would be slow and would tie the values to Faker's global random state.
So a privately seeded Faker fills each pool once with a few hundred values, and
strategies pick from the pools with ``st.sampled_from``: cheap, reproducible
for a given Faker version, and it shrinks to index 0. Every pool is sorted
shortest first, so a shrunk example reads as the shortest plausible value.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from functools import lru_cache
from typing import Any, TypeVar

from faker import Faker
from hypothesis import strategies as st

__all__ = [
    "BOOLEANS",
    "CERTIFICATIONS",
    "CITIES",
    "CLIENTS",
    "MODELS",
    "PEOPLE",
    "ROLES",
    "STARTS",
    "choice",
    "plural",
    "up_to",
]

T = TypeVar("T", bound=Hashable)

#: The seed of the pools. Changing it changes every generated query.
FAKER_SEED = 20240611
_POOL_SIZE = 300

#: Roles seen in the team's demand (the contract's list, in its spelling).
ROLES: tuple[str, ...] = (
    "Welder",
    "Picker",
    "Loader",
    "CDL driver",
    "CNC Operator",
    "Shipping clerk",
    "Dental assistant",
    "Forklift Operator",
    "Warehouse associate",
)

CERTIFICATIONS: tuple[str, ...] = (
    "CPR",
    "CDL-A",
    "TWIC",
    "HAZMAT",
    "OSHA-10",
    "OSHA-30",
    "AWS D1.1",
    "forklift certified",
    "radiology license",
)

#: How coordinators say when the shift starts.
STARTS: tuple[str, ...] = (
    "ASAP",
    "tomorrow",
    "starting Monday",
    "starting at 7am",
    "next week",
    "starting 6/2",
    "starting 2025-03-03",
    "for the night shift",
)

#: Model names a session record may carry.
MODELS: tuple[str, ...] = (
    "",
    "gpt-4o",
    "llama3.1:8b",
    "gpt-4o-mini",
    "qwen2.5:7b-instruct",
    "nomic-embed-text",
    "claude-3-5-sonnet-20241022",
    "mistral-nemo:12b-instruct-2407-q4_K_M",
)

# Real places first (the contract's Detroit among them) with the spellings that
# trip tokenisers: a period, a hyphen, an apostrophe, a non-ASCII letter.
_REAL_CITIES: tuple[tuple[str, str], ...] = (
    ("Detroit", "MI"),
    ("Toledo", "OH"),
    ("Joliet", "IL"),
    ("Memphis", "TN"),
    ("Grand Rapids", "MI"),
    ("St. Louis", "MO"),
    ("Winston-Salem", "NC"),
    ("Coeur d'Alene", "ID"),
    ("Española", "NM"),
)


def _sorted_unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values), key=lambda v: (len(v), v)))


def _build_pools() -> tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[str, ...]]:
    fake = Faker("en_US")
    # seed_instance, not Faker.seed: the class-level seed would reseed every
    # other Faker in the process (a user's own factories included).
    fake.seed_instance(FAKER_SEED)
    # The contract's own client first, so a shrunk query reads like its example.
    clients = ("Beacon Freight", *_sorted_unique(fake.company() for _ in range(_POOL_SIZE)))
    people = _sorted_unique(fake.name() for _ in range(_POOL_SIZE))
    # The 50 states and DC: the validator's fill wants a 2-letter state, and
    # territories are rare in the team's demand.
    states = [
        fake.state_abbr(include_territories=False, include_freely_associated_states=False)
        for _ in range(_POOL_SIZE)
    ]
    fake_cities = {(fake.city(), state) for state in states}
    cities = _REAL_CITIES + tuple(sorted(fake_cities - set(_REAL_CITIES)))
    return clients, cities, people


CLIENTS, CITIES, PEOPLE = _build_pools()
"""Client company names, (city, state) pairs and people's full names."""


def plural(role: str) -> str:
    """The plural a coordinator writes: ``plural("CDL driver") == "CDL drivers"``."""
    return role + "s"


# Building a strategy object is the expensive part of a draw (Hypothesis
# validates it and computes its label and emptiness on first use), so draws
# inside composites reuse cached ones instead of calling st.sampled_from anew.
BOOLEANS = st.booleans()


_CHOICES: dict[tuple[tuple[type, object], ...], st.SearchStrategy[Any]] = {}


def choice(values: tuple[T, ...]) -> st.SearchStrategy[T]:
    """``st.sampled_from(values)``, built once per distinct tuple.

    Keyed on the values *and their types*: ``(0, 1)`` and ``(False, True)`` are
    equal tuples, and must not share a strategy.
    """
    key = tuple((type(value), value) for value in values)
    if key not in _CHOICES:
        _CHOICES[key] = st.sampled_from(values)
    return _CHOICES[key]


@lru_cache(maxsize=2048)
def up_to(high: int, low: int = 0) -> st.SearchStrategy[int]:
    """``st.integers(low, high)``, built once per bounds."""
    return st.integers(min_value=low, max_value=high)
