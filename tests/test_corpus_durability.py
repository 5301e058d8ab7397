"""What the corpus must survive: fixtures of older versions, key order, other processes.

``tests/frozen/schema1/`` holds fixture files written by difffuzz 0.1.0 (schema
``difffuzz.fixture/1``, named by the digest that left key order out), frozen:
they are never regenerated, so a change that stops them reading fails here.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from difffuzz._comparators.base import CompareSpec, Difference, DiffKind
from difffuzz._corpus import Corpus, Fixture, fixture_text, input_digest
from difffuzz._inputs import FileTree, Input
from difffuzz._outcome import Outcome
from difffuzz._signature import Signature
from tests.support.inputs import as_dict
from tests.support.records import changed, fixture_of
from tests.test_corpus import make_fixture
from tests.test_inputs import dict_keys, inputs, same_input

FROZEN = Path(__file__).parent / "frozen" / "schema1"
ROOT = Path(__file__).resolve().parent.parent

# -- key order ---------------------------------------------------------------------


def test_key_order_is_part_of_the_fixture_name(tmp_path: Path) -> None:
    # Both reach the wire differently ({"a":1,"b":2} vs {"b":2,"a":1}): two fixtures.
    corpus = Corpus(tmp_path)
    ab, ba = make_fixture({"a": 1, "b": 2}), make_fixture({"b": 2, "a": 1})
    assert ab.id != ba.id
    assert corpus.save(ab)[1]
    assert corpus.save(ba)[1]
    assert sorted(list(as_dict(f.input)) for f in corpus.fetch("planted")) == [
        ["a", "b"],
        ["b", "a"],
    ]


@given(st.dictionaries(dict_keys(), inputs(), min_size=2, max_size=4), st.randoms())
def test_the_input_digest_changes_exactly_when_the_key_order_does(
    record: dict[object, Input], random: Random
) -> None:
    keys = list(record)
    random.shuffle(keys)
    reordered = {key: record[key] for key in keys}
    assert (input_digest(reordered) == input_digest(record)) == (keys == list(record))


# -- fixtures written by difffuzz 0.1.0 --------------------------------------------------

_DIFFERENCE = Difference(DiffKind.VALUE, "/text", "/text", left="<", right="&lt;")
#: What tests/frozen/schema1/planted/7de5995ddd-d7436ccd.json was written from.
FROZEN_RECORD = fixture_of(
    surface="planted",
    signature=Signature.of("planted", (200, 200), [_DIFFERENCE]),
    input={"zone": "eu\ud800", "id": 7, "raw": b"\xff\x00", "ratio": math.nan, "tags": ("a", -0.0)},
    runtimes=("rust", "go"),
    left=Outcome(200, b'{"text": "<"}'),
    right=Outcome(200, b'{"text": "&lt;"}'),
    differences=(_DIFFERENCE,),
    compare=CompareSpec(rule="json", ignore=("/timestamp",)),
    answer_status=(200, 422),
    seed=1234,
    found_at="2026-12-01T20:00:00+00:00",
    difffuzz_version="0.1.0",
    hypothesis_version="6.170.17",
)
#: And tests/frozen/schema1/planted/69512268e7-60219fd1.json: a helper surface's
#: folder input, unshrunk, a known gap since fixed.
FROZEN_TREE = changed(
    FROZEN_RECORD,
    input=FileTree.of({"logs/a.jsonl": b'{"x": 1}\n', "b.txt": "é".encode()}),
    signature=Signature.of("planted", (0, 1), [_DIFFERENCE]),
    left=Outcome(0, b'{"text": "<"}', stderr=b"warn"),
    right=Outcome(1, b"", stderr=b"Traceback: boom"),
    collapse=("/rows/*",),
    answer_status=None,
    shrunk=False,
    known_gap="tracked in LH-7",
    fixed_at="2026-12-01T21:00:00+00:00",
    seed=None,
)


def _frozen_copy(tmp_path: Path) -> Corpus:
    shutil.copytree(FROZEN, tmp_path / "corpus")
    return Corpus(tmp_path / "corpus")


def test_fixtures_written_by_difffuzz_0_1_0_read_back_whole(tmp_path: Path) -> None:
    fixtures, problems = _frozen_copy(tmp_path).load()
    assert problems == []
    by_name = {f.path.name: f for f in fixtures if f.path is not None}
    assert set(by_name) == {"7de5995ddd-d7436ccd.json", "69512268e7-60219fd1.json"}
    for name, expected in [
        ("7de5995ddd-d7436ccd.json", FROZEN_RECORD),
        ("69512268e7-60219fd1.json", FROZEN_TREE),
    ]:
        loaded = by_name[name]
        assert same_input(loaded.input, expected.input)  # key order, NaN, -0.0, bytes
        assert changed(loaded, input=None) == changed(expected, input=None)


def test_a_fixture_under_its_old_name_is_still_the_same_fixture(tmp_path: Path) -> None:
    corpus = _frozen_copy(tmp_path)
    old = corpus.root / "planted" / "7de5995ddd-d7436ccd.json"
    # Its keys are not in sorted order, so today's name for it is another one.
    assert FROZEN_RECORD.id != old.stem
    before = old.read_bytes()
    assert corpus.save(FROZEN_RECORD) == (old, False)
    assert old.read_bytes() == before
    assert len(corpus.files("planted")) == 2


def test_an_old_name_shared_by_two_key_orders_does_not_hide_the_other(tmp_path: Path) -> None:
    # The old name left key order out, so the input in sorted order is today named
    # what the old file is named: the old fixture moves to its own name, unchanged.
    corpus = _frozen_copy(tmp_path)
    assert isinstance(FROZEN_RECORD.input, dict)
    other_order = changed(FROZEN_RECORD, input=dict(sorted(FROZEN_RECORD.input.items())))
    assert other_order.id == "7de5995ddd-d7436ccd"
    path, written = corpus.save(other_order)
    assert (path.name, written) == ("7de5995ddd-d7436ccd.json", True)
    assert len(corpus.files("planted")) == 3
    moved = corpus.read(corpus.path_for(FROZEN_RECORD))
    assert list(as_dict(moved.input)) == ["zone", "id", "raw", "ratio", "tags"]
    assert list(as_dict(corpus.read(path).input)) == sorted(as_dict(FROZEN_RECORD.input))
    assert corpus.save(FROZEN_RECORD) == (corpus.path_for(FROZEN_RECORD), False)


# -- other processes -------------------------------------------------------------------

#: One saver process: waits at the start line, then saves the shared fixture and its own.
_SAVER = """
import sys, time
from pathlib import Path
from difffuzz._comparators.base import CompareSpec, Difference, DiffKind
from difffuzz._corpus import Corpus
from difffuzz._outcome import Outcome
from difffuzz._signature import Signature
from tests.support.records import fixture_of

