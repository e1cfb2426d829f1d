"""Writes for sampling: rules, and runs that fill the graders' queues.

The pick itself is ``engine.sampling.pick`` (pure, seeded); ``picking`` gathers the
candidates, keeps what is already queued or evaluated out, assigns graders and stores
the queue items. See docs/decisions/0008-sampling.md.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from nastavnik.accounts import access
from nastavnik.accounts.models import Role, User
from nastavnik.core.audit import audit_record, diff
from nastavnik.core.errors import ApplicationError
from nastavnik.engine import sampling
from nastavnik.sampling import mappers, picking
from nastavnik.sampling.models import SamplingRule
from nastavnik.sampling.picking import OperatorSample, SampleReport

__all__ = [
    "OperatorSample",
    "SampleReport",
    "sample_current_periods",
    "sample_run",
    "sampling_demo_fill",
    "sampling_rule_create",
    "sampling_rule_update",
]

RULE_FIELDS = (
    "name",
    "team",
    "channel",
    "per_operator",
    "period",
    "risk_share",
    "low_csat_max",
    "long_handling_minutes",
    "autoqa_score_below",
    "due_days",
    "is_active",
)


def sampling_rule_create(
    *, actor: Any, graders: Iterable[User] = (), **fields: Any
) -> SamplingRule:
    """Create a sampling rule; every grader must be someone who evaluates conversations."""
    graders = list(graders)
    _check_rule(fields, graders, rule=None)
    with transaction.atomic():
        rule = SamplingRule.objects.create(**fields)
        rule.graders.set(graders)
        audit_record(
            actor=actor,
            action="sampling.rule_create",
            entity=rule,
            changes={**_rule_state(rule), "graders": sorted(g.pk for g in graders)},
        )
    return rule


def sampling_rule_update(
    *, actor: Any, rule: SamplingRule, graders: Iterable[User] | None = None, **fields: Any
) -> SamplingRule:
    """Change a rule's fields and graders; the audit row keeps old → new."""
    graders = None if graders is None else list(graders)
    _check_rule(fields, graders or [], rule=rule)
    with transaction.atomic():
        rule = SamplingRule.objects.select_for_update().get(pk=rule.pk)
        old = {**_rule_state(rule), "graders": sorted(rule.graders.values_list("pk", flat=True))}
        for name, value in fields.items():
            setattr(rule, name, value)
        rule.save()
        if graders is not None:
            rule.graders.set(graders)
        new = {**_rule_state(rule), "graders": sorted(rule.graders.values_list("pk", flat=True))}
        audit_record(
            actor=actor, action="sampling.rule_update", entity=rule, changes=diff(old, new)
        )
    return rule


def _check_rule(fields: dict[str, Any], graders: list[User], *, rule: SamplingRule | None):
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"not sampling rule fields: {sorted(unknown)}")
    name = fields.get("name")
    if name is not None:
        taken = SamplingRule.objects.filter(name=name)
        if rule is not None:
            taken = taken.exclude(pk=rule.pk)
        if taken.exists():
            raise ApplicationError(
                gettext("A sampling rule named “%(name)s” already exists.") % {"name": name},
                record=name,
                field="name",
            )
    _check_values(fields, rule)
    for grader in graders:
        if not access.can_grade(grader):
            raise ApplicationError(
                gettext("%(user)s does not evaluate conversations (no grading role).")
                % {"user": grader},
                record=fields.get("name") or (rule.name if rule else ""),
                field="graders",
            )


def _check_values(fields: dict[str, Any], rule: SamplingRule | None) -> None:
    # The model's validators (ranges, choices) for callers other than the form: the CLI,
    # the demo, tests. The first problem is reported with its field.
    candidate = copy.copy(rule) if rule is not None else SamplingRule()
    for name, value in fields.items():
        setattr(candidate, name, value)
    try:
        candidate.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ApplicationError(
            messages[0], record=str(fields.get("name") or candidate.name), field=field
        ) from error


