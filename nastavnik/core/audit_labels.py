"""How audit rows read in the interface: actions, record kinds, fields and values by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "evaluation.start": _("evaluation started"),
    "evaluation.save": _("answers saved"),
    "evaluation.submit": _("evaluation submitted"),
    "evaluation.acknowledge": _("acknowledged by the operator"),
    "evaluation.dispute_change": _("answers changed by a dispute decision"),
    "dispute.open": _("dispute raised"),
    "dispute.accept": _("dispute accepted"),
    "dispute.reject": _("dispute rejected"),
    "scorecard.save": _("scorecard saved"),
    "scorecard.version_create": _("scorecard version created"),
    "scorecard.activate": _("scorecard version published"),
    "scorecard.archive": _("scorecard version archived"),
    "evaluations.autoqa": _("auto-QA run"),
    "evaluations.autoqa_enqueue": _("auto-QA queued for workers"),
    "evaluations.autoqa_resume": _("auto-QA resumed"),
    "evaluations.autoqa_rescore": _("auto-QA scores recomputed"),
    "conversations.import": _("conversations imported"),
    "sampling.run": _("queues filled by sampling"),
    "sampling.rule_create": _("sampling rule created"),
    "sampling.rule_update": _("sampling rule changed"),
    "mystery_scenario.create": _("mystery shopper scenario created"),
    "mystery_scenario.update": _("mystery shopper scenario changed"),
    "mystery_visit.plan": _("mystery shopper visit planned"),
    "mystery_visit.attach": _("conversation attached to a visit"),
    "mystery_visit.record_transcript": _("visit dialogue typed in"),
    "mystery_visit.evaluate": _("visit evaluation started"),
    "mystery_visit.cancel": _("visit cancelled"),
    "user.create": _("user created"),
    "user.roles": _("roles changed"),
    "team.create": _("team created"),
    "operator.update": _("operator changed"),
}

ENTITIES = {
    "evaluations.evaluation": _("evaluation"),
    "evaluations.dispute": _("dispute"),
    "evaluations.autoqa": _("auto-QA"),
    "scorecards.scorecardversion": _("scorecard version"),
    "conversations.import": _("import"),
    "sampling.run": _("sampling"),
    "sampling.samplingrule": _("sampling rule"),
    "coaching.mysteryscenario": _("mystery shopper scenario"),
    "coaching.mysteryvisit": _("mystery shopper visit"),
    "accounts.user": _("user"),
    "accounts.team": _("team"),
    "accounts.operator": _("operator"),
}

FIELDS = {
    "conversation": _("conversation"),
    "scorecard_version": _("scorecard version"),
    "purpose": _("purpose"),
    "from_auto": _("started from auto-QA"),
    "state": _("state"),
    "score_percent": _("score, %"),
    "comment": _("comment"),
    "decision_comment": _("decision"),
    "reason": _("reason"),
    "criterion": _("criterion"),
    "evaluation": _("evaluation"),
    "acknowledged_at": _("acknowledged"),
    "number": _("version"),
    "spec": _("content"),
    "file": _("file"),
    "records": _("records"),
    "created": _("created"),
    "updated": _("updated"),
    "unchanged": _("unchanged"),
    "rejected": _("rejected"),
    "operators_created": _("operators created"),
    "issues_total": _("problems"),
    "conversations": _("conversations"),
    "evaluated": _("evaluated"),
    "skipped_no_scorecard": _("without a scorecard"),
    "rescored": _("scores changed"),
}

VALUES = {
    "official": _("official"),
    "practice": _("practice"),
    "mystery_shopper": _("mystery shopper"),
    "calibration": _("calibration"),
    "draft": _("draft"),
    "submitted": _("submitted"),
    "active": _("active"),
    "archived": _("archived"),
    "open": _("open"),
    "accepted": _("accepted"),
    "planned": _("planned"),
    "done": _("done"),
    "evaluated": _("evaluated"),
    "cancelled": _("cancelled"),
}


def action_label(action: str) -> str:
    """The action's name in the current language (the code when unknown)."""
    return str(ACTIONS.get(action, action))


def entity_label(entity_type: str) -> str:
    """The record kind's name in the current language (the code when unknown)."""
    return str(ENTITIES.get(entity_type, entity_type))


def field_label(field: str) -> str:
    """A changed field's name; ``answers.<criterion>`` and criterion keys stay keys."""
    if field.startswith("answers."):
        return f"{_('answer')}: {field.removeprefix('answers.')}"
    return str(FIELDS.get(field, field))


def change_text(change: Any, verdict_label: Callable[[str], str]) -> str:
    """``[old, new]`` as «old → new»; answers by their verdict, flags and states by name."""
    if isinstance(change, list) and len(change) == 2:
        return f"{_value(change[0], verdict_label)} → {_value(change[1], verdict_label)}"
    return _value(change, verdict_label)


def _value(value: Any, verdict_label: Callable[[str], str]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dict):
        if "verdict" in value:
            text = verdict_label(value["verdict"])
            if value.get("comment"):
                text += f" «{value['comment'][:60]}»"
            if value.get("evidence"):
                text += f" +{len(value['evidence'])}"
            return text
        return f"{{…{len(value)}}}"
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    if isinstance(value, str) and value in VALUES:
        return str(VALUES[value])
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"
