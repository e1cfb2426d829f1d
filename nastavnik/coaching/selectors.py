"""Reads for mystery shopping: scenarios, visits (scoped), results per scenario and operator.

Scoping: those who run mystery shopping (``access.can_manage_mystery``) see every scenario
and visit. Everyone else sees only visits whose evaluation is submitted, of the operators
they may see (an operator: their own; a mentor: their mentees; a team lead: their teams) —
never a planned one, which would give the test away — and no scenario at all.

Results count visits whose evaluation is submitted. Average score = mean of their scores
(an evaluation with every criterion N/A has none and is left out). An expected behaviour is
met when its criterion's answer is "yes"; "partial" and "no" are not met; N/A or a missing
answer (a criterion the evaluated scorecard version lacks) leaves it out of the share.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from nastavnik.accounts import access
from nastavnik.accounts.models import Operator
from nastavnik.coaching import mappers
from nastavnik.coaching.models import MysteryScenario, MysteryVisit
from nastavnik.evaluations.models import Answer, Evaluation

SUBMITTED = Q(evaluation__state=Evaluation.State.SUBMITTED)


# --- scenarios ----------------------------------------------------------------------------


def scenario_list(*, viewer, active_only: bool = False) -> QuerySet[MysteryScenario]:
    """Scenarios with their visit counts (only for those who run mystery shopping)."""
    if not access.can_manage_mystery(viewer):
        return MysteryScenario.objects.none()
    scenarios = MysteryScenario.objects.annotate(
        visit_count=Count("visits", filter=~Q(visits__state=MysteryVisit.State.CANCELLED)),
        planned_count=Count("visits", filter=Q(visits__state=MysteryVisit.State.PLANNED)),
        evaluated_count=Count(
            "visits", filter=Q(visits__evaluation__state=Evaluation.State.SUBMITTED)
        ),
    )
    return scenarios.filter(is_active=True) if active_only else scenarios


def scenario_get(*, viewer, scenario_id: int) -> MysteryScenario:
    """One scenario, or 404 for anyone who does not run mystery shopping."""
    scenario = scenario_list(viewer=viewer).filter(pk=scenario_id).first()
    if scenario is None:
        raise Http404("No such scenario")
    return scenario


@dataclass(frozen=True)
class ChannelCriteria:
    """The criteria an expected behaviour of a channel's scenario may link to."""

    channel: str
    scorecard: str
    criteria: tuple[tuple[str, str], ...]  # (key, title)


def criteria_by_channel(*, viewer) -> list[ChannelCriteria]:
    """For each channel with an active scorecard: its criteria (for the scenario form)."""
    if not access.can_manage_mystery(viewer):
        return []
    from nastavnik.conversations.models import Channel

    found = []
    for channel in Channel.values:
        version = mappers.active_version(channel)
        if version is None:
            continue
        spec = mappers.version_spec(version)
        found.append(
            ChannelCriteria(
                channel, version.scorecard.key, tuple((c.key, c.title) for c in spec.criteria())
            )
        )
    return found


# --- visits -------------------------------------------------------------------------------


def visit_list(
    *,
    viewer,
    scenario: MysteryScenario | None = None,
    state: str | None = None,
    operator_id: int | None = None,
) -> QuerySet[MysteryVisit]:
    """Visits the viewer may see, newest planned date first."""
    visits = MysteryVisit.objects.select_related(
        "scenario", "operator", "operator__team", "conversation", "evaluation"
    )
    if not access.can_manage_mystery(viewer):
        condition = access.operator_filter(viewer, prefix="operator__")
        # Non-managers hold at least one non-full role here, so the condition is never None;
        # the guard keeps a future full-access role from leaking planned visits.
        visits = visits.filter(SUBMITTED, state=MysteryVisit.State.EVALUATED)
        visits = visits.filter(condition) if condition is not None else visits.none()
    if scenario is not None:
        visits = visits.filter(scenario=scenario)
    if state:
        visits = visits.filter(state=state)
    if operator_id is not None:
        visits = visits.filter(operator_id=operator_id)
    return visits


