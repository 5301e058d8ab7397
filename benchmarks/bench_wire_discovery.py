"""How often a campaign finds each wire family's difference between two real JSON readers.

The pairs are the quality test's (``tests/test_wire_quality.py``): the stdlib
against python-rapidjson, orjson, pysimdjson, ujson or json5, each disagreeing
on one family. For each family, ``--seeds`` seeded campaigns with only that
family on (``json_documents``, ``--examples`` each) run in-process; a hit is a
saved fixture that carries that family and on whose bytes the pair really
disagrees. Run from the repository root (the readers live in ``tests/``)::

    python benchmarks/bench_wire_discovery.py              # 5 seeds, 600 examples
    python benchmarks/bench_wire_discovery.py --only bom --seeds 10
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.test_wire_quality import PAIRS, found_by_campaign


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, default=5, help="campaigns per family")
    parser.add_argument("--only", action="append", default=[], help="family (repeatable)")
    args = parser.parse_args(argv)
    families = args.only or sorted(PAIRS)
    print(f"{args.seeds} seeded campaigns per family, 600 examples each, only that family on.\n")
    print(
        f"| {'family':<17} | {'pair':<24} | {'found':>5} | {'fixture bytes':>13} | {'s/run':>5} |"
    )
    print(f"|{'-' * 19}|{'-' * 26}|{'-' * 6}:|{'-' * 14}:|{'-' * 6}:|")
    for family in families:
        left, right, _ = PAIRS[family]
        sizes: list[int] = []
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as scratch:
            for seed in range(1, args.seeds + 1):
                found = found_by_campaign(family, seed, Path(scratch) / str(seed))
                if found is not None and isinstance(found.sent, bytes):
                    sizes.append(len(found.sent))
        per_run = (time.perf_counter() - started) / args.seeds
        size = f"{statistics.median(sizes):.0f}" if sizes else "-"
        pair = f"{left} / {right.removesuffix('_reader')}"
        print(
            f"| {family:<17} | {pair:<24} | {len(sizes)}/{args.seeds} | {size:>13} | "
            f"{per_run:>5.1f} |"
        )


if __name__ == "__main__":
    main()
