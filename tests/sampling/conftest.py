"""A small contact centre for sampling tests: two teams, graders, November 2026 chats."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import translation

from nastavnik.engine import scorecards
from nastavnik.evaluations import manual
from nastavnik.evaluations.manual import AnswerInput
from nastavnik.sampling import services
from nastavnik.scorecards import services as scorecard_services
from tests import factories

NOVEMBER_FIRST = date(2026, 11, 1)
NOVEMBER_LAST = date(2026, 11, 30)


def chat(external_id: str, operator: str, day: int, *, team: str = "Линия 1", **extra):
    """A November chat record; ``csat``, ``minutes`` (duration) and ``client`` optional."""
    started = datetime.fromisoformat(f"2026-11-{day:02d}T10:00:00+03:00")
    minutes = extra.pop("minutes", 5)
    outcome = {"csat": extra.pop("csat")} if "csat" in extra else {}
    return factories.record(
        external_id,
        operator=operator,
        team=team,
        started_at=started.isoformat(),
        ended_at=(started + timedelta(minutes=minutes)).isoformat(),
        outcome=outcome,
        **extra,
    )


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Pages and messages in English, so assertions hold once the Russian catalogue is in."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def centre(db, tmp_path):
    """op-a: 20 chats (4 with CSAT 1), op-b: 5 chats and 5 calls, op-c (team 2): 8 chats."""
    records = [chat(f"a{n}", "op-a", 1 + n, csat=1 if n < 4 else 5) for n in range(20)]
    records += [chat(f"b{n}", "op-b", 2 + n) for n in range(5)]
    records += [chat(f"bc{n}", "op-b", 2 + n, channel="call") for n in range(5)]
    records += [chat(f"c{n}", "op-c", 3 + n, team="Линия 2") for n in range(8)]
    # An October chat: outside the period, never sampled for November.
    records.append(factories.record("old", operator="op-a", started_at="2026-10-20T10:00:00+03:00"))
    factories.import_records(tmp_path, records)
    analyst = factories.user("qa_analyst", username="anna", full_name="Анна Аналитик")
    analyst2 = factories.user("qa_analyst", username="boris", full_name="Борис Аналитик")
    lead = factories.user("qa_lead", username="lena", full_name="Лена Руководитель")
    return {
        "analyst": analyst,
        "analyst2": analyst2,
        "lead": lead,
        "op_a": factories.operator("op-a"),
        "op_b": factories.operator("op-b"),
        "op_c": factories.operator("op-c"),
    }


def rule(*, graders, **fields):
    """A sampling rule created through the service (monthly, 12 per operator by default)."""
    fields.setdefault("name", f"Rule {len(fields)}-{id(graders)}")
    return services.sampling_rule_create(actor=None, graders=graders, **fields)


def november(**options):
    """Run sampling for November 2026 (as if on 30 November)."""
    options.setdefault("today", NOVEMBER_LAST)
    return services.sample_run(
        actor=None, period_start=NOVEMBER_FIRST, period_end=NOVEMBER_LAST, **options
    )


def submit_manual(grader, conversation):
    """A submitted official manual evaluation through the real evaluation services."""
    spec = scorecards.default_scorecard("default-chat")
    evaluation = manual.evaluation_start(actor=grader, conversation=conversation)
    return manual.evaluation_submit(
        actor=grader,
        evaluation=evaluation,
        revision=evaluation.revision,
        answers=[
            AnswerInput(c.key, float(c.points) if c.scale == "points" else 1.0)
            for c in spec.criteria()
        ],
    )


@pytest.fixture
def chat_scorecard(db):
    """The shipped chat scorecard, active (manual evaluations need one)."""
    version = scorecard_services.scorecard_save(
        actor=None, spec=scorecards.default_scorecard("default-chat")
    )
    return scorecard_services.scorecard_activate(actor=None, version=version)
