"""Writes for mystery shopping: scenarios, planned visits, their conversations and evaluations.

Every write takes the acting user, is refused for anyone who does not run mystery shopping
(``access.can_manage_mystery``), validates before writing and records an audit row in the
same transaction. See docs/mystery-shopper.md.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson
from django.db import transaction
from django.utils.translation import gettext as _

from nastavnik.accounts import access
from nastavnik.accounts.models import Operator, OperatorExternalId
from nastavnik.coaching import mappers
from nastavnik.coaching.models import MysteryScenario, MysteryVisit
from nastavnik.conversations import services as conversation_services
from nastavnik.conversations.models import Channel, Conversation
from nastavnik.core.audit import audit_record, diff
from nastavnik.core.errors import ApplicationError
from nastavnik.engine.formats import typed_transcript
from nastavnik.evaluations import manual
from nastavnik.evaluations.models import Evaluation

MYSTERY_SOURCE = mappers.MYSTERY_SOURCE
TEXT_LIMIT = 200


@dataclass(frozen=True)
class VisitAssignment:
    """One operator to be visited on one date."""

    operator: Operator
    planned_on: date


def scenario_save(
    *,
    actor: Any,
    title: str,
    channel: str,
    script: str = "",
    expected_behaviours: Iterable[Mapping[str, Any]] = (),
    is_active: bool = True,
    scenario: MysteryScenario | None = None,
) -> MysteryScenario:
    """Create a scenario (``scenario`` None) or change one; behaviours are checked first.

    Each expected behaviour is ``{"text", "criterion"}``; the criterion must be a key of the
    channel's active scorecard, otherwise the error names the behaviour.
    """
    _check_manager(actor)
    record = _scenario_record(scenario, title)
    title = (title or "").strip()
    if not title:
        raise ApplicationError(_("The scenario needs a title."), record=record, field="title")
    if channel not in Channel.values:
        raise ApplicationError(
            _("Unknown channel %(channel)s.") % {"channel": channel}, record=record, field="channel"
        )
    behaviours = _behaviours(expected_behaviours, channel, record)
    if scenario is not None and scenario.channel != channel:
        attached = scenario.visits.filter(conversation__isnull=False).exists()
        if attached:
            raise ApplicationError(
                _("The channel cannot change: visits of this scenario have conversations."),
                record=record,
                field="channel",
            )
    new = {
        "title": title,
        "channel": channel,
        "script": (script or "").strip(),
        "expected_behaviours": behaviours,
        "is_active": bool(is_active),
    }
    with transaction.atomic():
        if scenario is None:
            scenario = MysteryScenario.objects.create(created_by=_user(actor), **new)
            changes = {key: [None, value] for key, value in new.items()}
            action = "mystery_scenario.create"
        else:
            old = {key: getattr(scenario, key) for key in new}
            changes = diff(old, new)
            for key, value in new.items():
                setattr(scenario, key, value)
            scenario.save()
            action = "mystery_scenario.update"
        audit_record(actor=actor, action=action, entity=scenario, changes=changes)
    return scenario


def visit_plan(
    *,
    actor: Any,
    scenario: MysteryScenario,
    assignments: Iterable[VisitAssignment],
    shopper_name: str = "",
    notes: str = "",
) -> list[MysteryVisit]:
    """Plan one visit of the scenario per assignment (operator + date)."""
    _check_manager(actor)
    record = _scenario_record(scenario, scenario.title)
    items = list(assignments)
    if not scenario.is_active:
        raise ApplicationError(
            _("The scenario is not active: activate it before planning visits."),
            record=record,
            field="is_active",
        )
    if not items:
        raise ApplicationError(_("Choose at least one operator."), record=record, field="operators")
    for item in items:
        if not item.operator.is_active:
            raise ApplicationError(
                _("The operator %(name)s is not active.") % {"name": item.operator.full_name},
                record=record,
                field="operators",
            )
    with transaction.atomic():
        visits = []
        for item in items:
            visit = MysteryVisit.objects.create(
                scenario=scenario,
                operator=item.operator,
                planned_on=item.planned_on,
                shopper_name=shopper_name.strip()[:TEXT_LIMIT],
                notes=notes.strip(),
                created_by=_user(actor),
            )
            audit_record(
                actor=actor,
                action="mystery_visit.plan",
                entity=visit,
                changes={
                    "scenario": [None, scenario.pk],
                    "operator": [None, item.operator.pk],
                    "planned_on": [None, item.planned_on.isoformat()],
                    "shopper_name": [None, visit.shopper_name],
                },
            )
            visits.append(visit)
    return visits


def visit_attach_conversation(
    *,
    actor: Any,
    visit: MysteryVisit,
    conversation_id: int | None = None,
    source: str = "",
    external_id: str = "",
) -> MysteryVisit:
    """Link the visit's resulting conversation, found by id or by (source, external id)."""
    _check_manager(actor)
    _check_open(visit)
    conversation = _find_conversation(visit, conversation_id, source.strip(), external_id.strip())
    _check_fits(visit, conversation)
    with transaction.atomic():
        return _link(actor, visit, conversation, action="mystery_visit.attach")


