"""Evaluation pages: the list, the analyst's page beside the transcript, disputes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nastavnik.accounts import access
from nastavnik.conversations import selectors as conversation_selectors
from nastavnik.core.errors import ApplicationError
from nastavnik.evaluations import disputes, forms, manual, selectors

PAGE_SIZE = 50


@login_required
def evaluation_list(request):
    """Manual evaluations the user may see (an operator: their own)."""
    filterset = selectors.evaluation_list(viewer=request.user, params=request.GET)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evaluations/evaluation_list.html", {"filter": filterset, "page": page})


@require_POST
@login_required
def evaluation_start(request, conversation_id: int):
    """Create (or reopen) the caller's draft evaluation of a conversation."""
    conversation = conversation_selectors.conversation_get(
        viewer=request.user, conversation_id=conversation_id
    )
    try:
        evaluation = manual.evaluation_start(
            actor=request.user,
            conversation=conversation,
            purpose=request.POST.get("purpose", "official"),
            from_auto=request.POST.get("from_auto") == "1",
        )
    except ApplicationError as error:
        if "evaluation" not in error.extra:
            raise
        messages.warning(request, error.message)
        return redirect("evaluations:detail", evaluation_id=error.extra["evaluation"])
    return redirect("evaluations:edit", evaluation_id=evaluation.pk)


@login_required
def evaluation_detail(request, evaluation_id: int):
    """An evaluation with rules and evidence; the operator acknowledges or disputes here."""
    evaluation = selectors.evaluation_get(viewer=request.user, evaluation_id=evaluation_id)
    return render(request, "evaluations/evaluation_detail.html", _page_context(request, evaluation))


@login_required
def evaluation_edit(request, evaluation_id: int):
    """The transcript beside the scorecard: answer, attach evidence, save or submit."""
    evaluation = selectors.evaluation_get(viewer=request.user, evaluation_id=evaluation_id)
    if not manual.may_edit(request.user, evaluation):
        raise PermissionDenied
    context = _page_context(request, evaluation)
    context.update(fields=forms.edit_fields(context["page"]), comment=evaluation.comment)
    if request.method != "POST":
        return render(request, "evaluations/evaluation_edit.html", context)
    submit = request.POST.get("action") == "submit"
    try:
        answers = forms.answers_from_post(request.POST, context["page"].spec)
        service = manual.evaluation_submit if submit else manual.evaluation_save
        service(
            actor=request.user,
            evaluation=evaluation,
            revision=int(request.POST.get("revision") or 0),
            answers=answers,
            comment=request.POST.get("comment", ""),
        )
    except ApplicationError as error:
        context.update(
            error=error,
            fields=forms.edit_fields(context["page"], request.POST),
            comment=request.POST.get("comment", ""),
        )
        return render(
            request, "evaluations/evaluation_edit.html", context, status=error.status_code
        )
    if submit:
        messages.success(request, _("The evaluation is submitted; the operator is notified."))
        return redirect("evaluations:detail", evaluation_id=evaluation.pk)
    messages.success(request, _("Draft saved."))
    return redirect("evaluations:edit", evaluation_id=evaluation.pk)


@require_POST
@login_required
def evaluation_preview(request, evaluation_id: int):
    """The live score of the answers on the page (nothing is stored)."""
    evaluation = selectors.evaluation_get(viewer=request.user, evaluation_id=evaluation_id)
    spec = selectors.version_spec(evaluation.scorecard_version)
    try:
        score = manual.evaluation_preview(
            evaluation=evaluation, answers=forms.answers_from_post(request.POST, spec)
        )
    except ApplicationError as error:
        return render(request, "evaluations/_live_score.html", {"error": error})
    return render(
        request,
        "evaluations/_live_score.html",
        {"score": score, "stages": list(zip(spec.stages, score.stages, strict=True))},
    )


@require_POST
@login_required
def evaluation_acknowledge(request, evaluation_id: int):
    """The operator confirms having read the evaluation."""
    evaluation = selectors.evaluation_get(viewer=request.user, evaluation_id=evaluation_id)
    manual.evaluation_acknowledge(actor=request.user, evaluation=evaluation)
    messages.success(request, _("Thank you: the evaluation is acknowledged."))
    return redirect("evaluations:detail", evaluation_id=evaluation.pk)


@require_POST
@login_required
def dispute_open(request, evaluation_id: int):
    """The operator disputes a criterion or the whole evaluation."""
    evaluation = selectors.evaluation_get(viewer=request.user, evaluation_id=evaluation_id)
    try:
        disputes.dispute_open(
            actor=request.user,
            evaluation=evaluation,
            criterion=request.POST.get("criterion", ""),
            reason=request.POST.get("reason", ""),
        )
    except ApplicationError as error:
        if error.status_code == 403:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("The dispute is sent to a reviewer."))
    return redirect("evaluations:detail", evaluation_id=evaluation.pk)


@login_required
def dispute_list(request):
    """Disputes: reviewers see those to decide, operators their own."""
    state = request.GET.get("state", "open")
    items = selectors.dispute_list(viewer=request.user, state=state if state != "all" else "")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluations/dispute_list.html",
        {
            "page": page,
            "state": state,
            "query": f"state={state}",
            "can_review": access.can_review_disputes(request.user),
        },
    )


@login_required
def dispute_detail(request, dispute_id: int):
    """One dispute beside its evaluation; a reviewer accepts or rejects it here."""
    dispute = selectors.dispute_get(viewer=request.user, dispute_id=dispute_id)
    context = {"dispute": dispute, **_page_context(request, dispute.evaluation)}
    if request.method == "POST":
        spec = context["page"].spec
        try:
            disputes.dispute_resolve(
                actor=request.user,
                dispute=dispute,
                accept=request.POST.get("decision") == "accept",
                comment=request.POST.get("comment", ""),
                answers=forms.answers_from_post(request.POST, spec),
            )
        except ApplicationError as error:
            if error.status_code == 403:
                raise
            context.update(error=error, posted=request.POST)
            return render(request, "evaluations/dispute_detail.html", context, status=400)
        messages.success(request, _("The decision is saved; the operator is notified."))
        return redirect("evaluations:dispute_detail", dispute_id=dispute.pk)
    return render(request, "evaluations/dispute_detail.html", context)


def _page_context(request, evaluation) -> dict:
    page = selectors.evaluation_page(evaluation=evaluation)
    conversation = evaluation.conversation
    return {
        "page": page,
        "evaluation": evaluation,
        "conversation": conversation,
        "turns": selectors.highlighted_turns(
            conversation_selectors.turns_for_display(conversation),
            selectors.evaluation_views_of([evaluation]),
        ),
        "can_edit": manual.may_edit(request.user, evaluation),
        "is_operator": manual.is_evaluated_operator(request.user, evaluation),
        "can_review": access.can_review_disputes(request.user),
    }
