"""Pages about people: operators the user may see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from nastavnik.accounts import access, selectors
from nastavnik.evaluations import selectors as evaluation_selectors


@login_required
def operator_list(request):
    """Operators in the user's scope with team, grade, mentor and conversation count."""
    if not access.can_list_operators(request.user):
        raise PermissionDenied
    operators = selectors.operator_list(viewer=request.user)
    return render(request, "accounts/operator_list.html", {"operators": operators})


@login_required
def operator_detail(request, operator_id: int):
    """One operator's profile and latest conversations."""
    operator = selectors.operator_get(viewer=request.user, operator_id=operator_id)
    return render(
        request,
        "accounts/operator_detail.html",
        {
            "operator": operator,
            "latest": selectors.operator_latest_conversations(operator),
            "quality": evaluation_selectors.operator_quality(operator=operator),
        },
    )
