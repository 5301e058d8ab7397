"""The corpus: one reviewable, atomically written file per minimal divergence.

Fixtures are the team's regression gate, so the file must read back exactly,
never be written twice, never be half-written, and a broken file must be named
with its fix while every other fixture still loads.
"""

from __future__ import annotations

import dataclasses
import json
import math
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from difffuzz._comparators.base import CompareSpec, Comparison, Difference, DiffKind
from difffuzz._corpus import (
    FIXTURE_SCHEMA,
    Corpus,
    Fixture,
    UnreadableFixture,
    fixture_text,
    redundant_fixtures,
)
from difffuzz._exceptions import CorpusError
from difffuzz._inputs import FileTree, Input
from difffuzz._outcome import Failure, Outcome
from difffuzz._signature import Signature
from tests.support.records import fixture_of
from tests.test_inputs import same_input

FIX_HINT = "Fix or delete the file"


def make_fixture(
    value: Input = "<",
    *,
    surface: str = "planted",
    path: str = "/text",
    left: Outcome | None = None,
    right: Outcome | None = None,
    **extra: Any,
) -> Fixture:
    difference = Difference(DiffKind.VALUE, path, path, left="<", right="&lt;")
    return fixture_of(
        surface=surface,
        signature=Signature.of(surface, (0, 0), [difference]),
        input=value,
        runtimes=("rust", "go"),
        left=left or Outcome(0, b'{"text": "<"}'),
        right=right or Outcome(0, b'{"text": "&lt;"}'),
        differences=extra.pop("differences", (difference,)),
        compare=CompareSpec(rule="json", ignore=("/timestamp",)),
        **extra,
    )


def stored(corpus: Corpus, fixture: Fixture) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(corpus.path_for(fixture).read_text(encoding="utf-8"))
    return record


# -- save ------------------------------------------------------------------------