root, go, index = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
difference = Difference(DiffKind.VALUE, "/text", "/text", left="<", right="&lt;")

def fixture(value):
    return fixture_of(
        surface="planted",
        signature=Signature.of("planted", (0, 0), [difference]),
        input=value,
        runtimes=("rust", "go"),
        left=Outcome(0, b'{"text": "<"}'),
        right=Outcome(0, b'{"text": "&lt;"}'),
        differences=(difference,),
        compare=CompareSpec(rule="json", ignore=("/timestamp",)),
    )

corpus = Corpus(root)
print("ready", flush=True)
while not go.exists():
    time.sleep(0.001)
shared, own = fixture("x" * 200_000 + "<"), fixture(f"<{index}")
results = [corpus.save(shared), corpus.save(own), corpus.save(shared)]
print(sum(written for _, written in results))
"""
SAVERS = 4


def _saved(value: Input) -> Fixture:
    """What a saver process saves for ``value`` (the saver builds it as make_fixture does)."""
    return make_fixture(value)


def test_processes_saving_at_once_leave_one_whole_file_per_fixture(tmp_path: Path) -> None:
    # Campaigns on two CI workers may find the same divergence at the same moment:
    # real processes, released together, each saving one shared fixture and its own.
    root, go = tmp_path / "corpus", tmp_path / "go"
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's difffuzz
    savers = [
        subprocess.Popen(
            [sys.executable, "-c", _SAVER, str(root), str(go), str(index)],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(SAVERS)
    ]
    try:
        for saver in savers:  # every one imported and waiting at the start line
            assert saver.stdout is not None
            assert saver.stdout.readline() == "ready\n"
        go.touch()
        outputs = [saver.communicate(timeout=60) for saver in savers]
    finally:
        for saver in savers:
            if saver.poll() is None:
                saver.kill()
    assert [saver.returncode for saver in savers] == [0] * SAVERS, outputs
    shared = _saved("x" * 200_000 + "<")
    corpus = Corpus(root)
    names = sorted(p.name for p in (root / "planted").iterdir())
    assert names == sorted(
        {f"{shared.id}.json", *(f"{_saved(f'<{i}').id}.json" for i in range(SAVERS))}
    )
    assert corpus.path_for(shared).read_bytes() == fixture_text(shared)
    # Each process wrote its own fixture; the shared one was written by at least one.
    assert sum(int(out.strip()) for out, _ in outputs) >= SAVERS + 1
    assert all(json.loads(p.read_bytes())["schema"] for p in corpus.files("planted"))


# -- records with only the required fields, and hand-edited ones ----------------------


def _minimal_record() -> dict[str, object]:
    full = FROZEN_RECORD.to_json()
    required = ("schema", "surface", "signature", "input", "runtimes", "outcomes", "compare")
    return {key: full[key] for key in required}


def test_a_record_with_only_the_required_fields_reads_with_the_defaults() -> None:
    fixture = Fixture.from_json(_minimal_record())
    assert (fixture.shrunk, fixture.flaky) == (True, False)
    assert (fixture.known_gap, fixture.fixed_at, fixture.found_at) == ("", "", "")
    assert (fixture.difffuzz_version, fixture.hypothesis_version) == ("", "")
    assert (fixture.differences, fixture.collapse, fixture.answer_status) == ((), (), None)
    assert fixture.seed is None
    assert fixture.normalized is None
    assert Fixture.from_json({**_minimal_record(), "known_gap": "not a table"}).known_gap == ""


def test_stored_normalised_answers_are_read_per_runtime() -> None:
    record = {**_minimal_record(), "normalized": {"go": {"side": "go"}, "rust": {"side": "rust"}}}
    assert Fixture.from_json(record).normalized == ({"side": "rust"}, {"side": "go"})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"runtimes": "ab"}, "field 'runtimes' must name two runtimes, got 'ab'"),
        ({"collapse": "/rows/*"}, "field 'collapse' must be a list, got '/rows/*'"),
        ({"answer_status": 200}, "field 'answer_status' must be a list, got 200"),
        ({"normalized": {"rust": 1}}, "field 'normalized' must have one entry per runtime"),
        ({"normalized": [1, 2]}, "field 'normalized' must have one entry per runtime"),
    ],
)
def test_a_hand_edited_record_names_the_field_that_is_wrong(
    change: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Fixture.from_json({**_minimal_record(), **change})


def test_a_record_that_is_not_an_object_says_so() -> None:
    with pytest.raises(ValueError, match=r"^a fixture must be a JSON object$"):
        Fixture.from_json([])  # type: ignore[arg-type]


def test_stored_normalised_answers_hold_non_finite_numbers_as_strict_json() -> None:
    fixture = replace(
        FROZEN_RECORD,
        normalized=({"v": [math.nan, math.inf, 1.5], "n": 2}, {"v": -math.inf}),
    )
    assert fixture.to_json()["normalized"] == {
        "rust": {"v": ["NaN", "Infinity", 1.5], "n": 2},
        "go": {"v": "-Infinity"},
    }
    json.loads(fixture_text(fixture), parse_constant=lambda name: pytest.fail(name))


def test_a_lone_surrogate_in_an_answer_is_written_as_its_json_escape(tmp_path: Path) -> None:
    # json.loads turns "\ud800" in an answer into a lone surrogate, which UTF-8 cannot
    # hold: the file keeps the escape, and reads back the same value.
    surrogate = Difference(DiffKind.VALUE, "/text", "/text", left="a\ud800", right="b")
    fixture = changed(FROZEN_RECORD, differences=(surrogate,))
    corpus = Corpus(tmp_path)
    path, _ = corpus.save(fixture)
    assert b"\\ud800" in path.read_bytes()
    assert corpus.read(path).differences[0].left == "a\ud800"
