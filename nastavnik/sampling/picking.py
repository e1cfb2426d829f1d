"""The workings of a sampling run: candidates, quotas already used, graders, storing.

``services.sample_run`` drives these per rule, period and chunk of operators; the pick
itself is ``engine.sampling.pick``. See docs/decisions/0008-sampling.md.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from nastavnik.accounts import access
from nastavnik.accounts.models import Operator, User
from nastavnik.conversations.models import Conversation
from nastavnik.engine import sampling
from nastavnik.evaluations.models import Evaluation
from nastavnik.sampling import mappers
from nastavnik.sampling.models import QueueItem, SamplingRule
from nastavnik.sampling.selectors import open_items

OPERATOR_CHUNK = 200
CLIENT_CHUNK = 500


@dataclass
class OperatorSample:
    """What one run picked for one operator under one rule and period."""

    rule: str
    period: str
    operator_id: int
    operator: str
    already: int
    picked: int
    reasons: dict[str, int]


@dataclass
class SampleReport:
    """What a sampling run did (or, for a dry run, would do)."""

    first_day: date
    last_day: date
    dry_run: bool
    operators: list[OperatorSample] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    created: int = 0

    @property
    def picked(self) -> int:
        """Conversations picked over every rule, period and operator."""
        return sum(row.picked for row in self.operators)

    def by_rule(self) -> list[dict[str, Any]]:
        """One summary row per rule and period: operators, picks, picks per reason."""
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for row in self.operators:
            summary = rows.setdefault(
                (row.rule, row.period),
                {
                    "rule": row.rule,
                    "period": row.period,
                    "operators": 0,
                    "picked": 0,
                    "reasons": Counter(),
                },
            )
            summary["operators"] += 1
            summary["picked"] += row.picked
            summary["reasons"].update(row.reasons)
        return [{**r, "reasons": dict(r["reasons"])} for r in rows.values()]

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-friendly data (for the audit row and tasks)."""
        return {
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "dry_run": self.dry_run,
            "picked": self.picked,
            "created": self.created,
            "by_rule": self.by_rule(),
            "problems": self.problems,
        }


@dataclass
class Run:
    """State shared by the steps of one run."""

    actor: Any
    seed: int | str
    today: date
    report: SampleReport
    assigner: Assigner
    # Conversations picked earlier in this run: a dry run has not stored them.
    taken: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Step:
    """One rule in one of its periods, limited to the run's days."""

    rule: SamplingRule
    period: sampling.Period
    start: datetime  # the part of the period inside the run, local midnight …
    end: datetime  # … to the following local midnight
    operator_ids: list[int]


def rules_locked(rules: Sequence[SamplingRule] | None) -> list[SamplingRule]:
    """The rules to run (the active ones unless given), locked for this transaction."""
    queryset = SamplingRule.objects.prefetch_related("graders").order_by("pk")
    if rules is None:
        queryset = queryset.filter(is_active=True)
    else:
        queryset = queryset.filter(pk__in=[rule.pk for rule in rules])
    # Locking the rules serialises two runs on PostgreSQL, so the second one sees what the
    # first added and does not exceed the quota (SQLite serialises writers anyway).
    return list(queryset.select_for_update(of=("self",)))


def steps(rules: list[SamplingRule], first: date, last: date, report: SampleReport) -> list[Step]:
    """One step per rule and overlapping period, with the operators who worked in it."""
    result = []
    for rule in rules:
        if not list(rule.graders.all()):
            report.problems.append(
                gettext("Rule “%(rule)s” has no graders: nothing was picked for it.")
                % {"rule": rule.name}
            )
            continue
        for period in sampling.periods_between(rule.period, first, last):
            start = local_midnight(max(first, period.first))
            end = local_midnight(min(last, period.last) + timedelta(days=1))
            operator_ids = list(
                _rule_conversations(rule, start, end)
                .values_list("operator_id", flat=True)
                .distinct()
                .order_by("operator_id")
            )
            result.append(Step(rule, period, start, end, operator_ids))
    return result


