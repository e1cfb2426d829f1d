"""Every route × every role: the expected status, so a new route without a rule fails.

The world: operator O1 (team A, led by the team lead, mentored by the mentor, with the
operator's login) and operator O2 (team B, nobody's). "own" parameters point at O1's
data, "other" at O2's. Hidden objects answer 404, forbidden pages 403, anonymous users
are sent to the login page (302) or refused by the API (403).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from nastavnik.core.models import Job
from nastavnik.engine import scorecards
from nastavnik.evaluations import disputes, manual
from nastavnik.sampling import services as sampling_services
from nastavnik.scorecards import services as scorecard_services
from tests import factories
from tests.coaching.helpers import mystery_world

ROLES = (
    "anonymous",
    "admin",
    "head",
    "qa_lead",
    "qa_analyst",
    "team_lead",
    "mentor",
    "trainer",
    "operator",
)
FULL = ("admin", "head", "qa_lead", "qa_analyst")
CHAT_SCORECARD = scorecards.default_scorecard("default-chat")


def expect(default: int, anonymous: int = 302, **by_role: int) -> dict[str, int]:
    """Expected status per role: ``default`` for signed-in roles unless overridden."""
    table = dict.fromkeys(ROLES, default)
    table["anonymous"] = anonymous
    table.update(by_role)
    return table


@dataclass(frozen=True)
class Case:
    variant: str  # which object the URL points at: "", "own" or "other"
    expected: dict[str, int]


API_ANON = 403
OWN_VISIBLE = {"team_lead": 200, "mentor": 200, "operator": 200, "trainer": 404}
OTHER_HIDDEN = {"team_lead": 404, "mentor": 404, "operator": 404, "trainer": 404}
IMPORTERS_ONLY = {role: 403 for role in ROLES if role not in ("admin", "qa_lead", "qa_analyst")}
MYSTERY_ONLY = {role: 403 for role in ROLES[1:] if role not in FULL}

MATRIX: dict[str, list[Case]] = {
    "home": [Case("", expect(200))],
    "login": [Case("", expect(200, anonymous=200))],
    "logout": [Case("", expect(405, anonymous=405))],
    "set_language": [Case("", expect(302, anonymous=302))],
    "conversations:list": [Case("", expect(200))],
    "conversations:detail": [
        Case("own", expect(200, **OWN_VISIBLE)),
        Case("other", expect(200, **OTHER_HIDDEN)),
    ],
    "conversations:import": [Case("", expect(200, **{**IMPORTERS_ONLY, "anonymous": 302}))],
    "conversations:import_job": [Case("job", expect(200, **{**IMPORTERS_ONLY, "anonymous": 302}))],
    "accounts:operator_list": [Case("", expect(200, operator=403, trainer=403))],
    "accounts:operator_detail": [
        Case("own", expect(200, **OWN_VISIBLE)),
        Case("other", expect(200, **OTHER_HIDDEN)),
    ],
    "accounts:password_change": [Case("", expect(200))],
    "scorecards:list": [Case("", expect(200))],
    "scorecards:detail": [Case("scorecard", expect(200))],
    "scorecards:version": [Case("scorecard", expect(200))],
    "scorecards:export": [Case("scorecard", expect(200))],
    # The scorecard editor: admin, QA lead and QA analyst; activate/archive accept only POST.
    "scorecards:create": [Case("", expect(200, **{**IMPORTERS_ONLY, "anonymous": 302}))],
    "scorecards:import": [Case("", expect(200, **{**IMPORTERS_ONLY, "anonymous": 302}))],
    "scorecards:edit": [Case("scorecard", expect(200, **{**IMPORTERS_ONLY, "anonymous": 302}))],
    "scorecards:activate": [Case("scorecard", expect(405, **{**IMPORTERS_ONLY, "anonymous": 302}))],
    "scorecards:archive": [Case("scorecard", expect(405, **{**IMPORTERS_ONLY, "anonymous": 302}))],
    "accounts:password_change_done": [Case("", expect(200))],
    "api-me": [Case("", expect(200, anonymous=API_ANON))],
    "api-token": [Case("", expect(405, anonymous=405))],
    "api-operator-list": [Case("", expect(200, anonymous=API_ANON))],
    "api-operator-detail": [
        Case("own", expect(200, anonymous=API_ANON, **OWN_VISIBLE)),
        Case("other", expect(200, anonymous=API_ANON, **OTHER_HIDDEN)),
    ],
    "api-team-list": [Case("", expect(200, anonymous=API_ANON))],
    "api-conversation-list": [Case("", expect(200, anonymous=API_ANON))],
    "api-conversation-detail": [
        Case("own", expect(200, anonymous=API_ANON, **OWN_VISIBLE)),
        Case("other", expect(200, anonymous=API_ANON, **OTHER_HIDDEN)),
    ],
    "api-conversation-import": [Case("", expect(405, anonymous=API_ANON))],
    "api-job-detail": [
        Case("job", expect(404, anonymous=API_ANON, **dict.fromkeys(FULL, 200))),
    ],
    "api-schema": [Case("", expect(200, anonymous=API_ANON))],
    "api-docs": [Case("", expect(200, anonymous=API_ANON))],
    "evaluations:trust": [Case("", expect(403, **dict.fromkeys(FULL, 200)))],
    # Manual evaluations and disputes. Graders are QA analysts and leads for everyone, team
    # leads and mentors for their own operators; admins and heads read but do not grade.
    "evaluations:list": [Case("", expect(200))],
    "evaluations:start": [Case("own", expect(405, anonymous=405))],
    "evaluations:detail": [
        Case("own", expect(200, **OWN_VISIBLE)),
        Case("other", expect(200, **OTHER_HIDDEN)),
    ],
    "evaluations:edit": [
        Case("own", expect(200, admin=403, head=403, operator=403, trainer=404)),
        Case("other", expect(200, admin=403, head=403, **OTHER_HIDDEN)),
    ],
    "evaluations:preview": [Case("own", expect(405, anonymous=405))],
    "evaluations:acknowledge": [Case("own", expect(405, anonymous=405))],
    "evaluations:dispute_open": [Case("own", expect(405, anonymous=405))],
    "evaluations:dispute_list": [Case("", expect(200))],
    "evaluations:dispute_detail": [Case("dispute", expect(200, **OWN_VISIBLE))],
    "api-evaluation-list": [Case("", expect(200, anonymous=API_ANON))],
    "api-evaluation-detail": [
        Case("own", expect(200, anonymous=API_ANON, **OWN_VISIBLE)),
        Case("other", expect(200, anonymous=API_ANON, **OTHER_HIDDEN)),
    ],
    "api-evaluation-submit": [Case("own", expect(405, anonymous=API_ANON))],
    "api-evaluation-acknowledge": [Case("own", expect(405, anonymous=API_ANON))],
    "api-evaluation-dispute": [Case("own", expect(405, anonymous=API_ANON))],
    "api-dispute-list": [Case("", expect(200, anonymous=API_ANON))],
    "api-dispute-resolve": [Case("dispute", expect(405, anonymous=API_ANON))],
    # The evaluation queue: graders see their own, QA leads, admins and heads everyone's;
    # the sampling rules are for QA leads and admins.
    "sampling:queue": [Case("", expect(200, trainer=403, operator=403))],
    "sampling:rule_list": [Case("", expect(403, anonymous=302, admin=200, qa_lead=200))],
    "sampling:rule_create": [Case("", expect(403, anonymous=302, admin=200, qa_lead=200))],
    "sampling:rule_edit": [Case("rule", expect(403, anonymous=302, admin=200, qa_lead=200))],
    "sampling:run": [Case("", expect(405, anonymous=405))],
    "notifications": [Case("", expect(200))],
    "audit": [Case("", expect(403, admin=200, head=200, qa_lead=200))],
    "admin:index": [Case("", expect(302, admin=200))],
    # Mystery shopping: QA, head and admin run it; others see evaluated visits in their scope.
    "coaching:mystery_visits": [Case("", expect(200))],
    "coaching:mystery_scenarios": [Case("", expect(200, **MYSTERY_ONLY))],
    "coaching:mystery_scenario_create": [Case("", expect(200, **MYSTERY_ONLY))],
    "coaching:mystery_scenario_detail": [Case("mystery", expect(200, **MYSTERY_ONLY))],
    "coaching:mystery_scenario_edit": [Case("mystery", expect(200, **MYSTERY_ONLY))],
    "coaching:mystery_visit_plan": [Case("mystery", expect(200, **MYSTERY_ONLY))],
    "coaching:mystery_visit_detail": [
        Case("mystery_own", expect(200, **OWN_VISIBLE)),
        Case("mystery_other", expect(200, **OTHER_HIDDEN)),
        Case("mystery_planned", expect(200, **OTHER_HIDDEN)),
    ],
    "coaching:mystery_visit_transcript": [Case("mystery_own", expect(200, **MYSTERY_ONLY))],
    "coaching:mystery_visit_attach": [Case("mystery_own", expect(405, anonymous=405))],
    "coaching:mystery_visit_evaluate": [Case("mystery_own", expect(405, anonymous=405))],
    "coaching:mystery_visit_cancel": [Case("mystery_own", expect(405, anonymous=405))],
    "coaching:mystery_results": [Case("", expect(200, **MYSTERY_ONLY))],
}


def _route_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _route_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_route_has_an_access_rule():
    """Given the URL configuration, when listing its routes, then each has a matrix entry."""
    routes = {name for name in _route_names() if not name.startswith("admin:")}
    missing = sorted(routes - set(MATRIX))
    assert missing == [], f"routes without an access rule in the matrix: {missing}"


@pytest.fixture
def world(db, tmp_path):
    users = {role: factories.user(role, username=f"u-{role}") for role in ROLES[1:]}
    factories.import_records(
        tmp_path,
        [
            factories.record("c-own", operator="op-own", team="Команда А"),
            factories.record("c-other", operator="op-other", team="Команда Б"),
        ],
    )
    own = factories.operator("op-own")
    other = factories.operator("op-other")
    factories.team("Команда А", lead=users["team_lead"])
    factories.link_login(own, users["operator"], mentor=users["mentor"])
    job = Job.objects.create(kind="conversations.import", created_by=users["qa_analyst"])
    version = scorecard_services.scorecard_save(actor=None, spec=CHAT_SCORECARD)
    evaluations = _submitted_evaluations(users, [own, other])
    return {
        "users": users,
        **mystery_world(users, own, other),
        "own": {
            "conversation_id": own.conversations.get().pk,
            "operator_id": own.pk,
            "evaluation_id": evaluations[0].pk,
        },
        "other": {
            "conversation_id": other.conversations.get().pk,
            "operator_id": other.pk,
            "evaluation_id": evaluations[1].pk,
        },
        "dispute": {"dispute_id": evaluations[2].pk},
        "job": {"job_id": job.pk},
        "rule": {
            "rule_id": sampling_services.sampling_rule_create(
                actor=None, name="Матрица", graders=[users["qa_analyst"]]
            ).pk
        },
        "scorecard": {"key": version.scorecard.key, "number": version.number},
    }


def _submitted_evaluations(users, operators) -> list:
    """A submitted evaluation per operator (by the QA analyst) and the own operator's dispute."""
    spec = scorecards.default_scorecard("default-chat")
    version = scorecard_services.scorecard_save(actor=None, spec=spec)
    scorecard_services.scorecard_activate(actor=None, version=version)
    answers = [manual.AnswerInput(c.key, float(c.points)) for c in spec.criteria()]
    made = []
    for operator in operators:
        evaluation = manual.evaluation_start(
            actor=users["qa_analyst"], conversation=operator.conversations.get()
        )
        made.append(
            manual.evaluation_submit(
                actor=users["qa_analyst"], evaluation=evaluation, revision=1, answers=answers
            )
        )
    dispute = disputes.dispute_open(
        actor=users["operator"], evaluation=made[0], criterion="", reason="Не согласна"
    )
    return [*made, dispute]


