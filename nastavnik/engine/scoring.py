"""The one score formula: criterion fractions, stage scores and the evaluation score.

Per criterion ``earned = weight × fraction`` (binary 1/0, ternary 1/0.5/0, points value/N);
N/A answers leave both sums; pilot criteria are scored but never summed; a stage or an
evaluation scores ``100 × Σ earned / Σ max``. A "no" on a ``critical: stage`` criterion makes
its stage earn 0, a "no" on a ``critical: evaluation`` one makes the whole evaluation 0.
The rules, the reasons behind the edge cases and a worked example: ``docs/scoring.md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from nastavnik.engine.types import (
    Answer,
    CriterionScore,
    CriterionSpec,
    Score,
    ScorecardSpec,
    StageScore,
)

TERNARY_VALUES: tuple[float, ...] = (0.0, 0.5, 1.0)
BINARY_VALUES: tuple[float, ...] = (0.0, 1.0)


class ScoringError(ValueError):
    """Answers that cannot be scored against a scorecard; names the criterion."""

    def __init__(self, criterion: str, reason: str) -> None:
        super().__init__(f"{criterion}: {reason}")
        self.criterion = criterion
        self.reason = reason


def fraction(criterion: CriterionSpec, value: float | None) -> float | None:
    """The share of the weight that ``value`` earns (0..1), or None for N/A."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScoringError(criterion.key, f"value must be a finite number, got {value!r}")
    if criterion.scale == "binary":
        if value not in BINARY_VALUES:
            raise ScoringError(criterion.key, f"binary value must be 1 or 0, got {value!r}")
        return float(value)
    if criterion.scale == "ternary":
        if value not in TERNARY_VALUES:
            raise ScoringError(criterion.key, f"ternary value must be 1, 0.5 or 0, got {value!r}")
        return float(value)
    if criterion.scale == "points":
        if value != int(value) or not 0 <= value <= criterion.points:
            raise ScoringError(
                criterion.key,
                f"points value must be an integer 0..{criterion.points}, got {value!r}",
            )
        return value / criterion.points
    raise ScoringError(criterion.key, f"unknown scale {criterion.scale!r}")


def verdict(criterion: CriterionSpec, value: float | None) -> str:
    """The verdict a value stands for: ``yes`` (full), ``no`` (zero), ``partial`` or ``na``."""
    share = fraction(criterion, value)
    if share is None:
        return "na"
    if share == 1:
        return "yes"
    return "no" if share == 0 else "partial"


def score(
    spec: ScorecardSpec,
    answers: Mapping[str, Answer] | Iterable[Answer],
    *,
    allow_missing: bool = False,
) -> Score:
    """Score answers against a scorecard (see docs/scoring.md).

    Raises ScoringError naming the criterion for an answer to an unknown criterion, two
    answers to one criterion, an out-of-scale value, an N/A where N/A is not allowed, or a
    missing answer to a criterion that does not allow N/A. With ``allow_missing`` (a live
    preview of a draft) a missing answer counts as not yet applicable instead.
    """
    by_key = _answers_by_criterion(spec, answers)
    criterion_scores: list[CriterionScore] = []
    stage_scores: list[StageScore] = []
    evaluation_failed = False
    for stage in spec.stages:
        earned_terms: list[float] = []
        maximum_terms: list[float] = []
        stage_failed = False
        for criterion in stage.criteria:
            part = _criterion_score(stage.key, criterion, by_key, allow_missing=allow_missing)
            criterion_scores.append(part)
            if part.earned is None or part.pilot:
                continue
            earned_terms.append(part.earned)
            maximum_terms.append(part.maximum)
            if part.critical_failed:
                stage_failed = stage_failed or criterion.critical == "stage"
                evaluation_failed = evaluation_failed or criterion.critical == "evaluation"
        stage_scores.append(_sum_score(stage.key, earned_terms, maximum_terms, failed=stage_failed))
    # The total adds the stage sums, so that Σ stage earned == total earned exactly.
    total = _sum_score(
        "",
        [stage_score.earned for stage_score in stage_scores],
        [stage_score.maximum for stage_score in stage_scores],
        failed=evaluation_failed,
    )
    return Score(
        earned=total.earned,
        maximum=total.maximum,
        percent=total.percent,
        stages=tuple(stage_scores),
        critical_failed=evaluation_failed,
        criteria=tuple(criterion_scores),
    )


def missing_answers(
    spec: ScorecardSpec, answers: Mapping[str, Answer] | Iterable[Answer]
) -> tuple[str, ...]:
    """Keys of the criteria that still need an answer before ``score`` accepts the set."""
    answered = set(answers) if isinstance(answers, Mapping) else {a.criterion for a in answers}
    return tuple(c.key for c in spec.criteria() if c.key not in answered and not c.na_allowed)


def score_points(result: Score) -> float:
    """The score in points (Σ earned), as shown by a scorecard with ``display: points``."""
    return result.earned


def display_value(spec: ScorecardSpec, result: Score) -> float | None:
    """The number a scorecard shows: percent or points by ``spec.display``; None if N/A."""
    if spec.display == "points":
        return None if result.percent is None else result.earned
    return result.percent


def difference_pp(current: float | None, baseline: float | None) -> float | None:
    """``current - baseline`` of two percentages, in percentage points (п.п.)."""
    if current is None or baseline is None:
        return None
    return current - baseline


def _answers_by_criterion(
    spec: ScorecardSpec, answers: Mapping[str, Answer] | Iterable[Answer]
) -> dict[str, Answer]:
    known = {criterion.key for criterion in spec.criteria()}
    by_key: dict[str, Answer] = {}
    items = answers.items() if isinstance(answers, Mapping) else ((a.criterion, a) for a in answers)
    for key, answer in items:
        if answer.criterion != key:
            raise ScoringError(key, f"answer is for criterion {answer.criterion!r}")
        if key not in known:
            raise ScoringError(key, f"no such criterion in scorecard {spec.key!r}")
        if key in by_key:
            raise ScoringError(key, "answered twice")
        by_key[key] = answer
    return by_key


def _criterion_score(
    stage: str,
    criterion: CriterionSpec,
    by_key: Mapping[str, Answer],
    *,
    allow_missing: bool,
) -> CriterionScore:
    answer = by_key.get(criterion.key)
    if answer is None:
        if not (allow_missing or criterion.na_allowed):
            raise ScoringError(criterion.key, "no answer, and N/A is not allowed")
        share = None
    else:
        if answer.value is None and not criterion.na_allowed:
            raise ScoringError(criterion.key, "N/A is not allowed for this criterion")
        share = fraction(criterion, answer.value)
    counted = share is not None and not criterion.pilot
    return CriterionScore(
        criterion=criterion.key,
        stage=stage,
        earned=None if share is None else criterion.weight * share,
        maximum=float(criterion.weight),
        fraction=share,
        pilot=criterion.pilot,
        critical_failed=counted and criterion.critical != "none" and share == 0,
    )


def _sum_score(
    name: str, earned_terms: list[float], maximum_terms: list[float], *, failed: bool
) -> StageScore:
    # fsum is correctly rounded, hence monotonic: raising one term never lowers the sum,
    # and Σ earned ≤ Σ max holds exactly because every earned term is ≤ its weight.
    maximum = math.fsum(maximum_terms)
    if failed:
        return StageScore(name, 0.0, maximum, 0.0, critical_failed=True)
    earned = math.fsum(earned_terms)
    # 100 × (e / m), not (100 × e) / m: e / m ≤ 1 exactly, so the percent never tops 100.
    percent = None if maximum == 0 else 100 * (earned / maximum)
    return StageScore(name, earned, maximum, percent)
