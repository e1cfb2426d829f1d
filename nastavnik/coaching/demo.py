"""Demo mystery shopping: three scenarios with visits in every state, some evaluated.

Call ``mystery_demo()`` after ``web.services.demo_roster_setup()`` (the demo operators and
scorecards must exist). It is idempotent: when the demo scenarios exist it does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from nastavnik.accounts.models import Operator, Role, User
from nastavnik.coaching import services
from nastavnik.coaching.models import MysteryScenario
from nastavnik.evaluations import manual
from nastavnik.scorecards.mappers import version_spec

DEMO_GRADER = "qa.orlova"


@dataclass(frozen=True)
class _Scenario:
    title: str
    channel: str
    script: str
    behaviours: tuple[tuple[str, str], ...]
    dialogue: str
    misses: tuple[str, ...]  # criteria the second evaluated visit misses


SCENARIOS = (
    _Scenario(
        "Возврат наушников без чека",
        "chat",
        "Покупательница Ольга купила беспроводные наушники 10 дней назад, чек потеряла. "
        "Пишет в чат: «Хочу вернуть наушники, чека нет». На вопрос о причине отвечает, что "
        "не подошёл звук. Если оператор не предложит обмен, спрашивает сама: «А поменять "
        "можно?». В конце благодарит.",
        (
            ("Представился и поздоровался", "greeting_introduction"),
            ("Уточнил причину возврата", "clarifying_questions"),
            ("Обратился к клиенту по имени", "client_name"),
            ("Спросил, остались ли вопросы", "closing_question"),
        ),
        "[10:00] Клиент: Здравствуйте! Хочу вернуть наушники, чека нет.\n"
        "[10:01] Оператор: Добрый день! Меня зовут {name}. Подскажите, пожалуйста, "
        "что не так с наушниками?\n"
        "[10:02] Клиент: Не подошёл звук.\n"
        "[10:04] Оператор: Понимаю. Вернуть можно и без чека — по выписке из банка или "
        "номеру заказа. Могу предложить и обмен на другую модель.\n"
        "[10:05] Клиент: Спасибо, подумаю.\n"
        "[10:05] Оператор: Остались ли у вас вопросы? Хорошего дня!",
        ("client_name", "closing_question"),
    ),
    _Scenario(
        "Звонок: задержка доставки",
        "call",
        "Покупатель Сергей звонит: заказ должен был прийти вчера, курьер не приехал. "
        "Раздражён, говорит «я уже второй раз звоню». Ждёт извинения, новой даты доставки "
        "и компенсации.",
        (
            ("Представился", "greeting_introduction"),
            ("Выразил сочувствие раздражённому клиенту", "empathy"),
            ("Уточнил номер заказа до решения", "clarifying_questions"),
            ("Попрощался", "farewell"),
        ),
        "[15:00:00] Оператор: Интернет-магазин, меня зовут {name}, чем могу помочь?\n"
        "[15:00:05] Клиент: Я уже второй раз звоню! Заказ должен был прийти вчера.\n"
        "[15:00:12] Оператор: Понимаю, как неприятно ждать. Подскажите номер заказа?\n"
        "[15:00:20] Клиент: 4512.\n"
        "[15:01:10] Оператор: Курьер привезёт завтра с 10 до 14, доставку вернём баллами.\n"
        "[15:01:20] Клиент: Хорошо.\n"
        "[15:01:25] Оператор: Спасибо за звонок, всего доброго!",
        ("empathy",),
    ),
    _Scenario(
        "Письмо: отмена подписки",
        "email",
        "Клиент пишет письмо: «Отмените подписку, деньги списались без предупреждения». "
        "Проверяем, ответил ли оператор на все вопросы письма и предложил ли сохранить "
        "подписку со скидкой, не навязываясь.",
        (
            ("Ответил на все вопросы письма", "all_questions_answered"),
            ("Представился", "greeting_introduction"),
            ("Предложил помощь в конце письма", "closing_question"),
        ),
        "[09:00] Клиент: Отмените подписку, деньги списались без предупреждения. "
        "И верните деньги за этот месяц.\n"
        "[11:30] Оператор: Здравствуйте! Меня зовут {name}. Подписку отменили, деньги за "
        "месяц вернутся на карту в течение 5 дней. Если захотите вернуться — дадим скидку "
        "30 %. Если остались вопросы, напишите нам.",
        ("all_questions_answered",),
    ),
)


def mystery_demo(*, actor: User | None = None, operators_per_scenario: int = 4) -> dict[str, Any]:
    """Create the demo scenarios and visits (planned, done, evaluated) unless they exist."""
    titles = [item.title for item in SCENARIOS]
    if MysteryScenario.objects.filter(title__in=titles).exists():
        return {"scenarios": 0, "visits": 0}
    grader = actor or User.objects.filter(username=DEMO_GRADER).first()
    if grader is None:
        grader = User.objects.filter(role_assignments__role=Role.QA_ANALYST).first()
    operators = list(
        Operator.objects.filter(is_active=True, external_ids__source="demo").order_by("pk")
    )
    if grader is None or len(operators) < operators_per_scenario:
        return {"scenarios": 0, "visits": 0}
    today = timezone.localdate()
    visits = 0
    with transaction.atomic():
        for number, item in enumerate(SCENARIOS):
            scenario = services.scenario_save(
                actor=grader,
                title=item.title,
                channel=item.channel,
                script=item.script,
                expected_behaviours=[{"text": t, "criterion": c} for t, c in item.behaviours],
            )
            chosen = operators[number * 3 : number * 3 + operators_per_scenario]
            planned = services.visit_plan(
                actor=grader,
                scenario=scenario,
                assignments=[
                    services.VisitAssignment(op, today - timedelta(days=10 - i * 3))
                    for i, op in enumerate(chosen)
                ],
                shopper_name="Агентство «Контроль сервиса»",
            )
            visits += len(planned)
            for index, visit in enumerate(planned[:3]):
                first_name = visit.operator.full_name.split()[0]
                started = timezone.make_aware(datetime.combine(visit.planned_on, time(10, 0)))
                services.visit_record_transcript(
                    actor=grader,
                    visit=visit,
                    text=item.dialogue.format(name=first_name),
                    started_at=started,
                )
                if index == 2:
                    continue  # typed in, waiting for evaluation
                evaluation = services.visit_evaluate(actor=grader, visit=visit)
                _submit(grader, evaluation, misses=item.misses if index == 1 else ())
    return {"scenarios": len(SCENARIOS), "visits": visits}


def _submit(grader: User, evaluation, *, misses: tuple[str, ...]) -> None:
    spec = version_spec(evaluation.scorecard_version)
    answers = []
    for criterion in spec.criteria():
        full = criterion.points if criterion.scale == "points" else 1
        answers.append(manual.AnswerInput(criterion.key, 0 if criterion.key in misses else full))
    manual.evaluation_submit(
        actor=grader, evaluation=evaluation, revision=evaluation.revision, answers=answers
    )
