"""Writes for evaluations: auto-QA over stored conversations (batched, idempotent)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from nastavnik.conversations.mappers import ENGINE_COLUMNS, conversation_to_engine
from nastavnik.conversations.models import Conversation
from nastavnik.core.audit import audit_record
from nastavnik.engine import scoring, types
from nastavnik.engine.detectors.compile import CompiledScorecard, compile_scorecard
from nastavnik.evaluations.models import Answer, Evaluation
from nastavnik.scorecards.mappers import version_spec
from nastavnik.scorecards.models import ScorecardVersion

BATCH_SIZE = 500


@dataclass
class AutoQaReport:
    """What an auto-QA run did."""

    conversations: int = 0
    evaluated: int = 0
    skipped_no_scorecard: int = 0
    by_scorecard: dict[str, int] = field(default_factory=dict)


def active_versions_by_channel() -> dict[str, ScorecardVersion]:
    """The active scorecard version for each channel (the first by key when several are)."""
    versions: dict[str, ScorecardVersion] = {}
    active = (
        ScorecardVersion.objects.filter(state=ScorecardVersion.State.ACTIVE)
        .select_related("scorecard")
        .order_by("scorecard__key")
    )
    for version in active:
        for channel in version.channels:
            versions.setdefault(channel, version)
    return versions


def evaluation_auto_run(
    *,
    actor: Any,
    conversations: QuerySet[Conversation],
    versions: dict[str, ScorecardVersion] | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> AutoQaReport:
    """Answer every detector criterion of each conversation's scorecard and store the scores.

    Each conversation gets one automatic evaluation per scorecard version; a re-run
    replaces it (idempotent). Work is done in batches, each in its own transaction, so an
    interrupted run keeps whole batches and a re-run completes it.
    """
    versions = versions if versions is not None else active_versions_by_channel()
    compiled = {v.pk: compile_scorecard(version_spec(v)) for v in versions.values()}
    report = AutoQaReport()
    for batch in _batches(conversations, batch_size):
        report.conversations += len(batch)
        prepared = []
        for row in batch:
            version = versions.get(row["channel"])
            if version is None:
                report.skipped_no_scorecard += 1
                continue
            prepared.append((row["id"], version, _evaluate(compiled[version.pk], row)))
        _store(prepared)
        for _, version, _ in prepared:
            key = f"{version.scorecard.key} v{version.number}"
            report.by_scorecard[key] = report.by_scorecard.get(key, 0) + 1
        report.evaluated += len(prepared)
        if progress is not None:
            progress(report.conversations)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="evaluations.autoqa",
            entity_type="evaluations.autoqa",
            changes={
                "conversations": report.conversations,
                "evaluated": report.evaluated,
                "skipped_no_scorecard": report.skipped_no_scorecard,
            },
        )
    return report


def _batches(conversations: QuerySet[Conversation], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in conversations.order_by("id").values(*ENGINE_COLUMNS).iterator(chunk_size=size):
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(frozen=True)
class _Result:
    answers: list[types.Answer]
    score: types.Score
    spec: types.ScorecardSpec


def _evaluate(compiled: CompiledScorecard, row: dict) -> _Result:
    conversation = conversation_to_engine(row)
    answers = compiled.evaluate(conversation)
    return _Result(
        answers, scoring.score(compiled.spec, answers, allow_missing=True), compiled.spec
    )


def _store(prepared: list[tuple[int, ScorecardVersion, _Result]]) -> None:
    if not prepared:
        return
    now = timezone.now()
    with transaction.atomic():
        for version_id in {version.pk for _, version, _ in prepared}:
            Evaluation.objects.filter(
                kind=Evaluation.Kind.AUTO,
                scorecard_version_id=version_id,
                conversation_id__in=[c for c, v, _ in prepared if v.pk == version_id],
            ).delete()
        evaluations = Evaluation.objects.bulk_create(
            [
                _evaluation_row(conversation_id, version, result, now)
                for conversation_id, version, result in prepared
            ]
        )
        Answer.objects.bulk_create(
            [
                answer
                for evaluation, (_, _, result) in zip(evaluations, prepared, strict=True)
                for answer in _answer_rows(evaluation, result)
            ]
        )


def _evaluation_row(
    conversation_id: int, version: ScorecardVersion, result: _Result, now
) -> Evaluation:
    score = result.score
    return Evaluation(
        conversation_id=conversation_id,
        scorecard_version=version,
        kind=Evaluation.Kind.AUTO,
        purpose=Evaluation.Purpose.OFFICIAL,
        state=Evaluation.State.SUBMITTED,
        score_percent=score.percent,
        earned=score.earned,
        maximum=score.maximum,
        critical_failed=score.critical_failed,
        stage_scores={stage.stage: stage.percent for stage in score.stages},
        submitted_at=now,
    )


def _answer_rows(evaluation: Evaluation, result: _Result) -> Iterator[Answer]:
    criteria = {}
    for stage in result.spec.stages:
        for criterion in stage.criteria:
            criteria[criterion.key] = (stage.key, criterion)
    for answer in result.answers:
        stage, criterion = criteria[answer.criterion]
        yield Answer(
            evaluation=evaluation,
            criterion=answer.criterion,
            stage=stage,
            value=answer.value,
            verdict=scoring.verdict(criterion, answer.value),
            confidence=answer.confidence,
            evidence=[
                {"turn": e.turn, "start": e.start, "end": e.end, "quote": e.quote}
                for e in answer.evidence
            ],
            comment=answer.comment,
            origin=Answer.Origin.AUTO,
        )
