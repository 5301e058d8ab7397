"""Quality of the wire layer, measured on real JSON readers that difffuzz does not use.

For each family, a pair of real libraries that part on it, run in-process
through the ``python`` transport (tests/json_readers.py: each reads the body
with one library and answers what it read). A campaign with the layer on must
find the pair's difference and save a fixture whose one mutation is that family,
on a shrunk document. In the spirit of Hypothesis's discovery-ability tests, a
family passes when at least 2 of 3 seeded campaigns find it: one lucky seed
proves little.

Each "known to disagree" below was checked by hand first (Python 3.11.7,
python-rapidjson 1.25, orjson 3.13.0, pysimdjson 7.0.2, ujson 6.1.0, json5
0.17.3), with two lines like ``json.loads(b'{"a":NaN}')`` against
``orjson.loads(b'{"a":NaN}')``; the input is the third item of each ``PAIRS``
entry, and ``test_the_table_is_true`` checks it again on every run.

- duplicate_key, json / pysimdjson lookup: on ``{"a":1,"a":2}`` json keeps the
  last (2), pysimdjson's ``Object["a"]`` finds the first (1).
- non_finite, json / orjson: ``NaN``: json reads nan; orjson refuses.
- string_escape, json / rapidjson: ``"\\ud800"``: json reads a lone surrogate;
  rapidjson refuses.
- invalid_utf8, json / rapidjson: ``"\\xed\\xa0\\x80"`` (an encoded surrogate):
  json decodes bytes with surrogatepass; rapidjson refuses.
- bom, json / rapidjson: ``\\xef\\xbb\\xbf{}``: json skips a UTF-8 BOM (and
  reads UTF-16); rapidjson refuses.
- trailing_data, json / rapidjson: ``{}\\x00``: rapidjson stops at the NUL; json
  refuses the extra data.
- number_spelling, json / rapidjson: ``1e400``: json reads inf; rapidjson refuses.
- integer_boundary, json / orjson: ``-9223372036854775809``: json reads the
  integer; orjson, past int64, reads a float.
- nesting_depth, json / orjson: 1025 nested arrays: orjson refuses past 1024;
  json's limit is the recursion limit, which Hypothesis raises while a test runs.
- truncation, json / ujson: ``-`` and ``1.`` (cut from ``-1``, ``1.5``): ujson
  reads 0 and 1.0; json refuses.
- whitespace, json / json5: ``\\x0c[]``: JSON5 allows form feed, vertical tab
  and NBSP; json refuses.
- comment, json / json5: ``// c\\n[]``: JSON5 allows comments; json refuses.
- single_quotes, json / json5: ``['a']``: JSON5 allows single quotes; json refuses.

No pair of these readers parts on the remaining families, and the table says
so rather than inventing one: ``overlong_utf8`` (all refuse), ``long_string``,
``long_key`` and ``long_line`` (none has a size limit in-process), and the
structural families (``missing_field``, ``extra_field``, ``key_case``,
``key_lookalike``, ``value_type``, ``document_replaced``, ``enum_value``), which
only typed decoders tell apart: those are shown on the lakehouse samples
(Go-style case-insensitive fields against serde-style exact ones) in
``test_wire_lakehouse.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from difffuzz._config import Config, parse_config
from difffuzz._corpus import Corpus
from difffuzz._engine import run_campaign
from difffuzz._inputs import WireInput
from tests import json_readers

#: family -> (left reader, right reader, bytes that show the difference).
PAIRS: dict[str, tuple[str, str, bytes]] = {
    "duplicate_key": ("stdlib", "simdjson_lookup", b'{"a":1,"a":2}'),
    "non_finite": ("stdlib", "orjson_reader", b"NaN"),
    "string_escape": ("stdlib", "rapidjson_reader", b'"\\ud800"'),
    "invalid_utf8": ("stdlib", "rapidjson_reader", b'"\xed\xa0\x80"'),
    "bom": ("stdlib", "rapidjson_reader", b"\xef\xbb\xbf{}"),
    "trailing_data": ("stdlib", "rapidjson_reader", b"{}\x00"),
    "number_spelling": ("stdlib", "rapidjson_reader", b"1e400"),
    "integer_boundary": ("stdlib", "orjson_reader", b"-9223372036854775809"),
    "nesting_depth": ("stdlib", "orjson_reader", b"[" * 1025 + b"]" * 1025),
    "truncation": ("stdlib", "ujson_reader", b"-"),
    "whitespace": ("stdlib", "json5_reader", b"\x0c[]"),
    "comment": ("stdlib", "json5_reader", b"// c\n[]"),
    "single_quotes": ("stdlib", "json5_reader", b"['a']"),
}

SEEDS = (1, 2, 3)


def read(reader: str, body: bytes) -> tuple[str, Any]:
    """What one reader makes of ``body``: ("read", answer) or ("refused", error type)."""
    try:
        return "read", getattr(json_readers, reader)(body)
    except Exception as error:
        return "refused", type(error).__name__


def disagree(left: str, right: str, body: bytes) -> bool:
    return read(left, body) != read(right, body)


@pytest.mark.parametrize("family", sorted(PAIRS))
def test_the_table_is_true(family: str) -> None:
    left, right, shows = PAIRS[family]
    assert disagree(left, right, shows), (family, read(left, shows), read(right, shows))


def campaign(
    left: str, right: str, seed: int, *, families: list[str] | None, examples: int
) -> Config:
    document = {
        "campaign": {"max_examples": examples, "seed": seed, "learn_noise": 0},
        "runtimes": {"left": {}, "right": {}},
        "surfaces": {
            "read": {
                "strategy": "json_documents",
                "transport": "python",
                "wire": {"families": families} if families else "on",
                "collapse": ["/read"],  # what was read, wherever it differs, is one signature
                "runtimes": {
                    "left": {"target": f"tests.json_readers:{left}"},
                    "right": {"target": f"tests.json_readers:{right}"},
                },
            }
        },
    }
    return parse_config(document, source="<quality>", base_dir=Path("."))


def found_by_campaign(family: str, seed: int, corpus_dir: Path) -> WireInput | None:
    """Run one seeded campaign with only ``family`` on; the fixture that shows it, if saved."""
    left, right, _ = PAIRS[family]
    corpus = Corpus(corpus_dir)
    run_campaign(campaign(left, right, seed, families=[family], examples=600), corpus=corpus)
    for fixture in corpus.fetch("read"):
        value = fixture.input
        if (
            isinstance(value, WireInput)
            and isinstance(value.sent, bytes)
            and value.family == family
            and disagree(left, right, value.sent)
        ):
            return value
    return None


def test_all_families_on_finds_what_json_and_rapidjson_part_on(tmp_path: Path) -> None:
    """Every family on at once: each fixture is one mutation, on a document shrunk to nothing."""
    corpus = Corpus(tmp_path)
    result = run_campaign(
        campaign("stdlib", "rapidjson_reader", 1, families=None, examples=400), corpus=corpus
    )
    fixtures = list(corpus.fetch("read"))
    assert result.findings
    assert len(fixtures) == len(result.findings)
    for fixture in fixtures:
        value = fixture.input
        assert isinstance(value, WireInput), value
        assert PAIRS.get(value.family, ("", "rapidjson_reader"))[1] == "rapidjson_reader"
        assert isinstance(value.sent, bytes)
        assert disagree("stdlib", "rapidjson_reader", value.sent)
        # The document under the mutation shrank to a scalar or an empty container.
        assert len(value.sent) <= 12, value


@pytest.mark.slow
@pytest.mark.parametrize("family", sorted(PAIRS))
def test_each_family_is_found_on_its_pair_by_2_of_3_campaigns(family: str, tmp_path: Path) -> None:
    found = [found_by_campaign(family, seed, tmp_path / str(seed)) for seed in SEEDS]
    hits = [value for value in found if value is not None]
    assert len(hits) >= 2, f"{family}: found by {len(hits)} of {len(SEEDS)} campaigns"
    for value in hits:
        assert value.mutation  # the fixture says what was done
