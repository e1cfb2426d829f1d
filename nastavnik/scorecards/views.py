"""Scorecard pages: the list, one version, the editor, YAML import/export, publishing.

Reading is open to every signed-in user; the editor, the upload and the activate/archive
buttons are for ``access.can_edit_scorecards`` (admin, QA lead, QA analyst). How the editor
keeps a half-finished edit and validates through the engine: ``editor.py``.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from nastavnik.accounts import access
from nastavnik.core.errors import ApplicationError
from nastavnik.engine import types
from nastavnik.scorecards import editor, forms, selectors, services
from nastavnik.scorecards.models import ScorecardVersion


def editor_required(view):
    """Signed in (else the login page) and allowed to edit scorecards (else 403)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.can_edit_scorecards(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)


@login_required
def scorecard_list(request):
    """Every scorecard with its versions and states."""
    return render(
        request,
        "scorecards/scorecard_list.html",
        {
            "scorecards": selectors.scorecard_list(viewer=request.user),
            "can_edit": access.can_edit_scorecards(request.user),
        },
    )


@login_required
def scorecard_detail(request, key: str, number: int | None = None):
    """A version's stages and criteria with weights, scales and rules."""
    version = selectors.scorecard_version_get(viewer=request.user, key=key, number=number)
    return render(
        request,
        "scorecards/scorecard_detail.html",
        {
            "version": version,
            "spec": selectors.scorecard_spec(version),
            "versions": selectors.scorecard_versions(viewer=request.user, key=key),
            "can_edit": access.can_edit_scorecards(request.user),
        },
    )


@login_required
def scorecard_export(request, key: str, number: int):
    """Download a version as YAML."""
    version = selectors.scorecard_version_get(viewer=request.user, key=key, number=number)
    response = HttpResponse(
        selectors.scorecard_yaml(version), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{key}-v{number}.yaml"'
    return response


@editor_required
def scorecard_create(request):
    """The editor for a new scorecard (saved as version 1, a draft)."""
    if request.method == "POST":
        return _editor_post(request, editor.draft_from_post(request.POST), version=None)
    return _editor_page(request, editor.draft_new(), version=None)


@editor_required
def scorecard_edit(request, key: str, number: int):
    """The editor for a version; saving follows services.scorecard_save's versioning."""
    version = selectors.scorecard_version_get(viewer=request.user, key=key, number=number)
    if request.method == "POST":
        draft = editor.draft_from_post(request.POST)
        draft.key = version.scorecard.key  # the key is fixed once a scorecard exists
        return _editor_post(request, draft, version=version)
    return _editor_page(request, editor.draft_from_document(version.spec), version=version)


@editor_required
def scorecard_activate(request, key: str, number: int):
    """Publish a version (the previously active one is archived)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    version = selectors.scorecard_version_get(viewer=request.user, key=key, number=number)
    services.scorecard_activate(actor=request.user, version=version)
    messages.success(
        request,
        _("Version %(number)d is active: new evaluations use it.") % {"number": number},
    )
    return redirect("scorecards:version", key=key, number=number)


@editor_required
def scorecard_archive(request, key: str, number: int):
    """Retire a version; its evaluations keep it."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    version = selectors.scorecard_version_get(viewer=request.user, key=key, number=number)
    services.scorecard_archive(actor=request.user, version=version)
    messages.success(request, _("Version %(number)d is archived.") % {"number": number})
    return redirect("scorecards:version", key=key, number=number)


@editor_required
def scorecard_import(request):
    """Upload a YAML document; every bad field is listed and nothing is stored then."""
    form = forms.ScorecardUploadForm(request.POST or None, request.FILES or None)
    issues: list[dict] = []
    if request.method == "POST" and form.is_valid():
        try:
            version = services.scorecard_import_yaml(
                actor=request.user,
                text=form.cleaned_data["file"],
                source_name=request.FILES["file"].name,
                activate=form.cleaned_data["activate"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            issues = error.extra.get("issues", [])
        else:
            messages.success(
                request,
                _("Saved as version %(number)d (%(state)s).")
                % {"number": version.number, "state": version.get_state_display()},
            )
            return redirect("scorecards:version", key=version.scorecard.key, number=version.number)
    return render(request, "scorecards/scorecard_import.html", {"form": form, "issues": issues})


def _editor_post(request, draft: editor.ScorecardDraft, *, version: ScorecardVersion | None):
    """A button of the editor: rearrange the draft and show it again, or save it."""
    action = request.POST.get("action", "save")
    if action != "save":
        try:
            editor.draft_apply(draft, action, request.POST)
        except editor.EditorError as error:
            draft.notice = str(error)
        return _editor_page(request, draft, version=version)
    document, issues = editor.draft_document(draft)
    issues = editor.merge_issues(issues, selectors.scorecard_document_issues(document))
    if not issues:
        try:
            saved = services.scorecard_edit(
                actor=request.user,
                document=document,
                version=version,
                base=request.POST.get("base") or None,
            )
        except ApplicationError as error:
            issues = _issues_of(error, draft.key)
        else:
            messages.success(request, _("Saved as version %(number)d.") % {"number": saved.number})
            return redirect("scorecards:version", key=saved.scorecard.key, number=saved.number)
    editor.draft_attach_issues(draft, issues)
    return _editor_page(request, draft, version=version)


def _editor_page(request, draft: editor.ScorecardDraft, *, version: ScorecardVersion | None):
    outcome = (
        selectors.scorecard_save_outcome(viewer=request.user, version=version)
        if version is not None
        else None
    )
    # htmx swaps only the editor after a rearranging button; a full post gets the page.
    partial = request.headers.get("HX-Request") and request.POST.get("action", "save") != "save"
    return render(
        request,
        "scorecards/_editor.html" if partial else "scorecards/scorecard_edit.html",
        {
            "draft": draft,
            "version": version,
            "outcome": outcome,
            "choices": _CHOICES,
            # What the scorecard looked like when the editor opened (kept across rearranging
            # posts), so a save over someone else's newer save is refused.
            "base": request.POST.get("base")
            or (services.scorecard_fingerprint(version.scorecard) if version else ""),
        },
    )


def _issues_of(error: ApplicationError, record: str) -> list[types.Issue]:
    listed = error.extra.get("issues") or [
        {
            "record": error.record or record,
            "field": error.field or "general",
            "reason": error.message,
        }
    ]
    return [types.Issue(item["record"] or record, item["field"], item["reason"]) for item in listed]


_CHOICES = {
    "channels": editor.CHANNEL_CHOICES,
    "directions": editor.DIRECTION_CHOICES,
    "displays": editor.DISPLAY_CHOICES,
    "scales": editor.SCALE_CHOICES,
    "critical": editor.CRITICAL_CHOICES,
}
