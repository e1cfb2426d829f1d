"""Writes for manual evaluations: start, save with optimistic locking, submit, acknowledge.

An analyst's evaluation moves draft → submitted. Every save names the ``revision`` the
analyst was looking at; when someone else saved in between, the save is refused (HTTP 409)
instead of silently overwriting their answers. Answers are validated against the scorecard
version by the engine's score formula before anything is written, so a bad value names its
criterion and nothing is half-stored. See docs/evaluations.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nastavnik.accounts import access
from nastavnik.accounts.models import Operator
from nastavnik.conversations.models import Conversation
from nastavnik.core.audit import audit_record
from nastavnik.core.errors import ApplicationError
from nastavnik.core.models import AuditEvent
from nastavnik.core.notifications import notification_send
from nastavnik.engine import scoring, types
from nastavnik.evaluations import answers as answers_check
from nastavnik.evaluations.answers import AnswerInput
from nastavnik.evaluations.autoqa_pipeline import active_versions_by_channel
from nastavnik.evaluations.models import Answer, Evaluation
from nastavnik.scorecards.mappers import version_spec
from nastavnik.scorecards.models import ScorecardVersion

CONFLICT = 409


def evaluation_start(
    *,
    actor: Any,
    conversation: Conversation,
    purpose: str = Evaluation.Purpose.OFFICIAL,
    from_auto: bool = False,
) -> Evaluation:
    """The actor's draft evaluation of a conversation: reopened if it exists, else created.

    With ``from_auto`` the draft starts from the automatic evaluation's answers, each keeping
    the detector's verdict (``auto_verdict``) so that accepting or overriding it is recorded.
    An official evaluation is refused when one was already submitted for the conversation:
    nobody evaluates a conversation twice by accident.
    """
    _check_may_grade(actor, conversation)
    if purpose not in Evaluation.Purpose.values or purpose == Evaluation.Purpose.CALIBRATION:
        raise ApplicationError(_("Unknown evaluation purpose."), field="purpose")
    version = _active_version(conversation)
    with transaction.atomic():
        draft = Evaluation.objects.filter(
            conversation=conversation,
            kind=Evaluation.Kind.MANUAL,
            grader=actor,
            state=Evaluation.State.DRAFT,
            purpose=purpose,
        ).first()
        if draft is not None:
            return draft
        if purpose == Evaluation.Purpose.OFFICIAL:
            _refuse_second_official(conversation)
        evaluation = Evaluation.objects.create(
            conversation=conversation,
            scorecard_version=version,
            kind=Evaluation.Kind.MANUAL,
            purpose=purpose,
            state=Evaluation.State.DRAFT,
            grader=actor,
        )
        if from_auto:
            _copy_auto_answers(evaluation)
        _rescore(evaluation)
        audit_record(
            actor=actor,
            action="evaluation.start",
            entity=evaluation,
            changes={
                "conversation": [None, conversation.pk],
                "scorecard_version": [None, f"{version.scorecard.key} v{version.number}"],
                "purpose": [None, purpose],
                "from_auto": [None, from_auto],
            },
        )
    return evaluation


def evaluation_save(
    *,
    actor: Any,
    evaluation: Evaluation,
    revision: int,
    answers: Iterable[AnswerInput] = (),
    comment: str | None = None,
) -> Evaluation:
    """Store answers and the overall comment if nobody saved since ``revision``; rescore."""
    _check_may_edit(actor, evaluation)
    with transaction.atomic():
        evaluation = _apply(
            actor=actor, evaluation=evaluation, revision=revision, answers=answers, comment=comment
        )
        if evaluation.state == Evaluation.State.SUBMITTED:
            notify_operator(evaluation, "evaluation.changed")
    return evaluation


def evaluation_submit(
    *,
    actor: Any,
    evaluation: Evaluation,
    revision: int,
    answers: Iterable[AnswerInput] = (),
    comment: str | None = None,
) -> Evaluation:
    """Save and submit: every criterion that does not allow N/A must have an answer."""
    _check_may_edit(actor, evaluation)
    if evaluation.state == Evaluation.State.SUBMITTED:
        raise ApplicationError(
            _("This evaluation is already submitted."), record=_record(evaluation), field="state"
        )
    with transaction.atomic():
        evaluation = _apply(
            actor=actor, evaluation=evaluation, revision=revision, answers=answers, comment=comment
        )
        spec = version_spec(evaluation.scorecard_version)
        missing = scoring.missing_answers(spec, _engine_answers(evaluation))
        if missing:
            titles = {c.key: c.title for c in spec.criteria()}
            raise ApplicationError(
                _("Answer every criterion before submitting: «%(title)s» has no answer.")
                % {"title": titles[missing[0]]},
                record=_record(evaluation),
                field=f"answers.{missing[0]}",
                extra={"missing": list(missing)},
            )
        if evaluation.purpose == Evaluation.Purpose.OFFICIAL:
            _refuse_second_official(evaluation.conversation, exclude=evaluation.pk)
        evaluation.state = Evaluation.State.SUBMITTED
        evaluation.submitted_at = timezone.now()
        evaluation.save(update_fields=["state", "submitted_at", "updated_at"])
        audit_record(
            actor=actor,
            action="evaluation.submit",
            entity=evaluation,
            changes={
                "state": [Evaluation.State.DRAFT, Evaluation.State.SUBMITTED],
                "score_percent": [None, evaluation.score_percent],
            },
        )
        notify_operator(evaluation, "evaluation.new")
    return evaluation


def evaluation_acknowledge(*, actor: Any, evaluation: Evaluation) -> Evaluation:
    """The evaluated operator confirms having read the evaluation (idempotent)."""
    if not is_evaluated_operator(actor, evaluation):
        raise ApplicationError(
            _("Only the evaluated operator can acknowledge an evaluation."), status_code=403
        )
    if evaluation.state != Evaluation.State.SUBMITTED:
        raise ApplicationError(
            _("Only a submitted evaluation can be acknowledged."),
            record=_record(evaluation),
            field="state",
        )
    if evaluation.acknowledged_at is not None:
        return evaluation
    with transaction.atomic():
        evaluation.acknowledged_at = timezone.now()
        evaluation.save(update_fields=["acknowledged_at", "updated_at"])
        audit_record(
            actor=actor,
            action="evaluation.acknowledge",
            entity=evaluation,
            changes={"acknowledged_at": [None, evaluation.acknowledged_at.isoformat()]},
        )
    return evaluation


def evaluation_preview(*, evaluation: Evaluation, answers: Iterable[AnswerInput]) -> types.Score:
    """The score the given answers would give, without storing anything (live score)."""
    spec = version_spec(evaluation.scorecard_version)
    merged = {a.criterion: a for a in _engine_answers(evaluation)}
    for item in answers:
        answers_check.criterion_of(spec, item.criterion, evaluation)
        merged[item.criterion] = types.Answer(item.criterion, item.value)
    try:
        return scoring.score(spec, list(merged.values()), allow_missing=True)
    except scoring.ScoringError as error:
        raise answers_check.scoring_error(error, evaluation) from error


def is_evaluated_operator(actor: Any, evaluation: Evaluation) -> bool:
    """True when the actor is the login of the operator whose conversation was evaluated."""
    operator = evaluation.conversation.operator
    return operator.user_id is not None and operator.user_id == getattr(actor, "pk", None)


def apply_answers(
    *,
    actor: Any,
    evaluation: Evaluation,
    revision: int,
    answers: Iterable[AnswerInput],
    action: str,
) -> dict[str, list[str]]:
    """Change answers as part of another write (a dispute decision); returns what changed.

    Call inside a transaction. Permission checks are the caller's.
    """
    before = {a.criterion: a.verdict for a in evaluation.answers.all()}
    _apply(
        actor=actor,
        evaluation=evaluation,
        revision=revision,
        answers=answers,
        comment=None,
        action=action,
    )
    after = {a.criterion: a.verdict for a in evaluation.answers.all()}
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _apply(
    *,
    actor: Any,
    evaluation: Evaluation,
    revision: int,
    answers: Iterable[AnswerInput],
    comment: str | None,
    action: str = "evaluation.save",
) -> Evaluation:
    spec = version_spec(evaluation.scorecard_version)
    turns = evaluation.conversation.turns or []
    cleaned = [answers_check.clean(spec, item, turns, evaluation) for item in answers]
    evaluation_preview(evaluation=evaluation, answers=cleaned)  # validates values before writing
    _bump_revision(evaluation, revision)
    existing = {a.criterion: a for a in evaluation.answers.all()}
    places = {c.key: (stage.key, c) for stage in spec.stages for c in stage.criteria}
    changes: dict[str, list[Any]] = {}
    for item in cleaned:
        stage_key, criterion = places[item.criterion]
        verdict = scoring.verdict(criterion, item.value)
        old = existing.get(item.criterion)
        new_state = {
            "verdict": verdict,
            "comment": item.comment,
            "evidence": list(item.evidence),
        }
        old_state = (
            {"verdict": old.verdict, "comment": old.comment, "evidence": old.evidence}
            if old
            else None
        )
        if old_state == new_state:
            continue
        changes[item.criterion] = [old_state, new_state]
        if old is None:
            Answer.objects.create(
                evaluation=evaluation,
                criterion=item.criterion,
                stage=stage_key,
                value=item.value,
                verdict=verdict,
                comment=item.comment,
                evidence=list(item.evidence),
                origin=Answer.Origin.MANUAL,
            )
            continue
        # An auto answer the analyst keeps stays "auto" (accepted); a changed one is theirs.
        if old.verdict != verdict:
            old.origin = Answer.Origin.MANUAL
        old.value, old.verdict = item.value, verdict
        old.comment, old.evidence = item.comment, list(item.evidence)
        old.save(update_fields=["value", "verdict", "comment", "evidence", "origin"])
    if comment is not None and comment != evaluation.comment:
        changes["comment"] = [evaluation.comment, comment]
        evaluation.comment = comment
        evaluation.save(update_fields=["comment"])
    old_score = evaluation.score_percent
    _rescore(evaluation)
    if evaluation.score_percent != old_score:
        changes["score_percent"] = [old_score, evaluation.score_percent]
    audit_record(
        actor=actor,
        action=action,
        entity=evaluation,
        changes={**changes, "revision": [revision, evaluation.revision]},
    )
    return evaluation


def _bump_revision(evaluation: Evaluation, revision: int) -> None:
    updated = Evaluation.objects.filter(pk=evaluation.pk, revision=revision).update(
        revision=F("revision") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise _conflict(evaluation)
    evaluation.revision = revision + 1


def _conflict(evaluation: Evaluation) -> ApplicationError:
    last = (
        AuditEvent.objects.filter(
            entity_type="evaluations.evaluation", entity_id=str(evaluation.pk)
        )
        .select_related("actor")
        .first()
    )
    who = (last.actor.get_full_name() or last.actor.username) if last and last.actor else "—"
    when = timezone.localtime(last.at).strftime("%d.%m.%Y %H:%M") if last else "—"
    return ApplicationError(
        _(
            "This evaluation was changed by %(who)s at %(when)s after you opened it. "
            "Your changes were not saved: reload the page to see the current answers."
        )
        % {"who": who, "when": when},
        record=_record(evaluation),
        field="revision",
        status_code=CONFLICT,
    )


def _engine_answers(evaluation: Evaluation) -> list[types.Answer]:
    return [types.Answer(a.criterion, a.value) for a in evaluation.answers.all()]


def _rescore(evaluation: Evaluation) -> None:
    spec = version_spec(evaluation.scorecard_version)
    result = scoring.score(spec, _engine_answers(evaluation), allow_missing=True)
    evaluation.score_percent = result.percent
    evaluation.earned = result.earned
    evaluation.maximum = result.maximum
    evaluation.critical_failed = result.critical_failed
    evaluation.stage_scores = {stage.stage: stage.percent for stage in result.stages}
    evaluation.save(
        update_fields=["score_percent", "earned", "maximum", "critical_failed", "stage_scores"]
    )


def _copy_auto_answers(evaluation: Evaluation) -> None:
    auto = (
        Evaluation.objects.filter(
            conversation=evaluation.conversation_id,
            scorecard_version=evaluation.scorecard_version_id,
            kind=Evaluation.Kind.AUTO,
        )
        .prefetch_related("answers")
        .first()
    )
    if auto is None:
        return
    Answer.objects.bulk_create(
        [
            Answer(
                evaluation=evaluation,
                criterion=a.criterion,
                stage=a.stage,
                value=a.value,
                verdict=a.verdict,
                confidence=a.confidence,
                evidence=a.evidence,
                comment=a.comment,
                origin=Answer.Origin.AUTO,
                auto_verdict=a.verdict,
            )
            for a in auto.answers.all()
        ]
    )


def _active_version(conversation: Conversation) -> ScorecardVersion:
    version = active_versions_by_channel().get(conversation.channel)
    if version is None:
        raise ApplicationError(
            _("No active scorecard for the channel %(channel)s: publish one first.")
            % {"channel": conversation.channel},
            record=conversation.external_id,
            field="channel",
        )
    return version


def _refuse_second_official(conversation: Conversation, exclude: int | None = None) -> None:
    done = Evaluation.objects.filter(
        conversation=conversation,
        kind=Evaluation.Kind.MANUAL,
        purpose=Evaluation.Purpose.OFFICIAL,
        state=Evaluation.State.SUBMITTED,
    ).exclude(pk=exclude)
    first = done.select_related("grader").first()
    if first is not None:
        who = first.grader.get_full_name() or first.grader.username if first.grader else "—"
        raise ApplicationError(
            _("This conversation already has an official evaluation by %(who)s.") % {"who": who},
            record=conversation.external_id,
            field="conversation",
            status_code=CONFLICT,
            extra={"evaluation": first.pk},
        )


def _check_may_grade(actor: Any, conversation: Conversation) -> None:
    condition = access.grading_filter(actor)
    allowed = access.can_grade(actor) and (
        condition is None
        or Operator.objects.filter(condition, pk=conversation.operator_id).exists()
    )
    if not allowed:
        raise ApplicationError(
            _("You cannot evaluate this operator's conversations."), status_code=403
        )


def _check_may_edit(actor: Any, evaluation: Evaluation) -> None:
    if evaluation.kind != Evaluation.Kind.MANUAL:
        raise ApplicationError(
            _("Automatic evaluations are changed by re-running auto-QA."),
            record=_record(evaluation),
            field="kind",
        )
    if evaluation.state == Evaluation.State.DRAFT and evaluation.grader_id != actor.pk:
        raise ApplicationError(_("This draft belongs to another grader."), status_code=403)
    _check_may_grade(actor, evaluation.conversation)


def notify_operator(evaluation: Evaluation, kind: str, **params: Any) -> None:
    """Tell the evaluated operator (if they have a login) about their evaluation."""
    user_id = evaluation.conversation.operator.user_id
    if user_id is None or evaluation.purpose not in (
        Evaluation.Purpose.OFFICIAL,
        Evaluation.Purpose.MYSTERY_SHOPPER,
    ):
        return
    notification_send(
        user_ids=[user_id],
        kind=kind,
        params={"score": evaluation.score_percent, "evaluation": evaluation.pk, **params},
        url=reverse("evaluations:detail", kwargs={"evaluation_id": evaluation.pk}),
    )


def _record(evaluation: Evaluation) -> str:
    return f"evaluation {evaluation.pk}"


def may_edit(actor: Any, evaluation: Evaluation) -> bool:
    """Whether the actor may change this evaluation's answers."""
    try:
        _check_may_edit(actor, evaluation)
    except ApplicationError:
        return False
    return True


def may_grade(actor: Any, conversation: Conversation) -> bool:
    """Whether the actor may evaluate this conversation."""
    try:
        _check_may_grade(actor, conversation)
    except ApplicationError:
        return False
    return True
