"""Reads of evaluations: the conversation page, the evaluation page, lists and disputes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Avg, Case, Count, Q, QuerySet, When
from django.db.models.functions import TruncWeek
from django.shortcuts import get_object_or_404
from django.utils import timezone

from nastavnik.accounts import access
from nastavnik.conversations.models import Conversation
from nastavnik.core.models import AuditEvent
from nastavnik.engine import types
from nastavnik.evaluations.filters import EvaluationFilter
from nastavnik.evaluations.models import Answer, Dispute, Evaluation
from nastavnik.scorecards.mappers import version_spec
from nastavnik.scorecards.models import ScorecardVersion


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
        .select_related("scorecard_version__scorecard", "grader")
        .prefetch_related("answers")
        .order_by("kind", "-submitted_at")
    )
    return evaluation_views_of(evaluations)


def evaluation_views_of(evaluations) -> list[EvaluationView]:
    """Answers of the given evaluations placed in their scorecards' stages."""
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


def evaluation_queryset(*, viewer) -> QuerySet[Evaluation]:
    """Evaluations of operators the viewer may see; drafts only the viewer's own."""
    if not access.roles_of(viewer):
        return Evaluation.objects.none()
    queryset = Evaluation.objects.select_related(
        "conversation__operator", "conversation__team", "scorecard_version__scorecard", "grader"
    )
    queryset = access.scope_by_operator(queryset, viewer, through="conversation__operator")
    return queryset.filter(Q(state=Evaluation.State.SUBMITTED) | Q(grader=viewer))


def evaluation_get(*, viewer, evaluation_id: int) -> Evaluation:
    """One evaluation the viewer may see, or 404."""
    return get_object_or_404(evaluation_queryset(viewer=viewer), pk=evaluation_id)


def evaluation_list(*, viewer, params: Any = None) -> EvaluationFilter:
    """Manual evaluations the viewer may see, filtered by the page's parameters."""
    queryset = (
        evaluation_queryset(viewer=viewer)
        .filter(kind=Evaluation.Kind.MANUAL)
        .annotate(open_disputes=Count("disputes", filter=Q(disputes__state=Dispute.State.OPEN)))
        .order_by("-updated_at", "-id")
    )
    return EvaluationFilter(params, queryset=queryset, viewer=viewer)


@dataclass(frozen=True)
class CriterionRow:
    """One criterion on the evaluation page: the rule, the answer and its dispute if any."""

    criterion: types.CriterionSpec
    answer: Answer | None
    auto_answer: Answer | None
    dispute: Dispute | None


@dataclass(frozen=True)
class EvaluationPage:
    evaluation: Evaluation
    spec: types.ScorecardSpec
    stages: list[tuple[types.StageSpec, float | None, list[CriterionRow]]]
    disputes: list[Dispute]
    history: list[AuditEvent]


def evaluation_page(*, evaluation: Evaluation) -> EvaluationPage:
    """Everything the evaluation page shows, for an evaluation the viewer may see."""
    spec = version_spec(evaluation.scorecard_version)
    answers = {a.criterion: a for a in evaluation.answers.all()}
    auto = (
        Evaluation.objects.filter(
            conversation=evaluation.conversation_id,
            scorecard_version=evaluation.scorecard_version_id,
            kind=Evaluation.Kind.AUTO,
        )
        .prefetch_related("answers")
        .first()
    )
    auto_answers = {a.criterion: a for a in auto.answers.all()} if auto else {}
    disputes = list(evaluation.disputes.select_related("raised_by", "reviewer").order_by("id"))
    latest = {d.criterion: d for d in disputes}
    stages = [
        (
            stage,
            evaluation.stage_scores.get(stage.key),
            [
                CriterionRow(c, answers.get(c.key), auto_answers.get(c.key), latest.get(c.key))
                for c in stage.criteria
            ],
        )
        for stage in spec.stages
    ]
    return EvaluationPage(evaluation, spec, stages, disputes, evaluation_history(evaluation))


