"""Compose one dialogue from stage fragments: greeting, needs, solution, objections, closing.

The composer only decides *what* is said, by whom, and what kind of pause precedes each
line; ``render`` turns the pauses into timestamps or call seconds. It records what the
operator skipped (``skipped``, e.g. ``closing.question``) as the generator's ground truth.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from nastavnik.demodata.phrases import client as cl
from nastavnik.demodata.phrases import operator as op
from nastavnik.demodata.phrases import style
from nastavnik.demodata.phrases.topics import INBOUND_TOPICS, Case, TopicPhrases

_T = TypeVar("_T")

# Pause kinds before a line (turned into seconds by ``render``).
NORMAL, FIRST, HOLD, QUICK, AWAY = 0, 1, 2, 3, 4


@dataclass(slots=True)
class Plan:
    """Decisions made before composing: who talks, about what, and how it ends."""

    channel: str
    direction: str
    persona: str
    topic: TopicPhrases
    case: Case
    habits: frozenset[str]
    skill: float
    resolved: bool
    escalated: bool
    name_known: bool
    client_name: str
    mode: str  # short | normal | long
    long_target: int = 0
    pii: bool = False


@dataclass(slots=True)
class Dialogue:
    """A dialogue under construction plus what happened in it."""

    rng: random.Random
    slots: dict[str, str]
    plan: Plan
    turns: list[tuple[str, str, int]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    name_known: bool = False
    name_used: bool = False
    negativity: bool = False
    empathy_shown: bool = False
    retention_attempts: int | None = None
    retained: bool | None = None
    refund_done: bool = False
    converted: bool = False
    transfers: int = 0
    categorical_refusal: bool = False
    last_solution: str = ""
    asked: list[str] = field(default_factory=list)
    order_price: int = 0
    raw_asr: bool = False

    # --- primitives -----------------------------------------------------------------------

    def skips(self, habit: str, base: float, element: str) -> bool:
        """Whether the operator skips an element: systematically with the habit, else rarely."""
        chance = 0.85 if habit in self.plan.habits else base * (1.0 - self.plan.skill)
        if self.rng.random() < chance:
            self._note(element)
            return True
        return False

    def say(self, template: str, pause: int = NORMAL, *, solution: bool = False) -> str:
        """Add an operator line; ``solution`` lines may come out in bureaucratese."""
        text = self.line(template, solution=solution)
        if self.plan.channel == "messenger" and self.rng.random() < 0.25:
            text += self.rng.choice(op.MESSENGER_OPERATOR_SUFFIX)
        self.turns.append(("operator", text, pause))
        return text

    def line(self, template: str, *, solution: bool = False) -> str:
        """An operator's line with the slots filled and the operator's habits applied."""
        if "{" in template:
            slots = self.slots
            if ("{nm}" in template or "{Nm}" in template) and self._uses_name():
                name = self.plan.client_name
                slots["nm"], slots["Nm"] = ", " + name, name + ", "
                self.name_used = True
            else:
                slots["nm"] = slots["Nm"] = ""
                if "{Nm}" in template:  # «… «Вега». {Nm}вам удобно?» → «… «Вега». Вам удобно?»
                    head, _, tail = template.partition("{Nm}")
                    template = head + tail[:1].upper() + tail[1:]
            template = template.format_map(slots)
        if template[:1].islower():
            template = style.capitalise(template)
        habits = self.plan.habits
        if habits:
            template = self._habitual(template, habits, solution)
        return template

    def _habitual(self, text: str, habits: frozenset[str], solution: bool) -> str:
        """The operator's systematic style mistakes: bureaucratese and filler words."""
        rng = self.rng
        if solution and "bureaucratese" in habits and rng.random() < 0.7:
            text = style.bureaucratise(text, rng)
            self._note("solution.bureaucratese")
        if "filler_words" in habits and rng.random() < 0.5:
            text = style.with_fillers(text, rng, 1 + (rng.random() < 0.4))
            self._note("solution.filler_words")
        return text

    def hear(self, template: str, pause: int = NORMAL) -> None:
        """Add a client line, styled for the channel."""
        if "{" in template:
            template = template.format_map(self.slots)
        if template[:1].islower():
            template = style.capitalise(template)
        channel = self.plan.channel
        if channel != "call":
            if channel == "chat":
                template = style.chat(template, self.plan.persona, self.rng)
            elif channel == "messenger":
                template = style.messenger(template, self.plan.persona, self.rng)
            if pause == NORMAL and self.rng.random() < 0.04:
                pause = AWAY
        self.turns.append(("client", template, pause))

    def ask(self, question: str, answer: str) -> None:
        """A client's follow-up question and the operator's answer."""
        self.asked.append(question)
        self.hear(question)
        self.say(answer, solution=True)

    def _uses_name(self) -> bool:
        if not self.name_known or "no_client_name" in self.plan.habits:
            return False
        return self.rng.random() < 0.2 + 0.5 * self.plan.skill

    def _note(self, element: str) -> None:
        if element not in self.skipped:
            self.skipped.append(element)

    def persona_line(self, table: dict[str, tuple[str, ...]]) -> str:
        """A line from a per-persona table (neutral when the persona has none)."""
        return self.rng.choice(table.get(self.plan.persona) or table["neutral"])

    # --- stages ---------------------------------------------------------------------------

    def bot_intro(self) -> None:
        """A chat bot that greets the client and hands over to the operator."""
        rng = self.rng
        self.turns.append(("bot", rng.choice(cl.BOT_GREETING), QUICK))
        self.hear(self.plan.topic.name.capitalize(), QUICK)
        self.turns.append(("bot", rng.choice(cl.BOT_HANDOFF), QUICK))

    def opening(self) -> None:
        """The client's first line: a persona prefix and the topic request."""
        rng, plan = self.rng, self.plan
        text = opening_line(rng, plan)
        if rng.random() < 0.3 and "{order}" not in text and plan.topic.kind != "sale":
            text += " Заказ {order}."
        if plan.pii and rng.random() < 0.5:
            text += " " + rng.choice(cl.PII_BY_KIND[plan.topic.kind])
            plan.pii = False
        self.hear(text, QUICK if self.turns and self.turns[-1][0] == "bot" else NORMAL)

    def greeting(self, first_pause: int) -> None:
        """The operator's greeting: hello, introduction, client's name, offer of help."""
        rng, channel = self.rng, self.plan.channel
        no_intro = self.skips("no_introduction", 0.08, "greeting.introduction")
        if channel == "call":
            head = rng.choice(op.CALL_GREETING_NO_INTRO if no_intro else op.CALL_GREETING_HEAD)
            offer = rng.choice(op.OFFER_HELP)
            if "луша" in head and "луша" in offer:
                offer = ""  # no «…слушает. Слушаю вас.»
            self.say((head + " " + offer).rstrip(), first_pause)
            return
        head = rng.choice(op.CHAT_GREETING_NO_INTRO if no_intro else op.CHAT_GREETING_HEAD)
        self.say((head + " " + rng.choice(op.CHAT_GREETING_TAIL)).rstrip(), first_pause)
        if "slow_first_response" in self.plan.habits and rng.random() < 0.85:
            self._note("greeting.first_response")

    def learn_name(self) -> None:
        """Ask the client's name when the operator does not know it."""
        if self.name_known or "no_client_name" in self.plan.habits:
            return
        if self.rng.random() < 0.3 + 0.4 * self.plan.skill:
            self.say(self.rng.choice(op.ASK_NAME), QUICK)
            self.hear(self.rng.choice(cl.GIVE_NAME))
            self.name_known = True

    def client_negativity(self) -> None:
        """An angry or rude outburst and the operator's (non-)empathetic answer."""
        rng = self.rng
        persona = self.plan.persona
        if persona == "angry" and self.plan.topic.name in ("доставка", "статус заказа"):
            persona = "angry_delivery"
        table = cl.NEGATIVITY.get(persona)
        if table is None:
            return
        self.negativity = True
        self.hear(rng.choice(table))
        self._empathy_or_not(None)

    def _empathy_or_not(self, argument: str | None) -> None:
        rng = self.rng
        if self.skips("no_empathy", 0.45, "objections.empathy"):
            parts = [rng.choice(op.DRY_REPLY)] if argument is None or rng.random() < 0.4 else []
            if argument is not None:
                parts.append(argument)
            self.say(" ".join(parts), solution=True)
            return
        self.empathy_shown = True
        empathy = rng.choice(op.EMPATHY)
        self.say(empathy if argument is None else f"{empathy} {argument}", solution=True)

    def needs(self) -> bool:
        """Clarifying questions; False when the operator skipped them."""
        rng, plan = self.rng, self.plan
        if self.skips("no_clarifying_questions", 0.2, "needs.clarifying_questions"):
            return False
        for question, answer in self._clarifying_pairs():
            self.say(question, QUICK if self.turns[-1][0] == "operator" else NORMAL)
            if plan.pii and rng.random() < 0.6:
                answer = answer.format_map(self.slots)
                separator = " " if answer[-1:] in ".!?" else ". "
                answer = answer + separator + rng.choice(cl.PII_BY_KIND[plan.topic.kind])
                plan.pii = False
            self.hear(answer)
        return True

    def _clarifying_pairs(self) -> list[tuple[str, str]]:
        """1–3 clarifying questions: the case's own first, the order number at most once."""
        rng, plan = self.rng, self.plan
        count = 1 + (rng.random() < 0.5) + (rng.random() < 0.2)
        specific = plan.case.clarify
        pool = specific + plan.topic.clarify if specific else plan.topic.clarify
        if rng.random() < 0.3 and plan.topic.kind != "sale":
            pool = (*pool, rng.choice(op.GENERIC_CLARIFY))
        picked = _sample(rng, pool, count)
        if specific and specific[0] not in picked and rng.random() < 0.6:
            picked[-1] = specific[0]  # the case's own question comes up most of the time
        order = self.slots.get("order")
        order_given = order is not None and any(
            order in text for speaker, text, _ in self.turns if speaker == "client"
        )
        kept: list[tuple[str, str]] = []
        for question, answer in picked:
            asks_order = "{order}" in answer
            if asks_order and (order_given or any("{order}" in a for _, a in kept)):
                continue  # never ask for a number the client already gave
            if "{order}" in question and not order_given:
                continue  # «Правильно понимаю, речь о заказе …?» needs a known number
            kept.append((question, answer))
        if not kept:
            kept = [pair for pair in pool if "{order}" not in pair[0] + pair[1]][:1]
        return kept

    def solution(self, clarified: bool) -> None:
        """Hold, then the answer for the topic (or an escalation / a non-answer)."""
        rng, plan = self.rng, self.plan
        if not clarified and rng.random() < 0.35:
            wrong_case = rng.choice(plan.topic.cases)
            self.say(rng.choice(wrong_case.solutions), solution=True)
            self.hear(rng.choice(cl.MISMATCH))
            question, answer = rng.choice(plan.case.clarify or plan.topic.clarify)
            self.say(question)
            self.hear(answer)
        pause = NORMAL
        if rng.random() < 0.55:
            hold = op.HOLD_ANY if plan.channel == "call" else op.HOLD_WRITTEN
            self.say(rng.choice(hold), QUICK if self.turns[-1][0] == "operator" else NORMAL)
            pause = HOLD
        if plan.resolved:
            line = rng.choice(plan.case.solutions)
        elif plan.escalated:
            line = rng.choice(op.ESCALATE_ANY if plan.channel == "call" else op.ESCALATE_WRITTEN)
            self.transfers += "переведу" in line
        else:
            line = rng.choice(op.UNRESOLVED)
        if pause == HOLD and rng.random() < 0.7:
            line = rng.choice(op.AFTER_HOLD) + " " + line
        self.last_solution = self.say(line, pause, solution=True)
        if plan.resolved:
            self.hear(self.persona_line(cl.OK_REACTION))
        else:
            self.hear(self.persona_line(cl.UNHAPPY_REACTION))
            if plan.persona in cl.NEGATIVE_PERSONAS or rng.random() < 0.4:
                self.negativity = True
                self._empathy_or_not(None)

    def extras(self) -> None:
        """Follow-up questions, digressions, repeated questions, objections."""
        rng, plan = self.rng, self.plan
        persona = plan.persona
        roll = rng.random()
        followups = 0 if roll < 0.3 else 1 if roll < 0.7 else 2 if roll < 0.92 else 3
        followups += persona == "elderly"
        pool = plan.case.followups + plan.topic.followups if plan.case.followups else None
        for question, answer in _sample(rng, pool or plan.topic.followups, followups):
            self.ask(question, answer)
        if rng.random() < (0.6 if persona == "elderly" else 0.1):
            pool = cl.DIGRESSIONS["elderly" if persona == "elderly" else "any"]
            self.hear(rng.choice(pool))
            self.say(rng.choice(op.DIGRESSION_REPLY))
        if rng.random() < (0.4 if persona == "elderly" else 0.08) and self.last_solution:
            self.hear(rng.choice(cl.REPEAT_QUESTION))
            self.say(rng.choice(op.REPEAT_EXPLANATION) + " " + self.last_solution)
        if rng.random() < (0.55 if persona in cl.NEGATIVE_PERSONAS else 0.15):
            objection, argument = rng.choice(plan.topic.objections)
            self.hear(objection)
            self.negativity = True
            self._empathy_or_not(argument)
        if rng.random() < 0.15 * (1.0 - plan.skill):
            self.say(rng.choice(op.NEGATIVE_PHRASES))
            self._note("solution.negative_phrasing")
        if plan.pii:
            self.hear(rng.choice(cl.PII_BY_KIND[plan.topic.kind]))
            self.say("Спасибо, записал{oa}.")
            plan.pii = False

    def retention(self) -> None:
        """A cancellation or return: retention attempts, then keep or refund the order."""
        rng, plan = self.rng, self.plan
        self.categorical_refusal = rng.random() < 0.5
        attempts = self._retention_attempts()
        self.retention_attempts = attempts
        if self.categorical_refusal:
            self.hear(rng.choice(cl.REFUSAL_TRIGGER))
        offers = _sample(rng, op.RETENTION_ATTEMPTS, 2)
        for number in range(1, attempts + 1):
            if number >= 3:
                offer, confirmation = rng.choice(op.RETENTION_PUSHY), offers[0][1]
            else:
                offer, confirmation = offers[number - 1]
            self.say(offer)
            if not self.categorical_refusal and rng.random() < 0.25 + 0.2 * plan.skill:
                self.hear(rng.choice(cl.RETENTION_ACCEPT))
                self.retained = True
                self.last_solution = self.say(confirmation, solution=True)
                self.hear(self.persona_line(cl.OK_REACTION))
                return
            if number >= 2 and self.categorical_refusal:
                self.hear(rng.choice(cl.REFUSAL_ANNOYED if number >= 3 else cl.REFUSAL_INSIST))
            else:
                pool_insist = (
                    cl.REFUSAL_INSIST if self.categorical_refusal else cl.RETENTION_DECLINE
                )
                self.hear(rng.choice(pool_insist))
        self.retained = False
        if rng.random() < 0.08 * (1.0 - plan.skill) + (0.25 if not plan.resolved else 0.0):
            self.say(rng.choice(op.REFUND_REFUSED), solution=True)
            self.hear(self.persona_line(cl.UNHAPPY_REACTION))
            self._note("objections.refund_not_done")
            return
        self.refund_done = True
        generic = op.CANCEL_DONE if plan.topic.name == "отмена заказа" else op.RETURN_DONE
        done = plan.case.solutions if rng.random() < 0.6 else generic
        self.last_solution = self.say(rng.choice(done), solution=True)
        self.hear(self.persona_line(cl.OK_REACTION))

    def _retention_attempts(self) -> int:
        rng, habits, skill = self.rng, self.plan.habits, self.plan.skill
        if "no_retention" in habits and rng.random() < 0.85:
            attempts = 0
        elif "pushy_retention" in habits and rng.random() < 0.8:
            attempts = 3
        else:
            roll = rng.random()
            two = 0.5 + 0.35 * skill
            attempts = 2 if roll < two else 1 if roll < two + 0.12 else rng.choice((0, 3))
        if self.categorical_refusal and attempts != 2:
            self._note("objections.retention_protocol")
        return attempts

    def closing(self) -> None:
        """The closing question, the farewell and the client's goodbye."""
        rng, plan = self.rng, self.plan
        if not self.skips("no_closing_question", 0.2, "closing.question"):
            self.say(rng.choice(op.CLOSING_QUESTION), QUICK if rng.random() < 0.3 else NORMAL)
            if rng.random() < 0.12:
                question, answer = rng.choice(plan.case.followups or plan.topic.followups)
                if question not in self.asked:
                    self.ask(question, answer)
            self.hear(rng.choice(cl.NO_MORE_QUESTIONS))
        if not self.skips("abrupt_ending", 0.12, "closing.farewell"):
            self.say(rng.choice(op.FAREWELL), QUICK)
            if rng.random() < (0.85 if plan.channel == "call" else 0.45):
                self.hear(self.persona_line(cl.BYE))
        if plan.channel == "chat" and rng.random() < 0.2:
            self.turns.append(("system", rng.choice(op.CHAT_CLOSED), QUICK))

    def extend(self, target: int) -> None:
        """Grow a dialogue to ``target`` turns with more questions, a second topic, holds."""
        rng = self.rng
        while len(self.turns) < target:
            roll = rng.random()
            if roll < 0.35:
                other = rng.choice(INBOUND_TOPICS)
                case = rng.choice(other.cases)
                self.hear(rng.choice(cl.SECOND_QUESTION) + rng.choice(case.openers))
                question, answer = rng.choice(case.clarify or other.clarify)
                self.say(question)
                self.hear(answer)
                self.say(
                    rng.choice(op.HOLD_ANY if self.plan.channel == "call" else op.HOLD_WRITTEN)
                )
                self.say(rng.choice(case.solutions), HOLD, solution=True)
                self.hear(self.persona_line(cl.OK_REACTION))
            elif roll < 0.7:
                question, answer = rng.choice(self.plan.topic.followups)
                if question in self.asked:
                    self.hear(rng.choice(cl.REPEAT_QUESTION))  # asked again: it happens
                    self.say(rng.choice(op.REPEAT_EXPLANATION) + " " + answer, solution=True)
                else:
                    self.ask(question, answer)
            elif roll < 0.85:
                self.hear(rng.choice(cl.REPEAT_QUESTION))
                self.say(rng.choice(op.REPEAT_EXPLANATION) + " " + self.last_solution)
            else:
                self.hear(rng.choice(cl.DIGRESSIONS["any"]))
                self.say(rng.choice(op.DIGRESSION_REPLY))


