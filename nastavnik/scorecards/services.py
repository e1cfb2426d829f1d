"""Writes for scorecards: save (versioned), edit, create, activate, archive, YAML import."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import orjson
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nastavnik.core.audit import audit_record
from nastavnik.core.errors import ApplicationError
from nastavnik.core.models import AuditEvent
from nastavnik.engine import scorecards, types
from nastavnik.scorecards.models import Scorecard, ScorecardVersion

# Keys that would be shadowed by the editor's routes (/scorecards/new/, /scorecards/import/).
RESERVED_KEYS = frozenset({"new", "import"})


def scorecard_save(*, actor: Any, spec: types.ScorecardSpec) -> ScorecardVersion:
    """Store a scorecard's content.

    The latest version is overwritten only while it is a draft; once a version has been
    active (and may have evaluations), saving creates the next version as a draft.
    """
    with transaction.atomic():
        scorecard, created = Scorecard.objects.select_for_update().get_or_create(
            key=spec.key, defaults={"title": spec.title}
        )
        latest = scorecard.versions.order_by("-number").first()
        if latest is not None and latest.state == ScorecardVersion.State.DRAFT:
            version = latest
            old_spec = version.spec
        else:
            number = latest.number + 1 if latest else 1
            version = ScorecardVersion(scorecard=scorecard, number=number, created_by=_user(actor))
            old_spec = None
        document = scorecards.dump_scorecard(dataclasses.replace(spec, version=version.number))
        version.spec = document
        version.channels = list(spec.channels)
        version.save()
        if scorecard.title != spec.title:
            scorecard.title = spec.title
            scorecard.save(update_fields=["title"])
        audit_record(
            actor=actor,
            action="scorecard.save" if old_spec is not None else "scorecard.version_create",
            entity=version,
            changes={"spec": [old_spec, document]}
            if old_spec is not None
            else {"number": [None, version.number]},
        )
    return version


def scorecard_activate(*, actor: Any, version: ScorecardVersion) -> ScorecardVersion:
    """Make a version the active one of its scorecard; the previous active is archived."""
    if version.state == ScorecardVersion.State.ACTIVE:
        return version
    now = timezone.now()
    with transaction.atomic():
        previous = list(
            ScorecardVersion.objects.select_for_update().filter(
                scorecard=version.scorecard, state=ScorecardVersion.State.ACTIVE
            )
        )
        for old in previous:
            old.state = ScorecardVersion.State.ARCHIVED
            old.archived_at = now
            old.save(update_fields=["state", "archived_at"])
            audit_record(
                actor=actor,
                action="scorecard.archive",
                entity=old,
                changes={"state": ["active", "archived"]},
            )
        old_state = version.state
        version.state = ScorecardVersion.State.ACTIVE
        version.activated_at = now
        version.save(update_fields=["state", "activated_at"])
        audit_record(
            actor=actor,
            action="scorecard.activate",
            entity=version,
            changes={"state": [old_state, "active"]},
        )
    return version


def scorecard_archive(*, actor: Any, version: ScorecardVersion) -> ScorecardVersion:
    """Retire a draft or active version; its evaluations keep pointing at it."""
    if version.state == ScorecardVersion.State.ARCHIVED:
        return version
    with transaction.atomic():
        old_state = version.state
        version.state = ScorecardVersion.State.ARCHIVED
        version.archived_at = timezone.now()
        version.save(update_fields=["state", "archived_at"])
        audit_record(
            actor=actor,
            action="scorecard.archive",
            entity=version,
            changes={"state": [old_state, "archived"]},
        )
    return version


def scorecard_fingerprint(scorecard: Scorecard) -> str:
    """What the latest version of a scorecard looks like now: its number and content hash."""
    latest = scorecard.versions.order_by("-number").first()
    if latest is None:
        return ""
    content = hashlib.sha256(orjson.dumps(latest.spec, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return f"{latest.number}:{latest.state}:{content[:16]}"


def scorecard_edit(
    *,
    actor: Any,
    document: dict[str, Any],
    version: ScorecardVersion | None = None,
    base: str | None = None,
) -> ScorecardVersion:
    """Save a whole edited document from the web editor, validated like a YAML import.

    ``version`` is the version the edit started from (None for a new scorecard); the key
    cannot change, because evaluations and reports follow a scorecard by its key. Saving
    goes through scorecard_save, so an edit of an active or archived version becomes the
    next draft version.
    """
    source = version.scorecard.key if version is not None else ""
    spec = _validated(document, source=source)
    if version is not None and spec.key != version.scorecard.key:
        raise ApplicationError(
            _("The key of a scorecard cannot be changed (it was %(key)s).")
            % {"key": version.scorecard.key},
            record=source,
            field="key",
            extra={"issues": [_issue_dict(source, "key", "cannot be changed")]},
        )
    with transaction.atomic():
        if version is None:
            _check_new_key(spec.key)
        else:
            _check_unchanged_since(version.scorecard, base)
        return scorecard_save(actor=actor, spec=spec)


def _check_unchanged_since(scorecard: Scorecard, base: str | None) -> None:
    """Refuse a save when someone saved, published or archived since the editor opened."""
    locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if base is None or base == scorecard_fingerprint(locked):
        return
    last = (
        AuditEvent.objects.filter(
            entity_type="scorecards.scorecardversion",
            entity_id__in=[str(pk) for pk in locked.versions.values_list("pk", flat=True)],
        )
        .select_related("actor")
        .first()
    )
    who = str(last.actor) if last is not None and last.actor is not None else "—"
    when = timezone.localtime(last.at).strftime("%d.%m.%Y %H:%M") if last is not None else "—"
    raise ApplicationError(
        _(
            "The scorecard was changed by %(who)s at %(when)s after you opened the editor. "
            "Nothing was saved: open the current version and make your changes there."
        )
        % {"who": who, "when": when},
        record=scorecard.key,
        field="general",
        status_code=409,
    )


def scorecard_import_yaml(
    *, actor: Any, text: str, source_name: str = "", activate: bool = False
) -> ScorecardVersion:
    """Validate a YAML document and save it; every invalid field is reported at once."""
    try:
        spec = scorecards.scorecard_from_yaml(text, source=source_name)
    except scorecards.ScorecardError as error:
        raise _invalid(error, source_name) from error
    if spec.key in RESERVED_KEYS:
        raise _reserved_key(spec.key, source_name)
    version = scorecard_save(actor=actor, spec=spec)
    if activate:
        version = scorecard_activate(actor=actor, version=version)
    return version


def scorecard_install_defaults(*, actor: Any) -> list[ScorecardVersion]:
    """Install and activate the shipped scorecards that are not installed yet."""
    installed = []
    for key, spec in scorecards.default_scorecards().items():
        if Scorecard.objects.filter(key=key).exists():
            continue
        version = scorecard_save(actor=actor, spec=spec)
        installed.append(scorecard_activate(actor=actor, version=version))
    return installed


def _validated(document: dict[str, Any], *, source: str) -> types.ScorecardSpec:
    try:
        return scorecards.parse_scorecard(document, source=source)
    except scorecards.ScorecardError as error:
        raise _invalid(error, source) from error


def _check_new_key(key: str) -> None:
    if key in RESERVED_KEYS:
        raise _reserved_key(key, key)
    if Scorecard.objects.filter(key=key).exists():
        raise ApplicationError(
            _("A scorecard with the key %(key)s already exists; edit it instead.") % {"key": key},
            record=key,
            field="key",
            extra={"issues": [_issue_dict(key, "key", f"a scorecard {key!r} already exists")]},
        )


def _invalid(error: scorecards.ScorecardError, source: str) -> ApplicationError:
    return ApplicationError(
        _("The scorecard is not valid: %(count)d problem(s)") % {"count": len(error.issues)},
        record=source or None,
        extra={
            "issues": [
                {"record": i.record, "field": i.field, "reason": i.reason, "line": i.line}
                for i in error.issues
            ]
        },
    )


def _reserved_key(key: str, source: str) -> ApplicationError:
    return ApplicationError(
        _("The key %(key)s is reserved; choose another one.") % {"key": key},
        record=source or None,
        field="key",
        extra={"issues": [_issue_dict(source or key, "key", f"{key!r} is reserved")]},
    )


def _issue_dict(record: str, field: str, reason: str) -> dict[str, Any]:
    return {"record": record, "field": field, "reason": reason, "line": None}


def _user(actor: Any):
    return actor if getattr(actor, "is_authenticated", False) else None
