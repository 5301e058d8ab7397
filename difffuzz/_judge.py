"""Judging one input: two outcomes in, one verdict (and signature) out.

This is the team's probe discipline written down once:

* an infrastructure failure (unreachable, timeout) on either side says nothing
  about the input: ``infra_error``, never a finding;
* each side's answer goes through its normalize steps (jq, built-ins, hooks)
  first; then the surface's comparator decides equality (ignore rules and
  learned noise apply inside it, after normalising); single-runtime
  properties read the raw answers and add findings on one side alone;
* a tracked known gap's steps are normalised away *and counted*: the
  observation names each gap whose steps absorbed a difference
  (:class:`~difffuzz._results.GapHit`), while every other difference in the
  same answers is judged as usual;
* a side that *answered* (status in ``answer_status``, output non-empty) while
  the other failed is a divergence even when the rule looks only at bodies;
* two sides that both failed the same way (same status, same failure) are
  ``both_failed`` — counted and shown, never a match, never a fixture;
* so are two identical answers that are not JSON on a rule that reads JSON
  (the validity gate: the same proxy error page from both sides is not parity);
* anything else unequal is a ``divergence`` with a signature.

The judge knows nothing of Hypothesis, transports or reports.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from difffuzz._bucket import Bucket, echo_text, input_keys
from difffuzz._comparators.base import (
    Compare,
    CompareSpec,
    Comparison,
    Difference,
    DiffKind,
    compile_compare,
)
from difffuzz._config import PropertySpec, SurfaceSpec
from difffuzz._exceptions import ConfigError, DifffuzzError
from difffuzz._inputs import Input
from difffuzz._normalize import NormalizeError, compile_pipeline, normalize_outcome
from difffuzz._outcome import Outcome
from difffuzz._properties import Check, get_property
from difffuzz._results import GapHit, Observation, Verdict
from difffuzz._signature import Signature
from difffuzz._stack import FREE_FRAMES, free_frames
from difffuzz._transports.kind import TRANSPORTS

__all__ = ["JSON_RULES", "RULES_WITHOUT_IGNORE", "Judge"]

#: Rules that take no ignore patterns, so learned noise is not applied to them.
RULES_WITHOUT_IGNORE = frozenset({"cosine", "topk"})
#: Built-in rules that read the bodies as JSON (``bytes`` reads raw bytes).
JSON_RULES = frozenset({"json", "http", "shape", "cosine", "topk"})


@dataclass(frozen=True)
class Judge:
    """Judges outcomes for one surface between two named runtimes.

    Its rule and properties are compiled when the judge is made (a bad
    parameter is a ``ConfigError`` then, naming the key), so judging an
    example reads no config: a judge with noise learned is a new judge.
    """

    surface: SurfaceSpec
    runtimes: tuple[str, str]
    #: Ignore patterns learned by calling a runtime twice (see the engine's noise phase).
    learned_noise: tuple[str, ...] = ()
    #: Judge by this spec instead of the surface's (replay of an old fixture).
    compare_override: CompareSpec | None = None
    #: The spec in force (override, learned noise included) and its compiled rule.
    compare_spec: CompareSpec = field(init=False, repr=False, compare=False)
    _compare: Compare = field(init=False, repr=False, compare=False)
    _properties: tuple[tuple[PropertySpec, Check], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        spec = self.compare_override or self.surface.compare
        if self.learned_noise and spec.rule not in RULES_WITHOUT_IGNORE:
            # cosine and topk judge whole vectors and rankings: a jittering score
            # or vector component is exactly what their tolerance is for.
            spec = replace(spec, ignore=tuple(dict.fromkeys((*spec.ignore, *self.learned_noise))))
        # The fields are derived, once: object.__setattr__ is how a frozen record sets them.
        object.__setattr__(self, "compare_spec", spec)
        object.__setattr__(self, "_compare", self._compile_rule(spec))
        object.__setattr__(self, "_properties", self._compile_properties())

    def _compile_rule(self, spec: CompareSpec) -> Compare:
        if self.compare_override is not None:
            return compile_compare(spec)  # a fixture's spec: the caller names the file
        try:
            return compile_compare(spec)
        except DifffuzzError as error:
            raise ConfigError(f"surfaces.{self.surface.name}.compare: {error}") from None

    def _compile_properties(self) -> tuple[tuple[PropertySpec, Check], ...]:
        checks = []
        for index, prop in enumerate(self.surface.properties):
            try:
                checks.append((prop, get_property(prop.name).compile(prop.params)))
            except DifffuzzError as error:
                where = f"surfaces.{self.surface.name}.properties[{index}]"
                raise ConfigError(f"{where}: {error}") from None
        return tuple(checks)

    def with_noise(self, patterns: Sequence[str]) -> Judge:
        return replace(self, learned_noise=tuple(dict.fromkeys((*self.learned_noise, *patterns))))

    def answered(self, runtime: str, outcome: Outcome) -> bool:
        """Did ``runtime`` answer (not fail)? The surface's ``answer_status`` decides the
        status, else the transport kind does, which also says whether an empty answer
        counts (a helper that exits 0 and prints nothing did not answer)."""
        if outcome.failure is not None or outcome.status is None:
            return False
        kind = TRANSPORTS.get(self.surface.requests[runtime].transport)
        listed = self.surface.answer_status
        if not (
            outcome.status in listed if listed is not None else kind.answer_status(outcome.status)
        ):
            return False
        return kind.empty_answers or bool(outcome.body.strip())

    def judge(self, value: Input, left: Outcome, right: Outcome) -> Observation:
        """The verdict on two answers to ``value``, the same from any caller's stack."""
        with free_frames(FREE_FRAMES):
            return self._judge(value, left, right)

    def _judge(self, value: Input, left: Outcome, right: Outcome) -> Observation:
        spec = self.compare_spec

        def observed(verdict: Verdict, comparison: Comparison | None = None) -> Observation:
            return Observation(
                surface=self.surface.name,
                input=value,
                left=left,
                right=right,
                comparison=comparison or Comparison(rule=spec.rule),
                verdict=verdict,
            )

        if left.is_infrastructure_failure or right.is_infrastructure_failure:
            return observed(Verdict.INFRA_ERROR)
        left_name, right_name = self.runtimes
        left_ok = self.answered(left_name, left)
        right_ok = self.answered(right_name, right)
        both_failed = not left_ok and not right_ok
        if both_failed and left.status == right.status and left.failure == right.failure:
            return observed(Verdict.BOTH_FAILED)
        if spec.rule in JSON_RULES and _same_invalid_answer(left, right):
            return observed(Verdict.BOTH_FAILED)
        normal_left, normal_right = self.normalize(0, left, spec), self.normalize(1, right, spec)
        comparison = self._compare(normal_left, normal_right)
        gap_hits = self._gap_hits(spec, (left, right), (normal_left, normal_right), comparison)
        extra: list[Difference] = []
        if (left_ok != right_ok or both_failed) and not any(
            d.kind is DiffKind.STATUS for d in comparison.differences
        ):
            if both_failed:
                detail, qualifier = "both failed, differently", "failed differently"
            else:
                detail = f"{'left' if left_ok else 'right'} answered, the other failed"
                qualifier = "answered/failed" if left_ok else "failed/answered"
            extra.append(
                Difference(
                    kind=DiffKind.STATUS,
                    path="",
                    left=_status_word(left),
                    right=_status_word(right),
                    detail=detail,
                    qualifier=qualifier,
                )
            )
        if (
            left_ok
            and right_ok
            and left.status != right.status
            and not any(d.kind is DiffKind.STATUS for d in comparison.differences)
        ):
            # Both statuses count as answers (say 200 and 422), but a caller sees
            # the difference even when the rule reads bodies only.
            extra.append(
                Difference(
                    kind=DiffKind.STATUS,
                    path="",
                    left=left.status,
                    right=right.status,
                    detail=f"status {left.status} on the left, {right.status} on the right",
                    qualifier=f"{left.status}/{right.status}",
                )
            )
        extra.extend(self._property_violations(value, left, left_ok, right, right_ok))
        if extra:
            comparison = replace(comparison, differences=(*comparison.differences, *extra))
        if comparison.equal:
            return replace(observed(Verdict.MATCH, comparison), gap_hits=gap_hits)
        signature = Signature.of(
            self.surface.name,
            (left.status, right.status),
            comparison.differences,
            collapse=self.surface.collapse,
        )
        bucket = Bucket.of(
            self.surface.name,
            left,
            right,
            comparison.differences,
            answered=(left_ok, right_ok),
            echo=echo_text(value),
            keys=input_keys(value),
        )
        return replace(
            observed(Verdict.DIVERGENCE, comparison),
            signature=signature,
            bucket=bucket,
            gap_hits=gap_hits,
        )

    def normalize(self, side: int, outcome: Outcome, spec: CompareSpec | None = None) -> Outcome:
        """``outcome`` (of the left runtime for ``side`` 0) after the spec's normalize steps.

        A step that fails on an answer is a :class:`ConfigError` naming the
        surface, the runtime and the step, never a silent divergence.
        """
        spec = spec or self.compare_spec
        steps = spec.normalize_left if side == 0 else spec.normalize_right
        if not steps:
            return outcome
        runtime = self.runtimes[side]
        where = f"surfaces.{self.surface.name} (runtime {runtime})"
        try:
            return normalize_outcome(outcome, compile_pipeline(steps))
        except ConfigError as error:
            raise ConfigError(f"{where}: {error}") from None
        except NormalizeError as error:
            answer = outcome.body[:300].decode("utf-8", "replace")
            raise ConfigError(
                f"{where}: normalize step {error}. The answer was {outcome.summary()}: "
                f"{answer!r}. Make the step handle every answer it can meet (in jq, "
                "'if COND then ... else . end' leaves the others as they are)"
            ) from None

    def _gap_hits(
        self,
        spec: CompareSpec,
        raw: tuple[Outcome, Outcome],
        normalized: tuple[Outcome, Outcome],
        comparison: Comparison,
    ) -> tuple[GapHit, ...]:
        """The tracked gaps whose steps absorbed a difference between these answers.

        For each gap the answers are normalised once more without its steps;
        the differences that comparison reports and the full one does not are
        what the gap stands for. Steps that changed nothing cost no comparison.
        """
        gaps = dict.fromkeys(
            step.gap for step in (*spec.normalize_left, *spec.normalize_right) if step.gap
        )
        if not gaps:
            return ()
        kept = {(d.kind, d.path, d.qualifier) for d in comparison.differences}
        hits = []
        for gap in gaps:
            without = replace(
                spec,
                normalize_left=tuple(s for s in spec.normalize_left if s.gap != gap),
                normalize_right=tuple(s for s in spec.normalize_right if s.gap != gap),
            )
            left, right = self.normalize(0, raw[0], without), self.normalize(1, raw[1], without)
            if _same(left, normalized[0]) and _same(right, normalized[1]):
                continue
            # The steps are not part of what a rule reads: the compiled rule serves.
            absorbed = tuple(
                d
                for d in self._compare(left, right).differences
                if (d.kind, d.path, d.qualifier) not in kept
            )
            if absorbed:
                statuses = (raw[0].status, raw[1].status)
                signature = Signature.of(
                    self.surface.name, statuses, absorbed, collapse=self.surface.collapse
                )
                hits.append(GapHit(gap, signature, absorbed))
        return tuple(hits)

    def _property_violations(
        self, value: Input, left: Outcome, left_ok: bool, right: Outcome, right_ok: bool
    ) -> list[Difference]:
        violations = []
        sides = ((self.runtimes[0], left, left_ok), (self.runtimes[1], right, right_ok))
        for prop, check in self._properties:
            for index, (name, outcome, ok) in enumerate(sides):
                if prop.runtimes and name not in prop.runtimes:
                    continue
                if not ok and prop.name != "status-in":
                    continue  # a failed call is judged by the status rules above
                message = check(outcome, value)
                if message is None:
                    continue
                violations.append(
                    Difference(
                        kind=DiffKind.PROPERTY,
                        path=f"/{prop.name}",
                        left=message if index == 0 else None,
                        right=message if index == 1 else None,
                        detail=f"{name}: {message}",
                        qualifier=name,
                    )
                )
        return violations


def _same(a: Outcome, b: Outcome) -> bool:
    """Do two normalisations of one answer agree (NaN included)?"""
    if a.json == b.json:
        return True
    try:
        return json.dumps(a.json, sort_keys=True) == json.dumps(b.json, sort_keys=True)
    except (TypeError, ValueError):
        return False


def _same_invalid_answer(left: Outcome, right: Outcome) -> bool:
    """The validity gate for answers: the same non-empty body that is not JSON.

    Both sides count as answering (2xx, exit 0), yet a rule that reads JSON has
    nothing to compare; agreeing on garbage is both failing, not parity. An empty
    HTTP body (204 No Content) is left to the rule: it is a deliberate answer.
    """
    return (
        left.status == right.status
        and left.body == right.body
        and bool(left.body.strip())
        and not left.parses
    )


def _status_word(outcome: Outcome) -> str:
    if outcome.failure is not None:
        return outcome.failure.value
    if outcome.status is not None and not outcome.body.strip():
        return f"{outcome.status} (no output)"
    return str(outcome.status)
