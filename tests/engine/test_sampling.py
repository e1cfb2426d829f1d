"""Sampling: quotas, channel strata, risk picks first, determinism (examples and properties)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nastavnik.engine import sampling
from nastavnik.engine.sampling import Candidate, Rule

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CHANNELS = ("call", "chat", "email", "messenger")


def candidate(conversation_id: int, operator: int = 1, channel: str = "chat", **signals):
    return Candidate(
        id=conversation_id,
        operator=operator,
        channel=channel,
        started_at=START + timedelta(minutes=conversation_id),
        **signals,
    )


# --- examples ------------------------------------------------------------------------------


def test_risk_reasons_follow_the_rule_thresholds():
    """Given a rule with every threshold, when a candidate trips each, then all are named."""
    rule = Rule(low_csat_max=3, long_handling_seconds=600, autoqa_score_below=70)
    everything = candidate(
        1, csat=2, duration_seconds=600, auto_score=69.9, critical_failed=False, repeat_contact=True
    )
    assert sampling.risk_reasons(everything, rule) == (
        "low_csat",
        "long_handling",
        "autoqa_flag",
        "repeat_contact",
    )
    calm = candidate(2, csat=4, duration_seconds=599, auto_score=70)
    assert sampling.risk_reasons(calm, rule) == ()
    assert sampling.risk_reasons(candidate(3, critical_failed=True), Rule()) == ("autoqa_flag",)
    assert sampling.risk_reasons(candidate(4, csat=1), Rule(low_csat_max=None)) == ()


def test_risk_picks_come_first_up_to_the_share():
    """Given 10 risky and 30 calm chats, when 10 are wanted at 30 %, then 3 are risk picks."""
    risky = [candidate(n, csat=1) for n in range(1, 11)]
    calm = [candidate(n, csat=5) for n in range(11, 41)]
    picks = sampling.pick(risky + calm, Rule(per_operator=10, risk_share=0.3), seed=1)
    assert len(picks) == 10
    assert Counter(p.reason for p in picks) == {"low_csat": 3, "random": 7}
    assert {p.conversation for p in picks if p.reason == "low_csat"} <= set(range(1, 11))


def test_more_risk_signals_are_picked_before_fewer():
    """Given one chat with two signals among ten with one, when one risk pick, then it wins."""
    single = [candidate(n, csat=2) for n in range(1, 11)]
    double = candidate(11, csat=2, repeat_contact=True)
    picks = sampling.pick([*single, double], Rule(per_operator=1, risk_share=1), seed=5)
    assert [(p.conversation, p.reason) for p in picks] == [(11, "low_csat")]


def test_already_picked_reduces_the_quota():
    """Given 12 wanted and 9 already picked, when sampling, then 3 more are picked."""
    pool = [candidate(n) for n in range(1, 50)]
    picks = sampling.pick(pool, Rule(per_operator=12), seed=3, already={1: 9})
    assert len(picks) == 3
    assert sampling.pick(pool, Rule(per_operator=12), seed=3, already={1: 12}) == []
    assert sampling.pick(pool, Rule(per_operator=12), seed=3, already={1: 20}) == []


def test_channels_are_stratified_by_volume():
    """Given 60 chats, 30 calls and 10 e-mails, when 10 are wanted, then 6, 3 and 1."""
    pool = [candidate(n, channel="chat") for n in range(60)]
    pool += [candidate(100 + n, channel="call") for n in range(30)]
    pool += [candidate(200 + n, channel="email") for n in range(10)]
    picks = sampling.pick(pool, Rule(per_operator=10, risk_share=0), seed=9)
    assert Counter(p.channel for p in picks) == {"chat": 6, "call": 3, "email": 1}


def test_allocate_gives_every_stratum_floor_or_ceiling_and_never_more_than_it_has():
    """Given strata, when allocating, then sums match and no stratum exceeds its size."""
    assert sampling.allocate({"chat": 5, "call": 3, "email": 2}, 4) == {
        "chat": 2,
        "call": 1,
        "email": 1,
    }
    assert sampling.allocate({"chat": 1, "call": 1}, 10) == {"chat": 1, "call": 1}
    assert sampling.allocate({"chat": 0}, 5) == {"chat": 0}


def test_invalid_rules_are_refused():
    """Given a negative quota or a share above one, when building a rule, then it fails."""
    with pytest.raises(ValueError, match="per_operator"):
        Rule(per_operator=-1)
    with pytest.raises(ValueError, match="risk_share"):
        Rule(risk_share=1.5)


def test_repeat_contacts_flag_the_contact_that_was_followed_by_another():
    """Given a client back after 3 days and one back after 8, then only the first is flagged."""
    contacts = [
        (1, "cl-1", START),
        (2, "cl-1", START + timedelta(days=3)),
        (3, "cl-2", START),
        (4, "cl-2", START + timedelta(days=8)),
        (5, "", START),
        (6, "", START + timedelta(hours=1)),
    ]
    assert sampling.repeat_contacts(contacts) == {1}


# --- properties ----------------------------------------------------------------------------


@st.composite
def candidate_pools(draw):
    operators = draw(st.integers(min_value=1, max_value=5))
    size = draw(st.integers(min_value=0, max_value=60))
    pool = []
    for conversation_id in range(1, size + 1):
        pool.append(
            Candidate(
                id=conversation_id,
                operator=draw(st.integers(min_value=1, max_value=operators)),
                channel=draw(st.sampled_from(CHANNELS)),
                started_at=START,
                csat=draw(st.one_of(st.none(), st.integers(min_value=1, max_value=5))),
                duration_seconds=draw(st.one_of(st.none(), st.floats(0, 3600))),
                auto_score=draw(st.one_of(st.none(), st.floats(0, 100))),
                critical_failed=draw(st.booleans()),
                repeat_contact=draw(st.booleans()),
            )
        )
    return pool


rules = st.builds(
    Rule,
    per_operator=st.integers(min_value=0, max_value=30),
    risk_share=st.floats(min_value=0, max_value=1),
    low_csat_max=st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
    long_handling_seconds=st.one_of(st.none(), st.floats(0, 3600)),
    autoqa_score_below=st.one_of(st.none(), st.floats(0, 100)),
)
already_maps = st.dictionaries(st.integers(1, 5), st.integers(0, 40), max_size=5)


@settings(max_examples=100, deadline=None)
@given(pool=candidate_pools(), rule=rules, already=already_maps, seed=st.integers())
def test_picks_never_exceed_the_quota_and_never_repeat(pool, rule, already, seed):
    """Given any pool and rule, when sampling, then no operator exceeds quota − already."""
    picks = sampling.pick(pool, rule, seed=seed, already=already)
    ids = [p.conversation for p in picks]
    assert len(ids) == len(set(ids))
    per_operator = Counter(p.operator for p in picks)
    for operator, count in per_operator.items():
        assert count <= max(0, rule.per_operator - already.get(operator, 0))
    assert all(p.reason in sampling.REASONS for p in picks)


@settings(max_examples=100, deadline=None)
@given(pool=candidate_pools(), rule=rules, already=already_maps, seed=st.integers())
def test_operators_with_enough_conversations_get_their_quota(pool, rule, already, seed):
    """Given any pool, when sampling, then each operator gets min(quota − already, pool)."""
    picks = sampling.pick(pool, rule, seed=seed, already=already)
    available = Counter(c.operator for c in pool)
    per_operator = Counter(p.operator for p in picks)
    for operator, count in available.items():
        wanted = max(0, rule.per_operator - already.get(operator, 0))
        assert per_operator[operator] == min(wanted, count)


@settings(max_examples=100, deadline=None)
@given(pool=candidate_pools(), rule=rules, seed=st.integers(), shuffle_seed=st.integers())
def test_sampling_is_deterministic_for_a_seed_whatever_the_input_order(
    pool, rule, seed, shuffle_seed
):
    """Given a seed, when sampling the same pool in another order, then picks are the same."""
    shuffled = list(pool)
    random.Random(shuffle_seed).shuffle(shuffled)
    first = sampling.pick(pool, rule, seed=seed)
    assert sampling.pick(shuffled, rule, seed=seed) == first
    assert sampling.pick(pool, rule, seed=seed) == first


@settings(max_examples=100, deadline=None)
@given(pool=candidate_pools(), rule=rules, seed=st.integers())
def test_channel_proportions_are_within_one_of_the_volume_share(pool, rule, seed):
    """Given any pool, when sampling, then each channel's picks are within ±1 of its share."""
    picks = sampling.pick(pool, rule, seed=seed)
    picked = Counter((p.operator, p.channel) for p in picks)
    volume = Counter((c.operator, c.channel) for c in pool)
    totals = Counter(p.operator for p in picks)
    pool_totals = Counter(c.operator for c in pool)
    for (operator, channel), count in volume.items():
        share = totals[operator] * count / pool_totals[operator]
        assert abs(picked[(operator, channel)] - share) < 1


