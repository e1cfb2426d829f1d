"""Template context shared by every page."""

from __future__ import annotations

from nastavnik.accounts.models import Role
from nastavnik.core import selectors as core_selectors
from nastavnik.web.navigation import navigation_for


def navigation(request) -> dict:
    """The menu and the user's role names for the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    labels = dict(Role.choices)
    return {
        "navigation": navigation_for(user),
        "user_role_names": [labels[r] for r in sorted(user.roles) if r in labels],
        "notification_unread": core_selectors.notification_unread_count(viewer=user),
    }
