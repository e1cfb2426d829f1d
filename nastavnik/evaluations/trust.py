"""Selectors (reads only) for auto-QA trust: how well each detector agrees with people.

On conversations evaluated both by a person and by auto-QA, the person's verdict and the
detector's verdict on the same criterion form a *pair*. Per scorecard and criterion the
pairs give agreement, Cohen's kappa with its interval, precision and recall of violations
and the confusion matrix (``engine.stats.agreement``). A criterion with at least
``NASTAVNIK_TRUST_MIN_PAIRS`` pairs and a kappa under ``NASTAVNIK_TRUST_MIN_KAPPA`` is *not
trusted*: ``scoring_spec`` marks it pilot, so auto-QA still answers and shows it but leaves
it out of operator scores until it improves. Definitions and decisions:
docs/autoqa-trust.md.

Which evaluations pair up:
* the person: the latest submitted manual evaluation of the conversation (per scorecard),
  of purpose official, practice or mystery shopper; calibration evaluations are left out
  (they are graders being measured, several per conversation);
* auto-QA: the automatic evaluation of the same conversation and scorecard, of the newest
  scorecard version that has one, so a detector fixed in a new version (and re-run) is
  judged as it works now.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from nastavnik.accounts import access
from nastavnik.engine import types
from nastavnik.engine.stats import agreement
from nastavnik.evaluations.models import Answer, Evaluation
from nastavnik.scorecards.mappers import version_spec
from nastavnik.scorecards.models import ScorecardVersion

TRUSTED = "trusted"
NOT_TRUSTED = "not_trusted"
NOT_ENOUGH_DATA = "not_enough_data"
REFERENCE_PURPOSES = (
    Evaluation.Purpose.OFFICIAL,
    Evaluation.Purpose.PRACTICE,
    Evaluation.Purpose.MYSTERY_SHOPPER,
)
# Answers are fetched by evaluation id in chunks: SQLite limits the parameters of a query.
_CHUNK = 500


@dataclass(frozen=True)
class Thresholds:
    """The kappa a criterion needs to be trusted, and the pairs needed to judge at all."""

    min_kappa: float
    min_pairs: int


@dataclass(frozen=True)
class TrustFilters:
    """Which conversations' pairs count: scorecard key, period (days), channel, team name."""

    scorecard: str | None = None
    since: date | None = None
    until: date | None = None
    channel: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class CriterionTrust:
    """One criterion's agreement figures and trust status."""

    key: str
    criterion: types.CriterionSpec
    stage: types.StageSpec | None
    figures: agreement.Agreement
    status: str

    @property
    def n(self) -> int:
        """Number of pairs."""
        return self.figures.n

    @property
    def is_trusted(self) -> bool:
        """False only for a criterion judged and found under the threshold."""
        return self.status != NOT_TRUSTED


@dataclass(frozen=True)
class ScorecardTrust:
    """Every auto-QA criterion of one scorecard that has pairs."""

    key: str
    spec: types.ScorecardSpec
    conversations: int
    criteria: tuple[CriterionTrust, ...] = field(default=())

    @property
    def untrusted(self) -> tuple[CriterionTrust, ...]:
        """Criteria left out of operator scores."""
        return tuple(c for c in self.criteria if c.status == NOT_TRUSTED)


def thresholds() -> Thresholds:
    """The configured thresholds (settings NASTAVNIK_TRUST_MIN_KAPPA / _MIN_PAIRS)."""
    return Thresholds(
        min_kappa=float(getattr(settings, "NASTAVNIK_TRUST_MIN_KAPPA", 0.6)),
        min_pairs=int(getattr(settings, "NASTAVNIK_TRUST_MIN_PAIRS", 30)),
    )


def trust_status(figures: agreement.Agreement, limits: Thresholds) -> str:
    """``not_enough_data`` under the minimum pairs, else trusted or not by kappa."""
    if figures.n < limits.min_pairs:
        return NOT_ENOUGH_DATA
    return TRUSTED if figures.kappa >= limits.min_kappa else NOT_TRUSTED


def trust_report(*, viewer, filters: TrustFilters | None = None) -> list[ScorecardTrust]:
    """Per scorecard and criterion: agreement of auto-QA with people, within the viewer's scope."""
    manual = access.scope_by_operator(
        _manual_evaluations(filters or TrustFilters()), viewer, through="conversation__operator"
    )
    return _report(manual)


def criterion_trust_get(
    *, viewer, scorecard: str, criterion: str, filters: TrustFilters | None = None
) -> CriterionTrust:
    """One criterion's figures (with its confusion matrix); 404 when it has no pairs."""
    chosen = dataclasses.replace(filters or TrustFilters(), scorecard=scorecard)
    for card in trust_report(viewer=viewer, filters=chosen):
        for item in card.criteria:
            if item.key == criterion:
                return item
    raise Http404(f"no auto-QA/manual pairs for criterion {scorecard}/{criterion}")


def untrusted_criteria(scorecard_key: str) -> frozenset[str]:
    """Keys of the scorecard's criteria that auto-QA must leave out of scores (all data)."""
    manual = _manual_evaluations(TrustFilters(scorecard=scorecard_key))
    return frozenset(
        item.key for card in _report(manual) for item in card.criteria if not item.is_trusted
    )


