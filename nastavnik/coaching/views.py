"""Mystery shopper pages: scenarios, visit planning, one visit's conversation and results."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nastavnik.accounts import access
from nastavnik.coaching import selectors, services
from nastavnik.coaching.forms import (
    BLANK_BEHAVIOUR_ROWS,
    AttachForm,
    CancelForm,
    ScenarioForm,
    TranscriptForm,
    VisitPlanForm,
)
from nastavnik.coaching.models import MysteryVisit
from nastavnik.core.errors import ApplicationError

PAGE_SIZE = 50


def _require_manager(request) -> None:
    if not access.can_manage_mystery(request.user):
        raise PermissionDenied


@login_required
def visit_list(request):
    """Visits: every visit for those who run mystery shopping, own evaluated ones otherwise."""
    manager = access.can_manage_mystery(request.user)
    state = request.GET.get("state") if manager else None
    visits = selectors.visit_list(
        viewer=request.user, state=state if state in MysteryVisit.State.values else None
    )
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "coaching/mystery_visit_list.html",
        {"page": page, "manager": manager, "states": MysteryVisit.State.choices, "state": state},
    )


@login_required
def scenario_list(request):
    """Every scenario with its visit counts."""
    _require_manager(request)
    scenarios = selectors.scenario_list(viewer=request.user)
    return render(request, "coaching/mystery_scenario_list.html", {"scenarios": scenarios})


@login_required
def scenario_create(request):
    """A new scenario."""
    return _scenario_form(request, scenario=None)


@login_required
def scenario_edit(request, scenario_id: int):
    """Change a scenario's script, behaviours or state."""
    _require_manager(request)
    scenario = selectors.scenario_get(viewer=request.user, scenario_id=scenario_id)
    return _scenario_form(request, scenario=scenario)


def _scenario_form(request, *, scenario):
    _require_manager(request)
    initial = {}
    behaviours = []
    if scenario is not None:
        initial = {
            "title": scenario.title,
            "channel": scenario.channel,
            "script": scenario.script,
            "is_active": scenario.is_active,
        }
        behaviours = list(scenario.expected_behaviours)
    form = ScenarioForm(request.POST or None, initial=initial)
    if request.method == "POST":
        behaviours = form.behaviours()
        if form.is_valid():
            try:
                saved = services.scenario_save(
                    actor=request.user,
                    scenario=scenario,
                    expected_behaviours=behaviours,
                    **form.cleaned_data,
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("The scenario is saved."))
                return redirect("coaching:mystery_scenario_detail", scenario_id=saved.pk)
    rows = [row for row in behaviours if row.get("text") or row.get("criterion")]
    rows += [{"text": "", "criterion": ""}] * BLANK_BEHAVIOUR_ROWS
    return render(
        request,
        "coaching/mystery_scenario_form.html",
        {
            "form": form,
            "scenario": scenario,
            "rows": rows,
            "channels": selectors.criteria_by_channel(viewer=request.user),
        },
    )


@login_required
def scenario_detail(request, scenario_id: int):
    """The script, expected behaviours, visits and results of one scenario."""
    _require_manager(request)
    scenario = selectors.scenario_get(viewer=request.user, scenario_id=scenario_id)
    results = selectors.scenario_results(viewer=request.user, scenario=scenario)
    visits = selectors.visit_list(viewer=request.user, scenario=scenario)
    return render(
        request,
        "coaching/mystery_scenario_detail.html",
        {"scenario": scenario, "results": results, "visits": visits, "chart": results.chart()},
    )


@login_required
def visit_plan(request, scenario_id: int):
    """Assign the scenario to one or several operators on a date."""
    _require_manager(request)
    scenario = selectors.scenario_get(viewer=request.user, scenario_id=scenario_id)
    operators = selectors.operator_choices(viewer=request.user)
    form = VisitPlanForm(request.POST or None, operators=operators)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visits = services.visit_plan(
                actor=request.user,
                scenario=scenario,
                assignments=[
                    services.VisitAssignment(operator, data["planned_on"])
                    for operator in data["operators"]
                ],
                shopper_name=data["shopper_name"],
                notes=data["notes"],
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Visits planned: %(count)d.") % {"count": len(visits)})
            return redirect("coaching:mystery_scenario_detail", scenario_id=scenario.pk)
    return render(request, "coaching/mystery_visit_plan.html", {"form": form, "scenario": scenario})


@login_required
def visit_detail(request, visit_id: int):
    """One visit: scenario, conversation, evaluation, and (for QA) what to do next."""
    visit = selectors.visit_get(viewer=request.user, visit_id=visit_id)
    return render(
        request,
        "coaching/mystery_visit_detail.html",
        {
            "visit": visit,
            "behaviours": selectors.visit_behaviours(visit=visit),
            "manager": access.can_manage_mystery(request.user),
            "can_grade": access.can_grade(request.user),
            "attach_form": AttachForm(),
            "cancel_form": CancelForm(),
        },
    )


@require_POST
@login_required
def visit_attach(request, visit_id: int):
    """Link an imported conversation to the visit."""
    _require_manager(request)
    visit = selectors.visit_get(viewer=request.user, visit_id=visit_id)
    form = AttachForm(request.POST)
    if form.is_valid():
        try:
            services.visit_attach_conversation(actor=request.user, visit=visit, **form.cleaned_data)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The conversation is attached."))
    else:
        messages.error(request, _("Give the conversation's id, or its source and external id."))
    return redirect("coaching:mystery_visit_detail", visit_id=visit.pk)


@login_required
def visit_transcript(request, visit_id: int):
    """Type the visit's dialogue in; it becomes the visit's conversation."""
    _require_manager(request)
    visit = selectors.visit_get(viewer=request.user, visit_id=visit_id)
    form = TranscriptForm(request.POST or None, initial=selectors.transcript_initial(visit=visit))
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_record_transcript(
                actor=request.user,
                visit=visit,
                text=form.cleaned_data["transcript"],
                started_at=form.cleaned_data["started_at"],
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The dialogue is saved as the visit's conversation."))
            return redirect("coaching:mystery_visit_detail", visit_id=visit.pk)
    return render(request, "coaching/mystery_visit_transcript.html", {"form": form, "visit": visit})


@require_POST
@login_required
def visit_evaluate(request, visit_id: int):
    """Start (or reopen) the visit's evaluation and go to the evaluation page."""
    _require_manager(request)
    visit = selectors.visit_get(viewer=request.user, visit_id=visit_id)
    try:
        evaluation = services.visit_evaluate(actor=request.user, visit=visit)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("coaching:mystery_visit_detail", visit_id=visit.pk)
    return redirect("evaluations:edit", evaluation_id=evaluation.pk)


@require_POST
@login_required
def visit_cancel(request, visit_id: int):
    """Cancel a visit that has not been evaluated."""
    _require_manager(request)
    visit = selectors.visit_get(viewer=request.user, visit_id=visit_id)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.visit_cancel(actor=request.user, visit=visit, reason=reason)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The visit is cancelled."))
    return redirect("coaching:mystery_visit_detail", visit_id=visit.pk)


@login_required
def results(request):
    """Results per scenario and per operator over every evaluated visit."""
    _require_manager(request)
    return render(
        request,
        "coaching/mystery_results.html",
        {"results": selectors.results(viewer=request.user)},
    )
