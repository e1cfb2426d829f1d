"""Writes for disputes: an operator appeals an answer or a whole evaluation; a reviewer decides.

A reviewer is a QA analyst or lead, or the head of support, and never the person who made
the evaluation or who raised the dispute. Accepting changes the disputed answers through the
same path as an analyst's save (validated, rescored, revision bumped, audited); the dispute
keeps the old and new verdicts and scores, so the history stays readable. See
docs/evaluations.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nastavnik.accounts import access
from nastavnik.accounts.models import Role, User
from nastavnik.core.audit import audit_record
from nastavnik.core.errors import ApplicationError
from nastavnik.core.notifications import notification_send
from nastavnik.evaluations import manual
from nastavnik.evaluations.models import Dispute, Evaluation
from nastavnik.scorecards.mappers import version_spec


def dispute_open(
    *, actor: Any, evaluation: Evaluation, criterion: str = "", reason: str
) -> Dispute:
    """The evaluated operator disputes one criterion (or, with none, the whole evaluation)."""
    if not manual.is_evaluated_operator(actor, evaluation):
        raise ApplicationError(
            _("Only the evaluated operator can dispute an evaluation."), status_code=403
        )
    record = f"evaluation {evaluation.pk}"
    if evaluation.kind != Evaluation.Kind.MANUAL or evaluation.state != "submitted":
        raise ApplicationError(
            _("Only a submitted evaluation made by a person can be disputed."),
            record=record,
            field="evaluation",
        )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why you disagree."), record=record, field="reason")
    title = _criterion_title(evaluation, criterion)
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                evaluation=evaluation, criterion=criterion, reason=reason, raised_by=actor
            )
            audit_record(
                actor=actor,
                action="dispute.open",
                entity=dispute,
                changes={
                    "evaluation": [None, evaluation.pk],
                    "criterion": [None, criterion],
                    "reason": [None, reason],
                },
            )
            notification_send(
                user_ids=_reviewers_to_tell(evaluation),
                kind="dispute.opened",
                params={
                    "operator": actor.get_full_name() or actor.username,
                    "criterion": title,
                    "evaluation": evaluation.pk,
                },
                url=reverse("evaluations:dispute_detail", kwargs={"dispute_id": dispute.pk}),
            )
    except IntegrityError as error:
        raise ApplicationError(
            _("This answer is already disputed; wait for the decision."),
            record=record,
            field="criterion",
            status_code=409,
        ) from error
    return dispute


def dispute_resolve(
    *,
    actor: Any,
    dispute: Dispute,
    accept: bool,
    comment: str = "",
    answers: Iterable[manual.AnswerInput] = (),
) -> Dispute:
    """Accept (changing the disputed answers and rescoring) or reject with an explanation."""
    evaluation = dispute.evaluation
    _check_reviewer(actor, dispute)
    record = f"dispute {dispute.pk}"
    comment = (comment or "").strip()
    answers = list(answers)
    if dispute.state != Dispute.State.OPEN:
        raise ApplicationError(
            _("This dispute is already decided."), record=record, field="state", status_code=409
        )
    if not accept and not comment:
        raise ApplicationError(
            _("Explain to the operator why the dispute is rejected."),
            record=record,
            field="comment",
        )
    if accept:
        _check_accepting_answers(dispute, answers, record)
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if locked.state != Dispute.State.OPEN:
            raise ApplicationError(
                _("This dispute is already decided."),
                record=record,
                field="state",
                status_code=409,
            )
        score_before = evaluation.score_percent
        changes: dict[str, list[Any]] = {}
        if accept:
            changes = manual.apply_answers(
                actor=actor,
                evaluation=evaluation,
                revision=evaluation.revision,
                answers=answers,
                action="evaluation.dispute_change",
            )
        dispute.state = Dispute.State.ACCEPTED if accept else Dispute.State.REJECTED
        dispute.reviewer = actor
        dispute.decided_at = timezone.now()
        dispute.decision_comment = comment
        dispute.changes = changes
        dispute.score_before = score_before
        dispute.score_after = evaluation.score_percent
        dispute.save()
        audit_record(
            actor=actor,
            action="dispute.accept" if accept else "dispute.reject",
            entity=dispute,
            changes={
                "state": [Dispute.State.OPEN, dispute.state],
                "decision_comment": [None, comment],
                "score_percent": [score_before, evaluation.score_percent],
                **{f"answers.{key}": value for key, value in changes.items()},
            },
        )
        manual.notify_operator(
            evaluation,
            "dispute.accepted" if accept else "dispute.rejected",
            criterion=_criterion_title(evaluation, dispute.criterion),
        )
    return dispute


def _check_reviewer(actor: Any, dispute: Dispute) -> None:
    evaluation = dispute.evaluation
    if not access.can_review_disputes(actor):
        raise ApplicationError(_("You cannot decide disputes."), status_code=403)
    if actor.pk in (evaluation.grader_id, dispute.raised_by_id):
        raise ApplicationError(
            _("A dispute is decided by someone other than the grader and the operator."),
            record=f"dispute {dispute.pk}",
            field="reviewer",
            status_code=403,
        )


def _check_accepting_answers(
    dispute: Dispute, answers: list[manual.AnswerInput], record: str
) -> None:
    if not answers:
        raise ApplicationError(
            _("Give the corrected answer to accept the dispute."),
            record=record,
            field=f"answers.{dispute.criterion}" if dispute.criterion else "answers",
        )
    if dispute.criterion and any(a.criterion != dispute.criterion for a in answers):
        raise ApplicationError(
            _("Only the disputed criterion can be changed by this decision."),
            record=record,
            field="answers",
        )


def _criterion_title(evaluation: Evaluation, criterion: str) -> str:
    if not criterion:
        return _("the whole evaluation")
    spec = version_spec(evaluation.scorecard_version)
    for item in spec.criteria():
        if item.key == criterion:
            return item.title
    raise ApplicationError(
        _("The scorecard has no criterion %(key)s.") % {"key": criterion},
        record=f"evaluation {evaluation.pk}",
        field="criterion",
    )


def _reviewers_to_tell(evaluation: Evaluation) -> list[int]:
    """The grader and the QA leads hear of a new dispute."""
    leads = User.objects.filter(is_active=True, role_assignments__role=Role.QA_LEAD).values_list(
        "pk", flat=True
    )
    ids = list(leads)
    if evaluation.grader_id is not None:
        ids.insert(0, evaluation.grader_id)
    return ids