def visit_record_transcript(
    *, actor: Any, visit: MysteryVisit, text: str, started_at: datetime
) -> MysteryVisit:
    """Store a typed-in dialogue as the visit's conversation, through the normal importer.

    The conversation gets source ``mystery_shopper`` and external id ``visit-<id>``, so typing
    it again updates the same conversation. ``meta.mystery_visit`` names the visit.
    """
    _check_manager(actor)
    _check_open(visit)
    record = _visit_record(visit)
    if started_at.tzinfo is None:
        raise ApplicationError(
            _("The start time needs a time zone."), record=record, field="started_at"
        )
    parsed = typed_transcript.parse(text or "")
    if parsed.issues:
        first = parsed.issues[0]
        raise ApplicationError(
            _("Line %(line)s: %(reason)s") % {"line": first.line, "reason": first.reason},
            record=record,
            field="transcript",
            extra={"issues": [_issue_dict(issue) for issue in parsed.issues]},
        )
    with transaction.atomic():
        operator_ref = _operator_reference(visit.operator)
        data = mappers.typed_record(visit, parsed, started_at=started_at, operator_ref=operator_ref)
        conversation = _import_one(actor, data, record)
        _check_fits(visit, conversation)
        return _link(actor, visit, conversation, action="mystery_visit.record_transcript")


def visit_evaluate(*, actor: Any, visit: MysteryVisit) -> Evaluation:
    """The visit's evaluation: started (purpose mystery shopper) and linked on the first call."""
    _check_manager(actor)
    record = _visit_record(visit)
    if visit.evaluation_id is not None:
        return visit.evaluation
    if visit.state == MysteryVisit.State.CANCELLED:
        raise ApplicationError(_("The visit is cancelled."), record=record, field="state")
    if visit.conversation_id is None:
        raise ApplicationError(
            _("Attach or type in the visit's conversation before evaluating it."),
            record=record,
            field="conversation",
        )
    with transaction.atomic():
        evaluation = manual.evaluation_start(
            actor=actor,
            conversation=visit.conversation,
            purpose=Evaluation.Purpose.MYSTERY_SHOPPER,
        )
        old_state = visit.state
        visit.evaluation = evaluation
        visit.state = MysteryVisit.State.EVALUATED
        visit.save(update_fields=["evaluation", "state", "updated_at"])
        audit_record(
            actor=actor,
            action="mystery_visit.evaluate",
            entity=visit,
            changes={"evaluation": [None, evaluation.pk], "state": [old_state, visit.state]},
        )
    return evaluation


def visit_cancel(*, actor: Any, visit: MysteryVisit, reason: str = "") -> MysteryVisit:
    """Cancel a visit that has not been evaluated; the reason goes to its notes."""
    _check_manager(actor)
    if visit.state == MysteryVisit.State.CANCELLED:
        return visit
    if visit.state == MysteryVisit.State.EVALUATED:
        raise ApplicationError(
            _("An evaluated visit cannot be cancelled."),
            record=_visit_record(visit),
            field="state",
        )
    with transaction.atomic():
        old = {"state": visit.state, "notes": visit.notes}
        visit.state = MysteryVisit.State.CANCELLED
        if reason.strip():
            visit.notes = "\n".join(filter(None, [visit.notes, reason.strip()]))
        visit.save(update_fields=["state", "notes", "updated_at"])
        audit_record(
            actor=actor,
            action="mystery_visit.cancel",
            entity=visit,
            changes=diff(old, {"state": visit.state, "notes": visit.notes}),
        )
    return visit


# --- helpers ------------------------------------------------------------------------------


def active_criteria(channel: str) -> tuple[str, dict[str, str]] | None:
    """(scorecard key, {criterion key: title}) of the channel's active scorecard, or None."""
    version = mappers.active_version(channel)
    if version is None:
        return None
    spec = mappers.version_spec(version)
    return version.scorecard.key, {c.key: c.title for c in spec.criteria()}


def _behaviours(
    items: Iterable[Mapping[str, Any]], channel: str, record: str
) -> list[dict[str, str]]:
    found = active_criteria(channel)
    if found is None:
        raise ApplicationError(
            _("No active scorecard for the channel %(channel)s: publish one first.")
            % {"channel": channel},
            record=record,
            field="channel",
        )
    scorecard_key, criteria = found
    behaviours = []
    for index, item in enumerate(items):
        text = str(item.get("text") or "").strip()
        criterion = str(item.get("criterion") or "").strip()
        if not text and not criterion:
            continue  # an empty row of the form
        field = f"expected_behaviours[{index}]"
        if not text:
            raise ApplicationError(
                _("Expected behaviour %(number)s has no text.") % {"number": index + 1},
                record=record,
                field=f"{field}.text",
            )
        if criterion not in criteria:
            raise ApplicationError(
                _(
                    "Expected behaviour «%(text)s»: the scorecard %(scorecard)s has no "
                    "criterion %(criterion)s."
                )
                % {"text": text, "scorecard": scorecard_key, "criterion": criterion or "—"},
                record=record,
                field=f"{field}.criterion",
            )
        behaviours.append({"text": text, "criterion": criterion})
    return behaviours