def _rule_conversations(rule: SamplingRule, start: datetime, end: datetime) -> QuerySet:
    conversations = Conversation.objects.filter(
        started_at__gte=start, started_at__lt=end, operator__is_active=True
    )
    if rule.team_id:
        conversations = conversations.filter(operator__team_id=rule.team_id)
    if rule.channel:
        conversations = conversations.filter(channel=rule.channel)
    return conversations


def sample_chunk(
    run: Run, step: Step, operator_ids: list[int], engine_rule: sampling.Rule
) -> list[QueueItem]:
    """Pick and assign for a chunk of operators; the items to store (not yet stored)."""
    rows = [
        row
        for row in _candidate_rows(step, operator_ids).values(*mappers.CANDIDATE_COLUMNS)
        if row["id"] not in run.taken
    ]
    repeat_ids = mappers.repeat_contact_ids(rows, _same_clients(rows, step))
    already = _already(step, operator_ids)
    picks = sampling.pick(
        mappers.candidates(rows, repeat_ids),
        engine_rule,
        seed=f"{run.seed}:{step.rule.pk}:{step.period.label}",
        already=already,
    )
    names = dict(Operator.objects.filter(pk__in=operator_ids).values_list("pk", "full_name"))
    # Due at the end of the day ``due_days`` after the run.
    due_at = local_midnight(run.today + timedelta(days=step.rule.due_days + 1))
    due_at -= timedelta(seconds=1)
    created_by = run.actor if getattr(run.actor, "is_authenticated", False) else None
    items: list[QueueItem] = []
    by_operator: dict[int, list[sampling.Pick]] = defaultdict(list)
    for pick in picks:
        grader = run.assigner.grader_for(step.rule, pick.operator)
        if grader is None:
            message = gettext("Rule “%(rule)s”: none of its graders may evaluate %(operator)s.") % {
                "rule": step.rule.name,
                "operator": names.get(pick.operator, pick.operator),
            }
            if message not in run.report.problems:
                run.report.problems.append(message)
            continue
        run.taken.add(pick.conversation)
        by_operator[pick.operator].append(pick)
        items.append(
            QueueItem(
                conversation_id=pick.conversation,
                grader=grader,
                rule=step.rule,
                reason=pick.reason,
                period=step.period.label,
                due_at=due_at,
                created_by=created_by,
            )
        )
    for operator_id in operator_ids:
        operator_picks = by_operator.get(operator_id, [])
        if not operator_picks and not already.get(operator_id):
            continue
        run.report.operators.append(
            OperatorSample(
                rule=step.rule.name,
                period=step.period.label,
                operator_id=operator_id,
                operator=names.get(operator_id, str(operator_id)),
                already=already.get(operator_id, 0),
                picked=len(operator_picks),
                reasons=dict(Counter(p.reason for p in operator_picks)),
            )
        )
    return items


def store(items: list[QueueItem]) -> int:
    """Insert queue items; returns how many were new."""
    ids = [item.conversation_id for item in items]
    before = QueueItem.objects.filter(conversation_id__in=ids).count()
    # ignore_conflicts: the unique conversation constraint has the last word when something
    # else queued one of these conversations meanwhile; it is then not added twice.
    QueueItem.objects.bulk_create(items, ignore_conflicts=True)
    return QueueItem.objects.filter(conversation_id__in=ids).count() - before


def _candidate_rows(step: Step, operator_ids: list[int]) -> QuerySet:
    queued = QueueItem.objects.filter(conversation=OuterRef("pk"))
    # Any person's official evaluation, even a draft, keeps a conversation out: someone is
    # already on it, and a second grader would evaluate it twice.
    evaluated = Evaluation.objects.filter(
        conversation=OuterRef("pk"),
        kind=Evaluation.Kind.MANUAL,
        purpose=Evaluation.Purpose.OFFICIAL,
    )
    conversations = (
        _rule_conversations(step.rule, step.start, step.end)
        .filter(operator_id__in=operator_ids)
        # A missed call or an empty conversation has nothing to evaluate.
        .exclude(missed=True)
        .exclude(turn_count=0)
        .exclude(Exists(queued))
        .exclude(Exists(evaluated))
        .order_by()
    )
    return mappers.with_auto_signals(conversations)