@settings(max_examples=100, deadline=None)
@given(pool=candidate_pools(), rule=rules, seed=st.integers())
def test_risk_picks_respect_the_share_and_name_a_real_signal(pool, rule, seed):
    """Given any pool, when sampling, then risk picks ≤ round(n × share) and are justified."""
    by_id = {c.id: c for c in pool}
    picks = sampling.pick(pool, rule, seed=seed)
    for operator, total in Counter(p.operator for p in picks).items():
        risk = [p for p in picks if p.operator == operator and p.reason != "random"]
        assert len(risk) <= int(total * rule.risk_share + 0.5)
        for p in risk:
            assert p.reason == sampling.risk_reasons(by_id[p.conversation], rule)[0]


@settings(max_examples=100, deadline=None)
@given(
    risky=st.integers(min_value=0, max_value=40),
    calm=st.integers(min_value=0, max_value=40),
    quota=st.integers(min_value=0, max_value=30),
    share=st.floats(min_value=0, max_value=1),
    seed=st.integers(),
)
def test_one_channel_gets_all_the_risk_picks_it_can(risky, calm, quota, share, seed):
    """Given one channel, when sampling, then risk picks = min(round(n × share), risky)."""
    pool = [candidate(n, csat=1) for n in range(risky)]
    pool += [candidate(1000 + n, csat=5) for n in range(calm)]
    picks = sampling.pick(pool, Rule(per_operator=quota, risk_share=share), seed=seed)
    wanted = min(quota, risky + calm)
    risk = sum(1 for p in picks if p.reason == "low_csat")
    assert risk == min(int(wanted * share + 0.5), risky)