def _kwargs(name: str, variant: str, world) -> dict[str, int]:
    pattern_keys = {
        "conversations:detail": ("conversation_id",),
        "api-conversation-detail": ("conversation_id",),
        "accounts:operator_detail": ("operator_id",),
        "api-operator-detail": ("operator_id",),
        "conversations:import_job": ("job_id",),
        "api-job-detail": ("job_id",),
        "scorecards:detail": ("key",),
        "sampling:rule_edit": ("rule_id",),
        "scorecards:version": ("key", "number"),
        "scorecards:export": ("key", "number"),
        "evaluations:start": ("conversation_id",),
        "evaluations:detail": ("evaluation_id",),
        "evaluations:edit": ("evaluation_id",),
        "evaluations:preview": ("evaluation_id",),
        "evaluations:acknowledge": ("evaluation_id",),
        "evaluations:dispute_open": ("evaluation_id",),
        "evaluations:dispute_detail": ("dispute_id",),
        "api-evaluation-detail": ("evaluation_id",),
        "api-evaluation-submit": ("evaluation_id",),
        "api-evaluation-acknowledge": ("evaluation_id",),
        "api-evaluation-dispute": ("evaluation_id",),
        "api-dispute-resolve": ("dispute_id",),
        "scorecards:edit": ("key", "number"),
        "scorecards:activate": ("key", "number"),
        "scorecards:archive": ("key", "number"),
        "coaching:mystery_scenario_detail": ("scenario_id",),
        "coaching:mystery_scenario_edit": ("scenario_id",),
        "coaching:mystery_visit_plan": ("scenario_id",),
        "coaching:mystery_visit_detail": ("visit_id",),
        "coaching:mystery_visit_transcript": ("visit_id",),
        "coaching:mystery_visit_attach": ("visit_id",),
        "coaching:mystery_visit_evaluate": ("visit_id",),
        "coaching:mystery_visit_cancel": ("visit_id",),
    }
    if not variant:
        return {}
    return {key: world[variant][key] for key in pattern_keys[name]}


CASES = [
    (name, case.variant, role, case.expected[role])
    for name, cases in MATRIX.items()
    for case in cases
    for role in ROLES
]


@pytest.mark.parametrize(("name", "variant", "role", "status"), CASES)
def test_access_matrix(client, world, name, variant, role, status):
    """Given a role, when it GETs the route, then the status is the matrix's."""
    if role != "anonymous":
        client.force_login(world["users"][role])
    url = reverse(name, kwargs=_kwargs(name, variant, world))
    response = client.get(url)
    assert response.status_code == status, f"{role} GET {url}"
