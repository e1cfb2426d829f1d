"""Outcome, survey answers, tags and ground truth of a composed dialogue.

CSAT (1–5), "helped" and NPS follow the quality of the dialogue: stage elements the
operator skipped, how long the client waited, the client's mood, and whether the question
was resolved. Only about a third of clients answer the survey.
"""

from __future__ import annotations

import random

from nastavnik.demodata.dialogue import Dialogue
from nastavnik.demodata.phrases import common

SURVEY_RATE: dict[str, float] = {"call": 0.3, "chat": 0.4, "messenger": 0.36, "email": 0.25}
# How much each skipped stage element costs in the client's eyes (on a 0..1 scale).
PENALTY: dict[str, float] = {
    "greeting.introduction": 0.05,
    "greeting.client_name": 0.04,
    "needs.clarifying_questions": 0.13,
    "solution.bureaucratese": 0.07,
    "solution.filler_words": 0.05,
    "solution.negative_phrasing": 0.12,
    "objections.empathy": 0.18,
    "objections.retention_protocol": 0.08,
    "objections.refund_not_done": 0.2,
    "closing.question": 0.06,
    "closing.farewell": 0.05,
}
_MOOD_PENALTY: dict[str, float] = {"angry": 0.12, "rude": 0.08}


def blank_outcome() -> dict:
    """Every outcome key, with "nothing happened" values."""
    return {
        "csat": None,
        "helped": None,
        "nps": None,
        "resolved": None,
        "converted": False,
        "cancelled": False,
        "missed": False,
        "retention_requested": False,
        "retained": None,
        "escalated": False,
        "transfers": 0,
        "order_amount": None,
        "cancel_reason": None,
    }


def outcome_and_meta(
    dialogue: Dialogue, rng: random.Random, first_wait: float | None, repeat_of: str | None
) -> tuple[dict, dict]:
    """The record's ``outcome`` and ``meta`` (the generator's ground truth)."""
    plan = dialogue.plan
    outcome = blank_outcome()
    resolved = plan.resolved and "objections.refund_not_done" not in dialogue.skipped
    outcome["resolved"] = resolved
    outcome["escalated"] = plan.escalated
    outcome["transfers"] = dialogue.transfers + (plan.escalated and rng.random() < 0.25)
    price = f"{dialogue.order_price}.00"
    if plan.topic.kind == "cancel" and plan.direction == "inbound" and plan.mode != "short":
        outcome["retention_requested"] = True
        outcome["retained"] = dialogue.retained
        if dialogue.refund_done:
            outcome["cancelled"] = True
            outcome["cancel_reason"] = rng.choice(common.CANCEL_REASONS)
            outcome["order_amount"] = price
    converted = dialogue.converted or (
        plan.topic.kind == "sale"
        and plan.direction == "inbound"
        and resolved
        and rng.random() < 0.2 + 0.35 * plan.skill
    )
    if converted:
        outcome["converted"] = True
        outcome["order_amount"] = price
    if plan.mode != "short":
        _survey(outcome, dialogue, rng, first_wait)
    meta: dict = {"persona": plan.persona, "skipped": dialogue.skipped}
    if dialogue.retention_attempts is not None:
        meta["retention_attempts"] = dialogue.retention_attempts
        meta["categorical_refusal"] = dialogue.categorical_refusal
    if dialogue.raw_asr:
        meta["asr"] = True
    if repeat_of is not None:
        meta["repeat_of"] = repeat_of
    return outcome, meta


def _survey(outcome: dict, dialogue: Dialogue, rng: random.Random, wait: float | None) -> None:
    """CSAT, "helped" and NPS from the quality of the dialogue, for the clients who answer."""
    plan = dialogue.plan
    unhappy = not outcome["resolved"] or dialogue.negativity
    if rng.random() >= SURVEY_RATE[plan.channel] + (0.08 if unhappy else 0.0):
        return
    score = 0.55 + 0.35 * plan.skill
    score -= sum(PENALTY.get(element, 0.0) for element in dialogue.skipped)
    if wait is not None and plan.channel != "email":
        score -= 0.4 if wait > 1800 else 0.25 if wait > 900 else 0.08 if wait > 300 else 0.0
    score -= _MOOD_PENALTY.get(plan.persona, 0.0)
    score += 0.06 if dialogue.empathy_shown else 0.0
    score -= 0.0 if outcome["resolved"] else 0.3
    score -= 0.05 if outcome["escalated"] else 0.0
    score += rng.gauss(0.0, 0.1)
    outcome["csat"] = (
        5 if score > 0.7 else 4 if score > 0.55 else 3 if score > 0.42 else 2 if score > 0.3 else 1
    )
    if rng.random() < 0.7:
        outcome["helped"] = bool(outcome["resolved"]) and score + rng.gauss(0.0, 0.08) > 0.45
    if rng.random() < 0.45:
        outcome["nps"] = max(0, min(10, round(score * 11 - 0.5 + rng.gauss(0.0, 1.3))))


def tags_of(
    dialogue: Dialogue,
    outcome: dict,
    first_wait: float | None,
    rng: random.Random,
    *,
    repeat: bool,
    vip: bool,
    incident: bool,
) -> list[str]:
    """Filter tags: one of the topic's, plus what happened (repeat, long wait, VIP, …)."""
    plan = dialogue.plan
    tags: list[str] = []
    if rng.random() < 0.7:
        tags.append(rng.choice(plan.topic.tags))
    if repeat:
        tags.append("повторное обращение")
    if first_wait is not None and first_wait > 900 and plan.channel != "email":
        tags.append("долгое ожидание")
    if vip:
        tags.append("VIP")
    if dialogue.negativity:
        tags.append("негатив")
    if dialogue.categorical_refusal:
        tags.append("категоричный отказ")
    if outcome["escalated"]:
        tags.append("эскалация")
    if incident and plan.topic.name == "доставка":
        tags.append("сбой доставки")
    return tags
