"""Scorecard pages: the list and one version with its stages, criteria and rules."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from nastavnik.scorecards import selectors


@login_required
def scorecard_list(request):
    """Every scorecard with its versions and states."""
    return render(
        request,
        "scorecards/scorecard_list.html",
        {"scorecards": selectors.scorecard_list(viewer=request.user)},
    )


@login_required
def scorecard_detail(request, key: str, number: int | None = None):
    """A version's stages and criteria with weights, scales and rules."""
    version = selectors.scorecard_version_get(viewer=request.user, key=key, number=number)
    return render(
        request,
        "scorecards/scorecard_detail.html",
        {"version": version, "spec": selectors.scorecard_spec(version)},
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
