"""Writes for users, teams and operators."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from nastavnik.accounts.models import Operator, OperatorExternalId, Role, Team, User, UserRole
from nastavnik.core.audit import audit_record
from nastavnik.core.errors import ApplicationError


class OperatorReference(Protocol):
    """How an imported record names its operator (a Conversation or a prepared row)."""

    source: str
    operator: str
    operator_name: str
    team: str


class OperatorResolver:
    """Maps ``(source, operator external id)`` of imported records to operator and team ids.

    Operators and teams unknown so far are created on the fly, so data can arrive
    before anyone has set up logins. Results are cached for the life of one import.
    """

    def __init__(self) -> None:
        self._operators: dict[tuple[str, str], int] = {}
        self._operator_team: dict[int, int | None] = {}
        self._teams: dict[str, int] = {}
        self.created = 0

    def resolve(
        self, conversations: Iterable[OperatorReference]
    ) -> dict[tuple[str, str], tuple[int, int | None]]:
        """Operator id and team id for each record's ``(source, operator)``."""
        wanted: dict[tuple[str, str], OperatorReference] = {}
        for conversation in conversations:
            wanted.setdefault((conversation.source, conversation.operator), conversation)
        missing = [key for key in wanted if key not in self._operators]
        if missing:
            self._load(missing)
        result: dict[tuple[str, str], tuple[int, int | None]] = {}
        for key, conversation in wanted.items():
            if key not in self._operators:
                self._create(key, conversation)
            operator_id = self._operators[key]
            team_id = self._team_id(conversation.team) if conversation.team else None
            result[key] = (operator_id, team_id or self._operator_team.get(operator_id))
        return result

    def _load(self, keys: list[tuple[str, str]]) -> None:
        by_source: dict[str, list[str]] = {}
        for source, external_id in keys:
            by_source.setdefault(source, []).append(external_id)
        for source, external_ids in by_source.items():
            rows = OperatorExternalId.objects.filter(
                source=source, external_id__in=external_ids
            ).values_list("external_id", "operator_id", "operator__team_id")
            for external_id, operator_id, team_id in rows:
                self._operators[(source, external_id)] = operator_id
                self._operator_team[operator_id] = team_id

    def _create(self, key: tuple[str, str], conversation: OperatorReference) -> None:
        source, external_id = key
        team_id = self._team_id(conversation.team) if conversation.team else None
        try:
            with transaction.atomic():
                operator = Operator.objects.create(
                    full_name=conversation.operator_name or external_id, team_id=team_id
                )
                OperatorExternalId.objects.create(
                    operator=operator, source=source, external_id=external_id
                )
        except IntegrityError:
            # Another import created the same operator meanwhile: use theirs.
            self._load([key])
            return
        self.created += 1
        self._operators[key] = operator.pk
        self._operator_team[operator.pk] = team_id

    def _team_id(self, name: str) -> int:
        if name not in self._teams:
            team, _ = Team.objects.get_or_create(name=name)
            self._teams[name] = team.pk
        return self._teams[name]


def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    roles: Iterable[str],
    full_name: str = "",
    email: str = "",
) -> User:
    """Create a login with a set of roles."""
    roles = sorted(set(roles))
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ApplicationError(_unknown_roles(unknown), field="roles")
    if User.objects.filter(username=username).exists():
        raise ApplicationError(
            gettext("The login “%(username)s” is taken") % {"username": username}, field="username"
        )
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password,
            full_name=full_name,
            email=email,
            is_staff=Role.ADMIN in roles,
            is_superuser=Role.ADMIN in roles,
        )
        UserRole.objects.bulk_create([UserRole(user=user, role=role) for role in roles])
        audit_record(
            actor=actor,
            action="user.create",
            entity=user,
            changes={"username": [None, username], "roles": [None, roles]},
        )
    return user


def user_set_roles(*, actor: Any, user: User, roles: Iterable[str]) -> User:
    """Replace the user's roles."""
    new = sorted(set(roles))
    unknown = set(new) - set(Role.values)
    if unknown:
        raise ApplicationError(_unknown_roles(unknown), field="roles")
    old = sorted(user.role_assignments.values_list("role", flat=True))
    with transaction.atomic():
        user.role_assignments.exclude(role__in=new).delete()
        UserRole.objects.bulk_create(
            [UserRole(user=user, role=role) for role in new], ignore_conflicts=True
        )
        audit_record(actor=actor, action="user.roles", entity=user, changes={"roles": [old, new]})
    user.__dict__.pop("roles", None)
    return user


def _unknown_roles(unknown: set[str]) -> str:
    return gettext("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))}


def team_upsert(*, actor: Any, name: str, lead: User | None = None) -> Team:
    """Create a team or set its lead."""
    with transaction.atomic():
        team, created = Team.objects.get_or_create(name=name)
        old_lead = team.lead_id
        if lead is not None and team.lead_id != lead.pk:
            team.lead = lead
            team.save(update_fields=["lead"])
        audit_record(
            actor=actor,
            action="team.create" if created else "team.update",
            entity=team,
            changes={"lead": [old_lead, team.lead_id]},
        )
    return team


def operator_update(
    *,
    actor: Any,
    operator: Operator,
    full_name: str | None = None,
    team: Team | None = None,
    grade: str | None = None,
    hired_at: date | None = None,
    mentor: User | None = None,
    user: User | None = None,
    is_active: bool | None = None,
) -> Operator:
    """Change an operator's profile; every changed field goes to the audit log."""
    new = {
        "full_name": full_name,
        "team_id": team.pk if team else None,
        "grade": grade,
        "hired_at": hired_at,
        "mentor_id": mentor.pk if mentor else None,
        "user_id": user.pk if user else None,
        "is_active": is_active,
    }
    given = {key: value for key, value in new.items() if value is not None}
    old = {key: getattr(operator, key) for key in given}
    changes = {k: [str(old[k]), str(v)] for k, v in given.items() if old[k] != v}
    if not changes:
        return operator
    with transaction.atomic():
        for key, value in given.items():
            setattr(operator, key, value)
        operator.save(update_fields=list(given))
        audit_record(actor=actor, action="operator.update", entity=operator, changes=changes)
    return operator
