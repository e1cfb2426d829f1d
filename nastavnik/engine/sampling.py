"""Which conversations go to the graders' queues: quota, channel strata, risk picks first.

Pure Python, deterministic for a seed. The apps hand in candidate conversations as
:class:`Candidate` rows and a :class:`Rule`; :func:`pick` returns :class:`Pick` rows with
the reason each one was chosen. The pick order is explained in
docs/decisions/0008-sampling.md.

Per operator:

1. ``wanted = min(quota - already picked or evaluated in the period, candidates)``;
2. the slots are split between channels in proportion to the operator's candidates per
   channel (largest remainder), so every channel gets ``floor`` or ``ceil`` of its share;
3. risk picks come first, up to ``round(wanted × risk share)``: conversations with more
   risk signals before those with fewer, ties in seeded random order, each only while its
   channel still has a free slot;
4. the remaining slots of each channel are filled at random (seeded).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

LOW_CSAT = "low_csat"
LONG_HANDLING = "long_handling"
AUTOQA_FLAG = "autoqa_flag"
REPEAT_CONTACT = "repeat_contact"
RANDOM = "random"
# Risk reasons in the order a pick's reason is named when several apply.
RISK_REASONS: tuple[str, ...] = (LOW_CSAT, LONG_HANDLING, AUTOQA_FLAG, REPEAT_CONTACT)
REASONS: tuple[str, ...] = (*RISK_REASONS, RANDOM)
REPEAT_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A conversation that may be sampled, with the signals the risk picks look at."""

    id: int
    operator: int
    channel: str
    started_at: datetime
    csat: int | None = None
    duration_seconds: float | None = None
    auto_score: float | None = None
    critical_failed: bool = False
    repeat_contact: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    """How many conversations per operator and which count as risky.

    ``low_csat_max``: a CSAT at or below it is a risk (None: CSAT is not looked at);
    ``long_handling_seconds``: a duration at or above it is a risk; ``autoqa_score_below``:
    an automatic score below it is a risk (a failed critical criterion always is).
    """

    per_operator: int = 12
    risk_share: float = 0.3
    low_csat_max: int | None = 3
    long_handling_seconds: float | None = None
    autoqa_score_below: float | None = None

    def __post_init__(self) -> None:
        if self.per_operator < 0:
            raise ValueError("per_operator must not be negative")
        if not 0 <= self.risk_share <= 1:
            raise ValueError("risk_share must be between 0 and 1")


@dataclass(frozen=True, slots=True)
class Pick:
    """One sampled conversation and why it was chosen."""

    conversation: int
    operator: int
    channel: str
    reason: str


def risk_reasons(candidate: Candidate, rule: Rule) -> tuple[str, ...]:
    """The risk signals of a candidate under a rule, in :data:`RISK_REASONS` order."""
    found = []
    if (
        rule.low_csat_max is not None
        and candidate.csat is not None
        and candidate.csat <= rule.low_csat_max
    ):
        found.append(LOW_CSAT)
    if (
        rule.long_handling_seconds is not None
        and candidate.duration_seconds is not None
        and candidate.duration_seconds >= rule.long_handling_seconds
    ):
        found.append(LONG_HANDLING)
    if candidate.critical_failed or (
        rule.autoqa_score_below is not None
        and candidate.auto_score is not None
        and candidate.auto_score < rule.autoqa_score_below
    ):
        found.append(AUTOQA_FLAG)
    if candidate.repeat_contact:
        found.append(REPEAT_CONTACT)
    return tuple(found)


def allocate(counts: Mapping[str, int], wanted: int) -> dict[str, int]:
    """Split ``wanted`` slots over strata in proportion to ``counts`` (largest remainder).

    Every stratum gets the floor or the ceiling of its exact share and never more than
    its count; ties in the remainder go to the larger stratum, then by name.
    """
    total = sum(counts.values())
    wanted = min(wanted, total)
    if wanted <= 0 or total == 0:
        return dict.fromkeys(counts, 0)
    shares = {key: wanted * count / total for key, count in counts.items()}
    result = {key: math.floor(share) for key, share in shares.items()}
    left = wanted - sum(result.values())
    order = sorted(counts, key=lambda key: (-(shares[key] - result[key]), -counts[key], key))
    for key in order[:left]:
        result[key] += 1
    return result


def pick(
    candidates: Iterable[Candidate],
    rule: Rule,
    *,
    seed: int | str,
    already: Mapping[int, int] | None = None,
) -> list[Pick]:
    """Sample each operator's candidates under ``rule`` (see the module docstring).

    ``already`` maps an operator to what was picked or evaluated for them in the period
    before, which the quota is reduced by. A candidate id given twice is used once.
    """
    already = already or {}
    by_operator: dict[int, list[Candidate]] = defaultdict(list)
    seen: set[int] = set()
    for candidate in candidates:
        if candidate.id in seen:
            continue
        seen.add(candidate.id)
        by_operator[candidate.operator].append(candidate)
    picks: list[Pick] = []
    for operator in sorted(by_operator):
        wanted = rule.per_operator - already.get(operator, 0)
        if wanted > 0:
            # A seed per operator: one operator's sample does not depend on who else is in
            # the batch, so the apps may sample operators in chunks.
            rng = random.Random(f"{seed}:{operator}")
            picks.extend(_pick_operator(by_operator[operator], rule, wanted, rng))
    return picks


