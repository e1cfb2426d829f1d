"""The score formula: exact examples, errors, and properties over random scorecards."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nastavnik.engine import scorecards, scoring
from nastavnik.engine.types import (
    CRITICAL_LEVELS,
    SCALES,
    Answer,
    CriterionSpec,
    Score,
    ScorecardSpec,
    StageScore,
    StageSpec,
)

# --- builders ------------------------------------------------------------------------------


def criterion(key: str, **fields: object) -> CriterionSpec:
    return CriterionSpec(key=key, title=key, **fields)  # type: ignore[arg-type]


def scorecard(*stages: StageSpec, display: str = "percent") -> ScorecardSpec:
    return ScorecardSpec(
        key="test", title="Test", version=1, channels=("chat",), stages=stages, display=display
    )


def stage(key: str, *criteria: CriterionSpec) -> StageSpec:
    return StageSpec(key=key, title=key, criteria=criteria)


def answers(**values: float | None) -> list[Answer]:
    return [Answer(key, value) for key, value in values.items()]


def totals(result: Score) -> tuple[float, float, float | None, bool]:
    return (result.earned, result.maximum, result.percent, result.critical_failed)


# The worked example of docs/scoring.md, on the shipped call scorecard.
WORKED_EXAMPLE = {
    "greeting_introduction": 0.5,
    "client_name": 1,
    "clarifying_questions": 1,
    "no_interrupting": 1,
    "correct_solution": 1,
    "hold_etiquette": 0.5,
    "no_long_silence": 0.5,
    "no_filler_words": 0,
    "no_bureaucratese": 1,
    "no_sensitive_data": 1,
    "empathy": None,
    "refusal_protocol": None,
    "positive_wording": 0.5,
    "no_prohibited_words": 1,
    "closing_question": 0,
    "farewell": 1,
}


# --- exact examples ------------------------------------------------------------------------


def test_worked_example_from_the_docs() -> None:
    # given the default call scorecard and the answers of the docs' worked example
    spec = scorecards.default_scorecard("default-call")
    # when it is scored
    result = scoring.score(spec, answers(**WORKED_EXAMPLE))
    # then the total is 15.5 of 20 = 77.5 % and every stage is as in the docs
    assert totals(result) == (15.5, 20.0, 77.5, False)
    assert [(s.stage, s.earned, s.maximum) for s in result.stages] == [
        ("greeting", 2.0, 3.0),
        ("needs", 3.0, 3.0),
        ("solution", 8.0, 10.0),
        ("objections", 1.5, 2.0),
        ("closing", 1.0, 2.0),
    ]
    assert [s.percent for s in result.stages] == [
        pytest.approx(200 / 3),
        100.0,
        80.0,
        75.0,
        50.0,
    ]
    assert scoring.score_points(result) == 15.5


def test_worked_example_with_an_evaluation_critical_no_scores_zero() -> None:
    # given the worked example in which the operator asked for the CVV code
    spec = scorecards.default_scorecard("default-call")
    values = {**WORKED_EXAMPLE, "no_sensitive_data": 0}
    # when it is scored
    result = scoring.score(spec, answers(**values))
    # then the evaluation is 0 of 20, and the stages stay as answered
    assert totals(result) == (0.0, 20.0, 0.0, True)
    assert [(s.earned, s.percent, s.critical_failed) for s in result.stages][2] == (
        7.0,
        70.0,
        False,
    )
    failed = [c.criterion for c in result.criteria if c.critical_failed]
    assert failed == ["no_sensitive_data"]


def test_worked_example_with_a_stage_critical_no_scores_the_stage_zero() -> None:
    # given the worked example where correct_solution is stage-critical and answered no
    spec = scorecards.default_scorecard("default-call")
    solution = spec.stages[2]
    critical_solution = dataclasses.replace(solution.criteria[0], critical="stage")
    stages = list(spec.stages)
    stages[2] = dataclasses.replace(solution, criteria=(critical_solution, *solution.criteria[1:]))
    spec = dataclasses.replace(spec, stages=tuple(stages))
    values = {**WORKED_EXAMPLE, "correct_solution": 0}
    # when it is scored
    result = scoring.score(spec, answers(**values))
    # then the solution stage is 0 of 10 and the evaluation 7.5 of 20 = 37.5 %
    assert result.stages[2] == StageScore("solution", 0.0, 10.0, 0.0, critical_failed=True)
    assert totals(result) == (7.5, 20.0, 37.5, False)


def test_points_scale_and_weights() -> None:
    # given a 0..4 points criterion of weight 2 and a binary one of weight 3
    spec = scorecard(
        stage("one", criterion("a", scale="points", points=4, weight=2), criterion("b", weight=3))
    )
    # when a scores 3 of 4 and b is yes
    result = scoring.score(spec, answers(a=3, b=1))
    # then a earns 2 × 3/4 = 1.5 and the total is 4.5 of 5 = 90 %
    assert totals(result) == (4.5, 5.0, 90.0, False)
    assert [(c.earned, c.fraction) for c in result.criteria] == [(1.5, 0.75), (3.0, 1.0)]


def test_nothing_applicable_gives_no_percent() -> None:
    # given a scorecard whose only criterion is answered N/A
    spec = scorecard(stage("one", criterion("a", na_allowed=True)))
    # when it is scored
    result = scoring.score(spec, answers(a=None))
    # then there is no percent at all, not 0 or 100
    assert totals(result) == (0.0, 0.0, None, False)
    assert result.stages == (StageScore("one", 0.0, 0.0, None),)
    assert scoring.display_value(spec, result) is None


def test_pilot_criterion_is_scored_but_not_counted() -> None:
    # given a counted criterion and a pilot one
    spec = scorecard(stage("one", criterion("a"), criterion("new", pilot=True, weight=5)))
    # when the pilot one is answered no
    result = scoring.score(spec, answers(a=1, new=0))
    # then the total ignores it, but its own score is there
    assert totals(result) == (1.0, 1.0, 100.0, False)
    assert result.criteria[1].earned == 0.0
    assert result.criteria[1].pilot is True


def test_pilot_critical_criterion_triggers_nothing() -> None:
    # given a pilot criterion that is critical for the evaluation
    spec = scorecard(
        stage("one", criterion("a"), criterion("b", pilot=True, critical="evaluation"))
    )
    # when it is answered no
    result = scoring.score(spec, answers(a=1, b=0))
    # then the score is untouched
    assert totals(result) == (1.0, 1.0, 100.0, False)


def test_partial_on_a_critical_criterion_is_not_a_no() -> None:
    # given a ternary evaluation-critical criterion
    spec = scorecard(stage("one", criterion("a", scale="ternary", critical="evaluation")))
    # when it is answered partial
    result = scoring.score(spec, answers(a=0.5))
    # then the evaluation is scored normally
    assert totals(result) == (0.5, 1.0, 50.0, False)


def test_points_display_shows_earned_points() -> None:
    # given a scorecard displayed in points
    spec = scorecard(
        stage("one", criterion("a", weight=4), criterion("b", weight=6)), display="points"
    )
    # when it is scored
    result = scoring.score(spec, answers(a=1, b=0))
    # then it shows 4 points, while the percent stays 40
    assert scoring.display_value(spec, result) == 4.0
    assert scoring.display_value(dataclasses.replace(spec, display="percent"), result) == 40.0


def test_difference_in_percentage_points() -> None:
    # given two percentages, then when one is unknown
    # then the difference is in points of percent, None when unknown
    assert scoring.difference_pp(77.5, 72.0) == 5.5
    assert scoring.difference_pp(60.0, 75.0) == -15.0
    assert scoring.difference_pp(None, 75.0) is None
    assert scoring.difference_pp(75.0, None) is None


def test_answers_as_a_mapping() -> None:
    # given answers keyed by criterion
    spec = scorecard(stage("one", criterion("a"), criterion("b")))
    mapping = {"a": Answer("a", 1), "b": Answer("b", 0)}
    # when scored, then it equals scoring the list
    assert scoring.score(spec, mapping) == scoring.score(spec, list(mapping.values()))


# --- errors --------------------------------------------------------------------------------

ERROR_SPEC = scorecard(
    stage(
        "one",
        criterion("yesno"),
        criterion("three", scale="ternary"),
        criterion("pts", scale="points", points=2),
        criterion("optional", na_allowed=True),
    )
)
VALID = {"yesno": 1, "three": 0.5, "pts": 2, "optional": None}


@pytest.mark.parametrize(
    ("change", "criterion_key", "reason"),
    [
        ({"yesno": 0.5}, "yesno", "binary value must be 1 or 0"),
        ({"yesno": 2}, "yesno", "binary value must be 1 or 0"),
        ({"yesno": True}, "yesno", "must be a finite number"),
        ({"yesno": math.nan}, "yesno", "must be a finite number"),
        ({"three": 0.25}, "three", "ternary value must be 1, 0.5 or 0"),
        ({"pts": 3}, "pts", "integer 0..2"),
        ({"pts": 1.5}, "pts", "integer 0..2"),
        ({"pts": -1}, "pts", "integer 0..2"),
        ({"yesno": None}, "yesno", "N/A is not allowed"),
    ],
)
def test_an_invalid_value_names_the_criterion(
    change: dict[str, float | None], criterion_key: str, reason: str
) -> None:
    # given otherwise valid answers with one bad value
    values = {**VALID, **change}
    # when scored, then the error names the criterion and the reason
    with pytest.raises(scoring.ScoringError, match=reason) as caught:
        scoring.score(ERROR_SPEC, answers(**values))
    assert caught.value.criterion == criterion_key


def test_a_missing_answer_is_an_error_unless_na_is_allowed() -> None:
    # given answers without "three" (no N/A) and without "optional" (N/A allowed)
    values = {"yesno": 1, "pts": 2}
    # when scored, then "three" is reported
    with pytest.raises(scoring.ScoringError, match="no answer") as caught:
        scoring.score(ERROR_SPEC, answers(**values))
    assert caught.value.criterion == "three"
    assert scoring.missing_answers(ERROR_SPEC, answers(**values)) == ("three",)


def test_unknown_and_duplicate_answers_are_errors() -> None:
    with pytest.raises(scoring.ScoringError, match="no such criterion") as caught:
        scoring.score(ERROR_SPEC, [*answers(**VALID), Answer("ghost", 1)])
    assert caught.value.criterion == "ghost"
    with pytest.raises(scoring.ScoringError, match="answered twice"):
        scoring.score(ERROR_SPEC, [*answers(**VALID), Answer("yesno", 0)])
    with pytest.raises(scoring.ScoringError, match="answer is for criterion 'three'"):
        scoring.score(ERROR_SPEC, {"yesno": Answer("three", 1)})


def test_a_draft_scores_with_missing_answers_as_not_applicable() -> None:
    # given a draft where only "yesno" and "pts" are answered
    draft = answers(yesno=1, pts=1)
    # when previewed with allow_missing
    result = scoring.score(ERROR_SPEC, draft, allow_missing=True)
    # then only the answered criteria count: 1 + 0.5 of 2
    assert totals(result) == (1.5, 2.0, 75.0, False)
    # and an explicit N/A where it is not allowed is still an error
    with pytest.raises(scoring.ScoringError, match="N/A is not allowed"):
        scoring.score(ERROR_SPEC, answers(three=None), allow_missing=True)


def test_verdicts_of_values() -> None:
    # given a ternary criterion that allows N/A and a 0..4 points one
    three = criterion("three", scale="ternary", na_allowed=True)
    pts = criterion("pts", scale="points", points=4)
    # then full marks are yes, zero is no, anything between is partial
    assert [scoring.verdict(three, v) for v in (1, 0.5, 0, None)] == ["yes", "partial", "no", "na"]
    assert [scoring.verdict(pts, v) for v in (4, 2, 0)] == ["yes", "partial", "no"]


# --- properties ----------------------------------------------------------------------------

WEIGHTS = st.one_of(
    st.integers(min_value=1, max_value=20).map(float),
    st.floats(min_value=0.01, max_value=1000, allow_nan=False, allow_infinity=False),
)


@st.composite
def criteria_specs(draw: st.DrawFn, key: str) -> CriterionSpec:
    scale = draw(st.sampled_from(SCALES))
    return CriterionSpec(
        key=key,
        title=key,
        weight=draw(WEIGHTS),
        scale=scale,
        points=draw(st.integers(min_value=1, max_value=10)) if scale == "points" else 1,
        na_allowed=draw(st.booleans()),
        critical=draw(st.sampled_from(CRITICAL_LEVELS)),
        pilot=draw(st.integers(min_value=0, max_value=4)) == 0,
    )


@st.composite
def scorecard_specs(draw: st.DrawFn) -> ScorecardSpec:
    stage_sizes = draw(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=4))
    stages = []
    number = 0
    for index, size in enumerate(stage_sizes):
        items = []
        for _ in range(size):
            items.append(draw(criteria_specs(f"c{number}")))
            number += 1
        stages.append(StageSpec(key=f"s{index}", title=f"s{index}", criteria=tuple(items)))
    return scorecard(*stages)


def scale_values(spec: CriterionSpec) -> list[float]:
    if spec.scale == "binary":
        return [0.0, 1.0]
    if spec.scale == "ternary":
        return [0.0, 0.5, 1.0]
    return [float(v) for v in range(spec.points + 1)]


@st.composite
def values_for(draw: st.DrawFn, spec: CriterionSpec) -> float | None:
    # Critical criteria answer "no" rarely, so that most examples keep a non-zero total.
    values = scale_values(spec)
    if spec.critical != "none" and draw(st.integers(0, 3)) > 0:
        values = values[1:]
    options: list[float | None] = list(values)
    if spec.na_allowed:
        options.append(None)
    return draw(st.sampled_from(options))


@st.composite
def scored_cases(draw: st.DrawFn) -> tuple[ScorecardSpec, dict[str, float | None]]:
    spec = draw(scorecard_specs())
    return spec, {c.key: draw(values_for(c)) for c in spec.criteria()}


def without(spec: ScorecardSpec, keys: set[str]) -> ScorecardSpec:
    stages = tuple(
        dataclasses.replace(s, criteria=tuple(c for c in s.criteria if c.key not in keys))
        for s in spec.stages
    )
    return dataclasses.replace(spec, stages=stages)


def stage_tuples(result: Score) -> list[tuple[object, ...]]:
    return [dataclasses.astuple(s) for s in result.stages]


@given(scored_cases())
def test_scores_stay_within_0_and_100(case: tuple[ScorecardSpec, dict[str, float | None]]) -> None:
    spec, values = case
    result = scoring.score(spec, answers(**values))
    for part in (result, *result.stages):
        assert 0 <= part.earned <= part.maximum
        assert part.percent is None or 0 <= part.percent <= 100
        assert (part.percent is None) == (part.maximum == 0 and not part.critical_failed)


@given(scored_cases(), st.data())
def test_an_na_answer_equals_leaving_the_criterion_out(
    case: tuple[ScorecardSpec, dict[str, float | None]], data: st.DataObject
) -> None:
    # given a criterion that allows N/A, answered N/A
    spec, values = case
    optional = [c.key for c in spec.criteria() if c.na_allowed]
    assume(optional)
    key = data.draw(st.sampled_from(optional))
    values[key] = None
    # when scored, and scored without that criterion at all
    with_na = scoring.score(spec, answers(**values))
    del values[key]
    left_out = scoring.score(without(spec, {key}), answers(**values))
    # then the totals and the stages are the same
    assert totals(with_na) == totals(left_out)
    assert stage_tuples(with_na) == stage_tuples(left_out)


@given(scored_cases(), st.data())
def test_adding_a_criterion_answered_na_changes_nothing(
    case: tuple[ScorecardSpec, dict[str, float | None]], data: st.DataObject
) -> None:
    # given a scorecard and a new N/A-allowed criterion inserted anywhere, answered N/A
    spec, values = case
    extra = dataclasses.replace(data.draw(criteria_specs("extra")), na_allowed=True)
    index = data.draw(st.integers(0, len(spec.stages) - 1))
    target = spec.stages[index]
    position = data.draw(st.integers(0, len(target.criteria)))
    grown = list(target.criteria)
    grown.insert(position, extra)
    stages = list(spec.stages)
    stages[index] = dataclasses.replace(target, criteria=tuple(grown))
    bigger = dataclasses.replace(spec, stages=tuple(stages))
    # when both are scored
    before = scoring.score(spec, answers(**values))
    after = scoring.score(bigger, answers(**values, extra=None))
    # then nothing changed
    assert totals(after) == totals(before)
    assert stage_tuples(after) == stage_tuples(before)


@given(scored_cases(), st.data())
def test_raising_one_answer_never_lowers_a_score(
    case: tuple[ScorecardSpec, dict[str, float | None]], data: st.DataObject
) -> None:
    # given one answered criterion that is below its maximum
    spec, values = case
    by_key = {c.key: c for c in spec.criteria()}
    raisable = [k for k, v in values.items() if v is not None and v < scale_values(by_key[k])[-1]]
    assume(raisable)
    key = data.draw(st.sampled_from(raisable))
    higher = [v for v in scale_values(by_key[key]) if v > values[key]]  # type: ignore[operator]
    # when its answer is raised
    before = scoring.score(spec, answers(**values))
    after = scoring.score(spec, answers(**{**values, key: data.draw(st.sampled_from(higher))}))
    # then neither the total nor any stage went down (nor became applicable or not)
    for old, new in zip((before, *before.stages), (after, *after.stages), strict=True):
        assert new.earned >= old.earned
        assert (new.percent is None) == (old.percent is None)
        assert new.percent is None or new.percent >= old.percent  # type: ignore[operator]


@given(scored_cases())
def test_critical_rules(case: tuple[ScorecardSpec, dict[str, float | None]]) -> None:
    spec, values = case
    result = scoring.score(spec, answers(**values))

    def failed(criteria: tuple[CriterionSpec, ...], level: str) -> bool:
        return any(c.critical == level and not c.pilot and values[c.key] == 0 for c in criteria)

    # an evaluation-critical "no" zeroes the total and only then
    assert result.critical_failed == failed(spec.criteria(), "evaluation")
    if result.critical_failed:
        assert (result.earned, result.percent) == (0.0, 0.0)
    # a stage-critical "no" zeroes that stage and only then
    for stage_spec, stage_score in zip(spec.stages, result.stages, strict=True):
        assert stage_score.critical_failed == failed(stage_spec.criteria, "stage")
        if stage_score.critical_failed:
            assert (stage_score.earned, stage_score.percent) == (0.0, 0.0)
    # the total is the sum of the stages, zeroed stages included
    if not result.critical_failed:
        assert result.earned == math.fsum(s.earned for s in result.stages)


@given(scored_cases(), st.data())
def test_pilot_criteria_never_change_a_score(
    case: tuple[ScorecardSpec, dict[str, float | None]], data: st.DataObject
) -> None:
    # given a scorecard with pilot criteria answered anything
    spec, values = case
    pilots = {c.key for c in spec.criteria() if c.pilot}
    assume(pilots)
    for key in pilots:
        criterion_spec = next(c for c in spec.criteria() if c.key == key)
        values[key] = data.draw(values_for(criterion_spec))
    # when scored, and scored with the pilot criteria removed
    with_pilots = scoring.score(spec, answers(**values))
    rest = {k: v for k, v in values.items() if k not in pilots}
    without_pilots = scoring.score(without(spec, pilots), answers(**rest))
    # then the totals and stages are the same
    assert totals(with_pilots) == totals(without_pilots)
    assert stage_tuples(with_pilots) == stage_tuples(without_pilots)


@given(scored_cases())
def test_stages_add_up_to_the_total_without_critical_flags(
    case: tuple[ScorecardSpec, dict[str, float | None]],
) -> None:
    # given scorecards without critical criteria
    spec, values = case
    spec = dataclasses.replace(
        spec,
        stages=tuple(
            dataclasses.replace(
                s, criteria=tuple(dataclasses.replace(c, critical="none") for c in s.criteria)
            )
            for s in spec.stages
        ),
    )
    # when scored
    result = scoring.score(spec, answers(**values))
    # then the stage sums make the total and every figure follows the formula
    assert result.earned == math.fsum(s.earned for s in result.stages)
    assert result.maximum == math.fsum(s.maximum for s in result.stages)
    counted = [c for c in result.criteria if c.earned is not None and not c.pilot]
    assert result.earned == pytest.approx(math.fsum(c.earned for c in counted))  # type: ignore[misc]
    assert result.maximum == pytest.approx(math.fsum(c.maximum for c in counted))
    if result.maximum:
        assert result.percent == pytest.approx(100 * result.earned / result.maximum)
    for part in result.stages:
        if part.maximum:
            assert part.percent == pytest.approx(100 * part.earned / part.maximum)


@settings(max_examples=50)
@given(scored_cases(), st.data())
def test_allow_missing_equals_answering_na(
    case: tuple[ScorecardSpec, dict[str, float | None]], data: st.DataObject
) -> None:
    # given a draft with some answers left out
    spec, values = case
    dropped = data.draw(st.sets(st.sampled_from(sorted(values))))
    draft = {k: v for k, v in values.items() if k not in dropped}
    # when previewed, and scored with the same criteria answered N/A on an all-N/A scorecard
    preview = scoring.score(spec, answers(**draft), allow_missing=True)
    lenient = dataclasses.replace(
        spec,
        stages=tuple(
            dataclasses.replace(
                s, criteria=tuple(dataclasses.replace(c, na_allowed=True) for c in s.criteria)
            )
            for s in spec.stages
        ),
    )
    as_na = scoring.score(lenient, answers(**{**draft, **dict.fromkeys(dropped)}))
    # then they agree
    assert preview == as_na
