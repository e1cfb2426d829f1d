"""E-mail threads: letters with salutations, signatures, quotes and occasional HTML.

Each turn's pause slot holds its offset in seconds from the first letter; operators answer
within working hours, hours after the client writes.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from nastavnik.demodata.dialogue import Dialogue, opening_line
from nastavnik.demodata.phrases import client as cl
from nastavnik.demodata.phrases import email as em
from nastavnik.demodata.phrases import operator as op
from nastavnik.demodata.phrases import style
from nastavnik.demodata.phrases.common import HOTLINE


def compose_email(dialogue: Dialogue, started_at: datetime, sender: str) -> None:
    """An e-mail thread; each turn's pause is its offset in seconds from the first letter."""
    rng, plan, slots = dialogue.rng, dialogue.plan, dialogue.slots
    letter, asked = _client_letter(dialogue)
    offset = 0
    dialogue.turns.append(("client", letter, offset))
    if slots["order"] not in letter and not dialogue.skips(
        "no_clarifying_questions", 0.2, "needs.clarifying_questions"
    ):
        offset = _operator_reply_at(rng, started_at, offset, plan.skill)
        ask = _operator_letter(dialogue, [rng.choice(em.ASK_DETAILS)], ask=True)
        dialogue.turns.append(("operator", ask, offset))
        offset += _client_delay(rng)
        answer = "Номер заказа {order}."
        if plan.pii:
            answer += " " + rng.choice(cl.PII_BY_KIND[plan.topic.kind])
        plan.pii = False
        dialogue.turns.append(("client", _quoted(dialogue, answer, started_at, sender), offset))
    paragraphs: list[str] = []
    if dialogue.negativity and not dialogue.skips("no_empathy", 0.45, "objections.empathy"):
        dialogue.empathy_shown = True
        paragraphs.append(rng.choice(op.EMPATHY))
    if plan.resolved:
        paragraphs.append(rng.choice(plan.case.solutions))
    else:
        paragraphs.append(rng.choice(op.ESCALATE_WRITTEN if plan.escalated else op.UNRESOLVED))
    if asked is not None:
        paragraphs.append(asked[1])
    offset = _operator_reply_at(rng, started_at, offset, plan.skill)
    dialogue.turns.append(("operator", _operator_letter(dialogue, paragraphs), offset))
    roll = rng.random()
    if roll >= 0.7:
        return
    offset += _client_delay(rng)
    followups = [pair for pair in plan.case.followups + plan.topic.followups if pair != asked]
    if roll < 0.3 and followups:  # one more question, and the operator's answer
        question, answer = rng.choice(followups)
        dialogue.turns.append(("client", _quoted(dialogue, question, started_at, sender), offset))
        offset = _operator_reply_at(rng, started_at, offset, plan.skill)
        dialogue.turns.append(("operator", _operator_letter(dialogue, [answer]), offset))
    else:
        reply = rng.choice(cl.OK_REACTION["kind" if plan.resolved else "angry"])
        dialogue.turns.append(("client", _quoted(dialogue, reply, started_at, sender), offset))


def _client_letter(dialogue: Dialogue) -> tuple[str, tuple[str, str] | None]:
    """The client's first letter, and the follow-up question it asks (if any)."""
    rng, plan = dialogue.rng, dialogue.plan
    salutation = rng.choice(em.CLIENT_SALUTATION)
    body = opening_line(rng, plan, greeted=bool(salutation))
    if rng.random() < 0.5 and "{order}" not in body:
        body += " Номер заказа {order}."
    if plan.persona in cl.NEGATIVE_PERSONAS and rng.random() < 0.7:
        body += " " + rng.choice(cl.NEGATIVITY[plan.persona])
        dialogue.negativity = True
    asked = None
    if rng.random() < 0.4:
        asked = rng.choice(plan.case.followups or plan.topic.followups)
        body += " " + asked[0]
    parts = [salutation, body]
    if plan.pii:
        parts.append(rng.choice(cl.PII_BY_KIND[plan.topic.kind]))
        plan.pii = False
    signed = rng.random() < 0.8
    signoff = rng.choice(em.CLIENT_SIGNOFF) if signed else rng.choice(("Спасибо.", ""))
    if signed:
        dialogue.name_known = True  # the operator reads the name in the signature
        name = dialogue.slots["client_full"] if rng.random() < 0.3 else plan.client_name
        parts.append(f"{signoff}\n{name}" if signoff else name)
    elif signoff:
        parts.append(signoff)
    parts.append(rng.choice(em.CLIENT_FOOTER))
    text = "\n\n".join(part for part in parts if part).format_map(dialogue.slots)
    if rng.random() < 0.08:
        text = "<div>" + text.replace("\n\n", "</div>\n<div>") + "</div>"
    return text, asked