def _rule_state(rule: SamplingRule) -> dict[str, Any]:
    state = {name: getattr(rule, name) for name in RULE_FIELDS}
    state["team"] = rule.team_id
    return state


def sample_run(
    *,
    actor: Any,
    period_start: date,
    period_end: date,
    rules: Sequence[SamplingRule] | None = None,
    dry_run: bool = False,
    paced: bool = False,
    today: date | None = None,
    seed: int | str = 0,
    progress: Callable[[int, int], None] | None = None,
) -> SampleReport:
    """Fill the graders' queues from conversations started ``period_start`` … ``period_end``.

    For every rule (the active ones unless ``rules`` is given) and each of its weeks or
    months overlapping the days, pick each operator's conversations up to the quota minus
    what is already queued or evaluated for them in that period, assign them to the rule's
    graders least-loaded first, and store them. Idempotent: a second run for the same days
    adds only what is missing. ``paced`` spreads the quota of a running period over its
    days (the scheduled task uses it). ``dry_run`` computes the same report, writes nothing.
    """
    if period_end < period_start:
        raise ApplicationError(
            gettext("The last day %(last)s is before the first day %(first)s.")
            % {"last": period_end, "first": period_start},
            record="sample",
            field="period_end",
        )
    today = today or timezone.localdate()
    report = SampleReport(period_start, period_end, dry_run)
    with transaction.atomic():
        selected = picking.rules_locked(rules)
        steps = picking.steps(selected, period_start, period_end, report)
        total = sum(len(step.operator_ids) for step in steps)
        run = picking.Run(actor, seed, today, report, picking.Assigner())
        done = 0
        for step in steps:
            quota = (
                sampling.paced_quota(step.rule.per_operator, step.period, today)
                if paced
                else step.rule.per_operator
            )
            engine_rule = mappers.rule_to_engine(step.rule, quota=quota)
            for chunk in picking.chunks(step.operator_ids, picking.OPERATOR_CHUNK):
                items = picking.sample_chunk(run, step, chunk, engine_rule)
                if items and not dry_run:
                    report.created += picking.store(items)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
        if not dry_run:
            audit_record(
                actor=actor,
                action="sampling.run",
                entity_type="sampling.run",
                changes=report.as_dict(),
            )
    return report


def sample_current_periods(
    *, actor: Any, today: date | None = None, dry_run: bool = False
) -> list[SampleReport]:
    """Sample this week (weekly rules) and this month (monthly rules) up to today, paced.

    What the scheduled task runs every morning; idempotent, so running it more often
    only adds what the pace allows by then.
    """
    today = today or timezone.localdate()
    reports = []
    for kind in (sampling.WEEK, sampling.MONTH):
        rules = list(SamplingRule.objects.filter(is_active=True, period=kind))
        if not rules:
            continue
        period = sampling.period_of(kind, today)
        reports.append(
            sample_run(
                actor=actor,
                period_start=period.first,
                period_end=today,
                rules=rules,
                dry_run=dry_run,
                paced=True,
                today=today,
            )
        )
    return reports


def sampling_demo_fill(*, actor: Any = None, today: date | None = None) -> SampleReport | None:
    """Demo set-up: a monthly rule for the QA analysts and leads, sampled for the demo months.

    Idempotent: does nothing when any sampling rule exists already.
    """
    if SamplingRule.objects.exists():
        return None
    graders = User.objects.filter(
        is_active=True, role_assignments__role__in=[Role.QA_ANALYST, Role.QA_LEAD]
    ).distinct()
    rule = sampling_rule_create(
        actor=actor,
        graders=graders,
        name="Ежемесячная выборка",
        per_operator=12,
        period=sampling.MONTH,
        risk_share=0.3,
        autoqa_score_below=60.0,
    )
    today = today or timezone.localdate()
    previous = sampling.period_of(sampling.MONTH, today.replace(day=1) - timedelta(days=1))
    return sample_run(
        actor=actor, period_start=previous.first, period_end=today, rules=[rule], paced=True
    )
