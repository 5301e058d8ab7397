"""Make ``workers.jsonl``, the seeded worker corpus both sample runtimes search.

Run ``python -m lakehouse_samples.make_workers`` to rewrite the bundled file; the
same seed gives the same bytes, so the file in the repository can be checked
against this script (``tests/test_samples_http.py`` does). One worker per line::

    {"id": "W-00042", "name": "...", "role": "Forklift Operator",
     "certifications": ["OSHA-10", "Forklift certified"], "city": "Detroit",
     "state": "MI", "client_history": ["Beacon Freight"], "years": 6,
     "profile": "Forklift Operator in Detroit, MI; OSHA-10, Forklift certified; ..."}

Real demand clusters on (client, city), so workers are drawn from a small pool
of cities and clients with a heavy bias toward a few of each: many workers share
a city and a client and differ only in role, which is where ranking bugs hide.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

__all__ = ["SEED", "WORKERS_PATH", "WORKER_COUNT", "make_workers", "write_workers"]

SEED = 4110
WORKER_COUNT = 3000
WORKERS_PATH = Path(__file__).with_name("workers.jsonl")

ROLES: dict[str, tuple[str, ...]] = {
    "Forklift Operator": ("OSHA-10", "OSHA-30", "Forklift certified", "Reach truck"),
    "CNC Operator": ("OSHA-10", "NIMS Level I", "Blueprint reading", "Fanuc controls"),
    "Welder": ("AWS D1.1", "OSHA-10", "MIG", "TIG", "Stick"),
    "Picker": ("RF scanner", "OSHA-10", "Pallet jack"),
    "Loader": ("OSHA-10", "Pallet jack", "Dock safety"),
    "Shipping clerk": ("WMS", "RF scanner", "Hazmat awareness"),
    "Warehouse associate": ("OSHA-10", "RF scanner", "Pallet jack", "Forklift certified"),
    "CDL driver": ("CDL-A", "CDL-B", "Hazmat endorsement", "Tanker endorsement"),
    "Dental assistant": ("CPR/BLS", "Dental radiography", "Infection control"),
}

# Logistics and manufacturing towns, first ones most frequent (demand clusters).
CITIES: tuple[tuple[str, str], ...] = (
    ("Detroit", "MI"),
    ("Columbus", "OH"),
    ("Memphis", "TN"),
    ("Louisville", "KY"),
    ("Indianapolis", "IN"),
    ("Joliet", "IL"),
    ("Grand Rapids", "MI"),
    ("Toledo", "OH"),
    ("Fort Wayne", "IN"),
    ("Dayton", "OH"),
    ("Allentown", "PA"),
    ("Reno", "NV"),
    ("Savannah", "GA"),
    ("Laredo", "TX"),
    ("Ontario", "CA"),
    ("Kansas City", "MO"),
    ("Charlotte", "NC"),
    ("Flint", "MI"),
    ("Lansing", "MI"),
    ("Akron", "OH"),
)


def make_workers(count: int = WORKER_COUNT, seed: int = SEED) -> list[dict[str, Any]]:
    """The corpus as a list of worker records; same arguments, same records."""
    from faker import Faker  # only the generator needs faker, never the runtimes

    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    clients = ["Beacon Freight", *sorted({fake.company() for _ in range(60)})][:40]
    city_weights = [1.0 / (rank + 1) for rank in range(len(CITIES))]
    client_weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(clients))]
    roles = list(ROLES)
    workers = []
    for number in range(count):
        role = rng.choice(roles)
        city, state = rng.choices(CITIES, weights=city_weights)[0]
        known = ROLES[role]
        certifications = sorted(rng.sample(known, rng.randint(0, min(3, len(known)))))
        history = sorted(set(rng.choices(clients, weights=client_weights, k=rng.randint(0, 3))))
        years = rng.randint(0, 25)
        workers.append(
            {
                "id": f"W-{number:05d}",
                "name": fake.name(),
                "role": role,
                "certifications": certifications,
                "city": city,
                "state": state,
                "client_history": history,
                "years": years,
                "profile": _profile(role, certifications, city, state, history, years, rng),
            }
        )
    return workers


def _profile(
    role: str,
    certifications: list[str],
    city: str,
    state: str,
    history: list[str],
    years: int,
    rng: random.Random,
) -> str:
    parts = [f"{role} in {city}, {state}"]
    if certifications:
        parts.append(", ".join(certifications))
    experience = "new to the trade" if years == 0 else f"{years} years experience"
    parts.append(experience)
    if history:
        parts.append("worked for " + " and ".join(history))
    parts.append(rng.choice(("day shift", "night shift", "weekends", "any shift", "starts Monday")))
    return "; ".join(parts)


def write_workers(path: Path = WORKERS_PATH, count: int = WORKER_COUNT, seed: int = SEED) -> None:
    """Write the corpus as JSON lines (UTF-8, sorted keys, one worker a line)."""
    lines = [
        json.dumps(worker, ensure_ascii=False, sort_keys=True)
        for worker in make_workers(count, seed)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the sample worker corpus.")
    parser.add_argument("--out", type=Path, default=WORKERS_PATH)
    parser.add_argument("--count", type=int, default=WORKER_COUNT)
    parser.add_argument("--seed", type=int, default=SEED)
    options = parser.parse_args(argv)
    write_workers(options.out, options.count, options.seed)


if __name__ == "__main__":
    main()
