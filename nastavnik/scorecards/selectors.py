"""Reads of scorecards. Rules are shown to everyone who is evaluated by them."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from nastavnik.accounts import access
from nastavnik.engine import scorecards, types
from nastavnik.scorecards.mappers import version_spec
from nastavnik.scorecards.models import Scorecard, ScorecardVersion


def scorecard_list(*, viewer) -> QuerySet[Scorecard]:
    """Scorecards with their versions (every signed-in user may read the rules)."""
    if not access.roles_of(viewer):
        return Scorecard.objects.none()
    return Scorecard.objects.prefetch_related("versions").order_by("key")


def scorecard_version_get(*, viewer, key: str, number: int | None = None) -> ScorecardVersion:
    """A version by scorecard key and number (default: the active one, else the latest)."""
    versions = ScorecardVersion.objects.select_related("scorecard").filter(
        scorecard__in=scorecard_list(viewer=viewer), scorecard__key=key
    )
    if number is not None:
        version = versions.filter(number=number).first()
    else:
        version = (
            versions.filter(state=ScorecardVersion.State.ACTIVE).first()
            or versions.order_by("-number").first()
        )
    if version is None:
        raise Http404("No such scorecard version")
    return version


def scorecard_spec(version: ScorecardVersion) -> types.ScorecardSpec:
    """The engine spec of a version."""
    return version_spec(version)


def scorecard_yaml(version: ScorecardVersion) -> str:
    """The version as a YAML document (for export)."""
    return scorecards.scorecard_to_yaml(version_spec(version))