def _find_conversation(
    visit: MysteryVisit, conversation_id: int | None, source: str, external_id: str
) -> Conversation:
    record = _visit_record(visit)
    if conversation_id is not None:
        conversation = Conversation.objects.filter(pk=conversation_id).first()
        wanted = str(conversation_id)
    elif source and external_id:
        conversation = Conversation.objects.filter(source=source, external_id=external_id).first()
        wanted = f"{source}:{external_id}"
    else:
        raise ApplicationError(
            _("Give the conversation's id, or its source and external id."),
            record=record,
            field="conversation",
        )
    if conversation is None:
        raise ApplicationError(
            _("No conversation %(wanted)s was imported.") % {"wanted": wanted},
            record=record,
            field="conversation",
        )
    return conversation


def _check_fits(visit: MysteryVisit, conversation: Conversation) -> None:
    record = _visit_record(visit)
    scenario = visit.scenario
    if conversation.channel != scenario.channel:
        raise ApplicationError(
            _(
                "The conversation %(conversation)s is a %(found)s, but the scenario "
                "«%(scenario)s» is for the channel %(channel)s."
            )
            % {
                "conversation": str(conversation),
                "found": conversation.get_channel_display(),
                "scenario": scenario.title,
                "channel": scenario.get_channel_display(),
            },
            record=record,
            field="conversation.channel",
        )
    if conversation.operator_id != visit.operator_id:
        raise ApplicationError(
            _(
                "The conversation %(conversation)s is %(found)s's, but the visit was planned "
                "for %(operator)s."
            )
            % {
                "conversation": str(conversation),
                "found": conversation.operator.full_name,
                "operator": visit.operator.full_name,
            },
            record=record,
            field="conversation.operator",
        )
    taken = MysteryVisit.objects.filter(conversation=conversation).exclude(pk=visit.pk).first()
    if taken is not None:
        raise ApplicationError(
            _("The conversation %(conversation)s is already the result of visit %(visit)s.")
            % {"conversation": str(conversation), "visit": taken.pk},
            record=record,
            field="conversation",
        )


def _link(actor: Any, visit: MysteryVisit, conversation: Conversation, *, action: str):
    old = {"conversation": visit.conversation_id, "state": visit.state}
    visit.conversation = conversation
    visit.state = MysteryVisit.State.DONE
    visit.save(update_fields=["conversation", "state", "updated_at"])
    audit_record(
        actor=actor,
        action=action,
        entity=visit,
        changes=diff(old, {"conversation": conversation.pk, "state": visit.state}),
    )
    return visit


def _operator_reference(operator: Operator) -> str:
    """The operator's id in the mystery-shopper source, so the importer finds this operator."""
    external_id = f"operator-{operator.pk}"
    OperatorExternalId.objects.get_or_create(
        source=MYSTERY_SOURCE, external_id=external_id, defaults={"operator": operator}
    )
    return external_id


def _import_one(actor: Any, data: dict[str, Any], record: str) -> Conversation:
    with tempfile.TemporaryDirectory(prefix="nastavnik-mystery-") as folder:
        path = Path(folder) / "visit.jsonl"
        path.write_bytes(orjson.dumps(data) + b"\n")
        report = conversation_services.conversation_import(
            path=path, source=MYSTERY_SOURCE, actor=actor
        )
    if report.rejected:
        issue = report.issues[0]
        raise ApplicationError(
            _("The dialogue was not accepted: %(field)s: %(reason)s")
            % {"field": issue.field, "reason": issue.reason},
            record=record,
            field="transcript",
        )
    return Conversation.objects.select_related("operator").get(
        source=MYSTERY_SOURCE, external_id=data["external_id"]
    )


def _check_open(visit: MysteryVisit) -> None:
    if visit.state in (MysteryVisit.State.EVALUATED, MysteryVisit.State.CANCELLED):
        raise ApplicationError(
            _("The visit is %(state)s: its conversation can no longer change.")
            % {"state": visit.get_state_display()},
            record=_visit_record(visit),
            field="state",
        )


def _check_manager(actor: Any) -> None:
    if not access.can_manage_mystery(actor):
        raise ApplicationError(
            _("Only QA, the head of support and administrators run mystery shopping."),
            status_code=403,
        )


def _issue_dict(issue) -> dict[str, Any]:
    return {
        "record": issue.record,
        "field": issue.field,
        "reason": issue.reason,
        "line": issue.line,
    }


def _scenario_record(scenario: MysteryScenario | None, title: str) -> str:
    if scenario is not None and scenario.pk:
        return f"scenario {scenario.pk} «{scenario.title}»"
    return f"scenario «{(title or '').strip()}»"


def _visit_record(visit: MysteryVisit) -> str:
    return f"visit {visit.pk}"


def _user(actor: Any):
    return actor if getattr(actor, "is_authenticated", False) else None
