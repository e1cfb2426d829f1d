"""THE role → data scoping rules. Every selector scopes its queryset through here.

* admin, head, QA lead, QA analyst: every operator's data;
* team lead: the operators of the teams they lead;
* mentor: their own mentees;
* operator: only their own data;
* trainer: no individual operator's conversations (trainers work with aggregates and
  with material published to them; see docs/decisions/0004-access-model.md).

A user with several roles gets the union. Anything not granted is invisible: selectors
return 404 for it, so a guessed URL reveals nothing.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from nastavnik.accounts.models import Role

FULL_ACCESS_ROLES = frozenset({Role.ADMIN, Role.HEAD, Role.QA_LEAD, Role.QA_ANALYST})
IMPORT_ROLES = frozenset({Role.ADMIN, Role.QA_LEAD, Role.QA_ANALYST})
SCORECARD_EDIT_ROLES = frozenset({Role.ADMIN, Role.QA_LEAD, Role.QA_ANALYST})
GRADER_ROLES = frozenset({Role.QA_LEAD, Role.QA_ANALYST, Role.TEAM_LEAD, Role.MENTOR})
REVIEWER_ROLES = frozenset({Role.QA_LEAD, Role.QA_ANALYST, Role.HEAD})
AUDIT_ROLES = frozenset({Role.ADMIN, Role.HEAD, Role.QA_LEAD})
MYSTERY_ROLES = frozenset({Role.ADMIN, Role.HEAD, Role.QA_LEAD, Role.QA_ANALYST})
NOTHING = Q(pk__in=[])


def roles_of(viewer) -> frozenset[str]:
    """The viewer's roles, or none for an anonymous or inactive user."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return frozenset()
    if not viewer.is_active:
        return frozenset()
    return viewer.roles


def sees_everything(viewer) -> bool:
    """True for roles that see every operator's data."""
    return bool(roles_of(viewer) & FULL_ACCESS_ROLES)


def can_import(viewer) -> bool:
    """Who may upload conversation files."""
    return bool(roles_of(viewer) & IMPORT_ROLES)


def can_edit_scorecards(viewer) -> bool:
    """Who may create, edit, activate, archive and import scorecards."""
    return bool(roles_of(viewer) & SCORECARD_EDIT_ROLES)


def can_see_trust(viewer) -> bool:
    """Who sees the auto-QA trust page: admins, heads of support, QA leads and analysts."""
    return bool(roles_of(viewer) & FULL_ACCESS_ROLES)


def can_manage_mystery(viewer) -> bool:
    """Who runs mystery shopping (scenarios, visits, results): QA, head of support, admin."""
    return bool(roles_of(viewer) & MYSTERY_ROLES)


def can_list_operators(viewer) -> bool:
    """Who has an operators page: anyone who may see someone other than themself."""
    return bool(roles_of(viewer) - {Role.OPERATOR, Role.TRAINER})


def can_grade(viewer) -> bool:
    """Who evaluates conversations: QA analysts and leads; mentors and team leads (their own)."""
    return bool(roles_of(viewer) & GRADER_ROLES)


def can_review_disputes(viewer) -> bool:
    """Who decides operators' disputes: QA analysts and leads, and the head of support."""
    return bool(roles_of(viewer) & REVIEWER_ROLES)


def can_read_audit(viewer) -> bool:
    """Who reads the audit log of every change."""
    return bool(roles_of(viewer) & AUDIT_ROLES)


SAMPLING_MANAGER_ROLES = frozenset({Role.ADMIN, Role.QA_LEAD})
QUEUE_OVERSIGHT_ROLES = frozenset({Role.ADMIN, Role.HEAD, Role.QA_LEAD})


def can_manage_sampling(viewer) -> bool:
    """Who edits sampling rules and runs sampling: QA leads and administrators."""
    return bool(roles_of(viewer) & SAMPLING_MANAGER_ROLES)


def can_see_all_queues(viewer) -> bool:
    """Who sees every grader's queue and progress: QA leads, administrators, heads."""
    return bool(roles_of(viewer) & QUEUE_OVERSIGHT_ROLES)


def grading_filter(viewer, prefix: str = "") -> Q | None:
    """A Q over operators whose conversations the viewer may evaluate; None = all of them.

    QA analysts and leads evaluate everyone; team leads their teams; mentors their mentees.
    Seeing an operator is not enough: a head of support sees everyone but does not grade.
    """
    roles = roles_of(viewer) & GRADER_ROLES
    if roles & {Role.QA_LEAD, Role.QA_ANALYST}:
        return None
    return operator_filter(viewer, prefix, roles=roles)


def operator_filter(viewer, prefix: str = "", *, roles: frozenset[str] | None = None) -> Q | None:
    """A Q over operators (optionally through ``prefix``) the viewer may see; None = all.

    ``roles`` narrows the viewer's roles to those given (e.g. only the grading ones).
    """
    roles = roles_of(viewer) if roles is None else roles_of(viewer) & roles
    if roles & FULL_ACCESS_ROLES:
        return None
    condition = NOTHING
    if Role.OPERATOR in roles:
        profile_id = _own_operator_id(viewer)
        if profile_id is not None:
            condition |= Q(**{f"{prefix}pk": profile_id})
    if Role.MENTOR in roles:
        condition |= Q(**{f"{prefix}mentor": viewer})
    if Role.TEAM_LEAD in roles:
        condition |= Q(**{f"{prefix}team__lead": viewer})
    return condition


def scope_operators(queryset: QuerySet, viewer) -> QuerySet:
    """Operators the viewer may see."""
    condition = operator_filter(viewer)
    return queryset if condition is None else queryset.filter(condition)


def scope_by_operator(queryset: QuerySet, viewer, *, through: str = "operator") -> QuerySet:
    """Rows belonging to operators the viewer may see (conversations, evaluations…)."""
    condition = operator_filter(viewer, prefix=f"{through}__")
    return queryset if condition is None else queryset.filter(condition)


def _own_operator_id(viewer) -> int | None:
    cached = getattr(viewer, "_nastavnik_operator_id", False)
    if cached is not False:
        return cached
    from nastavnik.accounts.models import Operator

    operator_id = Operator.objects.filter(user=viewer).values_list("pk", flat=True).first()
    viewer._nastavnik_operator_id = operator_id
    return operator_id
