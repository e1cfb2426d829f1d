"""Demo manual evaluations: QA analysts' evaluations, acknowledgements and disputes.

The demo's graders are simulated. Each answers from the generator's ground truth (what the
dialogue really contains, ``meta.skipped``) where the generator records it, otherwise from
what they read (the auto-QA verdict), and slips now and then like a person does. So the
pages have real content and the trust page compares auto-QA against an honest stand-in for
people, not against itself. Everything is written through the real services.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable

from django.db.models import QuerySet

from nastavnik.accounts.models import Role, User
from nastavnik.conversations.models import Conversation
from nastavnik.evaluations import disputes, forms, manual
from nastavnik.evaluations.models import Dispute, Evaluation
from nastavnik.scorecards.mappers import version_spec

# Ground-truth elements of the demo generator → the criteria they decide.
GROUND_TRUTH = {
    "greeting.introduction": "greeting_introduction",
    "greeting.client_name": "client_name",
    "greeting.first_response": "first_response_sla",
    "needs.clarifying_questions": "clarifying_questions",
    "solution.filler_words": "no_filler_words",
    "solution.bureaucratese": "no_bureaucratese",
    "solution.negative_phrasing": "positive_wording",
    "objections.empathy": "empathy",
    "objections.retention_protocol": "refusal_protocol",
    "objections.refund_not_done": "refusal_protocol",
    "closing.question": "closing_question",
    "closing.farewell": "farewell",
}
SLIP_RATE = 0.03
PER_OPERATOR = 14
DISPUTE_REASONS = (
    "Я поздоровалась и представилась в первом сообщении, посмотрите реплику 2.",
    "Клиент сам отказался отвечать на уточняющие вопросы.",
    "Имя клиента я использовала в конце диалога.",
    "Вопрос «Могу ли я ещё чем-то помочь?» был, просто другими словами.",
    "Ответ был в пределах SLA, задержка из-за переключения линии.",
)


def demo_evaluations_setup(
    *, seed: int = 7, on_progress: Callable[[int], None] | None = None
) -> int:
    """Submit manual evaluations of recent demo conversations unless they exist; returns count."""
    if Evaluation.objects.filter(kind=Evaluation.Kind.MANUAL).exists():
        return 0
    graders = list(User.objects.filter(role_assignments__role=Role.QA_ANALYST).order_by("pk"))
    if not graders:
        return 0
    rng = random.Random(seed)
    made: list[Evaluation] = []
    for conversation in _sample(rng):
        grader = graders[len(made) % len(graders)]
        made.append(_evaluate(conversation, grader, rng))
        if on_progress is not None:
            on_progress(len(made))
    _operators_respond(made, rng)
    return len(made)


def _sample(rng: random.Random) -> list[Conversation]:
    """Recent auto-evaluated conversations, about ``PER_OPERATOR`` per operator."""
    by_operator: dict[int, list[int]] = defaultdict(list)
    auto = Evaluation.objects.filter(kind=Evaluation.Kind.AUTO).values("conversation_id")
    rows: QuerySet = (
        Conversation.objects.filter(pk__in=auto, turn_count__gt=0)
        .order_by("-started_at")
        .values_list("pk", "operator_id")[:8000]
    )
    for pk, operator_id in rows:
        by_operator[operator_id].append(pk)
    chosen = [
        pk for ids in by_operator.values() for pk in rng.sample(ids, min(PER_OPERATOR, len(ids)))
    ]
    return list(
        Conversation.objects.filter(pk__in=chosen).select_related("operator").order_by("pk")
    )


def _evaluate(conversation: Conversation, grader: User, rng: random.Random) -> Evaluation:
    evaluation = manual.evaluation_start(actor=grader, conversation=conversation)
    spec = version_spec(evaluation.scorecard_version)
    auto = {
        a.criterion: a
        for a in Evaluation.objects.get(
            conversation=conversation,
            kind=Evaluation.Kind.AUTO,
            scorecard_version=evaluation.scorecard_version,
        ).answers.all()
    }
    missed = {
        GROUND_TRUTH[item]
        for item in (conversation.meta or {}).get("skipped", [])
        if item in GROUND_TRUTH
    }
    persona = (conversation.meta or {}).get("persona", "neutral")
    answers = []
    for criterion in spec.criteria():
        # best value first, so "yes" is full marks and "no" is zero on every scale
        options: dict[str, float | None] = {}
        for value, verdict in forms.value_options(criterion):
            options.setdefault(verdict, forms.parse_value(value, criterion.key))
        verdict = _human_verdict(criterion, auto.get(criterion.key), missed, persona, rng)
        if verdict not in options:
            verdict = "yes" if "yes" in options else next(iter(options))
        found = auto.get(criterion.key)
        evidence = tuple(found.evidence[:2]) if found is not None and verdict != "na" else ()
        answers.append(manual.AnswerInput(criterion.key, options[verdict], "", evidence))
    return manual.evaluation_submit(
        actor=grader,
        evaluation=evaluation,
        revision=evaluation.revision,
        answers=answers,
        comment=_overall_comment(answers, rng),
    )


def _human_verdict(criterion, auto_answer, missed: set[str], persona: str, rng) -> str:
    if criterion.key in missed:
        verdict = "no"
    elif criterion.key in GROUND_TRUTH.values():
        verdict = auto_answer.verdict if auto_answer is not None else "yes"
        if verdict == "no" and criterion.key not in missed:
            verdict = "yes"  # the generator put it in the dialogue; a person sees it
    elif auto_answer is not None:
        verdict = auto_answer.verdict
    else:
        good = {"neutral": 0.92, "hurry": 0.8}.get(persona, 0.85)
        verdict = "yes" if rng.random() < good else "no"
    if rng.random() < SLIP_RATE and verdict in ("yes", "no"):
        verdict = "no" if verdict == "yes" else "yes"
    return verdict


def _overall_comment(answers: list[manual.AnswerInput], rng: random.Random) -> str:
    misses = sum(1 for a in answers if a.value == 0)
    if misses == 0:
        return rng.choice(("Отличный диалог, так держать!", "Всё по стандарту, спасибо."))
    if misses <= 2:
        return "В целом хорошо; обратите внимание на отмеченные пункты."
    return "Есть что подтянуть: разберём на встрече с наставником."


def _operators_respond(made: list[Evaluation], rng: random.Random) -> None:
    """Operators read most evaluations; a few dispute an answer; reviewers decide most."""
    reviewer = User.objects.filter(role_assignments__role=Role.QA_LEAD).order_by("pk").first()
    disputed = 0
    for evaluation in made:
        login = evaluation.conversation.operator.user
        if login is None:
            continue
        if rng.random() < 0.6:
            manual.evaluation_acknowledge(actor=login, evaluation=evaluation)
        failed = [a for a in evaluation.answers.all() if a.verdict == "no"]
        if not failed or disputed >= 24 or rng.random() > 0.12:
            continue
        answer = rng.choice(failed)
        dispute = disputes.dispute_open(
            actor=login,
            evaluation=evaluation,
            criterion=answer.criterion,
            reason=rng.choice(DISPUTE_REASONS),
        )
        disputed += 1
        if reviewer is None or disputed % 4 == 0:
            continue  # some stay open for the reviewer's list
        _decide(dispute, reviewer, answer, accept=disputed % 2 == 1)


def _decide(dispute: Dispute, reviewer: User, answer, *, accept: bool) -> None:
    evaluation = Evaluation.objects.get(pk=dispute.evaluation_id)
    dispute.evaluation = evaluation
    if accept:
        spec = version_spec(evaluation.scorecard_version)
        criterion = next(c for c in spec.criteria() if c.key == answer.criterion)
        full = float(criterion.points) if criterion.scale == "points" else 1.0
        disputes.dispute_resolve(
            actor=reviewer,
            dispute=dispute,
            accept=True,
            comment="Согласна, в диалоге это есть — исправила.",
            answers=[manual.AnswerInput(answer.criterion, full, answer.comment, ())],
        )
    else:
        disputes.dispute_resolve(
            actor=reviewer,
            dispute=dispute,
            accept=False,
            comment="Посмотрела ещё раз: по правилу критерия это «нет», см. текст правила.",
        )
