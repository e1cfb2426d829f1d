"""Writes for conversations: the streaming, idempotent, batch-atomic importer."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from nastavnik.accounts import services as account_services
from nastavnik.conversations import import_pipeline
from nastavnik.conversations.mappers import PreparedRow
from nastavnik.conversations.models import Conversation
from nastavnik.conversations.upsert import upsert_rows
from nastavnik.core.audit import audit_record
from nastavnik.core.errors import ApplicationError
from nastavnik.core.jobs import job_enqueue
from nastavnik.core.models import Job
from nastavnik.engine import types

IMPORT_JOB = "conversations.import"
KEPT_ISSUES = 1000


@dataclass
class ImportReport:
    """What an import did: counts, and the issues of every rejected record."""

    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    operators_created: int = 0
    issues: list[types.Issue] = field(default_factory=list)
    issues_total: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The report as stored on a job and returned by the API."""
        return {
            "records": self.records,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "operators_created": self.operators_created,
            "issues_total": self.issues_total,
            "issues": [
                {"line": i.line, "record": i.record, "field": i.field, "reason": i.reason}
                for i in self.issues
            ],
        }


ProgressCallback = Callable[[int, int], None]  # (bytes read, total bytes)
IssueCallback = Callable[[types.Issue], None]


def conversation_import(
    *,
    path: str | Path,
    source: str,
    actor: Any,
    mask_pii: bool | None = None,
    batch_size: int | None = None,
    progress: ProgressCallback | None = None,
    on_issue: IssueCallback | None = None,
    file_format: str | None = None,
    workers: int | None = None,
) -> ImportReport:
    """Import a JSONL or CSV file of conversations.

    Streams the file (constant memory), validates every record, writes valid records in
    batches — each batch in its own transaction, so an interrupted import leaves only
    whole conversations and a re-run completes it — and upserts on
    ``(source, external_id)``: new records are created, changed ones updated, identical
    ones left alone. Bad records are reported (line, field, reason), never written.
    With ``workers >= 1`` a JSON Lines file is parsed and prepared in that many processes
    while this one writes.
    """
    path = Path(path)
    if not path.is_file():
        raise ApplicationError(gettext("File not found: %(path)s") % {"path": path}, field="path")
    if not source.strip():
        raise ApplicationError(gettext("The source must not be empty"), field="source")
    mask = settings.NASTAVNIK_PII_MASKING if mask_pii is None else mask_pii
    size = batch_size or settings.NASTAVNIK_IMPORT_BATCH_SIZE
    report = ImportReport()
    resolver = account_services.OperatorResolver()
    total_bytes = path.stat().st_size
    batches = import_pipeline.prepared_batches(
        path,
        source=source,
        mask=mask,
        batch_size=size,
        workers=workers or 0,
        file_format=file_format,
    )
    for batch in batches:
        _report_rejected(batch, report, on_issue)
        if batch.rows:
            _write_batch(batch.rows, resolver=resolver, report=report)
        if progress is not None:
            progress(batch.bytes_read, total_bytes)
    report.operators_created = resolver.created
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="conversations.import",
            entity_type="conversations.import",
            entity_id=source,
            changes={"file": path.name, **_counts(report)},
        )
    return report


def _counts(report: ImportReport) -> dict[str, int]:
    return {k: v for k, v in report.as_dict().items() if k != "issues"}


def _report_rejected(
    batch: import_pipeline.PreparedBatch, report: ImportReport, on_issue: IssueCallback | None
) -> None:
    report.records += batch.records
    report.rejected += batch.rejected
    for issue in batch.issues:
        report.issues_total += 1
        if len(report.issues) < KEPT_ISSUES:
            report.issues.append(issue)
        if on_issue is not None:
            on_issue(issue)


def _write_batch(
    prepared: list[PreparedRow],
    *,
    resolver: account_services.OperatorResolver,
    report: ImportReport,
) -> None:
    # The same record twice in one file: the later line wins, as it would across files.
    unique = {(p.source, p.values["external_id"]): p for p in prepared}
    with transaction.atomic():
        operator_ids = resolver.resolve(unique.values())
        rows = []
        for item in unique.values():
            operator_id, team_id = operator_ids[(item.source, item.operator)]
            rows.append({**item.values, "operator_id": operator_id, "team_id": team_id})
        existing = _existing_hashes(rows)
        changed = []
        for row in rows:
            known = existing.get((row["source"], row["external_id"]))
            if known is None:
                report.created += 1
            elif known == row["content_hash"]:
                report.unchanged += 1
                continue
            else:
                report.updated += 1
            changed.append(row)
        upsert_rows(changed)


def _existing_hashes(rows: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    by_source: dict[str, list[str]] = {}
    for row in rows:
        by_source.setdefault(row["source"], []).append(row["external_id"])
    found: dict[tuple[str, str], str] = {}
    for source, external_ids in by_source.items():
        query = Conversation.objects.filter(source=source, external_id__in=external_ids)
        for external_id, digest in query.values_list("external_id", "content_hash"):
            found[(source, external_id)] = digest
    return found


def conversation_import_upload(*, uploaded_file, source: str, actor: Any) -> Job:
    """Store an uploaded file and queue its import as a background job."""
    name = Path(uploaded_file.name or "upload.jsonl").name
    lowered = name.lower().removesuffix(".gz")
    if not lowered.endswith((".jsonl", ".ndjson", ".json", ".csv")):
        raise ApplicationError(
            gettext("Unsupported file type: use .jsonl or .csv (optionally .gz)"), field="file"
        )
    if not source.strip():
        raise ApplicationError(gettext("The source must not be empty"), field="source")
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex}-{name}"
    with target.open("wb") as out:
        for chunk in uploaded_file.chunks():
            out.write(chunk)
    with transaction.atomic():
        return job_enqueue(
            kind=IMPORT_JOB,
            payload={"path": str(target), "source": source.strip(), "filename": name},
            actor=actor,
            total=target.stat().st_size,
        )