def scoring_spec(version: ScorecardVersion) -> types.ScorecardSpec:
    """The version's spec with its untrusted criteria marked pilot (scored, not counted)."""
    spec = version_spec(version)
    untrusted = untrusted_criteria(version.scorecard.key)
    if not untrusted:
        return spec
    stages = tuple(
        dataclasses.replace(
            stage,
            criteria=tuple(
                dataclasses.replace(c, pilot=True) if c.key in untrusted else c
                for c in stage.criteria
            ),
        )
        for stage in spec.stages
    )
    return dataclasses.replace(spec, stages=stages)


# --- internals ---------------------------------------------------------------------------


def _manual_evaluations(filters: TrustFilters) -> QuerySet[Evaluation]:
    evaluations = Evaluation.objects.filter(
        kind=Evaluation.Kind.MANUAL,
        state=Evaluation.State.SUBMITTED,
        purpose__in=REFERENCE_PURPOSES,
    )
    if filters.scorecard:
        evaluations = evaluations.filter(scorecard_version__scorecard__key=filters.scorecard)
    if filters.since:
        evaluations = evaluations.filter(conversation__started_at__date__gte=filters.since)
    if filters.until:
        evaluations = evaluations.filter(conversation__started_at__date__lte=filters.until)
    if filters.channel:
        evaluations = evaluations.filter(conversation__channel=filters.channel)
    if filters.team:
        evaluations = evaluations.filter(conversation__team__name=filters.team)
    return evaluations


def _report(manual: QuerySet[Evaluation]) -> list[ScorecardTrust]:
    limits = thresholds()
    pairs, conversations = _pairs(manual)
    report = []
    for key in sorted(pairs):
        spec = _current_spec(key)
        report.append(
            ScorecardTrust(
                key=key,
                spec=spec,
                conversations=conversations[key],
                criteria=tuple(_criteria(spec, pairs[key], limits)),
            )
        )
    return report


def _criteria(
    spec: types.ScorecardSpec, by_criterion: dict[str, list[agreement.Pair]], limits: Thresholds
) -> Iterator[CriterionTrust]:
    places = {c.key: (stage, c) for stage in spec.stages for c in stage.criteria}
    # Scorecard order first; criteria a newer version dropped come last, by key.
    order = [c.key for c in spec.criteria() if c.key in by_criterion]
    order += sorted(set(by_criterion) - set(order))
    for key in order:
        stage, criterion = places.get(key, (None, types.CriterionSpec(key=key, title=key)))
        figures = agreement.summarise(by_criterion[key])
        yield CriterionTrust(key, criterion, stage, figures, trust_status(figures, limits))


def _pairs(
    manual: QuerySet[Evaluation],
) -> tuple[dict[str, dict[str, list[agreement.Pair]]], dict[str, int]]:
    """{scorecard key: {criterion: [(person, auto-QA)]}} and paired conversations per key."""
    people = _latest(
        manual.values_list(
            "id", "conversation_id", "scorecard_version__scorecard__key", "submitted_at"
        ).order_by("conversation_id", "-submitted_at", "-id")
    )
    autos = _latest(
        Evaluation.objects.filter(
            kind=Evaluation.Kind.AUTO, conversation_id__in=manual.values("conversation_id")
        )
        .values_list(
            "id",
            "conversation_id",
            "scorecard_version__scorecard__key",
            "scorecard_version__number",
        )
        .order_by("conversation_id", "-scorecard_version__number", "-id")
    )
    matched = [(key, people[key], autos[key]) for key in people if key in autos]
    verdicts = _verdicts(e for _, person, auto in matched for e in (person, auto))
    pairs: dict[str, dict[str, list[agreement.Pair]]] = defaultdict(lambda: defaultdict(list))
    conversations: dict[str, int] = defaultdict(int)
    for (_, scorecard), person, auto in matched:
        said = verdicts.get(person, {})
        found = False
        for criterion, auto_verdict in verdicts.get(auto, {}).items():
            if criterion in said:
                pairs[scorecard][criterion].append((said[criterion], auto_verdict))
                found = True
        conversations[scorecard] += found
    return pairs, conversations


def _latest(rows: Iterable[tuple]) -> dict[tuple[int, str], int]:
    """The first evaluation id per (conversation, scorecard key) of rows sorted newest first."""
    chosen: dict[tuple[int, str], int] = {}
    for evaluation_id, conversation_id, scorecard, _ in rows:
        chosen.setdefault((conversation_id, scorecard), evaluation_id)
    return chosen


def _verdicts(evaluation_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """{evaluation id: {criterion: verdict}}.

    Every answer of a submitted manual evaluation is the person's judgment, including
    detector answers they reviewed and accepted (stored with origin "auto").
    """
    ids = sorted(set(evaluation_ids))
    result: dict[int, dict[str, str]] = defaultdict(dict)
    for start in range(0, len(ids), _CHUNK):
        rows = Answer.objects.filter(evaluation_id__in=ids[start : start + _CHUNK]).values_list(
            "evaluation_id", "criterion", "verdict"
        )
        for evaluation_id, criterion, verdict in rows:
            result[evaluation_id][criterion] = verdict
    return result


def _current_spec(key: str) -> types.ScorecardSpec:
    """The active version's spec (else the newest) for titles and criterion order."""
    versions = ScorecardVersion.objects.filter(scorecard__key=key)
    version = (
        versions.filter(state=ScorecardVersion.State.ACTIVE).order_by("-number").first()
        or versions.order_by("-number").first()
    )
    return version_spec(version)
