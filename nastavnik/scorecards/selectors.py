"""Reads of scorecards. Rules are shown to everyone who is evaluated by them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


def scorecard_versions(*, viewer, key: str) -> QuerySet[ScorecardVersion]:
    """Every version of one scorecard, newest first."""
    return ScorecardVersion.objects.filter(
        scorecard__in=scorecard_list(viewer=viewer), scorecard__key=key
    ).order_by("-number")


@dataclass(frozen=True)
class SaveOutcome:
    """What saving an edit of a version will do, told to the editor before the save.

    ``mode``: ``in_place`` (the version is the latest draft), ``new_version`` (the latest
    version is active or archived, so the save creates version ``number`` as a draft) or
    ``replace_draft`` (a newer draft ``number`` exists and the save overwrites it).
    """

    mode: str
    number: int
    evaluations: int


def scorecard_save_outcome(*, viewer, version: ScorecardVersion) -> SaveOutcome:
    """Where an edit of ``version`` lands when saved (mirrors services.scorecard_save)."""
    if not access.can_edit_scorecards(viewer):
        raise Http404("No such scorecard version")
    latest = version.scorecard.versions.order_by("-number").first()
    evaluations = version.evaluations.count()
    if latest is None or latest.state != ScorecardVersion.State.DRAFT:
        number = latest.number + 1 if latest is not None else 1
        return SaveOutcome("new_version", number, evaluations)
    if latest.pk == version.pk:
        return SaveOutcome("in_place", version.number, evaluations)
    return SaveOutcome("replace_draft", latest.number, evaluations)


def scorecard_document_issues(document: dict[str, Any], *, source: str = "") -> list[types.Issue]:
    """Every problem the engine finds in an edited document (none: it would be accepted)."""
    try:
        scorecards.parse_scorecard(document, source=source)
    except scorecards.ScorecardError as error:
        return list(error.issues)
    return []


def scorecard_spec(version: ScorecardVersion) -> types.ScorecardSpec:
    """The engine spec of a version."""
    return version_spec(version)


def scorecard_yaml(version: ScorecardVersion) -> str:
    """The version as a YAML document (for export)."""
    return scorecards.scorecard_to_yaml(version_spec(version))
