"""Auto-QA of stored conversations: read rows, score them, write one evaluation each.

Three stages (why this split: docs/decisions/0007-autoqa-parallelism.md):

* read — this process streams ``ENGINE_COLUMNS`` rows in id order, a batch at a time;
* score — the compiled scorecards answer every detector criterion, here (``workers=0``) or
  in ``workers`` forked processes that inherit the compiled scorecards and send back plain
  tuples; at most two batches per worker are in flight, so memory stays flat;
* write — this process alone replaces the automatic evaluations of a batch, one
  transaction per batch (SQLite has one writer anyway). Answers go in through one
  ``executemany``: building 13 model instances per conversation cost more than scoring.

Celery runs the same read, score and write per chunk of ids: :mod:`autoqa_chunks`.
"""

from __future__ import annotations

import multiprocessing
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

import orjson
from django.db import connection, connections, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from nastavnik.conversations.mappers import ENGINE_COLUMNS, conversation_to_engine
from nastavnik.conversations.models import Conversation
from nastavnik.engine import scoring
from nastavnik.engine.detectors.compile import CompiledScorecard, compile_scorecard
from nastavnik.evaluations import trust
from nastavnik.evaluations.models import Answer, Evaluation
from nastavnik.scorecards.models import ScorecardVersion

BATCH_SIZE = 500


@dataclass
class AutoQaReport:
    """What an auto-QA run did."""

    conversations: int = 0
    evaluated: int = 0
    skipped_no_scorecard: int = 0
    by_scorecard: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The counts as JSON-ready values."""
        return asdict(self)

    def add(self, other: AutoQaReport) -> None:
        """Add another part's counts to these."""
        self.conversations += other.conversations
        self.evaluated += other.evaluated
        self.skipped_no_scorecard += other.skipped_no_scorecard
        for key, count in other.by_scorecard.items():
            self.by_scorecard[key] = self.by_scorecard.get(key, 0) + count


@dataclass(frozen=True)
class AutoQaFilters:
    """Which stored conversations a run covers (every conversation when all are empty)."""

    since: date | None = None
    until: date | None = None
    channel: str | None = None
    team: str | None = None
    operator: int | None = None

    def as_payload(self) -> dict[str, Any]:
        """The filters as JSON-ready values (for a job's payload)."""
        data = asdict(self)
        for name in ("since", "until"):
            data[name] = data[name].isoformat() if data[name] else None
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> AutoQaFilters:
        """The filters back from :meth:`as_payload`."""
        return cls(
            since=date.fromisoformat(data["since"]) if data.get("since") else None,
            until=date.fromisoformat(data["until"]) if data.get("until") else None,
            channel=data.get("channel"),
            team=data.get("team"),
            operator=data.get("operator"),
        )


def conversations_matching(filters: AutoQaFilters) -> QuerySet[Conversation]:
    """The stored conversations a run with ``filters`` evaluates."""
    conversations = Conversation.objects.all()
    if filters.since:
        conversations = conversations.filter(started_at__date__gte=filters.since)
    if filters.until:
        conversations = conversations.filter(started_at__date__lte=filters.until)
    if filters.channel:
        conversations = conversations.filter(channel=filters.channel)
    if filters.team:
        conversations = conversations.filter(team__name=filters.team)
    if filters.operator:
        conversations = conversations.filter(operator_id=filters.operator)
    return conversations


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


_COMPILED: dict[tuple[int, str], CompiledScorecard] = {}


def _compiled_for(version: ScorecardVersion) -> CompiledScorecard:
    """The compiled scorecard auto-QA answers ``version`` with: THE place that decides it.

    Compiled once per process and spec content (a Celery worker runs many chunks).
    """
    # Criteria people disagree with too often ("not trusted") are scored but not counted.
    spec = trust.scoring_spec(version)
    key = (version.pk, repr(spec))
    if key not in _COMPILED:
        if len(_COMPILED) > 64:  # versions are few; this only bounds a long-lived worker
            _COMPILED.clear()
        _COMPILED[key] = compile_scorecard(spec)
    return _COMPILED[key]


class Scored(NamedTuple):
    """One conversation's automatic evaluation as plain values (what a worker sends back).

    ``answers`` rows are (criterion, stage, value, verdict, confidence, evidence JSON,
    comment), in the scorecard's order.
    """

    conversation_id: int
    version_id: int
    score_percent: float | None
    earned: float
    maximum: float
    critical_failed: bool
    stage_scores: dict[str, float | None]
    answers: list[tuple]