def _pick_operator(
    candidates: list[Candidate], rule: Rule, wanted: int, rng: random.Random
) -> list[Pick]:
    # Sorting by id first makes the shuffle independent of the input order.
    pool = sorted(candidates, key=lambda c: c.id)
    rng.shuffle(pool)
    counts: dict[str, int] = defaultdict(int)
    for candidate in pool:
        counts[candidate.channel] += 1
    free = allocate(counts, wanted)
    wanted = sum(free.values())
    risk_budget = math.floor(wanted * rule.risk_share + 0.5)
    picks: list[Pick] = []
    taken: set[int] = set()
    risky = [(c, reasons) for c in pool if (reasons := risk_reasons(c, rule))]
    # More signals first; the stable sort keeps the seeded order among equals.
    risky.sort(key=lambda item: -len(item[1]))
    for candidate, reasons in risky:
        if len(picks) >= risk_budget:
            break
        if free[candidate.channel] > 0:
            free[candidate.channel] -= 1
            taken.add(candidate.id)
            picks.append(Pick(candidate.id, candidate.operator, candidate.channel, reasons[0]))
    for candidate in pool:
        if free[candidate.channel] > 0 and candidate.id not in taken:
            free[candidate.channel] -= 1
            picks.append(Pick(candidate.id, candidate.operator, candidate.channel, RANDOM))
    return picks


def repeat_contacts(
    contacts: Sequence[tuple[int, str, datetime]], window: timedelta = REPEAT_WINDOW
) -> set[int]:
    """Ids of contacts after which the same client got in touch again within ``window``.

    ``contacts`` are ``(id, client, started_at)``; an empty client is never a repeat. This
    is the FCR failure signal: the conversation that did not solve the client's problem.
    """
    by_client: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for contact_id, client, started_at in contacts:
        if client:
            by_client[client].append((started_at, contact_id))
    flagged: set[int] = set()
    for visits in by_client.values():
        visits.sort()
        for (started, contact_id), (following, _) in zip(visits, visits[1:], strict=False):
            if following - started <= window:
                flagged.add(contact_id)
    return flagged


# --- periods -------------------------------------------------------------------------------

WEEK = "week"
MONTH = "month"


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar week (ISO) or month: its label and first and last day (inclusive)."""

    kind: str
    label: str
    first: date
    last: date


def period_of(kind: str, day: date) -> Period:
    """The week or month that contains ``day``."""
    if kind == WEEK:
        year, week, weekday = day.isocalendar()
        first = day - timedelta(days=weekday - 1)
        return Period(WEEK, f"{year}-W{week:02d}", first, first + timedelta(days=6))
    if kind == MONTH:
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return Period(MONTH, f"{day.year}-{day.month:02d}", first, following - timedelta(days=1))
    raise ValueError(f"unknown period kind {kind!r}: expected 'week' or 'month'")


def periods_between(kind: str, first: date, last: date) -> list[Period]:
    """The weeks or months that overlap the days ``first`` … ``last`` (inclusive)."""
    periods: list[Period] = []
    day = first
    while day <= last:
        period = period_of(kind, day)
        periods.append(period)
        day = period.last + timedelta(days=1)
    return periods


def parse_month(text: str) -> Period:
    """``2026-11`` as a month period; ValueError naming the expected form otherwise."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return period_of(MONTH, date(year, month, 1))
    except ValueError as error:
        raise ValueError(f"{text!r} is not a month: expected YYYY-MM, e.g. 2026-11") from error


def parse_week(text: str) -> Period:
    """``2026-W48`` as an ISO week period; ValueError naming the expected form otherwise."""
    try:
        year, week = text.upper().split("-W")
        return period_of(WEEK, date.fromisocalendar(int(year), int(week), 1))
    except ValueError as error:
        raise ValueError(
            f"{text!r} is not an ISO week: expected YYYY-Www, e.g. 2026-W48"
        ) from error


def paced_quota(quota: int, period: Period, today: date) -> int:
    """The share of ``quota`` due by ``today`` in a running period (all of it once it ended).

    A daily run over the current month would otherwise fill the whole quota from its
    first days; pacing spreads the sample over the period.
    """
    if today >= period.last:
        return quota
    if today < period.first:
        return 0
    elapsed = (today - period.first).days + 1
    days = (period.last - period.first).days + 1
    return math.ceil(quota * elapsed / days)
