"""Writes for evaluations: auto-QA over stored conversations (batched, idempotent), rescoring.

The auto-QA pipeline itself (read → score in worker processes → write, and Celery chunks)
is in :mod:`nastavnik.evaluations.autoqa_pipeline`; these are its entry points.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import QuerySet

from nastavnik.conversations.models import Conversation
from nastavnik.core.audit import audit_record
from nastavnik.core.models import Job
from nastavnik.engine import scoring, types
from nastavnik.evaluations import autoqa_chunks, autoqa_pipeline, trust
from nastavnik.evaluations.autoqa_chunks import AUTOQA_JOB, CHUNK_SIZE
from nastavnik.evaluations.autoqa_pipeline import (
    BATCH_SIZE,
    AutoQaFilters,
    AutoQaReport,
    active_versions_by_channel,
)
from nastavnik.evaluations.models import Answer, Evaluation
from nastavnik.scorecards.models import ScorecardVersion


def evaluation_auto_run(
    *,
    actor: Any,
    conversations: QuerySet[Conversation],
    versions: dict[str, ScorecardVersion] | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int = 0,
    progress: Callable[[int], None] | None = None,
) -> AutoQaReport:
    """Answer every detector criterion of each conversation's scorecard and store the scores.

    Each conversation gets one automatic evaluation per scorecard version; a re-run
    replaces it (idempotent). Work is done in batches, each in its own transaction, so an
    interrupted run keeps whole batches and a re-run completes it. ``workers`` processes
    score while this one reads and writes (0: everything in this process).
    """
    versions = versions if versions is not None else active_versions_by_channel()
    report = autoqa_pipeline.run(
        conversations, versions, batch_size=batch_size, workers=workers, progress=progress
    )
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


def evaluation_auto_enqueue(
    *, actor: Any, filters: AutoQaFilters, chunk_size: int = CHUNK_SIZE
) -> Job:
    """Split a filtered auto-QA run into chunks of ids and queue one task per chunk.

    The returned job counts ``done``/``total`` conversations as chunks are written. The
    chunks are sent after the transaction commits, through the job runner: Celery workers
    when ``CELERY_BROKER_URL`` is set, else a thread, or inline (``sync``).
    """
    with transaction.atomic():
        job = autoqa_chunks.job_create(actor=actor, filters=filters, chunk_size=chunk_size)
        audit_record(
            actor=actor,
            action="evaluations.autoqa_enqueue",
            entity=job,
            changes={"filters": job.payload["filters"], "chunks": len(job.payload["chunks"])},
        )
        if not job.payload["chunks"]:
            autoqa_chunks.job_finish(job, AutoQaReport())
            job.save(update_fields=["state", "error", "finished_at"])
            return job
        indexes = list(range(len(job.payload["chunks"])))
        transaction.on_commit(lambda: _dispatch_chunks(job.pk, indexes))
    return job


def evaluation_auto_resume(*, actor: Any, job: Job) -> Job:
    """Queue again the chunks of a failed or interrupted auto-QA job that were not written."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk, kind=AUTOQA_JOB)
        pending = autoqa_chunks.chunks_pending(job)
        if not pending:  # every chunk is written: nothing to queue
            return job
        audit_record(
            actor=actor,
            action="evaluations.autoqa_resume",
            entity=job,
            changes={"state": [job.state, Job.State.RUNNING], "chunks": len(pending)},
        )
        job.state, job.error, job.finished_at = Job.State.RUNNING, "", None
        job.save(update_fields=["state", "error", "finished_at"])
        transaction.on_commit(lambda: _dispatch_chunks(job.pk, pending))
    return job


def evaluation_auto_chunk(*, job_id: int, index: int) -> str:
    """Auto-evaluate chunk ``index`` of a queued run (idempotent); the job's state after it."""
    try:
        return autoqa_chunks.chunk_run(job_id, index)
    except Exception:
        # The job page must show the failure; the chunk stays pending for a resume.
        autoqa_chunks.job_fail(job_id, f"chunk {index}: {traceback.format_exc(limit=3)}")
        raise


def _dispatch_chunks(job_id: int, indexes: list[int]) -> None:
    runner = settings.NASTAVNIK_JOB_RUNNER
    if runner == "celery":
        from nastavnik.evaluations.tasks import autoqa_chunks_send

        autoqa_chunks_send(job_id, indexes)
    elif runner == "thread":
        threading.Thread(target=_run_in_thread, args=(job_id, indexes), daemon=True).start()
    else:
        _run_here(job_id, indexes)


def _run_here(job_id: int, indexes: list[int]) -> None:
    for index in indexes:
        evaluation_auto_chunk(job_id=job_id, index=index)


def _run_in_thread(job_id: int, indexes: list[int]) -> None:
    try:
        _run_here(job_id, indexes)
    except Exception:  # recorded on the job by evaluation_auto_chunk
        return
    finally:
        close_old_connections()


def evaluation_auto_rescore(*, actor: Any, batch_size: int = 2000) -> int:
    """Recompute the scores of stored automatic evaluations from their answers.

    Which criteria count can change without re-running the detectors: a criterion that
    became "not trusted" (or trusted again) only changes the totals. Returns how many
    evaluations changed score.
    """
    specs: dict[int, Any] = {}
    changed = 0
    evaluations = Evaluation.objects.filter(kind=Evaluation.Kind.AUTO).select_related(
        "scorecard_version__scorecard"
    )
    batch: list[Evaluation] = []
    for evaluation in evaluations.order_by("pk").iterator(chunk_size=batch_size):
        batch.append(evaluation)
        if len(batch) >= batch_size:
            changed += _rescore_batch(batch, specs)
            batch = []
    if batch:
        changed += _rescore_batch(batch, specs)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="evaluations.autoqa_rescore",
            entity_type="evaluations.autoqa",
            changes={"rescored": changed},
        )
    return changed


def _rescore_batch(batch: list[Evaluation], specs: dict[int, Any]) -> int:
    values: dict[int, list[types.Answer]] = {e.pk: [] for e in batch}
    rows = Answer.objects.filter(evaluation_id__in=list(values)).values_list(
        "evaluation_id", "criterion", "value"
    )
    for evaluation_id, criterion, value in rows:
        values[evaluation_id].append(types.Answer(criterion, value))
    updated = []
    for evaluation in batch:
        version = evaluation.scorecard_version
        if version.pk not in specs:
            specs[version.pk] = trust.scoring_spec(version)
        result = scoring.score(specs[version.pk], values[evaluation.pk], allow_missing=True)
        stages = {stage.stage: stage.percent for stage in result.stages}
        if (evaluation.score_percent, evaluation.stage_scores) == (result.percent, stages):
            continue
        evaluation.score_percent = result.percent
        evaluation.earned = result.earned
        evaluation.maximum = result.maximum
        evaluation.critical_failed = result.critical_failed
        evaluation.stage_scores = stages
        updated.append(evaluation)
    with transaction.atomic():
        Evaluation.objects.bulk_update(
            updated, ["score_percent", "earned", "maximum", "critical_failed", "stage_scores"]
        )
    return len(updated)