class Scorer:
    """Scores conversation rows with each channel's compiled scorecard (one per process)."""

    def __init__(self, versions: dict[str, ScorecardVersion]) -> None:
        self.version_ids = {channel: version.pk for channel, version in versions.items()}
        self.labels = {v.pk: f"{v.scorecard.key} v{v.number}" for v in versions.values()}
        self.compiled = {version.pk: _compiled_for(version) for version in versions.values()}
        self.criteria = {
            pk: {c.key: (stage.key, c) for stage in card.spec.stages for c in stage.criteria}
            for pk, card in self.compiled.items()
        }

    def score(self, rows: list[dict]) -> tuple[list[Scored], int]:
        """The scored rows, and how many had no active scorecard for their channel."""
        scored = []
        for row in rows:
            version_id = self.version_ids.get(row["channel"])
            if version_id is not None:
                scored.append(self._score_one(version_id, row))
        return scored, len(rows) - len(scored)

    def _score_one(self, version_id: int, row: dict) -> Scored:
        compiled = self.compiled[version_id]
        criteria = self.criteria[version_id]
        answers = compiled.evaluate(conversation_to_engine(row))
        score = scoring.score(compiled.spec, answers, allow_missing=True)
        rows = []
        for answer in answers:
            stage, criterion = criteria[answer.criterion]
            evidence = [
                {"turn": e.turn, "start": e.start, "end": e.end, "quote": e.quote}
                for e in answer.evidence
            ]
            rows.append(
                (
                    answer.criterion,
                    stage,
                    answer.value,
                    scoring.verdict(criterion, answer.value),
                    answer.confidence,
                    orjson.dumps(evidence).decode(),
                    answer.comment,
                )
            )
        return Scored(
            row["id"],
            version_id,
            score.percent,
            score.earned,
            score.maximum,
            score.critical_failed,
            {stage.stage: stage.percent for stage in score.stages},
            rows,
        )

    def report(self, rows: int, scored: list[Scored], skipped: int) -> AutoQaReport:
        """The counts of one scored batch."""
        report = AutoQaReport(
            conversations=rows, evaluated=len(scored), skipped_no_scorecard=skipped
        )
        for item in scored:
            label = self.labels[item.version_id]
            report.by_scorecard[label] = report.by_scorecard.get(label, 0) + 1
        return report


def run(
    conversations: QuerySet[Conversation],
    versions: dict[str, ScorecardVersion],
    *,
    batch_size: int = BATCH_SIZE,
    workers: int = 0,
    progress: Callable[[int], None] | None = None,
) -> AutoQaReport:
    """Score and store every conversation; ``workers`` processes score while this one writes."""
    scorer = Scorer(versions)
    report = AutoQaReport()
    for rows, (scored, skipped) in _scored_batches(conversations, scorer, batch_size, workers):
        write(scored)
        report.add(scorer.report(rows, scored, skipped))
        if progress is not None:
            progress(report.conversations)
    return report


def _row_batches(conversations: QuerySet[Conversation], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in conversations.order_by("id").values(*ENGINE_COLUMNS).iterator(chunk_size=size):
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _scored_batches(
    conversations: QuerySet[Conversation], scorer: Scorer, size: int, workers: int
) -> Iterator[tuple[int, tuple[list[Scored], int]]]:
    if workers < 1:
        for rows in _row_batches(conversations, size):
            yield len(rows), scorer.score(rows)
        return
    # Forked children must not share the parent's database sockets. Inside a transaction
    # (a test) the connection must stay open; the children never touch it and leave with
    # os._exit, so nothing of it is closed or reused from their side.
    if not any(conn.in_atomic_block for conn in connections.all()):
        connections.close_all()
    # Fork: the children inherit the compiled scorecards (and warm lemma caches) instead
    # of compiling them again or receiving them pickled.
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_worker_init, initargs=(scorer,)) as pool:
        in_flight: deque = deque()
        for rows in _row_batches(conversations, size):
            in_flight.append((len(rows), pool.apply_async(_worker_score, (rows,))))
            if len(in_flight) >= 2 * workers:
                count, pending = in_flight.popleft()
                yield count, pending.get()
        while in_flight:
            count, pending = in_flight.popleft()
            yield count, pending.get()


