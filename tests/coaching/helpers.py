"""Mystery-shopper test data, built on tests/factories.py and the real services."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from nastavnik.accounts.models import Operator, User
from nastavnik.coaching import mappers, services
from nastavnik.coaching.models import MysteryScenario, MysteryVisit
from nastavnik.engine import scorecards
from nastavnik.evaluations import manual
from nastavnik.evaluations.models import Evaluation
from nastavnik.scorecards import services as scorecard_services
from nastavnik.scorecards.mappers import version_spec
from tests import factories

DAY = date(2026, 3, 2)
BEHAVIOURS = [
    {"text": "Представился", "criterion": "greeting_introduction"},
    {"text": "Уточнил потребность", "criterion": "clarifying_questions"},
    {"text": "Спросил, остались ли вопросы", "criterion": "closing_question"},
]


def active_scorecard(key: str = "default-chat") -> None:
    """Install and activate a shipped scorecard."""
    version = scorecard_services.scorecard_save(actor=None, spec=scorecards.default_scorecard(key))
    scorecard_services.scorecard_activate(actor=None, version=version)


def scenario(actor: User, *, title: str = "Возврат наушников", channel: str = "chat", **kw: Any):
    """A scenario with the three standard behaviours."""
    return services.scenario_save(
        actor=actor,
        title=title,
        channel=channel,
        script="Покупатель хочет вернуть наушники без чека.",
        expected_behaviours=kw.pop("expected_behaviours", BEHAVIOURS),
        **kw,
    )


def plan(actor: User, item: MysteryScenario, *operators: Operator) -> list[MysteryVisit]:
    """One visit per operator on DAY."""
    return services.visit_plan(
        actor=actor,
        scenario=item,
        assignments=[services.VisitAssignment(op, DAY) for op in operators],
        shopper_name="Ирина (агентство)",
    )


def import_operator_conversation(
    tmp_path: Path, external_id: str, operator: str, channel: str = "chat"
) -> None:
    """Import one conversation of the operator known as ``operator`` in source "test"."""
    factories.import_records(
        tmp_path, [factories.record(external_id, operator=operator, channel=channel)]
    )


def value_for(criterion, verdict: str) -> float | None:
    """The value that gives ``verdict`` on the criterion's scale."""
    if verdict == "na":
        return None
    if verdict == "no":
        return 0
    if verdict == "partial":
        return 0.5 if criterion.scale == "ternary" else 1
    return criterion.points if criterion.scale == "points" else 1


def submit(
    grader: User, evaluation: Evaluation, verdicts: dict[str, str] | None = None
) -> Evaluation:
    """Answer every criterion ("yes" unless ``verdicts`` says otherwise) and submit."""
    spec = version_spec(evaluation.scorecard_version)
    answers = [
        manual.AnswerInput(c.key, value_for(c, (verdicts or {}).get(c.key, "yes")))
        for c in spec.criteria()
    ]
    return manual.evaluation_submit(
        actor=grader, evaluation=evaluation, revision=evaluation.revision, answers=answers
    )


def evaluated_visit(
    grader: User,
    visit: MysteryVisit,
    text: str = "Клиент: Здравствуйте\nОператор: Добрый день! Меня зовут Анна.",
    verdicts: dict[str, str] | None = None,
) -> MysteryVisit:
    """Type the dialogue in, evaluate it and submit the evaluation."""
    from datetime import datetime, timedelta, timezone

    start = datetime(2026, 3, 2, 12, 0, tzinfo=timezone(timedelta(hours=3)))
    services.visit_record_transcript(actor=grader, visit=visit, text=text, started_at=start)
    evaluation = services.visit_evaluate(actor=grader, visit=visit)
    submit(grader, evaluation, verdicts)
    visit.refresh_from_db()
    return visit


def mystery_world(users: dict[str, User], own: Operator, other: Operator) -> dict[str, Any]:
    """Access-matrix objects: a scenario, evaluated visits of O1 and O2, a planned one of O1.

    The visits reuse each operator's one imported chat, so the world gains no conversation.
    """
    if mappers.active_version("chat") is None:
        active_scorecard()
    qa = users["qa_analyst"]
    item = scenario(qa)
    own_done, other_done, own_planned = plan(qa, item, own, other, own)
    for visit, operator in ((own_done, own), (other_done, other)):
        services.visit_attach_conversation(
            actor=qa, visit=visit, conversation_id=operator.conversations.get().pk
        )
        submit(qa, services.visit_evaluate(actor=qa, visit=visit))
    return {
        "mystery": {"scenario_id": item.pk},
        "mystery_own": {"visit_id": own_done.pk},
        "mystery_other": {"visit_id": other_done.pk},
        "mystery_planned": {"visit_id": own_planned.pk},
    }
