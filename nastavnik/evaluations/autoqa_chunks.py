"""Auto-QA as Celery chunks: a filtered run cut into chunks of ids, tracked by one core.Job.

:func:`chunk_plan` cuts the run into chunks of consecutive ids (the filters are stored in
the job, so a task message is two numbers); each chunk is read, scored and written by one
task (:func:`chunk_run`) with the functions of :mod:`autoqa_pipeline`, and counted done in
its job in the transaction that writes it, so a redelivered or re-sent chunk is written
again (idempotent) but never counted twice. Decision: docs/decisions/0007-autoqa-parallelism.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from nastavnik.conversations.mappers import ENGINE_COLUMNS
from nastavnik.conversations.models import Conversation
from nastavnik.core.audit import audit_record
from nastavnik.core.models import Job
from nastavnik.evaluations.autoqa_pipeline import (
    AutoQaFilters,
    AutoQaReport,
    Scorer,
    active_versions_by_channel,
    conversations_matching,
    write,
)
from nastavnik.scorecards.models import ScorecardVersion

CHUNK_SIZE = 1000
AUTOQA_JOB = "evaluations.autoqa"


def chunk_plan(conversations: QuerySet[Conversation], size: int) -> Iterator[list[int]]:
    """[first id, last id, count] of consecutive chunks of the conversations, in id order."""
    ids = conversations.order_by("id").values_list("id", flat=True).iterator(chunk_size=10_000)
    first = last = None
    count = 0
    for conversation_id in ids:
        if first is None:
            first = conversation_id
        last = conversation_id
        count += 1
        if count >= size:
            yield [first, last, count]
            first, count = None, 0
    if first is not None:
        yield [first, last, count]


def job_create(*, actor: Any, filters: AutoQaFilters, chunk_size: int) -> Job:
    """A running auto-QA job with its chunk plan and the versions it scores with."""
    versions = active_versions_by_channel()
    chunks = list(chunk_plan(conversations_matching(filters), chunk_size))
    user = actor if getattr(actor, "is_authenticated", False) else None
    return Job.objects.create(
        kind=AUTOQA_JOB,
        state=Job.State.RUNNING,
        started_at=timezone.now(),
        created_by=user,
        total=sum(chunk[2] for chunk in chunks),
        payload={
            "filters": filters.as_payload(),
            "versions": {channel: version.pk for channel, version in versions.items()},
            "chunks": chunks,
        },
        report={"chunks_done": [], **asdict(AutoQaReport())},
    )


def chunks_pending(job: Job) -> list[int]:
    """Indexes of the job's chunks not yet written."""
    done = set(job.report.get("chunks_done", []))
    return [index for index in range(len(job.payload["chunks"])) if index not in done]


def chunk_run(job_id: int, index: int) -> str:
    """Score and write chunk ``index`` of a job, and count it done once; the job's state."""
    job = Job.objects.get(pk=job_id)
    if index in job.report.get("chunks_done", []):
        return job.state
    first, last, _ = job.payload["chunks"][index]
    versions = {
        version.pk: version
        for version in ScorecardVersion.objects.filter(
            pk__in=job.payload["versions"].values()
        ).select_related("scorecard")
    }
    scorer = Scorer({ch: versions[pk] for ch, pk in job.payload["versions"].items()})
    conversations = conversations_matching(AutoQaFilters.from_payload(job.payload["filters"]))
    rows = list(
        conversations.filter(id__gte=first, id__lte=last).order_by("id").values(*ENGINE_COLUMNS)
    )
    scored, skipped = scorer.score(rows)
    # One transaction for the evaluations and the count, so a chunk is counted exactly when
    # it is written. The job row is locked only after the write, so that on PostgreSQL
    # chunks write in parallel and queue only for the short count update.
    with transaction.atomic():
        write(scored)
        return _chunk_done(job_id, index, scorer.report(len(rows), scored, skipped))


def _chunk_done(job_id: int, index: int, part: AutoQaReport) -> str:
    # A no-op UPDATE before the read: it locks the row on PostgreSQL (as select_for_update
    # would) and, on SQLite, takes the write lock with the busy timeout when the chunk wrote
    # nothing; a read first would fail at once ("database is locked") if another worker
    # committed in between.
    Job.objects.filter(pk=job_id).update(done=F("done"))
    job = Job.objects.get(pk=job_id)
    report = job.report
    if index in report["chunks_done"]:  # a second delivery of this chunk got here first
        return job.state
    total = AutoQaReport(
        **{name: report[name] for name in asdict(AutoQaReport()) if name in report}
    )
    total.add(part)
    report.update(asdict(total))
    report["chunks_done"].append(index)
    job.done += job.payload["chunks"][index][2]
    fields = ["report", "done"]
    if len(report["chunks_done"]) == len(job.payload["chunks"]):
        job_finish(job, total)
        fields += ["state", "error", "finished_at"]
    job.save(update_fields=fields)
    return job.state


def job_finish(job: Job, report: AutoQaReport) -> None:
    """Mark the job done (the caller saves it) and audit the run as a whole."""
    job.state, job.error, job.finished_at = Job.State.DONE, "", timezone.now()
    audit_record(
        actor=job.created_by,
        action="evaluations.autoqa",
        entity=job,
        changes={
            "conversations": report.conversations,
            "evaluated": report.evaluated,
            "skipped_no_scorecard": report.skipped_no_scorecard,
        },
    )


def job_fail(job_id: int, error: str) -> None:
    """Record that a chunk failed: the job stops at failed until it is resumed."""
    Job.objects.filter(pk=job_id).update(
        state=Job.State.FAILED, error=error, finished_at=timezone.now()
    )
