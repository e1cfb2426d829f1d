"""Conversation pages: list with filters, transcript, import with progress."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from nastavnik.accounts import access
from nastavnik.conversations import selectors, services
from nastavnik.conversations.forms import ImportForm
from nastavnik.core import selectors as core_selectors
from nastavnik.core.errors import ApplicationError
from nastavnik.evaluations import manual
from nastavnik.evaluations import selectors as evaluation_selectors

PAGE_SIZE = 50


@login_required
def conversation_list(request):
    """Filtered, paginated list of the conversations the user may see."""
    filterset = selectors.conversation_list(viewer=request.user, params=request.GET)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "conversations/conversation_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@login_required
def conversation_detail(request, conversation_id: int):
    """The transcript of one conversation as a dialogue."""
    conversation = selectors.conversation_get(viewer=request.user, conversation_id=conversation_id)
    evaluations = evaluation_selectors.evaluation_views(conversation=conversation)
    turns = evaluation_selectors.highlighted_turns(
        selectors.turns_for_display(conversation), evaluations
    )
    return render(
        request,
        "conversations/conversation_detail.html",
        {
            "conversation": conversation,
            "turns": turns,
            "evaluations": evaluations,
            "can_grade": manual.may_grade(request.user, conversation),
            "has_auto": any(view.evaluation.kind == "auto" for view in evaluations),
        },
    )


@login_required
def conversation_import(request):
    """Upload a file; the import runs in the background and this page shows its progress."""
    if not access.can_import(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.conversation_import_upload(
                uploaded_file=form.cleaned_data["file"],
                source=form.cleaned_data["source"],
                actor=request.user,
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("conversations:import_job", job_id=job.pk)
    jobs = core_selectors.job_list(viewer=request.user, kind=services.IMPORT_JOB)[:10]
    return render(request, "conversations/conversation_import.html", {"form": form, "jobs": jobs})


@login_required
def conversation_import_job(request, job_id: int):
    """Progress and report of one import; htmx polls the progress fragment."""
    if not access.can_import(request.user):
        raise PermissionDenied
    job = core_selectors.job_get(viewer=request.user, job_id=job_id)
    template = (
        "conversations/_import_progress.html"
        if request.headers.get("HX-Request")
        else "conversations/conversation_import_job.html"
    )
    return render(request, template, {"job": job})
