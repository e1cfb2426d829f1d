"""Pages that belong to no single app: the overview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from nastavnik.web import selectors


@login_required
def home(request):
    """The signed-in user's overview: what they can see, at a glance."""
    return render(
        request,
        "web/home.html",
        {
            "overview": selectors.overview(viewer=request.user),
            "todo": selectors.todo(viewer=request.user),
        },
    )