_WORKER_SCORER: Scorer | None = None


def _worker_init(scorer: Scorer) -> None:
    global _WORKER_SCORER  # noqa: PLW0603 (one scorer per worker process, set at its start)
    _WORKER_SCORER = scorer


def _worker_score(rows: list[dict]) -> tuple[list[Scored], int]:
    assert _WORKER_SCORER is not None, "worker started without _worker_init"
    return _WORKER_SCORER.score(rows)


def write(scored: list[Scored]) -> None:
    """Replace the automatic evaluations of the scored conversations, in one transaction."""
    if not scored:
        return
    now = timezone.now()
    by_version: dict[int, list[int]] = defaultdict(list)
    for item in scored:
        by_version[item.version_id].append(item.conversation_id)
    submitted_at = connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic():
        # Through the ORM: it also deletes what hangs off an evaluation (answers, disputes).
        for version_id, conversation_ids in by_version.items():
            Evaluation.objects.filter(
                kind=Evaluation.Kind.AUTO,
                scorecard_version_id=version_id,
                conversation_id__in=conversation_ids,
            ).delete()
        ids: dict[tuple[int, int], int] = {}
        for start in range(0, len(scored), _ROWS_PER_STATEMENT):
            part = scored[start : start + _ROWS_PER_STATEMENT]
            returned = _insert(
                Evaluation,
                _EVALUATION_COLUMNS,
                [
                    (
                        item.conversation_id,
                        item.version_id,
                        Evaluation.Kind.AUTO.value,
                        Evaluation.Purpose.OFFICIAL.value,
                        Evaluation.State.SUBMITTED.value,
                        item.score_percent,
                        item.earned,
                        item.maximum,
                        item.critical_failed,
                        orjson.dumps(item.stage_scores).decode(),
                        submitted_at,
                    )
                    for item in part
                ],
                now=now,
                returning=("id", "conversation_id", "scorecard_version_id"),
            )
            ids.update({(conversation, version): pk for pk, conversation, version in returned})
        _insert(
            Answer,
            _ANSWER_COLUMNS,
            [
                (ids[item.conversation_id, item.version_id], *answer, _ANSWER_ORIGIN)
                for item in scored
                for answer in item.answers
            ],
            now=now,
        )


# Plain INSERTs instead of bulk_create: building and preparing model instances (one
# evaluation and ~13 answers per conversation) cost more than the scoring it stores.
_EVALUATION_COLUMNS = (
    "conversation_id",
    "scorecard_version_id",
    "kind",
    "purpose",
    "state",
    "score_percent",
    "earned",
    "maximum",
    "critical_failed",
    "stage_scores",
    "submitted_at",
)
_ANSWER_COLUMNS = (
    "evaluation_id",
    "criterion",
    "stage",
    "value",
    "verdict",
    "confidence",
    "evidence",
    "comment",
    "origin",
)
_ANSWER_ORIGIN = Answer.Origin.AUTO.value
# Well under SQLite's 32,766 and PostgreSQL's 65,535 parameters per statement.
_ROWS_PER_STATEMENT = 500


def _insert(
    model: type[models.Model],
    given: tuple[str, ...],
    rows: list[tuple],
    *,
    now: datetime,
    returning: tuple[str, ...] = (),
) -> list[tuple]:
    """INSERT ``rows`` of the ``given`` columns; every other column gets its default.

    Built from the model, so a column added later is filled with its default (``now`` for
    ``auto_now`` fields). With ``returning``: one multi-row statement, returning those
    columns; without: ``executemany``.
    """
    if not rows:
        return []
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    others = [f for name, f in fields.items() if name not in given]
    constants = tuple(_default(f, now) for f in others)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(fields[name].column) for name in given) + "".join(
        f", {quote(f.column)}" for f in others
    )
    placeholders = "(" + ", ".join(["%s"] * (len(given) + len(others))) + ")"
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if not returning:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES {placeholders}",
                [(*row, *constants) for row in rows],
            )
            return []
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholders] * len(rows))} "
            f"RETURNING {', '.join(quote(model._meta.get_field(n).column) for n in returning)}",
            [value for row in rows for value in (*row, *constants)],
        )
        return cursor.fetchall()


def _default(field: models.Field, now: datetime) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return field.get_db_prep_save(now, connection)
    return field.get_db_prep_save(field.get_default(), connection)