def visit_get(*, viewer, visit_id: int) -> MysteryVisit:
    """One visit the viewer may see, or 404."""
    visit = visit_list(viewer=viewer).filter(pk=visit_id).first()
    if visit is None:
        raise Http404("No such visit")
    return visit


def visit_behaviours(*, visit: MysteryVisit) -> list[dict[str, Any]]:
    """The scenario's expected behaviours with the verdict of the visit's evaluation."""
    verdicts: dict[str, str] = {}
    if visit.evaluation_id is not None:
        verdicts = dict(
            Answer.objects.filter(evaluation_id=visit.evaluation_id).values_list(
                "criterion", "verdict"
            )
        )
    return [
        {**item, "verdict": verdicts.get(item["criterion"], "")}
        for item in visit.scenario.expected_behaviours
    ]


def transcript_initial(*, visit: MysteryVisit) -> dict[str, Any]:
    """What the dialogue form starts with: the typed dialogue so far, or noon of the date."""
    conversation = visit.conversation
    if conversation is not None and conversation.source == mappers.MYSTERY_SOURCE:
        return {
            "transcript": mappers.typed_text(conversation),
            "started_at": timezone.localtime(conversation.started_at),
        }
    noon = datetime.combine(visit.planned_on, time(12, 0))
    return {"started_at": timezone.make_aware(noon)}


def operator_choices(*, viewer) -> QuerySet[Operator]:
    """Active operators a visit can be planned for."""
    if not access.can_manage_mystery(viewer):
        return Operator.objects.none()
    return Operator.objects.filter(is_active=True).select_related("team")


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitOutcome:
    """One evaluated visit, reduced to what results need."""

    scenario_id: int
    operator_id: int
    operator_name: str
    score: float | None
    behaviours: tuple[tuple[str, str, str], ...]  # (text, criterion, verdict; "" = no answer)


@dataclass
class Summary:
    """Visits, average score and share of expected behaviours met, for any group of visits."""

    key: Any
    label: str
    detail: str = ""
    visits: int = 0
    evaluated: int = 0
    scores: list[float] = field(default_factory=list)
    met: int = 0
    counted: int = 0

    @property
    def average_score(self) -> float | None:
        return round(sum(self.scores) / len(self.scores), 1) if self.scores else None

    @property
    def behaviours_met_percent(self) -> float | None:
        return round(100 * self.met / self.counted, 1) if self.counted else None


def summarise(
    outcomes: Iterable[VisitOutcome], *, group: str, labels: dict[Any, str] | None = None
) -> dict[Any, Summary]:
    """Group evaluated visits by ``group`` (an attribute of VisitOutcome) and total them."""
    result: dict[Any, Summary] = {}
    for outcome in outcomes:
        key = getattr(outcome, group)
        label = outcome.operator_name if labels is None else labels.get(key, str(key))
        summary = result.setdefault(key, Summary(key, label))
        summary.evaluated += 1
        if outcome.score is not None:
            summary.scores.append(outcome.score)
        for _text, _criterion, verdict in outcome.behaviours:
            if verdict in ("", "na"):
                continue
            summary.counted += 1
            summary.met += verdict == "yes"
    return result


def behaviour_rates(
    outcomes: Iterable[VisitOutcome], expected: Iterable[dict[str, str]] = ()
) -> list[Summary]:
    """Per expected behaviour (the ``expected`` ones first): how often it was met."""
    result: dict[tuple[str, str], Summary] = {}
    for item in expected:
        key = (item["text"], item["criterion"])
        result.setdefault(key, Summary(key, item["text"], item["criterion"]))
    for outcome in outcomes:
        for text, criterion, verdict in outcome.behaviours:
            summary = result.setdefault(
                (text, criterion), Summary((text, criterion), text, criterion)
            )
            if verdict in ("", "na"):
                continue
            summary.counted += 1
            summary.met += verdict == "yes"
    return list(result.values())