def opening_line(rng: random.Random, plan: Plan, *, greeted: bool = False) -> str:
    """The client's request with a persona prefix («Слушайте, …»); no hello if ``greeted``."""
    prefix = rng.choice(cl.OPENING_PREFIX[plan.persona])
    if greeted and prefix.startswith(("Здрав", "Добр", "Привет")):
        prefix = ""
    opener = rng.choice(plan.case.openers)
    if prefix.endswith(", ") and opener[:1] != "{":
        opener = opener[:1].lower() + opener[1:]  # «Слушайте, мне нужен чек»
    return prefix + opener


def _sample(rng: random.Random, pool: Sequence[_T], count: int) -> list[_T]:
    """Up to ``count`` distinct items of a small pool (cheaper than ``random.sample``)."""
    if count <= 0:
        return []
    size = len(pool)
    first = int(rng.random() * size)
    if count == 1 or size == 1:
        return [pool[first]]
    step = 1 + int(rng.random() * (size - 1))  # any step ≠ 0 visits distinct items if coprime
    picked = [pool[first]]
    seen = {first}
    position = first
    while len(picked) < min(count, size):
        position = (position + step) % size
        if position in seen:
            position = (position + 1) % size
            while position in seen:
                position = (position + 1) % size
        seen.add(position)
        picked.append(pool[position])
    return picked


