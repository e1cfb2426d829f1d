"""Pages of the core: the user's notifications and the audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from nastavnik.core import notifications, selectors

PAGE_SIZE = 50


@login_required
def notification_list(request):
    """The user's notifications; POST marks them read (all, or the one given)."""
    if request.method == "POST":
        chosen = request.POST.get("id")
        notifications.notification_mark_read(
            actor=request.user, ids=[int(chosen)] if chosen and chosen.isdigit() else None
        )
        target = request.POST.get("next", "")
        return redirect(
            target if target.startswith("/") and not target.startswith("//") else "notifications"
        )
    page = Paginator(selectors.notification_list(viewer=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    items = [(n, notifications.notification_text(n)) for n in page.object_list]
    return render(request, "core/notification_list.html", {"page": page, "items": items})


@login_required
def audit_list(request):
    """Every recorded change: who, when, what, old → new."""
    filterset = selectors.audit_list(viewer=request.user, params=request.GET)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )
