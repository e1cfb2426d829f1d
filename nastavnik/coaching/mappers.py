"""ORM ↔ engine for mystery shopping: a typed dialogue as an import record; scorecards."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from nastavnik.engine.formats import typed_transcript
from nastavnik.scorecards.mappers import version_spec
from nastavnik.scorecards.models import ScorecardVersion

__all__ = ["active_version", "typed_record", "typed_text", "version_spec"]

MYSTERY_SOURCE = "mystery_shopper"  # the import source of typed-in dialogues
MYSTERY_TAG = "mystery_shopper"


def active_version(channel: str) -> ScorecardVersion | None:
    """The active scorecard version of a channel, chosen as manual evaluations choose it."""
    versions = (
        ScorecardVersion.objects.filter(state=ScorecardVersion.State.ACTIVE)
        .select_related("scorecard")
        .order_by("scorecard__key")
    )
    for version in versions:
        if channel in version.channels:
            return version
    return None


def typed_record(
    visit: Any,
    transcript: typed_transcript.TypedTranscript,
    *,
    started_at: datetime,
    operator_ref: str,
) -> dict[str, Any]:
    """The JSONL import record of a visit's typed dialogue (docs/formats.md)."""
    scenario = visit.scenario
    ended_at = started_at + timedelta(seconds=typed_transcript.duration(transcript))
    record: dict[str, Any] = {
        "external_id": f"visit-{visit.pk}",
        "channel": scenario.channel,
        "operator": operator_ref,
        "operator_name": visit.operator.full_name,
        "started_at": started_at.isoformat(),
        "ended_at": ended_at.isoformat(),
        "topic": scenario.title[:200],
        "tags": [MYSTERY_TAG],
        "turns": typed_transcript.import_turns(
            transcript, channel=scenario.channel, started_at=started_at
        ),
        "meta": {
            "mystery_visit": visit.pk,
            "mystery_scenario": scenario.pk,
            "shopper": visit.shopper_name,
        },
    }
    if visit.shopper_name:
        record["client_name"] = visit.shopper_name
    return record


def typed_text(conversation: Any) -> str:
    """A stored conversation as typed lines with local [HH:MM:SS] stamps (to edit it again)."""
    pairs, clocks = [], []
    for turn in conversation.turns:
        pairs.append((turn.get("speaker", ""), turn.get("text", "")))
        moment = None
        if turn.get("at"):
            moment = datetime.fromisoformat(turn["at"])
        elif turn.get("start") is not None:
            moment = conversation.started_at + timedelta(seconds=turn["start"])
        if moment is None:
            clocks.append(None)
            continue
        local = timezone.localtime(moment)
        clocks.append(local.hour * 3600 + local.minute * 60 + local.second)
    return typed_transcript.render(pairs, clocks)
