"""Role-aware navigation: which sections a user sees in the menu."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nastavnik.accounts import access
from nastavnik.accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: frozenset[str] | None  # None: every signed-in user


ALL_STAFF = frozenset(Role.values) - {Role.OPERATOR}
NAV_ITEMS = (
    NavItem("home", _("Overview"), None),
    NavItem("conversations:list", _("Conversations"), frozenset(Role.values) - {Role.TRAINER}),
    NavItem("accounts:operator_list", _("Operators"), ALL_STAFF - {Role.TRAINER}),
    NavItem(
        "sampling:queue",
        _("Evaluation queue"),
        access.GRADER_ROLES | access.QUEUE_OVERSIGHT_ROLES,
    ),
    NavItem("evaluations:list", _("Evaluations"), frozenset(Role.values) - {Role.TRAINER}),
    NavItem("scorecards:list", _("Scorecards"), None),
    NavItem("evaluations:trust", _("Auto-QA trust"), access.FULL_ACCESS_ROLES),
    NavItem("conversations:import", _("Import"), access.IMPORT_ROLES),
    NavItem("audit", _("Audit log"), access.AUDIT_ROLES),
    NavItem(
        "coaching:mystery_visits",
        _("Mystery shopper"),
        access.MYSTERY_ROLES | {Role.OPERATOR, Role.TEAM_LEAD, Role.MENTOR},
    ),
    NavItem("api-docs", _("API"), None),
)


def navigation_for(user) -> list[dict]:
    """Menu entries for the user, in order."""
    roles = access.roles_of(user)
    if not roles and not getattr(user, "is_authenticated", False):
        return []
    return [
        {"url": reverse(item.url_name), "label": item.label, "name": item.url_name}
        for item in NAV_ITEMS
        if item.roles is None or roles & item.roles
    ]