def _operator_letter(dialogue: Dialogue, paragraphs: list[str], *, ask: bool = False) -> str:
    rng = dialogue.rng
    formal = dialogue.name_known and "no_client_name" not in dialogue.plan.habits
    if formal and rng.random() < 0.3:
        dialogue.name_used = True
        parts = [dialogue.line(rng.choice(em.OPERATOR_SALUTATION_FORMAL))]
    else:
        parts = [dialogue.line(rng.choice(em.OPERATOR_SALUTATION))]
    thanks = rng.choice(em.OPERATOR_THANKS)
    if thanks:
        parts.append(thanks)
    parts.extend(dialogue.line(paragraph, solution=True) for paragraph in paragraphs)
    if not ask and not dialogue.skips("no_closing_question", 0.2, "closing.question"):
        parts.append(rng.choice(em.OPERATOR_CLOSING_QUESTION))
    signature = []
    if not (ask and rng.random() < 0.5) and not dialogue.skips(
        "abrupt_ending", 0.12, "closing.farewell"
    ):
        signature.append(rng.choice(em.OPERATOR_SIGNOFF))
    if not dialogue.skips("no_introduction", 0.08, "greeting.introduction"):
        signature.append(dialogue.slots["op_full"])
    signature.append(rng.choice(em.SIGNATURE_TEAM))
    if rng.random() < 0.4:
        signature.append(HOTLINE)
    if rng.random() < 0.2:
        body = "\n".join(f"<p>{part}</p>" for part in parts)
        return body + "\n<p>" + "<br>".join(signature) + "</p>"
    return "\n\n".join(parts) + "\n\n" + "\n".join(signature)


def _quoted(dialogue: Dialogue, template: str, started_at: datetime, sender: str) -> str:
    """A client's reply with the previous letter quoted below it (sometimes)."""
    rng = dialogue.rng
    text = style.capitalise(template.format_map(dialogue.slots))
    previous_speaker, previous, offset = dialogue.turns[-1]
    if rng.random() < 0.55:
        when = (started_at + timedelta(seconds=offset)).strftime("%d.%m.%Y %H:%M")
        who = "support@vega.ru" if previous_speaker == "operator" else sender
        header = rng.choice(em.QUOTE_HEADER).format(when=when, sender=who)
        quoted = "\n".join("> " + row for row in previous.splitlines() if row)
        text = f"{text}\n\n{header}\n{quoted}"
    return text


def _operator_reply_at(rng: random.Random, started_at: datetime, offset: int, skill: float) -> int:
    """When the operator answers a letter: hours later, within working hours 09–21."""
    hours = rng.uniform(0.3, 5.0) * (1.6 - skill) + (rng.random() < 0.2) * rng.uniform(4, 20)
    answer = offset + int(hours * 3600)
    clock = started_at.hour * 3600 + started_at.minute * 60 + started_at.second + answer
    second = clock % 86_400
    if second < 9 * 3600:
        answer += 9 * 3600 - second + rng.randrange(5400)
    elif second >= 21 * 3600:
        answer += 86_400 - second + 9 * 3600 + rng.randrange(5400)
    return answer


def _client_delay(rng: random.Random) -> int:
    """Seconds until the client writes back: from minutes to a day and a half."""
    return int(rng.uniform(0.1, 30.0) * 3600)
