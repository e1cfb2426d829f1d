"""A deterministic, streaming generator of Russian contact-centre conversations.

Record ``i`` depends only on ``(seed, i)`` (its own ``random.Random``), so the stream needs
constant memory and any prefix is reproducible. Repeat contacts (a client who calls again
after a missed call or an unresolved question) are derived by recomputing the cheap header
of an earlier record, never by remembering it. Records follow the JSONL import contract in
DESIGN.md ("Data in"); ``meta`` carries the generator's ground truth (persona, skipped stage
elements, retention attempts) so detectors can be checked against it.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from itertools import accumulate
from typing import TypeVar

from nastavnik.demodata import dialogue as dlg
from nastavnik.demodata.letters import compose_email
from nastavnik.demodata.outcome import blank_outcome, outcome_and_meta, tags_of
from nastavnik.demodata.phrases import client as cl
from nastavnik.demodata.phrases import common
from nastavnik.demodata.phrases.topics import (
    COMPLAINT,
    CONSULTATION,
    DELIVERY,
    INBOUND_TOPICS,
    ORDER_STATUS,
    OUTBOUND_TOPICS,
    TopicPhrases,
)
from nastavnik.demodata.render import render
from nastavnik.demodata.roster import (
    FEMALE_FIRST_NAMES,
    MALE_FIRST_NAMES,
    OperatorProfile,
    demo_roster,
    habits_of,
    is_female_name,
)
from nastavnik.demodata.slots import CLIENT_GENDER_SLOTS, Slots, operator_slots

_T = TypeVar("_T")
MSK = timezone(timedelta(hours=3))
SOURCE = "demo"
CHANNELS: tuple[str, ...] = ("call", "chat", "messenger", "email")
_CHANNEL_CUM = list(accumulate((0.35, 0.35, 0.15, 0.15)))
_WEEKDAY_HOURS = list(accumulate(
    (0.4, 0.9, 1.2, 1.4, 1.3, 1.1, 1.2, 1.3, 1.3, 1.2, 1.0, 0.8, 0.5)  # 08:00 … 20:00
))  # fmt: skip
_WEEKEND_HOURS = list(accumulate((0.6, 1.0, 1.1, 1.1, 1.0, 1.0, 0.9, 0.7)))  # 10:00 … 17:00
_EMAIL_HOURS = list(accumulate(
    (0.2, 0.5, 0.9, 1.1, 1.2, 1.2, 1.1, 1.0, 1.0, 1.0, 1.0, 0.9, 0.8, 0.8, 0.7, 0.5)  # 07 … 22
))  # fmt: skip
_TEAM_CHANNEL_WEIGHT: dict[str, dict[str, float]] = {
    "Линия 1": {"call": 1.0, "chat": 1.2, "messenger": 1.3, "email": 0.4},
    "Линия 2": {"call": 0.9, "chat": 0.8, "messenger": 0.6, "email": 1.7},
    "Премиум": {"call": 1.1, "chat": 0.9, "messenger": 0.9, "email": 1.0},
}
CLIENT_POOL = 60_000
REPEAT_SHARE = 0.25  # share of records that try to be a repeat contact of an earlier one
REPEAT_AFTER_RESOLVED = 0.15  # clients also come back after "resolved" contacts
REPEAT_LOOKBACK = 400
OUTBOUND_SHARE = 0.15  # of calls
MISSED_SHARE = 0.07  # of inbound calls
# (share of 0–2 turn dialogues, share of 40–80 turn dialogues) per channel.
_LENGTH_RATES: dict[str, tuple[float, float]] = {
    "call": (0.015, 0.01),
    "chat": (0.03, 0.045),
    "messenger": (0.03, 0.03),
    "email": (0.0, 0.0),
}
_NAME_KNOWN_RATE: dict[str, float] = {"call": 0.55, "chat": 0.8, "messenger": 0.8, "email": 0.9}
_OUTBOUND_RELATED: tuple[TopicPhrases, ...] = (ORDER_STATUS, COMPLAINT, CONSULTATION)
_PERSONA_CUM = list(accumulate(cl.PERSONA_WEIGHTS))


@dataclass(slots=True)
class _Operator:
    profile: OperatorProfile
    first_name: str
    female: bool
    habits: frozenset[str]
    slots: dict[str, str]


@dataclass(slots=True)
class _Context:
    seed: int
    start: datetime
    start_date: date
    days: int
    day_cum: list[float]
    dates: list[date]
    weekend: list[bool]
    incident: range
    operators: list[_Operator]
    channel_cum: dict[str, list[float]]
    topic_cum: list[float]
    incident_topic_cum: list[float]


@dataclass(slots=True)
class _Header:
    """The first, cheap draws of a record: enough to decide repeat contacts."""

    repeat_roll: float
    day: int
    seconds: int
    channel: str
    direction: str
    topic: int  # index into INBOUND_TOPICS, or OUTBOUND_TOPICS for outbound calls
    operator: _Operator
    client_number: int
    missed: bool
    resolved_roll: float
    repeat_of: int | None = None


def generate_records(
    count: int,
    *,
    seed: int = 7,
    start: date | None = None,
    days: int = 90,
    roster: list[OperatorProfile] | None = None,
) -> Iterator[dict]:
    """Yield ``count`` conversation records in the JSONL import contract, deterministically.

    Conversations fall in ``days`` days from ``start`` (default: today − days). Without a
    ``roster`` the demo roster for the same seed is used, hired relative to the period end.
    """
    start = start or date.today() - timedelta(days=days)  # noqa: DTZ011 - a calendar date
    if roster is None:
        roster = demo_roster(seed, today=start + timedelta(days=days))[0]
    context = _context(seed, start, days, roster)
    rng, lookup = _FastRandom(0), _FastRandom(0)
    for index in range(count):
        yield _record(context, index, rng.reseed(seed, index), lookup)


def _context(seed: int, start: date, days: int, roster: list[OperatorProfile]) -> _Context:
    if not roster:
        raise ValueError("the roster has no operators")
    if days < 1:
        raise ValueError("days must be at least 1")
    incident = range(int(days * 0.6), int(days * 0.6) + max(1, days // 18))
    day_weights = []
    dates = [start + timedelta(days=offset) for offset in range(days)]
    for offset, day in enumerate(dates):
        weekday = day.weekday()
        weight = 0.55 if weekday == 5 else 0.45 if weekday == 6 else 1.0
        day_weights.append(weight * (1.35 if offset in incident else 1.0))
    operators = []
    for profile in roster:
        first_name, female = profile.full_name.split()[0], is_female_name(profile.full_name)
        operators.append(
            _Operator(
                profile=profile,
                first_name=first_name,
                female=female,
                habits=frozenset(habits_of(profile)),
                slots=operator_slots(first_name, profile.full_name, female),
            )
        )
    channel_cum = {
        channel: list(accumulate(_operator_weight(o.profile, channel) for o in operators))
        for channel in CHANNELS
    }
    weights = [topic.weight for topic in INBOUND_TOPICS]
    incident_weights = [
        w * (3.0 if t is DELIVERY else 1.0) for w, t in zip(weights, INBOUND_TOPICS, strict=True)
    ]
    return _Context(
        seed=seed,
        start=datetime.combine(start, time(), MSK),
        start_date=start,
        days=days,
        day_cum=list(accumulate(day_weights)),
        dates=dates,
        weekend=[day.weekday() >= 5 for day in dates],
        incident=incident,
        operators=operators,
        channel_cum=channel_cum,
        topic_cum=list(accumulate(weights)),
        incident_topic_cum=list(accumulate(incident_weights)),
    )


def _operator_weight(profile: OperatorProfile, channel: str) -> float:
    team = _TEAM_CHANNEL_WEIGHT.get(profile.team, _TEAM_CHANNEL_WEIGHT["Линия 1"])
    return team[channel] * (0.85 if profile.grade == "junior" else 1.0)


class _FastRandom(random.Random):
    """``random.Random`` with float-based choice/randrange/randint.

    They skip the stdlib's rejection sampling, which matters at ~25 calls per record. The
    results differ from the stdlib's for the same seed but are just as deterministic.
    """

    def choice(self, seq: Sequence[_T]) -> _T:  # type: ignore[override]
        """One item of a non-empty sequence."""
        return seq[int(self.random() * len(seq))]

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        """An integer in [start, stop) (or [0, start)); ``step`` is not supported."""
        if stop is None:
            return int(self.random() * start)
        return start + int(self.random() * (stop - start))

    def randint(self, a: int, b: int) -> int:
        """An integer in [a, b]."""
        return a + int(self.random() * (b - a + 1))

    def reseed(self, seed: int, index: int) -> _FastRandom:
        """Restart the stream for record ``index`` (cheaper than a new instance)."""
        super(random.Random, self).seed(seed * 1_000_003 + index)  # the C seed, for an int
        self.gauss_next = None
        return self


def _pick(cum: list[float], rng: random.Random) -> int:
    return bisect_right(cum, rng.random() * cum[-1])


def _header(context: _Context, rng: random.Random) -> _Header:
    repeat_roll = rng.random()
    day = min(_pick(context.day_cum, rng), context.days - 1)
    weekend = context.weekend[day]
    channel = CHANNELS[min(_pick(_CHANNEL_CUM, rng), 3)]
    if channel == "email":
        seconds = (7 + _pick(_EMAIL_HOURS, rng)) * 3600
    elif weekend:
        seconds = (10 + _pick(_WEEKEND_HOURS, rng)) * 3600
    else:
        seconds = (8 + _pick(_WEEKDAY_HOURS, rng)) * 3600
    seconds += rng.randrange(3600)
    outbound = channel == "call" and rng.random() < OUTBOUND_SHARE
    if outbound:
        topic = rng.randrange(len(OUTBOUND_TOPICS))
    else:
        cum = context.incident_topic_cum if day in context.incident else context.topic_cum
        topic = min(_pick(cum, rng), len(INBOUND_TOPICS) - 1)
    operator = _pick_operator(context, rng, channel, day)
    client_number = rng.randrange(CLIENT_POOL)
    missed = channel == "call" and not outbound and rng.random() < MISSED_SHARE * (1 + weekend)
    return _Header(
        repeat_roll=repeat_roll,
        day=day,
        seconds=seconds,
        channel=channel,
        direction="outbound" if outbound else "inbound",
        topic=topic,
        operator=operator,
        client_number=client_number,
        missed=missed,
        resolved_roll=rng.random(),
    )


def _pick_operator(context: _Context, rng: random.Random, channel: str, day: int) -> _Operator:
    """An operator for the channel who was already hired on that day."""
    on_day = context.dates[day]
    cum = context.channel_cum[channel]
    candidate = context.operators[0]
    for _ in range(12):
        candidate = context.operators[min(_pick(cum, rng), len(context.operators) - 1)]
        if candidate.profile.hired_at <= on_day:
            return candidate
    hired = [operator for operator in context.operators if operator.profile.hired_at <= on_day]
    # Nobody hired yet (a roster dated after the period): ignore hire dates rather than fail.
    return hired[int(rng.random() * len(hired))] if hired else candidate


def _skill(operator: _Operator, on_day: date) -> float:
    """Skill on a day: juniors improve over their first five months."""
    profile = operator.profile
    if profile.grade != "junior":
        return profile.skill
    tenure = (on_day - profile.hired_at).days
    return max(0.05, min(1.0, profile.skill - 0.08 + 0.16 * min(1.0, tenure / 150)))


def _topic(header: _Header) -> TopicPhrases:
    if header.direction == "outbound":
        return _OUTBOUND_RELATED[header.topic]
    return INBOUND_TOPICS[header.topic]


def _is_resolved(context: _Context, header: _Header) -> bool:
    if header.missed:
        return False
    skill = _skill(header.operator, context.dates[header.day])
    rate = _topic(header).resolve_rate - 0.3 * (0.75 - skill)
    return header.resolved_roll < rate


def _apply_repeat(
    context: _Context, header: _Header, index: int, rng: random.Random, lookup: _FastRandom
) -> None:
    """Turn the record into a repeat contact of an earlier missed or unresolved one."""
    if header.repeat_roll >= REPEAT_SHARE or index == 0 or header.direction != "inbound":
        return
    earlier = index - 1 - rng.randrange(min(index, REPEAT_LOOKBACK))
    previous = _header(context, lookup.reseed(context.seed, earlier))
    if previous.repeat_roll < REPEAT_SHARE or previous.direction != "inbound":
        return
    if not previous.missed and _is_resolved(context, previous):
        if rng.random() >= REPEAT_AFTER_RESOLVED:
            return
    delay = rng.randint(120, 3 * 3600) if previous.missed else rng.randint(3 * 3600, 5 * 86400)
    moment = previous.day * 86400 + previous.seconds + delay
    day, seconds = divmod(moment, 86400)
    if not 8 * 3600 <= seconds < 21 * 3600:
        day, seconds = day + (seconds >= 21 * 3600), 9 * 3600 + rng.randrange(3 * 3600)
    if day >= context.days:
        return
    header.day, header.seconds = day, seconds
    header.client_number = previous.client_number
    if not previous.missed:
        header.topic = previous.topic
    if header.operator.profile.hired_at > context.dates[day]:
        header.operator = previous.operator
    header.repeat_of = earlier


def _record(context: _Context, index: int, rng: _FastRandom, lookup: _FastRandom) -> dict:
    """Record ``index``; ``rng`` is seeded for it, ``lookup`` is for earlier records' headers."""
    header = _header(context, rng)
    _apply_repeat(context, header, index, rng, lookup)
    operator = header.operator
    started = context.start + timedelta(0, header.day * 86_400 + header.seconds)
    female = rng.random() < 0.55
    first_name = rng.choice(FEMALE_FIRST_NAMES if female else MALE_FIRST_NAMES)
    name_known = rng.random() < _NAME_KNOWN_RATE[header.channel]
    record: dict = {
        "external_id": f"demo-{index + 1:07d}",
        "source": SOURCE,
        "channel": header.channel,
        "direction": header.direction,
        "operator": operator.profile.external_id,
        "operator_name": operator.profile.full_name,
        "team": operator.profile.team,
        "client": f"cl-{header.client_number:06d}",
    }
    if name_known:
        record["client_name"] = first_name
    record["language"] = "ru"
    if header.missed:
        return _missed(record, started, header, rng)
    plan, dialogue = _plan(context, header, rng, first_name, female, name_known, started)
    turns, ended, first_wait = render(dialogue, started, header.channel)
    if dialogue.name_known and not dialogue.name_used and plan.mode != "short":
        dialogue.skipped.insert(0, "greeting.client_name")
    record["started_at"] = started.isoformat()
    record["ended_at"] = ended.isoformat()
    if header.direction == "outbound":
        record["topic"] = OUTBOUND_TOPICS[header.topic][0]
    else:
        record["topic"] = plan.topic.name
    repeat_of = None if header.repeat_of is None else f"demo-{header.repeat_of + 1:07d}"
    outcome, meta = outcome_and_meta(dialogue, rng, first_wait, repeat_of)
    record["tags"] = tags_of(
        dialogue,
        outcome,
        first_wait,
        rng,
        repeat=repeat_of is not None,
        vip=operator.profile.team == "Премиум",
        incident=header.day in context.incident,
    )
    record["turns"] = turns
    record["outcome"] = outcome
    record["meta"] = meta
    return record