# --- whole dialogues ----------------------------------------------------------------------


def compose_live(dialogue: Dialogue) -> None:
    """An inbound call, chat or messenger dialogue, stage by stage."""
    rng, plan = dialogue.rng, dialogue.plan
    if plan.mode == "short":
        _compose_short(dialogue)
        return
    if plan.channel == "call":
        dialogue.greeting(FIRST)
        dialogue.opening()
    else:
        if rng.random() < 0.35:
            dialogue.bot_intro()
        dialogue.opening()
        dialogue.greeting(FIRST)
    dialogue.learn_name()
    outburst = {"angry": 0.85, "rude": 0.5}.get(plan.persona, 0.0)
    if rng.random() < outburst:
        dialogue.client_negativity()
    clarified = dialogue.needs()
    if plan.topic.kind == "cancel":
        dialogue.retention()
    else:
        dialogue.solution(clarified)
    dialogue.extras()
    if plan.mode == "long":
        dialogue.extend(plan.long_target)
    dialogue.closing()


def _compose_short(dialogue: Dialogue) -> None:
    """0–2 turns: a dropped call or a client who left the chat."""
    rng = dialogue.rng
    if dialogue.plan.channel == "call":
        dialogue.say(rng.choice(cl.SHORT_CALL), FIRST)
        if rng.random() < 0.5:
            dialogue.hear("Алло?")
        return
    roll = rng.random()
    if roll < 0.5:
        dialogue.opening()
    elif roll < 0.8:
        dialogue.opening()
        dialogue.say(rng.choice(op.NUDGE[:2]), FIRST)
    else:
        dialogue.turns.append(("client", "Здравствуйте", NORMAL))
        dialogue.say(rng.choice(op.NUDGE[1:]), FIRST)


