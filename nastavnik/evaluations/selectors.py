"""Reads of evaluations for the conversation page: scores, answers, highlighted evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nastavnik.conversations.models import Conversation
from nastavnik.engine import types
from nastavnik.evaluations.models import Evaluation
from nastavnik.scorecards.mappers import version_spec


@dataclass(frozen=True)
class AnswerView:
    criterion: types.CriterionSpec
    stage: types.StageSpec
    verdict: str
    comment: str
    confidence: float | None
    evidence: list[dict[str, Any]]


@dataclass(frozen=True)
class EvaluationView:
    evaluation: Evaluation
    spec: types.ScorecardSpec
    stages: list[tuple[types.StageSpec, float | None]]
    answers: list[AnswerView]


def evaluation_views(*, conversation: Conversation) -> list[EvaluationView]:
    """Submitted evaluations of a conversation the caller has already been allowed to see."""
    evaluations = (
        Evaluation.objects.filter(conversation=conversation, state=Evaluation.State.SUBMITTED)
        .select_related("scorecard_version__scorecard")
        .prefetch_related("answers")
        .order_by("kind", "-submitted_at")
    )
    views = []
    for evaluation in evaluations:
        spec = version_spec(evaluation.scorecard_version)
        places = {c.key: (stage, c) for stage in spec.stages for c in stage.criteria}
        answers = [
            AnswerView(
                criterion=places[a.criterion][1],
                stage=places[a.criterion][0],
                verdict=a.verdict,
                comment=a.comment,
                confidence=a.confidence,
                evidence=a.evidence,
            )
            for a in evaluation.answers.all()
            if a.criterion in places
        ]
        stages = [(stage, evaluation.stage_scores.get(stage.key)) for stage in spec.stages]
        views.append(EvaluationView(evaluation, spec, stages, answers))
    return views


def highlighted_turns(
    turns: list[dict[str, Any]], views: list[EvaluationView]
) -> list[dict[str, Any]]:
    """Turns with ``segments``: the text cut at evidence spans, each span marked.

    A segment is ``{"text", "marks"}`` where ``marks`` lists (criterion title, verdict) of
    the answers whose evidence covers it; overlapping spans are split at every boundary.
    """
    spans: dict[int, list[tuple[int, int, str, str]]] = {}
    for view in views:
        for answer in view.answers:
            for item in answer.evidence:
                if item.get("end", 0) > item.get("start", 0):
                    spans.setdefault(item["turn"], []).append(
                        (item["start"], item["end"], answer.criterion.title, answer.verdict)
                    )
    result = []
    for turn in turns:
        text = turn.get("text", "")
        marks = spans.get(turn["index"], [])
        result.append({**turn, "segments": _segments(text, marks)})
    return result


def _segments(text: str, marks: list[tuple[int, int, str, str]]) -> list[dict[str, Any]]:
    if not marks:
        return [{"text": text, "marks": []}]
    cuts = sorted(
        {0, len(text)} | {p for s, e, _, _ in marks for p in (s, e) if 0 <= p <= len(text)}
    )
    segments = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = [(title, verdict) for s, e, title, verdict in marks if s <= start and end <= e]
        segments.append({"text": text[start:end], "marks": covering})
    return segments
