"""Reads for the queue and the sampling rules, scoped through accounts/access.py.

An item is done when a submitted manual evaluation of its conversation exists — derived
by querying, so the evaluation code needs no hook into the queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from nastavnik.accounts import access
from nastavnik.accounts.models import User
from nastavnik.evaluations.models import Evaluation
from nastavnik.sampling.models import QueueItem, SamplingRule

STATUS_OPEN = "open"
STATUS_DONE = "done"
STATUS_OVERDUE = "overdue"
STATUSES = (STATUS_OPEN, STATUS_OVERDUE, STATUS_DONE)


def _submitted_manual() -> Exists:
    return Exists(
        Evaluation.objects.filter(
            conversation=OuterRef("conversation"),
            kind=Evaluation.Kind.MANUAL,
            state=Evaluation.State.SUBMITTED,
        )
    )


def with_status(items: QuerySet[QueueItem]) -> QuerySet[QueueItem]:
    """Queue items with ``is_done``, ``has_draft`` (the grader's own) and ``is_overdue``."""
    return items.annotate(
        is_done=_submitted_manual(),
        has_draft=Exists(
            Evaluation.objects.filter(
                conversation=OuterRef("conversation"),
                kind=Evaluation.Kind.MANUAL,
                state=Evaluation.State.DRAFT,
                grader=OuterRef("grader"),
            )
        ),
    ).annotate(
        is_overdue=ExpressionWrapper(
            Q(is_done=False, due_at__lt=timezone.now()), output_field=BooleanField()
        )
    )


def open_items(items: QuerySet[QueueItem]) -> QuerySet[QueueItem]:
    """The items still waiting for a submitted manual evaluation."""
    return items.exclude(_submitted_manual())


def _visible_items(viewer) -> QuerySet[QueueItem]:
    if not (access.can_grade(viewer) or access.can_see_all_queues(viewer)):
        raise PermissionDenied
    items = QueueItem.objects.all()
    if not access.can_see_all_queues(viewer):
        items = items.filter(grader=viewer)
    # Never an item about an operator the viewer may not see, whoever it is assigned to.
    return access.scope_by_operator(items, viewer, through="conversation__operator")


def queue_list(
    *, viewer, grader_id: int | None = None, status: str | None = None
) -> QuerySet[QueueItem]:
    """The viewer's queue (everyone's for QA leads, admins and heads), optionally filtered."""
    items = with_status(_visible_items(viewer))
    if grader_id is not None and access.can_see_all_queues(viewer):
        items = items.filter(grader_id=grader_id)
    if status == STATUS_DONE:
        items = items.filter(is_done=True)
    elif status == STATUS_OPEN:
        items = items.filter(is_done=False)
    elif status == STATUS_OVERDUE:
        items = items.filter(is_overdue=True)
    return items.select_related(
        "conversation", "conversation__operator", "grader", "rule"
    ).order_by("is_done", "due_at", "id")


@dataclass(frozen=True)
class GraderProgress:
    """One grader's queue: items done out of all, and how many open ones are overdue."""

    grader_id: int | None
    grader: str
    total: int
    done: int
    overdue: int

    @property
    def percent(self) -> int:
        """Done in whole percent (0 for an empty queue)."""
        return round(100 * self.done / self.total) if self.total else 0


def queue_progress(*, viewer, grader_id: int | None = None) -> list[GraderProgress]:
    """Done/total and overdue per grader the viewer may see (only themself for a grader)."""
    items = with_status(_visible_items(viewer))
    if grader_id is not None and access.can_see_all_queues(viewer):
        items = items.filter(grader_id=grader_id)
    rows = (
        items.values("grader_id", "grader__full_name", "grader__username")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(is_done=True)),
            overdue=Count("id", filter=Q(is_overdue=True)),
        )
        .order_by("grader__full_name", "grader__username", "grader_id")
    )
    return [
        GraderProgress(
            grader_id=row["grader_id"],
            grader=row["grader__full_name"] or row["grader__username"] or "—",
            total=row["total"],
            done=row["done"],
            overdue=row["overdue"],
        )
        for row in rows
    ]


def queue_graders(*, viewer) -> QuerySet[User]:
    """Graders who have items, for the filter of someone who sees every queue."""
    if not access.can_see_all_queues(viewer):
        return User.objects.none()
    return (
        User.objects.filter(queue_items__isnull=False).distinct().order_by("full_name", "username")
    )


def _require_manager(viewer) -> None:
    if not access.can_manage_sampling(viewer):
        raise PermissionDenied


def rule_list(*, viewer) -> QuerySet[SamplingRule]:
    """Every sampling rule with its team and graders (QA leads and admins only)."""
    _require_manager(viewer)
    return (
        SamplingRule.objects.select_related("team")
        .prefetch_related("graders")
        .annotate(item_count=Count("queue_items"))
        .order_by("-is_active", "name", "id")
    )


def rule_get(*, viewer, rule_id: int) -> SamplingRule:
    """One rule, 403 for anyone who may not manage sampling, 404 when it does not exist."""
    _require_manager(viewer)
    rule = SamplingRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404("No such sampling rule")
    return rule


def grader_candidates() -> QuerySet[User]:
    """Active users who evaluate conversations: the choices for a rule's graders."""
    return (
        User.objects.filter(is_active=True, role_assignments__role__in=access.GRADER_ROLES)
        .distinct()
        .order_by("full_name", "username")
    )
