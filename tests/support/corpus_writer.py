"""A process that saves fixtures into a corpus, for the concurrent-writers test.

``python -m tests.support.corpus_writer ROOT WRITER COUNT`` saves fixtures 0..COUNT-1
in an order of its own (WRITER shuffles it); odd writers save them all as
flaky, so that the same finding arrives flaky from one process and not from another.
It waits for the file ``ROOT/go`` before it starts, so all writers start together.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from difffuzz._comparators.base import CompareSpec, Comparison, Difference, DiffKind
from difffuzz._corpus import Corpus, Fixture
from difffuzz._divergence import Divergence
from difffuzz._outcome import Outcome
from difffuzz._signature import Signature


def fixture(number: int, *, flaky: bool = False, seed: int | None = None) -> Fixture:
    """Finding ``number`` of the test: its own input, one shared signature."""
    difference = Difference(DiffKind.VALUE, "/text", "/text", left="<", right="&lt;")
    divergence = Divergence(
        surface="planted",
        signature=Signature.of("planted", (0, 0), [difference]),
        input=f"input {number}",
        runtimes=("rust", "go"),
        left=Outcome(0, b'{"text": "<"}'),
        right=Outcome(0, b'{"text": "&lt;"}'),
        comparison=Comparison("json", (difference,)),
        compare=CompareSpec(rule="json"),
    )
    return Fixture(divergence, flaky=flaky, seed=seed)


def main(root: str, writer: int, count: int) -> None:
    corpus = Corpus(root)
    order = list(range(count))
    random.Random(writer).shuffle(order)
    start = Path(root) / "go"
    while not start.exists():
        time.sleep(0.005)
    for number in order:
        flaky = writer % 2 == 1
        corpus.save(fixture(number, flaky=flaky, seed=writer))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
