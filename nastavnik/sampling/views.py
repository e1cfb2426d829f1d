"""Pages: the graders' queue with progress, and the sampling rules (QA leads, admins)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from nastavnik.accounts import access
from nastavnik.core.errors import ApplicationError
from nastavnik.sampling import selectors, services
from nastavnik.sampling.forms import QueueFilterForm, RuleForm

PAGE_SIZE = 50


@login_required
def queue_page(request):
    """The viewer's queue (everyone's for QA leads) with due dates, status and progress."""
    graders = selectors.queue_graders(viewer=request.user)
    form = QueueFilterForm(request.GET or None, graders=graders)
    filters = form.cleaned_data if form.is_valid() else {}
    grader_id, status = filters.get("grader"), filters.get("status") or None
    items = selectors.queue_list(viewer=request.user, grader_id=grader_id, status=status)
    progress = selectors.queue_progress(viewer=request.user, grader_id=grader_id)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sampling/queue_list.html",
        {
            "form": form,
            "page": Paginator(items, PAGE_SIZE).get_page(request.GET.get("page")),
            "progress": progress,
            "total": _sum_progress(progress),
            "sees_all": access.can_see_all_queues(request.user),
            "can_manage": access.can_manage_sampling(request.user),
            "query": query.urlencode(),
        },
    )


def _sum_progress(rows: list[selectors.GraderProgress]) -> selectors.GraderProgress:
    return selectors.GraderProgress(
        grader_id=None,
        grader="",
        total=sum(r.total for r in rows),
        done=sum(r.done for r in rows),
        overdue=sum(r.overdue for r in rows),
    )


@login_required
def rule_list(request):
    """Sampling rules with their quota, scope and graders."""
    rules = selectors.rule_list(viewer=request.user)
    return render(request, "sampling/rule_list.html", {"rules": rules})


@login_required
def rule_create(request):
    """A form for a new sampling rule."""
    if not access.can_manage_sampling(request.user):
        raise PermissionDenied
    return _rule_form(request, rule=None)


@login_required
def rule_edit(request, rule_id: int):
    """The form of an existing rule."""
    return _rule_form(request, rule=selectors.rule_get(viewer=request.user, rule_id=rule_id))


def _rule_form(request, *, rule):
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            if rule is None:
                services.sampling_rule_create(
                    actor=request.user,
                    graders=form.cleaned_data["graders"],
                    **form.rule_fields(),
                )
            else:
                services.sampling_rule_update(
                    actor=request.user,
                    rule=rule,
                    graders=form.cleaned_data["graders"],
                    **form.rule_fields(),
                )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, gettext("The sampling rule was saved."))
            return redirect("sampling:rule_list")
    return render(request, "sampling/rule_form.html", {"form": form, "rule": rule})


@require_POST
@login_required
def sample_now(request):
    """Run the morning sampling now (this week and month, paced) and report the result."""
    if not access.can_manage_sampling(request.user):
        raise PermissionDenied
    reports = services.sample_current_periods(actor=request.user)
    added = sum(report.created for report in reports)
    messages.success(
        request,
        gettext("Sampling added %(count)s conversations to the queues.") % {"count": added},
    )
    for report in reports:
        for problem in report.problems:
            messages.warning(request, problem)
    return redirect("sampling:rule_list")