def _already(step: Step, operator_ids: list[int]) -> dict[int, int]:
    """Per operator: queued under this rule in this period, plus evaluated outside the queue."""
    counts: Counter[int] = Counter()
    queued = (
        QueueItem.objects.filter(
            rule=step.rule,
            period=step.period.label,
            conversation__operator_id__in=operator_ids,
        )
        .values("conversation__operator_id")
        .annotate(n=Count("id"))
    )
    for row in queued:
        counts[row["conversation__operator_id"]] += row["n"]
    whole_period = _rule_conversations(
        step.rule,
        local_midnight(step.period.first),
        local_midnight(step.period.last + timedelta(days=1)),
    )
    evaluated = (
        whole_period.filter(operator_id__in=operator_ids)
        .filter(
            Exists(
                Evaluation.objects.filter(
                    conversation=OuterRef("pk"),
                    kind=Evaluation.Kind.MANUAL,
                    purpose=Evaluation.Purpose.OFFICIAL,
                    state=Evaluation.State.SUBMITTED,
                )
            )
        )
        .exclude(Exists(QueueItem.objects.filter(conversation=OuterRef("pk"))))
        .values("operator_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in evaluated:
        counts[row["operator_id"]] += row["n"]
    return dict(counts)


def _same_clients(rows: list[dict], step: Step) -> list[tuple[int, str, datetime]]:
    clients = sorted({row["client_ref"] for row in rows if row["client_ref"]})
    contacts: list[tuple[int, str, datetime]] = []
    for chunk in chunks(clients, CLIENT_CHUNK):
        contacts += Conversation.objects.filter(
            client_ref__in=chunk,
            started_at__gte=step.start,
            started_at__lt=step.end + sampling.REPEAT_WINDOW,
        ).values_list("id", "client_ref", "started_at")
    return contacts


class Assigner:
    """Least-loaded grader first, among the rule's graders allowed to evaluate the operator."""

    def __init__(self) -> None:
        self._load: dict[int, int] = {}
        self._allowed: dict[int, set[int] | None] = {}

    def grader_for(self, rule: SamplingRule, operator_id: int) -> User | None:
        graders = list(rule.graders.all())
        self._prepare(graders)
        eligible = [g for g in graders if self._may_grade(g, operator_id)]
        if not eligible:
            return None
        grader = min(eligible, key=lambda g: (self._load[g.pk], g.pk))
        self._load[grader.pk] += 1
        return grader

    def _prepare(self, graders: list[User]) -> None:
        missing = [g for g in graders if g.pk not in self._load]
        if not missing:
            return
        load = dict(
            open_items(QueueItem.objects.filter(grader__in=missing))
            .values("grader")
            .annotate(n=Count("id"))
            .values_list("grader", "n")
            .order_by()
        )
        for grader in missing:
            self._load[grader.pk] = load.get(grader.pk, 0)
            condition = access.grading_filter(grader)
            self._allowed[grader.pk] = (
                None
                if condition is None
                else set(Operator.objects.filter(condition).values_list("pk", flat=True))
            )

    def _may_grade(self, grader: User, operator_id: int) -> bool:
        allowed = self._allowed[grader.pk]
        return allowed is None or operator_id in allowed


def local_midnight(day: date) -> datetime:
    """The start of a local calendar day as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def chunks(values: list, size: int) -> Iterable[list]:
    """Consecutive slices of at most ``size`` values."""
    for index in range(0, len(values), size):
        yield values[index : index + size]