# --- periods -------------------------------------------------------------------------------


def test_period_labels_and_days():
    """Given days, when asking for their week and month, then labels and bounds are ISO."""
    november = sampling.parse_month("2026-11")
    assert (november.label, november.first, november.last) == (
        "2026-11",
        date(2026, 11, 1),
        date(2026, 11, 30),
    )
    week = sampling.parse_week("2026-W48")
    assert (week.label, week.first, week.last) == (
        "2026-W48",
        date(2026, 11, 23),
        date(2026, 11, 29),
    )
    assert sampling.period_of("week", date(2027, 1, 1)).label == "2026-W53"
    assert sampling.period_of("month", date(2026, 12, 31)).last == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("parse", "text", "expected"),
    [
        (sampling.parse_month, "2026-13", "YYYY-MM"),
        (sampling.parse_month, "ноябрь", "YYYY-MM"),
        (sampling.parse_week, "2026-48", "YYYY-Www"),
        (sampling.parse_week, "2026-W60", "YYYY-Www"),
    ],
)
def test_bad_period_texts_name_the_expected_form(parse, text, expected):
    """Given a malformed period, when parsing, then the error names the expected form."""
    with pytest.raises(ValueError, match=expected):
        parse(text)


def test_periods_between_cover_every_overlapping_week():
    """Given November 2026, when listing weeks, then W44 … W49 overlap it."""
    weeks = sampling.periods_between("week", date(2026, 11, 1), date(2026, 11, 30))
    assert [w.label for w in weeks] == [f"2026-W{n}" for n in range(44, 50)]


def test_paced_quota_grows_through_the_period():
    """Given a 12-per-month quota, when pacing, then day 1 wants 1, mid-month 6, the end 12."""
    november = sampling.parse_month("2026-11")
    assert sampling.paced_quota(12, november, date(2026, 10, 31)) == 0
    assert sampling.paced_quota(12, november, date(2026, 11, 1)) == 1
    assert sampling.paced_quota(12, november, date(2026, 11, 15)) == 6
    assert sampling.paced_quota(12, november, date(2026, 11, 30)) == 12
    assert sampling.paced_quota(12, november, date(2027, 1, 1)) == 12
