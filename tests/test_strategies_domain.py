"""The lakehouse strategies keep the promises their docstrings make about the domain."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import difffuzz_strategies as pack
import jsonschema
import pytest
from difffuzz_strategies import _categories, _pools
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from difffuzz import ConfigError, FileTree
from tests.support.inputs import as_dict


def draw_many(strategy: st.SearchStrategy[Any], count: int = 300) -> list[Any]:
    values: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        values.append(value)

    collect()
    return values


def test_exports_are_sorted_and_exist() -> None:
    # ruff's RUF022 order: CONSTANTS, then Classes, then functions.
    def kind(name: str) -> int:
        return 0 if name.isupper() else 1 if name[0].isupper() else 2

    assert pack.__all__ == sorted(pack.__all__, key=lambda name: (kind(name), name))
    for name in pack.__all__:
        assert hasattr(pack, name), name


def test_pools_are_the_same_on_every_build() -> None:
    assert _pools._build_pools() == (pack.CLIENTS, pack.CITIES, pack.PEOPLE)
    assert min(len(pack.CLIENTS), len(pack.CITIES), len(pack.PEOPLE)) > 200


def test_choice_keeps_equal_tuples_of_different_types_apart() -> None:
    assert _pools.choice((0, 1)) is not _pools.choice((False, True))
    assert _pools.choice(("a", "b")) is _pools.choice(("a", "b"))


def test_queries_render_the_contract_examples() -> None:
    row = pack.DemandRow(
        "Forklift Operator", 3, "Beacon Freight", "Detroit", "MI", "starting at 7am"
    )
    assert pack.render_query(row, "need") == (
        "Need 3 Forklift Operators in Detroit MI starting at 7am for Beacon Freight"
    )
    assert pack.render_query(row, "client_first").startswith(
        "Beacon Freight needs 3 Forklift Operators in Detroit MI"
    )
    assert pack.render_query(row, "looking").startswith(
        "Looking for 3 Forklift Operators at Beacon Freight in Detroit MI"
    )
    assert pack.render_query(row, "shorthand") == "Forklift Operator Detroit"


def test_an_unknown_style_is_a_config_error_that_names_the_choices() -> None:
    with pytest.raises(ConfigError, match=r"shouting.*need, client_first, looking, shorthand"):
        pack.staffing_queries(styles=["shouting"])


def _hot_share(queries: list[str]) -> float:
    cities = {city for _, (city, _) in pack.HOT_CLUSTERS[1:]}
    clients = {client for client, _ in pack.HOT_CLUSTERS[1:]}
    # The first hot pair is also index 0 of the pools, where shrinking and the
    # simplest draws go; count only the other three so that bias is not credited.
    hot = [q for q in queries if any(c in q for c in cities) or any(c in q for c in clients)]
    return len(hot) / len(queries)


def test_clustered_queries_keep_returning_to_the_hot_pairs() -> None:
    clustered = _hot_share(draw_many(pack.staffing_queries(clustered=True)))
    spread = _hot_share(draw_many(pack.staffing_queries(clustered=False)))
    assert clustered > 0.3
    assert spread < 0.1


def test_only_chosen_styles_are_generated() -> None:
    queries = draw_many(pack.staffing_queries(styles=["shorthand"]), 100)
    assert all(" in " not in q and not q.startswith(("Need", "Looking")) for q in queries)


def test_search_requests_exclusions_hit_and_miss_the_sample_corpus() -> None:
    requests = draw_many(pack.search_requests())
    ids = [i for r in requests for i in r["exclude_ids"]]
    in_corpus = [
        i for i in ids if pack.WORKER_ID_PATTERN.fullmatch(i) and int(i[2:]) in pack.WORKER_IDS
    ]
    assert in_corpus
    assert len(in_corpus) < len(ids)
    assert {r["k"] for r in requests} >= {0, 1, -1}
    assert pack.worker_id(42) == "W-00042"


def test_valid_session_records_satisfy_the_schema() -> None:
    validator = jsonschema.Draft202012Validator(pack.SESSION_RECORD_SCHEMA)
    for record in draw_many(pack.session_records(valid_only=True), 200):
        validator.validate(record)
    records = draw_many(pack.session_records(), 200)
    assert any(not validator.is_valid(record) for record in records)


def test_session_fixtures_are_valid_and_cover_every_outcome() -> None:
    from difffuzz._registry import get_strategy

    fixtures = get_strategy("session_records").examples
    validator = jsonschema.Draft202012Validator(pack.SESSION_RECORD_SCHEMA)
    assert all(validator.is_valid(record) for record in fixtures)
    assert {as_dict(record)["outcome"] for record in fixtures} == set(pack.OUTCOMES)


def test_non_ascii_sms_bodies_are_160_characters_and_more_than_160_bytes() -> None:
    bodies = [
        v["payload"]["body"]
        for v in draw_many(pack.validator_requests(), 600)
        if isinstance(v, dict) and v.get("kind") == "sms" and isinstance(v.get("payload"), dict)
    ]
    long_unicode = [b for b in bodies if not b.isascii() and len(b) >= 160]
    assert long_unicode
    for body in long_unicode:
        assert len(unicodedata.normalize("NFC", body)) == 160
        assert len(body.encode("utf-8")) > 160
    assert {len(b) for b in bodies if set(b) == {"x"}} == {159, 160, 161}


def test_llm_text_is_always_encodable_and_bytes_are_sometimes_not() -> None:
    for text in draw_many(pack.llm_json(), 200):
        text.encode("utf-8")  # lone surrogates only ever as escape text
    undecodable = 0
    for raw in draw_many(pack.llm_json_bytes(), 200):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            undecodable += 1
    assert undecodable > 20


def test_deep_nesting_reaches_past_serde_json_limit() -> None:
    depths = {t.count("[") for t in draw_many(pack.llm_json(), 600) if "[[[[[[[[[[" in t}
    assert max(depths) > 128


def test_unicode_text_never_holds_lone_surrogates() -> None:
    for text in draw_many(pack.unicode_text(), 300):
        text.encode("utf-8")
    assert pack.CONTRACT_TEXTS[1] == "Café résumé ⭐ 你好"
    assert len(pack.TWO_HUNDRED_WORDS.split()) == 200


def test_embed_probes_are_the_contracts_eight() -> None:
    assert len(pack.EMBED_PROBES) == 8
    words = " ".join(pack.EMBED_PROBES).lower()
    for topic in ("forklift", "welder", "osha", "dental", "cnc"):
        assert topic in words


def _write(tree: FileTree, root: Path) -> None:
    for path, content in tree:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def test_materializer_trees_can_be_written_to_a_real_folder(tmp_path: Path) -> None:
    trees = draw_many(pack.materializer_trees(), 150)
    for number, tree in enumerate(trees):
        root = tmp_path / str(number)
        root.mkdir()
        _write(tree, root)  # no file/folder clash, no name the filesystem refuses
        assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == (
            sorted(tree.paths())
        )
    # Files that hold rows hold several, so each file's first row has a successor.
    row_files = [c for t in trees for p, c in t if p.endswith(".jsonl") and c.strip()]
    assert all(c.count(b"\n") >= 1 for c in row_files)


def test_reporting_outside_a_test_is_a_no_op() -> None:
    _categories.report("staffing_queries", "need")  # must not raise InvalidArgument