def compose_outbound(
    dialogue: Dialogue, purpose: str, lines: tuple[str, ...], answers: tuple[str, ...]
) -> None:
    """An outbound call: order confirmation, a promised call back, or an offer."""
    rng = dialogue.rng
    no_intro = dialogue.skips("no_introduction", 0.08, "greeting.introduction")
    pool = op.OUTBOUND_GREETING_NO_INTRO if no_intro else op.OUTBOUND_GREETING
    dialogue.say(rng.choice(pool), FIRST)
    if rng.random() < 0.1:
        dialogue.hear(rng.choice(cl.OUTBOUND_BUSY))
        dialogue.say("Хорошо, перезвоню позже. Всего доброго!", QUICK)
        dialogue.plan.resolved = False
        return
    dialogue.hear(rng.choice(cl.OUTBOUND_READY))
    dialogue.say(rng.choice(lines), solution=True)
    if purpose == "допродажа":
        dialogue.hear(rng.choice(answers))
        if rng.random() < 0.45:
            objection, argument = rng.choice(dialogue.plan.topic.objections)
            dialogue.hear(objection)
            dialogue.say(argument, solution=True)
        dialogue.converted = rng.random() < 0.2 + 0.3 * dialogue.plan.skill
        dialogue.hear(rng.choice(cl.UPSELL_YES if dialogue.converted else cl.UPSELL_NO))
        if dialogue.converted:
            dialogue.say("Добавил{oa} в заказ {order}, итоговая сумма {amount} рублей.")
    elif purpose == "подтверждение заказа":
        dialogue.converted = rng.random() < 0.9
        if dialogue.converted:
            dialogue.hear(rng.choice(("Да, всё верно.", "Да, подтверждаю.", "Угу.")))
            dialogue.say("Отлично{nm}, заказ подтверждён, доставка {date} {window}.")
        else:
            dialogue.hear("Нет, я хочу отменить, уже не актуально.")
            dialogue.say("Хорошо, отменяю заказ {order}. Деньги вернутся в течение 3–5 дней.")
    else:
        dialogue.hear(rng.choice(answers))
        if dialogue.plan.resolved and "актуален" in dialogue.turns[-2][1]:
            dialogue.say(rng.choice(dialogue.plan.case.solutions), solution=True)
            dialogue.hear(dialogue.persona_line(cl.OK_REACTION))
    dialogue.extras()
    dialogue.closing()