def _missed(record: dict, started: datetime, header: _Header, rng: random.Random) -> dict:
    record["started_at"] = started.isoformat()
    record["ended_at"] = (started + timedelta(seconds=rng.randint(10, 60))).isoformat()
    record["topic"] = "не определена"
    repeat = header.repeat_of is not None
    record["tags"] = ["пропущенный", "повторное обращение"] if repeat else ["пропущенный"]
    record["turns"] = []
    outcome = blank_outcome()
    outcome["missed"] = True
    outcome["resolved"] = False
    record["outcome"] = outcome
    record["meta"] = {}
    return record


def _plan(
    context: _Context,
    header: _Header,
    rng: random.Random,
    first_name: str,
    female: bool,
    name_known: bool,
    started: datetime,
) -> tuple[dlg.Plan, dlg.Dialogue]:
    """Decide persona, outcome and length, build the slots, and compose the dialogue."""
    topic = _topic(header)
    persona = cl.PERSONAS[_pick(_PERSONA_CUM, rng)]
    if header.repeat_of is not None and rng.random() < 0.35:
        persona = "angry"
    elif topic is DELIVERY and rng.random() < 0.15:
        persona = "angry"
    elif persona == "angry" and topic.kind == "sale":
        persona = "rude"
    skill = _skill(header.operator, started.date())
    resolved = _is_resolved(context, header)
    escalated = rng.random() < (0.55 if not resolved else topic.escalate_rate)
    channel = header.channel
    roll = rng.random()
    short_rate, long_rate = _LENGTH_RATES[channel]
    mode = "short" if roll < short_rate else "long" if roll < short_rate + long_rate else "normal"
    plan = dlg.Plan(
        channel=channel,
        direction=header.direction,
        persona=persona,
        topic=topic,
        case=rng.choice(topic.cases),
        habits=header.operator.habits,
        skill=skill,
        resolved=resolved and mode != "short",
        escalated=escalated and mode != "short",
        name_known=name_known,
        client_name=first_name,
        mode=mode,
        long_target=rng.randint(40, 80),
        pii=rng.random() < 0.2,
    )
    slots = Slots(rng, started.date(), started.hour, female)
    slots.update(header.operator.slots)
    slots.update(CLIENT_GENDER_SLOTS[female])
    item, price = rng.choice(common.ITEMS)
    price = price * rng.choice((1, 1, 1, 2)) + rng.choice((0, 0, 490, 990))
    slots["client"] = first_name
    slots["item"] = item
    slots["amount"] = f"{price:,}".replace(",", " ")
    slots["nm"] = slots["Nm"] = ""
    slots["what"] = "отмену" if topic.name == "отмена заказа" else "возврат"
    dialogue = dlg.Dialogue(rng, slots, plan, name_known=name_known, order_price=price)
    if channel == "email":
        compose_email(dialogue, started, slots["email"])
    elif header.direction == "outbound":
        purpose, lines, answers = OUTBOUND_TOPICS[header.topic]
        dlg.compose_outbound(dialogue, purpose, lines, answers)
    else:
        dlg.compose_live(dialogue)
    return plan, dialogue
