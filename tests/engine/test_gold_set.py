"""The auto-QA gold set: hand-labelled conversations and the detectors' agreement with them.

``tests/data/gold/gold.jsonl`` holds Russian conversations in the import format, written by
hand independently of the demo generator, each with the expected verdict of every
objective criterion in ``meta.gold`` (labelling rules: ``tests/data/gold/README.md``). The
default scorecard of each conversation's channel must agree with the labels with Cohen's
kappa of at least 0.8 per criterion (the table is ``scripts/gold_report.py``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import pytest

from nastavnik.engine import scorecards, scoring, types
from nastavnik.engine.detectors.compile import compile_scorecard
from nastavnik.engine.formats import read_file
from nastavnik.engine.stats import agreement

GOLD = Path(__file__).resolve().parent.parent / "data" / "gold" / "gold.jsonl"
CHANNELS = ("call", "chat", "email", "messenger")
MIN_KAPPA = 0.8
OBJECTIVE = {
    "greeting_introduction": CHANNELS,
    "client_name": CHANNELS,
    "closing_question": CHANNELS,
    "farewell": CHANNELS,
    "first_response_sla": ("chat", "email", "messenger"),
    "no_filler_words": CHANNELS,
    "positive_wording": CHANNELS,
    "refusal_protocol": CHANNELS,
    "no_sensitive_data": CHANNELS,
}


@cache
def _conversations() -> tuple[types.Conversation, ...]:
    parsed = list(read_file(GOLD, default_source="gold"))
    assert all(record.conversation is not None for record in parsed), [
        record.issues for record in parsed if record.conversation is None
    ]
    return tuple(record.conversation for record in parsed if record.conversation is not None)


@cache
def _pairs() -> dict[str, list[tuple[str, str]]]:
    """Per criterion: (hand label, detector verdict) over the whole gold set."""
    compiled = {
        channel: compile_scorecard(scorecards.default_scorecard(f"default-{channel}"))
        for channel in CHANNELS
    }
    pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for conversation in _conversations():
        card = compiled[conversation.channel]
        criteria = {criterion.key: criterion for criterion in card.spec.criteria()}
        answers = {answer.criterion: answer for answer in card.evaluate(conversation)}
        for key, expected in conversation.meta["gold"].items():
            answer = answers.get(key)
            # No answer (an unknown first-response time) is what a person labels N/A.
            found = "na" if answer is None else scoring.verdict(criteria[key], answer.value)
            pairs[key].append((expected, found))
    return dict(pairs)


def test_the_gold_set_is_large_and_covers_every_channel() -> None:
    """Given the gold file, when it is read as an import file, then every record is valid,
    there are at least 300 conversations and each channel has its share."""
    conversations = _conversations()
    channels = Counter(conversation.channel for conversation in conversations)
    assert len(conversations) >= 300
    assert channels["chat"] >= 100
    assert channels["call"] >= 90
    assert channels["email"] >= 50
    assert channels["messenger"] >= 60
    assert len({conversation.external_id for conversation in conversations}) == len(conversations)


def test_every_conversation_is_labelled_for_every_objective_criterion_of_its_channel() -> None:
    """Given each gold conversation, when its labels are read, then it has exactly the
    objective criteria of its channel, each with a verdict the criterion can take."""
    cards = {channel: scorecards.default_scorecard(f"default-{channel}") for channel in CHANNELS}
    for conversation in _conversations():
        labels = conversation.meta["gold"]
        expected = {key for key, channels in OBJECTIVE.items() if conversation.channel in channels}
        assert set(labels) == expected, conversation.external_id
        criteria = {c.key: c for c in cards[conversation.channel].criteria()}
        for key, verdict in labels.items():
            criterion = criteria[key]
            allowed = {"yes", "no"} | ({"partial"} if criterion.scale == "ternary" else set())
            if criterion.na_allowed or key == "first_response_sla":
                allowed.add("na")
            assert verdict in allowed, (conversation.external_id, key, verdict)


def test_written_conversations_are_timed_and_calls_have_seconds() -> None:
    """Given the gold conversations, when their turns are read, then written channels give
    every turn an ``at`` time (for the first-response SLA) and calls give start/end."""
    for conversation in _conversations():
        for turn in conversation.turns:
            if conversation.channel == "call":
                assert turn.start is not None, conversation.external_id
                assert turn.end is not None, conversation.external_id
            else:
                assert turn.at is not None, conversation.external_id


def test_the_labels_are_not_all_alike() -> None:
    """Given the labels of each criterion, when they are counted, then the set exercises
    both sides: violations as well as passes (kappa means little on one class)."""
    pairs = _pairs()
    for key in OBJECTIVE:
        counts = Counter(gold for gold, _found in pairs[key])
        assert counts["yes"] >= 15, (key, counts)
        assert counts["no"] + counts["partial"] >= 10, (key, counts)


@pytest.mark.parametrize("criterion", sorted(OBJECTIVE))
def test_detectors_agree_with_the_hand_labels(criterion: str) -> None:
    """Given the gold set scored with each channel's default scorecard, when the verdicts
    are compared with the hand labels, then Cohen's kappa is at least 0.8."""
    pairs = _pairs()[criterion]
    kappa = agreement.cohen_kappa(pairs)
    misses = [pair for pair in pairs if pair[0] != pair[1]]
    assert kappa >= MIN_KAPPA, (criterion, round(kappa, 3), Counter(misses))