def visit_outcomes(*, viewer, scenario: MysteryScenario | None = None) -> list[VisitOutcome]:
    """Every evaluated (submitted) visit the viewer may see, with behaviour verdicts."""
    visits = list(
        visit_list(viewer=viewer, scenario=scenario)
        .filter(SUBMITTED)
        .exclude(state=MysteryVisit.State.CANCELLED)
    )
    answers: dict[int, dict[str, str]] = defaultdict(dict)
    rows = Answer.objects.filter(evaluation_id__in=[v.evaluation_id for v in visits])
    for evaluation_id, criterion, verdict in rows.values_list(
        "evaluation_id", "criterion", "verdict"
    ):
        answers[evaluation_id][criterion] = verdict
    return [
        VisitOutcome(
            scenario_id=visit.scenario_id,
            operator_id=visit.operator_id,
            operator_name=visit.operator.full_name,
            score=visit.evaluation.score_percent,
            behaviours=tuple(
                (
                    item["text"],
                    item["criterion"],
                    answers[visit.evaluation_id].get(item["criterion"], ""),
                )
                for item in visit.scenario.expected_behaviours
            ),
        )
        for visit in visits
    ]


@dataclass(frozen=True)
class ScenarioResults:
    """A scenario's totals, per operator and per expected behaviour."""

    total: Summary
    by_operator: list[Summary]
    by_behaviour: list[Summary]

    def chart(self) -> dict[str, list]:
        """Average score per operator for the bar chart."""
        rows = [row for row in self.by_operator if row.average_score is not None]
        return {
            "labels": [row.label for row in rows],
            "scores": [row.average_score for row in rows],
        }


def scenario_results(*, viewer, scenario: MysteryScenario) -> ScenarioResults:
    """Visits, average score and share of expected behaviours met, overall and per operator."""
    outcomes = visit_outcomes(viewer=viewer, scenario=scenario)
    total = summarise(outcomes, group="scenario_id", labels={scenario.pk: scenario.title}).get(
        scenario.pk, Summary(scenario.pk, scenario.title)
    )
    by_operator = summarise(outcomes, group="operator_id")
    planned = _visit_counts(visit_list(viewer=viewer, scenario=scenario), "operator_id")
    total.visits = sum(planned.values())
    for operator_id, count in planned.items():
        if operator_id in by_operator:
            by_operator[operator_id].visits = count
    return ScenarioResults(
        total=total,
        by_operator=sorted(by_operator.values(), key=lambda s: s.label),
        by_behaviour=behaviour_rates(outcomes, scenario.expected_behaviours),
    )


@dataclass(frozen=True)
class Results:
    """The results page: per scenario and per operator, over every evaluated visit."""

    by_scenario: list[Summary]
    by_operator: list[Summary]


def results(*, viewer) -> Results:
    """Results per scenario and per operator over all scenarios."""
    outcomes = visit_outcomes(viewer=viewer)
    titles = dict(scenario_list(viewer=viewer).values_list("pk", "title"))
    by_scenario = summarise(outcomes, group="scenario_id", labels=titles)
    by_operator = summarise(outcomes, group="operator_id")
    visits = visit_list(viewer=viewer)
    for key, count in _visit_counts(visits, "scenario_id").items():
        if key in by_scenario:
            by_scenario[key].visits = count
    for key, count in _visit_counts(visits, "operator_id").items():
        if key in by_operator:
            by_operator[key].visits = count
    return Results(
        by_scenario=sorted(by_scenario.values(), key=lambda s: s.label),
        by_operator=sorted(by_operator.values(), key=lambda s: s.label),
    )


def _visit_counts(visits: QuerySet[MysteryVisit], column: str) -> dict[int, int]:
    """Visits that were not cancelled, per ``column``."""
    rows = (
        visits.exclude(state=MysteryVisit.State.CANCELLED)
        .order_by()
        .values(column)
        .annotate(count=Count("id"))
    )
    return {row[column]: row["count"] for row in rows}