def test_save_names_the_file_by_signature_and_input(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    fixture = make_fixture()
    path, written = corpus.save(fixture)
    assert written
    assert path == tmp_path / "planted" / f"{fixture.id}.json"
    assert fixture.id.startswith(fixture.signature.id + "-")
    assert corpus.files() == [path]


def test_save_is_idempotent(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    path, _ = corpus.save(make_fixture())
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    # Same signature and input, other details: still the same fixture, not rewritten.
    again, written = corpus.save(make_fixture(flaky=True, seed=99))
    assert (again, written) == (path, False)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert corpus.files() == [path]


def test_another_input_or_signature_is_another_file(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    corpus.save(make_fixture("<"))
    corpus.save(make_fixture("<<"))
    corpus.save(make_fixture("<", path="/other"))
    corpus.save(make_fixture("<", surface="embed"))
    assert len(corpus.files("planted")) == 3
    assert len(corpus.files()) == 4


def test_concurrent_saves_of_one_fixture_leave_one_whole_file(tmp_path: Path) -> None:
    # Two campaigns (or threads) may find the same divergence at once: whichever
    # rename lands last, the file is complete and no temp file is left behind.
    corpus = Corpus(tmp_path)
    fixture = make_fixture("x" * 50_000 + "<")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: corpus.save(fixture), range(16)))
    assert {path for path, _ in results} == {corpus.path_for(fixture)}
    assert any(written for _, written in results)
    assert sorted(p.name for p in (tmp_path / "planted").iterdir()) == [f"{fixture.id}.json"]
    assert corpus.path_for(fixture).read_bytes() == fixture_text(fixture)


def test_a_failed_write_leaves_neither_a_file_nor_a_temp_file(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    unserialisable = make_fixture(differences=(Difference(DiffKind.VALUE, "/", left=object()),))
    with pytest.raises(TypeError):
        corpus.save(unserialisable)
    assert list((tmp_path / "planted").iterdir()) == []


def test_an_unwritable_corpus_is_a_corpus_error_naming_the_folder(tmp_path: Path) -> None:
    (tmp_path / "planted").write_text("a file where the surface folder should be")
    with pytest.raises(CorpusError, match=r"cannot write fixture .* --corpus DIR"):
        Corpus(tmp_path).save(make_fixture())


def test_temp_files_are_not_fixtures(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    path, _ = corpus.save(make_fixture())
    (path.parent / ".tmp-abandoned.json").write_text("{")
    assert corpus.files() == [path]
    assert corpus.load() == ([corpus.read(path)], [])


@pytest.mark.parametrize("surface", ["", "a/b", ".hidden"])
def test_surface_names_that_are_not_folder_names_are_refused(surface: str) -> None:
    with pytest.raises(CorpusError, match="cannot be used as a corpus folder name"):
        Corpus("corpus").path_for(make_fixture(surface=surface))


# -- the file ------------------------------------------------------------------


def test_the_file_is_sorted_pretty_utf8_json_ending_in_a_newline(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    fixture = make_fixture(
        {"zeta": "Café ⭐", "alpha": [1, {"y": 2, "b": 3}]},
        left=Outcome(0, '{"z": 1, "a": "你好"}'.encode(), headers={"x-b": "1", "x-a": "2"}),
    )
    path, _ = corpus.save(fixture)
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    assert text.endswith("}\n")
    assert not text.endswith("\n\n")
    assert text.startswith('{\n  "compare": {')
    assert "Café ⭐" in text  # non-ASCII stays readable, not \\u-escaped
    assert raw == fixture_text(fixture)

    def check_sorted(value: Any, where: str) -> None:
        if isinstance(value, dict):
            assert list(value) == sorted(value), where
            for key, item in value.items():
                check_sorted(item, f"{where}/{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                check_sorted(item, f"{where}/{index}")

    record = json.loads(text)
    check_sorted({k: v for k, v in record.items() if k != "input"}, "")
    assert list(record) == sorted(record)
    # The input keeps the order it was generated and sent in: a replay must send
    # the same bytes, and key order reaches the wire.
    assert list(record["input"]) == ["zeta", "alpha"]
    assert list(record["input"]["alpha"][1]) == ["y", "b"]
    assert text == json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def test_the_file_is_readable_by_the_team(tmp_path: Path) -> None:
    path, _ = Corpus(tmp_path).save(make_fixture())
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_the_file_records_how_it_was_judged(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    fixture = make_fixture(collapse=("/value",), answer_status=(200, 422), known_gap="accepted")
    corpus.save(fixture)
    record = stored(corpus, fixture)
    assert record["schema"] == FIXTURE_SCHEMA
    assert record["signature"]["id"] == fixture.signature.id
    assert record["compare"] == {"ignore": ["/timestamp"], "rule": "json"}
    assert record["collapse"] == ["/value"]
    assert record["answer_status"] == [200, 422]
    assert record["known_gap"] == {"reason": "accepted"}
    assert record["outcomes"]["rust"]["body"] == '{"text": "<"}'
    assert [d["path"] for d in record["differences"]] == ["/text"]


@pytest.mark.parametrize(
    "value",
    [
        "a\ud800b",
        {"$bytes_utf8": "looks like a tag", "k\udfff": -0.0},
        [math.nan, math.inf, -math.inf, (1, b"\xff\xfe")],
        FileTree.of({"a.jsonl": b'{"x": 1}\n', "sub/b.jsonl": b"\xff"}),
    ],
)
def test_a_fixture_reads_back_identical(tmp_path: Path, value: Input) -> None:
    corpus = Corpus(tmp_path)
    fixture = make_fixture(
        value,
        left=Outcome(0, b"\xff\xfe invalid utf-8", stderr=b"\x80 trace", elapsed=0.25),
        right=Outcome(None, failure=Failure.CRASHED, detail="killed by SIGSEGV"),
        collapse=("/value",),
        answer_status=(0,),
        shrunk=False,
        flaky=True,
        known_gap="tracked in LH-12",
        fixed_at="2024-05-01T00:00:00+00:00",
        seed=1234,
        found_at="2024-04-01T00:00:00+00:00",
        difffuzz_version="0.1",
        hypothesis_version="6.100",
    )
    path, _ = corpus.save(fixture)
    assert path.parent.name == "flaky"  # a flaky fixture is kept apart from the gate's
    assert list(corpus.fetch("planted")) == []
    (again,) = [corpus.read(p) for p in corpus.files("planted", flaky=True)]
    assert same_input(again.input, value)
    assert again.path == path
    for name in (
        "surface",
        "signature",
        "runtimes",
        "left",
        "right",
        "differences",
        "compare",
        "collapse",
        "answer_status",
        "shrunk",
        "flaky",
        "known_gap",
        "fixed_at",
        "seed",
        "found_at",
        "difffuzz_version",
        "hypothesis_version",
    ):
        assert getattr(again, name) == getattr(fixture, name), name
    assert again.id == fixture.id
    assert fixture_text(again) == path.read_bytes()


# -- corrupt files -------------------------------------------------------------


def _edit(record: dict[str, Any], change: str) -> Any:
    if change == "not an object":
        return ["a", "list"]
    if change == "wrong schema":
        return {**record, "schema": "difffuzz.fixture/0"}
    if change == "edited signature id":
        parts = [["missing", "/text", ""]]
        return {**record, "signature": {**record["signature"], "parts": parts}}
    if change.startswith("missing "):
        return {k: v for k, v in record.items() if k != change.removeprefix("missing ")}
    if change == "bad base64 body":
        rust = {k: v for k, v in record["outcomes"]["rust"].items() if k != "body"}
        return {**record, "outcomes": {**record["outcomes"], "rust": {**rust, "body_base64": "*"}}}
    if change == "bad base64 input":
        return {**record, "input": {"$bytes_base64": "not base64!"}}
    if change == "unknown input tag":
        return {**record, "input": {"$set": [1]}}
    if change == "compare not an object":
        return {**record, "compare": "json"}
    if change == "signature not an object":
        return {**record, "signature": "490f06310b"}
    if change == "differences not a list":
        return {**record, "differences": "none"}
    if change == "unknown difference kind":
        return {**record, "differences": [{"kind": "weird", "path": "/"}]}
    if change == "outcomes for other runtimes":
        return {**record, "outcomes": {"left": {}, "right": {}}}
    if change == "status not an int":
        rust = {**record["outcomes"]["rust"], "status": "200"}
        return {**record, "outcomes": {**record["outcomes"], "rust": rust}}
    raise AssertionError(change)


CORRUPTIONS = {
    "not an object": "must be a JSON object",
    "wrong schema": "field 'schema' is 'difffuzz.fixture/0'",
    "edited signature id": "does not match its parts",
    "missing surface": "required field 'surface' is missing",
    "missing input": "required field 'input' is missing",
    "missing outcomes": "required field 'outcomes' is missing",
    "missing compare": "required field 'compare' is missing",
    "bad base64 body": "'body_base64' is not valid base64",
    "bad base64 input": "base64",
    "unknown input tag": "unknown input tag '$set'",
    "compare not an object": "field 'compare' must be an object",
    "signature not an object": "field 'signature' must be an object",
    "differences not a list": "field 'differences' must be a list",
    "unknown difference kind": "unknown kind: 'weird'",
    "outcomes for other runtimes": "one entry per runtime",
    "status not an int": "'status' must be an integer",
}


@pytest.mark.parametrize("change", list(CORRUPTIONS))
def test_a_corrupt_fixture_is_named_with_its_fix_and_the_others_still_load(
    tmp_path: Path, change: str
) -> None:
    corpus = Corpus(tmp_path)
    good, _ = corpus.save(make_fixture("<"))
    bad, _ = corpus.save(make_fixture("<<"))
    record = json.loads(bad.read_text(encoding="utf-8"))
    bad.write_text(json.dumps(_edit(record, change)), encoding="utf-8")

    with pytest.raises(CorpusError) as raised:
        corpus.read(bad)
    message = str(raised.value)
    assert message.startswith(f"{bad}: is not a difffuzz fixture")
    assert CORRUPTIONS[change] in message
    assert message.count(FIX_HINT) == 1

    fixtures, problems = corpus.load()
    assert [f.path for f in fixtures] == [good]
    (problem,) = problems
    assert problem.path == bad
    assert str(problem) == message  # the same words whether it is raised or listed


def test_a_file_that_is_not_json_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    good, _ = corpus.save(make_fixture())
    broken = tmp_path / "planted" / "broken.json"
    broken.write_bytes(b'{"schema": "difffuzz.fixture/1", \xff')
    fixtures, (problem,) = corpus.load("planted")
    assert [f.path for f in fixtures] == [good]
    assert str(problem).startswith(f"{broken}: is not valid JSON")
    assert str(problem).count(FIX_HINT) == 1
    with pytest.raises(CorpusError, match="is not valid JSON"):
        list(corpus.fetch("planted"))


@pytest.mark.parametrize("schema", ["difffuzz.fixture/3", "difffuzz.fixture/10"])
def test_a_fixture_from_a_newer_format_says_upgrade_not_delete(tmp_path: Path, schema: str) -> None:
    corpus = Corpus(tmp_path)
    good, _ = corpus.save(make_fixture("<"))
    newer, _ = corpus.save(make_fixture("<<"))
    record = json.loads(newer.read_text(encoding="utf-8"))
    newer.write_text(json.dumps({**record, "schema": schema}), encoding="utf-8")

    fixtures, (problem,) = corpus.load()
    assert [f.path for f in fixtures] == [good]
    message = str(problem)
    assert message.startswith(f"{newer}: is in format {schema!r}, written by a newer difffuzz")
    assert "Upgrade difffuzz" in message
    assert FIX_HINT not in message  # the file is fine: deleting it would lose the finding
    with pytest.raises(CorpusError) as raised:
        corpus.read(newer)
    assert str(raised.value) == message


def test_a_missing_corpus_is_empty(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "never-created")
    assert corpus.files() == []
    assert corpus.files("planted") == []
    assert corpus.load() == ([], [])


# -- delete, rewrite, redundant --------------------------------------------------


def test_delete_removes_the_file(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    corpus.save(make_fixture())
    (loaded,) = corpus.fetch()
    corpus.delete(loaded)
    assert corpus.files() == []
    corpus.delete(loaded)  # deleting twice is not an error


def test_rewrite_updates_the_same_file(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    path, _ = corpus.save(make_fixture())
    (loaded,) = corpus.fetch()
    updated = corpus.rewrite(loaded, fixed_at="2024-06-01T00:00:00+00:00")
    assert updated.path == path
    assert corpus.files() == [path]
    assert stored(corpus, updated)["fixed_at"] == "2024-06-01T00:00:00+00:00"
    assert corpus.read(path).fixed_at == "2024-06-01T00:00:00+00:00"


def test_rewrite_with_a_new_input_moves_the_file(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    old, _ = corpus.save(make_fixture("<<"))
    (loaded,) = corpus.fetch()
    updated = corpus.rewrite(loaded, divergence=replace(loaded.divergence, input="<"))
    assert corpus.files() == [updated.path]
    assert updated.path != old
    assert not old.exists()


def test_a_failed_rewrite_keeps_the_old_fixture(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    path, _ = corpus.save(make_fixture())
    before = path.read_bytes()
    (loaded,) = corpus.fetch()
    broken = (Difference(DiffKind.VALUE, "/", left=object()),)
    with pytest.raises(TypeError):
        corpus.rewrite(
            loaded,
            divergence=replace(loaded.divergence, comparison=Comparison("json", broken)),
        )
    assert path.read_bytes() == before
    assert corpus.files() == [path]


def test_redundant_fixtures_point_at_the_smaller_one_of_each_signature() -> None:
    small, large, larger = make_fixture("<"), make_fixture("a<"), make_fixture("ab<")
    other_signature = make_fixture("zzzz<", path="/other")
    other_surface = make_fixture("zzzz<", surface="embed")
    found = redundant_fixtures([large, other_signature, larger, small, other_surface])
    assert found == [(large, small), (larger, small)]


def test_two_causes_under_one_signature_are_both_kept_when_the_inputs_say_so() -> None:
    # NaN and a BOM are refused alike (one signature): two causes, since neither input
    # is the other with padding; "[NaN]" is NaN with padding.
    nan, bom, wrapped = make_fixture("NaN"), make_fixture("\ufeff0"), make_fixture("[NaN]")

    def related(larger: Input, smaller: Input) -> bool:
        return isinstance(larger, str) and isinstance(smaller, str) and smaller in larger

    assert redundant_fixtures([wrapped, bom, nan], related=related) == [(wrapped, nan)]
    assert len(redundant_fixtures([wrapped, bom, nan])) == 2  # signature alone: one cause


def test_fixtures_with_markings_are_never_redundant() -> None:
    small = make_fixture("<")
    gap = make_fixture("a<", known_gap="accepted")
    fixed = make_fixture("b<", fixed_at="2024-06-01")
    plain = make_fixture("c<")
    assert redundant_fixtures([gap, fixed, plain, small]) == [(plain, small)]
    assert redundant_fixtures([small]) == []


def test_a_fixture_reads_its_divergence_and_shares_it_with_its_finding() -> None:
    import doctest

    import difffuzz._divergence
    from difffuzz._engine import fixture_from
    from difffuzz._results import Finding
    from tests.test_engine_quality import planted_config

    assert doctest.testmod(difffuzz._divergence).failed == 0
    fixture = make_fixture("<")
    held = fixture.divergence
    parts = (fixture.surface, fixture.input, fixture.left, fixture.right, fixture.compare)
    assert parts == (held.surface, held.input, held.left, held.right, held.compare)
    assert fixture.differences == held.comparison.differences
    assert {f.name for f in dataclasses.fields(Fixture)} >= {"divergence", "fixed_at"}
    assert "input" not in {f.name for f in dataclasses.fields(Fixture)}  # read, not copied
    finding = Finding(held, seed=7)
    surface = planted_config("echo", "echo", "planted_text").surfaces["planted"]
    saved = fixture_from(finding, surface)
    assert saved.divergence is finding.divergence
    assert saved.seed == 7


# -- concurrent writers ------------------------------------------------------------


def test_concurrent_processes_write_each_finding_once_and_whole(tmp_path: Path) -> None:
    """Writers in separate processes, the same findings in different orders, some
    flaky in one process and not in another: one whole file per finding, none lost."""
    import subprocess
    import sys

    from tests.support.corpus_writer import fixture as writer_fixture

    count, writers = 100, 4
    root = tmp_path / "corpus"
    root.mkdir()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.support.corpus_writer", str(root), str(n), str(count)],
            cwd=Path(__file__).parent.parent,
        )
        for n in range(writers)
    ]
    (root / "go").touch()
    assert [process.wait(timeout=120) for process in processes] == [0] * writers
    (root / "go").unlink()

    fixtures, problems = Corpus(root).load()
    flaky = Corpus(root).files(flaky=True)
    assert problems == []  # nothing torn
    ids = [fixture.id for fixture in fixtures] + [path.stem for path in flaky]
    assert sorted(ids) == sorted({writer_fixture(n).id for n in range(count)})
    leftovers = [p for p in root.rglob("*") if p.is_file() and p.suffix != ".json"]
    assert leftovers == []
    assert not list(root.rglob(".tmp-*"))


def answer(status: int, body: str) -> Outcome:
    return Outcome(status, body.encode())


@pytest.mark.parametrize(
    ("small", "large", "one_cause"),
    [
        # Answers without an error message: their other words are no reason.
        (
            (answer(0, '{"text": "<", "ok": true}'), answer(0, '{"ok": true}')),
            (answer(0, '{"text": "x", "ok": false}'), answer(0, '{"ok": false}')),
            True,
        ),
        (
            (answer(200, '{"text": "<"}'), answer(200, "escaped")),
            (answer(200, '{"text": "x"}'), answer(200, "escaped twice")),
            True,
        ),
        # A side that failed speaks through its body: two messages, two causes.
        (
            (answer(0, "{}"), answer(500, "disk full")),
            (answer(0, "{}"), answer(500, "bad input")),
            False,
        ),
        (
            (answer(0, "{}"), answer(300, "moved")),
            (answer(0, "{}"), answer(300, "gone")),
            False,
        ),
        (
            (answer(500, "disk full"), answer(0, "{}")),
            (answer(500, "bad input"), answer(0, "{}")),
            False,
        ),
        # The pieces of the input a message echoes are not its reason.
        (
            (answer(500, "bad escape \\h"), answer(500, "refused \\h")),
            (answer(500, "bad escape \\z"), answer(500, "refused \\z")),
            True,
        ),
    ],
    ids=["status-0", "status-200", "right-500", "right-300", "left-500", "echoed"],
)
def test_fixtures_of_one_signature_are_one_cause_when_their_error_messages_agree(
    small: tuple[Outcome, Outcome], large: tuple[Outcome, Outcome], one_cause: bool
) -> None:
    inputs = ("\\h", "\\za") if "escape" in small[0].body.decode() else ("<", "a<")
    first = make_fixture(inputs[0], left=small[0], right=small[1])
    second = make_fixture(inputs[1], left=large[0], right=large[1])
    assert redundant_fixtures([second, first]) == ([(second, first)] if one_cause else [])


def test_a_listed_answer_status_is_an_answer_whose_words_are_no_error_message() -> None:
    # With answer_status = [200, 422], a 422 answered: its text is no error message.
    listed = (200, 422)
    first = make_fixture("<", right=answer(422, "refused: bad"), answer_status=listed)
    second = make_fixture("a<", right=answer(422, "refused: worse"), answer_status=listed)
    assert redundant_fixtures([second, first]) == [(second, first)]
    unlisted = [make_fixture(v, right=answer(422, t)) for v, t in (("<", "bad"), ("a<", "worse"))]
    assert redundant_fixtures(unlisted) == []


def test_a_finding_saved_flaky_first_is_not_saved_again_when_it_reproduces(
    tmp_path: Path,
) -> None:
    corpus = Corpus(tmp_path)
    flaky, _ = corpus.save(make_fixture(flaky=True))
    again, written = corpus.save(make_fixture())
    assert (again, written) == (flaky, False)
    assert corpus.files() == []
    assert corpus.files(flaky=True) == [flaky]


def test_a_file_that_cannot_be_read_is_a_problem_and_is_never_overwritten(
    tmp_path: Path,
) -> None:
    corpus = Corpus(tmp_path)
    fixture = make_fixture()
    target = corpus.path_for(fixture)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"{not json")
    assert corpus.save(fixture) == (target, False)
    assert target.read_bytes() == b"{not json"
    odd = tmp_path / "planted" / "folder.json"
    odd.mkdir()  # a folder named like a fixture: listed, cannot be read
    _, problems = corpus.load("planted")
    by_path = {problem.path: problem for problem in problems}
    assert by_path[odd].message.startswith("cannot be read (")
    assert str(by_path[odd]).startswith(f"{odd}: {by_path[odd].message}. {FIX_HINT}")
    with pytest.raises(UnreadableFixture) as unreadable:
        corpus.read(odd)
    assert unreadable.value.problem == by_path[odd]


def test_fetch_and_load_read_one_surface_s_folder(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    mine, _ = corpus.save(make_fixture(surface="planted"))
    corpus.save(make_fixture(surface="embed"))
    assert [f.path for f in corpus.fetch("planted")] == [mine]
    assert [f.path for f in corpus.load("planted")[0]] == [mine]


def test_delete_and_rewrite_use_the_file_a_fixture_was_read_from_or_its_own_name(
    tmp_path: Path,
) -> None:
    corpus = Corpus(tmp_path)
    path, _ = corpus.save(make_fixture())
    renamed = path.with_name("renamed-by-hand.json")
    path.rename(renamed)
    moved = corpus.rewrite(corpus.read(renamed), fixed_at="2024-06-01T00:00:00+00:00")
    assert corpus.files() == [path] == [moved.path]  # back under its own name
    corpus.delete(make_fixture())  # never read: the file of its own name
    assert corpus.files() == []
    corpus.save(make_fixture())
    path.rename(renamed)
    corpus.delete(corpus.read(renamed))
    assert corpus.files() == []
    corpus.save(make_fixture())
    assert corpus.rewrite(make_fixture(), fixed_at="2024-06-02").path == path
    assert corpus.files() == [path]
