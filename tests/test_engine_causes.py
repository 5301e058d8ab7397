"""Which causes the corpus already holds, and how causes found in one run are kept.

A cause is identified by its shrunk input (``difffuzz._engine.causes``): the same
input is the same cause, whatever the runtimes answer for it today; two inputs in
one bucket with one fine signature are one cause too, the smaller kept. What a
user relies on: a cause the corpus holds is reported *known*, shown as the corpus
holds it (its fixture's input, answers and seed), and never saved again; a cause
the corpus does not hold is new. The runtimes are in-process (``MockTransport``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from difffuzz._config import SurfaceSpec
from difffuzz._corpus import Corpus, Fixture
from difffuzz._engine import SurfaceCampaign, SurfaceSettings
from difffuzz._engine.campaign import save_finding
from difffuzz._engine.causes import Cause, Causes, KnownCauses
from difffuzz._engine.resolve import absorb_larger, named_otherwise
from difffuzz._inputs import Input
from difffuzz._judge import Judge
from difffuzz._outcome import Outcome
from difffuzz._results import Finding, FindingStatus, Observation
from difffuzz._transports import MockTransport
from tests.test_engine_quality import planted_config

RUNTIMES = ("left", "right")
SURFACE = planted_config("echo", "escaping_echo", "planted_text").surfaces["planted"]
Runtime = Callable[[Any], tuple[int, str]]


def echo(value: str) -> tuple[int, str]:
    return (0, json.dumps({"text": value}))


def escaping(value: str) -> tuple[int, str]:
    """Differs from :func:`echo` exactly when the text holds a '<'."""
    return (0, json.dumps({"text": value.replace("<", "&lt;")}))


def escaping_v2(value: str) -> tuple[int, str]:
    """An older right runtime: it escaped '<' and also said its version on those answers."""
    if "<" not in value:
        return echo(value)
    return (0, json.dumps({"text": value.replace("<", "&lt;"), "v": 2}))


def run(
    strategy: st.SearchStrategy[str],
    *,
    right: Runtime = escaping,
    known: Sequence[Fixture] = (),
    surface: SurfaceSpec = SURFACE,
    seed: int = 1,
    shrink_budget: int = 500,
) -> list[Finding]:
    runner = SurfaceCampaign(
        surface,
        runtimes=RUNTIMES,
        left=MockTransport(echo),
        right=MockTransport(right),
        settings=SurfaceSettings(
            max_examples=200, seed=seed, confirmations=1, shrink_budget=shrink_budget
        ),
        known=known,
    )
    runner.run(strategy)
    return runner.findings(seed=seed)


def stored(
    corpus: Corpus, value: str, *, right: Runtime = escaping, surface: SurfaceSpec = SURFACE
) -> Fixture:
    """The fixture a run saves for exactly ``value`` (a strategy that draws only it)."""
    (finding,) = run(st.just(value), right=right, surface=surface, seed=99)
    assert finding.input == value
    saved = save_finding(corpus, surface, finding)
    assert saved.fixture_path is not None
    return corpus.read(Path(saved.fixture_path))


def held(corpus: Corpus) -> list[str]:
    fixtures, problems = corpus.load("planted")
    assert not problems
    return sorted(str(f.input) for f in fixtures)


# -- the corpus's causes ----------------------------------------------------------------


def test_a_cause_the_corpus_holds_is_known_and_shown_as_the_corpus_holds_it(
    tmp_path: Path,
) -> None:
    corpus = Corpus(tmp_path)
    fixture = stored(corpus, "<")
    (finding,) = run(st.text(), known=corpus.load("planted")[0], seed=2)
    assert finding.status is FindingStatus.KNOWN
    assert (finding.input, finding.fixture_path, finding.seed) == ("<", str(fixture.path), 99)
    assert (finding.left.body, finding.right.body) == (fixture.left.body, fixture.right.body)
    assert finding.signature == fixture.signature


def test_a_fixture_with_padding_holds_its_cause(tmp_path: Path) -> None:
    # A smaller input of the same bucket, which the fixture holds, is that cause.
    corpus = Corpus(tmp_path)
    fixture = stored(corpus, "a<")
    (finding,) = run(st.text(), known=corpus.load("planted")[0])
    assert (finding.status, finding.fixture_path) == (FindingStatus.KNOWN, str(fixture.path))
    assert finding.input == "a<"  # shown as the corpus holds it
    assert held(corpus) == ["a<"]


def test_a_fixture_holds_its_input_when_the_runtimes_now_diverge_on_it_another_way(
    tmp_path: Path,
) -> None:
    # Stored when the right runtime also added "v": another bucket and signature than
    # today's, but the same minimal input, so the same cause.
    corpus = Corpus(tmp_path)
    fixture = stored(corpus, "<", right=escaping_v2)
    (finding,) = run(st.text(), known=corpus.load("planted")[0])
    assert (finding.status, finding.fixture_path) == (FindingStatus.KNOWN, str(fixture.path))
    assert finding.signature == fixture.signature
    assert json.loads(finding.right.body) == {"text": "&lt;", "v": 2}


def test_a_fixture_that_agrees_under_todays_rule_still_holds_its_input(tmp_path: Path) -> None:
    # Its stored answers differed only in "/v", which today's config ignores; the
    # runtimes now differ on its input elsewhere. It keeps its stored signature.
    corpus = Corpus(tmp_path)

    def versioned(value: str) -> tuple[int, str]:
        return (0, json.dumps({"text": value, "v": 2}))

    fixture = stored(corpus, "<", right=versioned)
    ignoring = planted_config(
        "echo", "escaping_echo", "planted_text", compare={"ignore": ["/v"]}
    ).surfaces["planted"]
    (finding,) = run(st.text(), known=corpus.load("planted")[0], surface=ignoring)
    assert (finding.status, finding.fixture_path) == (FindingStatus.KNOWN, str(fixture.path))
    assert (finding.input, finding.signature) == ("<", fixture.signature)


def test_a_cause_the_corpus_does_not_hold_is_new(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    stored(corpus, "<")

    def two_causes(value: str) -> tuple[int, str]:
        answer = {"text": value.replace("<", "&lt;")}
        if "&" in value:
            answer["entity"] = "amp"
        return (0, json.dumps(answer))

    findings = run(st.text(), right=two_causes, known=corpus.load("planted")[0])
    statuses = {str(f.input): f.status for f in findings}
    assert statuses == {"<": FindingStatus.KNOWN, "&": FindingStatus.NEW}


def test_an_unshrunk_fixture_gives_way_to_the_shrunk_input_of_its_cause(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    (cut,) = run(st.text(min_size=30), shrink_budget=3)
    assert not cut.shrunk
    save_finding(corpus, SURFACE, cut)
    for finding in run(st.text(min_size=30), known=corpus.load("planted")[0]):
        save_finding(corpus, SURFACE, finding)
    (fixture,) = corpus.load("planted")[0]
    assert fixture.shrunk
    assert len(str(fixture.input)) < len(str(cut.input))
    assert fixture.found_at == cut.found_at  # "since when" is the cause's first sighting
    # The cause is known: met again, it is reported known (a CI run does not fail on it).
    (again,) = run(st.text(min_size=30), known=corpus.load("planted")[0])
    assert again.status is FindingStatus.KNOWN
    assert again.replaces == ()


# -- KnownCauses and Causes, on judged observations ---------------------------------------


def observe(value: str, right: Runtime = escaping) -> Observation:
    judge = Judge(SURFACE, RUNTIMES)
    return judge.judge(value, Outcome(*_encoded(echo(value))), Outcome(*_encoded(right(value))))


def _encoded(answer: tuple[int, str]) -> tuple[int, bytes]:
    return answer[0], answer[1].encode()


@pytest.mark.parametrize("order", [1, -1], ids=["smallest first", "smallest last"])
def test_of_several_fixtures_holding_one_cause_the_smallest_is_the_match(
    tmp_path: Path, order: int
) -> None:
    corpus = Corpus(tmp_path)
    fixtures = [stored(corpus, value) for value in ("a<", "abc<", "ab<")]
    fixtures.sort(key=lambda f: order * len(str(f.input)))
    known = KnownCauses.judged(fixtures, Judge(SURFACE, RUNTIMES))
    match = known.match(observe("<"))
    assert match is not None
    assert match.input == "a<"
    assert known.match(observe("x")) is None  # agrees: no cause at all


def test_a_cause_keeps_the_smallest_input_it_was_met_with() -> None:
    # Inputs that hold one another (padding), in one bucket: one cause. (Two that
    # only share a signature may be two causes: see test_engine_candidates.py.)
    first = observe("ab<cd")
    causes = Causes()
    assert first.bucket is not None
    cause = causes.add(Cause(bucket=first.bucket, best=first, shrunk=True))
    assert causes.match(observe("b<c")) is cause
    assert causes.match(observe("ab<cdefgh")) is cause
    assert cause.best.input == "b<c"
    assert causes.match(observe("<")) is cause
    assert causes.match(observe("ab<")) is cause
    assert cause.best.input == "<"
    assert causes.match(observe("<", right=escaping_v2)) is cause  # the same input
    assert causes.match(observe("x<", right=escaping_v2)) is None  # another bucket
    assert len(causes) == 1


def test_two_fixtures_of_one_input_under_two_signatures_match_without_error(
    tmp_path: Path,
) -> None:
    # Corpora merged from two branches can hold one input under two signatures.
    corpus = Corpus(tmp_path)
    fixtures = [stored(corpus, "<"), stored(corpus, "<", right=escaping_v2)]
    assert fixtures[0].signature != fixtures[1].signature
    known = KnownCauses.judged(fixtures, Judge(SURFACE, RUNTIMES))
    match = known.match(observe("<"))
    assert match is not None
    assert match.input == "<"


def test_causes_that_polish_to_one_input_become_one_with_their_counts_added() -> None:
    same, other = observe("<"), observe("a<", right=escaping_v2)
    assert same.bucket is not None
    assert other.bucket is not None
    causes = Causes()
    first = causes.add(Cause(same.bucket, same, shrunk=True, shrink_calls=5, merged=1))
    kept = causes.add(Cause(other.bucket, other, shrunk=True, shrink_calls=7, merged=3))
    causes.add(Cause(same.bucket, same, shrunk=True, shrink_calls=2, merged=2))
    causes.merge_equal()
    assert list(causes) == [first, kept]
    # The folded cause counts as one merged candidate more, plus those it had merged.
    assert (first.merged, first.shrink_calls) == (1 + 1 + 2, 5 + 2)
    assert (kept.merged, kept.shrink_calls) == (3, 7)


def tagging(value: str) -> tuple[int, str]:
    """Differs from :func:`echo` when the text holds a tag (a '<', later a '>') or a '&'."""
    text = re.sub("<([^<>]*)>", r"[\1]", value).replace("&", "+")
    return (0, json.dumps({"text": text}))


def test_a_cause_found_later_absorbs_the_larger_causes_of_its_bucket_it_accounts_for() -> None:
    def probe(value: Input) -> Observation:
        return observe(str(value), right=tagging)

    causes = Causes()
    found = [probe(value) for value in ("<xa>y", "q&&r", "<<a>", "<a>z>")]
    older = [
        causes.add(Cause(o.bucket, o, shrunk=True, merged=1, shrink_calls=3))
        for o in found
        if o.bucket
    ]
    assert len(older) == 4
    smaller = probe("<a>")
    assert smaller.bucket is not None
    assert smaller.bucket == found[0].bucket
    new = causes.add(Cause(smaller.bucket, smaller, shrunk=True, shrink_calls=2))
    absorb_larger(new, causes, probe)
    # "<xa>y" is "<a>" with padding between its characters, "<<a>" and "<a>z>" hold it;
    # "q&&r" reduces to "&", which no input of "<a>" accounts for: another cause.
    assert [c.best.input for c in causes] == ["q&&r", "<a>"]
    assert new.merged == 3 * (1 + 1)
    assert new.shrink_calls == 2 + 3 * 3
    assert causes.match(probe("<xa>y")) is new  # the folded inputs stay its inputs


def test_a_smaller_or_other_bucket_cause_is_never_absorbed() -> None:
    def probe(value: Input) -> Observation:
        return observe(str(value), right=tagging)

    causes = Causes()
    small, other = probe("<>"), observe("<a>", right=escaping_v2)
    assert small.bucket is not None
    assert other.bucket is not None
    assert other.bucket != small.bucket
    kept = [
        causes.add(Cause(small.bucket, small, shrunk=True)),
        causes.add(Cause(other.bucket, other, shrunk=True)),
    ]
    larger = probe("<a>")
    assert larger.bucket is not None
    new = causes.add(Cause(larger.bucket, larger, shrunk=True))
    absorb_larger(new, causes, probe)
    assert list(causes) == [*kept, new]


def refusing(value: str) -> tuple[int, str]:
    """Refuses a text with a '<' or a '&', naming the '<' by where it stands."""
    if "<" in value:
        where = "at the start" if value.startswith("<") else "inside"
        return (0, json.dumps({"error": f"less-than {where}"}))
    if "&" in value:
        return (0, json.dumps({"error": "ampersand"}))
    return echo(value)


def test_a_cause_refused_under_another_error_text_is_the_same_cause() -> None:
    def probe(value: Input) -> Observation:
        return observe(str(value), right=refusing)

    causes = Causes()
    first = probe("<")
    assert first.bucket is not None
    known = causes.add(Cause(first.bucket, first, shrunk=True))
    inside, reduced, other = probe("a<b"), probe("x(<)"), probe("a&")
    assert inside.bucket is not None
    assert inside.bucket != first.bucket  # another error text: another bucket
    assert inside.bucket.shape == first.bucket.shape
    assert named_otherwise(inside, causes) is known  # holds "<"
    assert named_otherwise(reduced, causes) is known  # holds it too
    # The ampersand's bucket has the same shape, but "a&" holds no input of "<":
    # another cause.
    assert named_otherwise(other, causes) is None
    # Only a larger input can be a known cause with padding.
    causes_of_inside = Causes()
    causes_of_inside.add(Cause(inside.bucket, inside, shrunk=True))
    assert named_otherwise(first, causes_of_inside) is None