def evaluation_history(evaluation: Evaluation) -> list[AuditEvent]:
    """Audit rows of an evaluation and of its disputes, newest first."""
    dispute_ids = [str(pk) for pk in evaluation.disputes.values_list("pk", flat=True)]
    return list(
        AuditEvent.objects.filter(
            Q(entity_type="evaluations.evaluation", entity_id=str(evaluation.pk))
            | Q(entity_type="evaluations.dispute", entity_id__in=dispute_ids)
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )


def dispute_queryset(*, viewer) -> QuerySet[Dispute]:
    """Disputes of evaluations the viewer may see."""
    visible = evaluation_queryset(viewer=viewer).values("pk")
    return Dispute.objects.filter(evaluation__in=visible).select_related(
        "evaluation__conversation__operator", "raised_by", "reviewer"
    )


def dispute_list(*, viewer, state: str = "") -> QuerySet[Dispute]:
    """Disputes the viewer may see, open ones first."""
    queryset = dispute_queryset(viewer=viewer)
    if state:
        queryset = queryset.filter(state=state)
    return queryset.order_by(
        Case(When(state=Dispute.State.OPEN, then=0), default=1), "-raised_at", "-id"
    )


def dispute_get(*, viewer, dispute_id: int) -> Dispute:
    """One dispute the viewer may see, or 404."""
    return get_object_or_404(dispute_queryset(viewer=viewer), pk=dispute_id)


@dataclass(frozen=True)
class EvaluationTodo:
    """What waits for the viewer around evaluations (zeros for what their roles don't do)."""

    to_acknowledge: int = 0
    own_open_disputes: int = 0
    own_average: float | None = None
    own_evaluated: int = 0
    drafts: int = 0
    disputes_to_decide: int = 0


def evaluation_todo(*, viewer) -> EvaluationTodo:
    """Counts for the overview: unread evaluations, open disputes, drafts, own average score."""
    if not access.roles_of(viewer):
        return EvaluationTodo()
    own = Evaluation.objects.filter(
        kind=Evaluation.Kind.MANUAL,
        state=Evaluation.State.SUBMITTED,
        conversation__operator__user=viewer,
        purpose__in=[Evaluation.Purpose.OFFICIAL, Evaluation.Purpose.MYSTERY_SHOPPER],
    )
    figures = own.aggregate(
        unread=Count("id", filter=Q(acknowledged_at__isnull=True)),
        average=Avg("score_percent", filter=Q(purpose=Evaluation.Purpose.OFFICIAL)),
        evaluated=Count("id", filter=Q(purpose=Evaluation.Purpose.OFFICIAL)),
    )
    to_decide = 0
    if access.can_review_disputes(viewer):
        to_decide = (
            dispute_queryset(viewer=viewer)
            .filter(state=Dispute.State.OPEN)
            .exclude(evaluation__grader=viewer)
            .count()
        )
    return EvaluationTodo(
        to_acknowledge=figures["unread"],
        own_open_disputes=Dispute.objects.filter(
            raised_by=viewer, state=Dispute.State.OPEN
        ).count(),
        own_average=figures["average"],
        own_evaluated=figures["evaluated"],
        drafts=Evaluation.objects.filter(
            kind=Evaluation.Kind.MANUAL, state=Evaluation.State.DRAFT, grader=viewer
        ).count(),
        disputes_to_decide=to_decide,
    )


@dataclass(frozen=True)
class StageQuality:
    """One stage's average over a period: by auto-QA and by people (None when no data)."""

    key: str
    title: str
    auto: float | None
    manual: float | None


@dataclass(frozen=True)
class OperatorQuality:
    """An operator's scores over the last weeks: the weekly trend, stages, recent evaluations."""

    weeks: list[dict[str, Any]]
    stages: list[StageQuality]
    auto_average: float | None
    manual_average: float | None
    auto_count: int
    manual_count: int
    latest: list[Evaluation]


def operator_quality(*, operator, weeks: int = 12) -> OperatorQuality:
    """Scores of an operator the caller may see, by week of the conversation, last ``weeks``.

    Automatic evaluations count every conversation (untrusted criteria already left out of
    their totals); manual ones only official, submitted evaluations.
    """
    since = timezone.now() - timedelta(weeks=weeks)
    counted = Evaluation.objects.filter(
        conversation__operator=operator,
        conversation__started_at__gte=since,
        state=Evaluation.State.SUBMITTED,
    ).filter(
        Q(kind=Evaluation.Kind.AUTO)
        | Q(kind=Evaluation.Kind.MANUAL, purpose=Evaluation.Purpose.OFFICIAL)
    )
    rows = (
        counted.annotate(week=TruncWeek("conversation__started_at"))
        .values("week", "kind")
        .annotate(average=Avg("score_percent"), count=Count("id"))
        .order_by("week")
    )
    by_week: dict[Any, dict[str, Any]] = {}
    for row in rows:
        week = by_week.setdefault(row["week"].date(), {"week": row["week"].date().isoformat()})
        week[row["kind"]] = None if row["average"] is None else round(row["average"], 1)
        week[f"{row['kind']}_count"] = row["count"]
    totals = counted.values("kind").annotate(average=Avg("score_percent"), count=Count("id"))
    figures = {row["kind"]: row for row in totals}
    return OperatorQuality(
        weeks=[by_week[key] for key in sorted(by_week)],
        stages=_stage_quality(counted),
        auto_average=figures.get("auto", {}).get("average"),
        manual_average=figures.get("manual", {}).get("average"),
        auto_count=figures.get("auto", {}).get("count", 0),
        manual_count=figures.get("manual", {}).get("count", 0),
        latest=list(
            Evaluation.objects.filter(
                conversation__operator=operator,
                kind=Evaluation.Kind.MANUAL,
                state=Evaluation.State.SUBMITTED,
            )
            .select_related("conversation", "grader")
            .order_by("-submitted_at")[:6]
        ),
    )


def _stage_quality(evaluations: QuerySet[Evaluation]) -> list[StageQuality]:
    """Average stage scores by auto-QA and by people, weakest (by people, else auto) first."""
    sums: dict[tuple[str, str], list[float]] = {}
    titles: dict[str, str] = {}
    versions: dict[int, types.ScorecardSpec] = {}
    used = ScorecardVersion.objects.filter(pk__in=evaluations.values("scorecard_version_id"))
    for version in used.order_by("pk"):
        versions[version.pk] = version_spec(version)
        for stage in versions[version.pk].stages:
            titles.setdefault(stage.key, stage.title)
    rows = evaluations.values_list("kind", "stage_scores")
    for kind, stages in rows.iterator(chunk_size=2000):
        for key, percent in (stages or {}).items():
            if percent is not None:
                sums.setdefault((key, kind), []).append(percent)

    def mean(key: str, kind: str) -> float | None:
        values = sums.get((key, kind))
        return round(sum(values) / len(values), 1) if values else None

    result = [
        StageQuality(key, titles.get(key, key), mean(key, "auto"), mean(key, "manual"))
        for key in titles
        if (key, "auto") in sums or (key, "manual") in sums
    ]
    return sorted(result, key=lambda s: s.manual if s.manual is not None else (s.auto or 0))
