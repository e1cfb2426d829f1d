"""The evaluation API: the same journey as the pages, with the one error shape."""

from __future__ import annotations

from rest_framework.test import APIClient

from nastavnik.evaluations.models import Dispute
from tests.evaluations.test_manual import all_yes
from tests.evaluations.test_manual import world as manual_world  # noqa: F401

world = manual_world


def api(user) -> APIClient:
    """An API client signed in as ``user``."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def answers_payload(spec, **overrides):
    """Every criterion at full marks, with some values overridden."""
    return [
        {"criterion": a.criterion, "value": overrides.get(a.criterion, a.value), "evidence": []}
        for a in all_yes(spec)
    ]


def test_api_journey_evaluate_dispute_accept(world):
    """Given the API, when evaluate → dispute → accept, then the score and history follow."""
    analyst, reviewer = api(world["analyst"]), api(world["analyst2"])
    operator = api(world["operator_login"])
    created = analyst.post(
        "/api/v1/evaluations/", {"conversation": world["conversation"].pk}, format="json"
    )
    assert created.status_code == 201, created.json()
    evaluation_id = created.json()["id"]
    first = world["spec"].criteria()[0].key
    payload = answers_payload(world["spec"], **{first: 0})
    payload[0]["evidence"] = [{"turn": 1, "start": 0, "end": 12}]
    submitted = analyst.post(
        f"/api/v1/evaluations/{evaluation_id}/submit/",
        {"revision": 1, "answers": payload, "comment": "нет приветствия"},
        format="json",
    )
    assert submitted.status_code == 200, submitted.json()
    body = submitted.json()
    assert body["state"] == "submitted"
    evidence = next(a for a in body["answers"] if a["criterion"] == first)["evidence"]
    assert evidence == [{"turn": 1, "start": 0, "end": 12, "quote": "Здравствуйте"}]
    before = body["score_percent"]

    seen = operator.get(f"/api/v1/evaluations/{evaluation_id}/")
    assert seen.status_code == 200
    assert operator.post(f"/api/v1/evaluations/{evaluation_id}/acknowledge/").status_code == 200
    opened = operator.post(
        f"/api/v1/evaluations/{evaluation_id}/disputes/",
        {"criterion": first, "reason": "Приветствие было"},
        format="json",
    )
    assert opened.status_code == 201, opened.json()
    dispute_id = opened.json()["id"]
    assert reviewer.get("/api/v1/disputes/?state=open").json()["count"] == 1

    resolved = reviewer.post(
        f"/api/v1/disputes/{dispute_id}/resolve/",
        {"decision": "accept", "answers": [{"criterion": first, "value": 1}]},
        format="json",
    )
    assert resolved.status_code == 200, resolved.json()
    assert resolved.json()["changes"] == {first: ["no", "yes"]}
    after = operator.get(f"/api/v1/evaluations/{evaluation_id}/").json()
    assert after["score_percent"] == 100.0 > before


def test_api_stale_revision_gets_409_in_the_error_shape(world):
    """Given a newer revision, when PATCHing with the old one, then 409 names the field."""
    analyst = api(world["analyst"])
    evaluation_id = analyst.post(
        "/api/v1/evaluations/", {"conversation": world["conversation"].pk}, format="json"
    ).json()["id"]
    key = world["spec"].criteria()[0].key
    ok = analyst.patch(
        f"/api/v1/evaluations/{evaluation_id}/",
        {"revision": 1, "answers": [{"criterion": key, "value": 1}]},
        format="json",
    )
    assert ok.status_code == 200
    assert ok.json()["revision"] == 2
    stale = analyst.patch(
        f"/api/v1/evaluations/{evaluation_id}/",
        {"revision": 1, "answers": [{"criterion": key, "value": 0}]},
        format="json",
    )
    assert stale.status_code == 409
    assert stale.json()["field"] == "revision"
    assert stale.json()["record"] == f"evaluation {evaluation_id}"


def test_api_unknown_criterion_is_named(world):
    """Given an answer to a criterion the scorecard lacks, when saving, then 400 names it."""
    analyst = api(world["analyst"])
    evaluation_id = analyst.post(
        "/api/v1/evaluations/", {"conversation": world["conversation"].pk}, format="json"
    ).json()["id"]
    response = analyst.patch(
        f"/api/v1/evaluations/{evaluation_id}/",
        {"revision": 1, "answers": [{"criterion": "nope", "value": 1}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "answers.nope"


def test_operator_cannot_resolve_disputes(world):
    """Given an operator, when resolving a dispute via the API, then 403 and it stays open."""
    analyst, operator = api(world["analyst"]), api(world["operator_login"])
    evaluation_id = analyst.post(
        "/api/v1/evaluations/", {"conversation": world["conversation"].pk}, format="json"
    ).json()["id"]
    analyst.post(
        f"/api/v1/evaluations/{evaluation_id}/submit/",
        {"revision": 1, "answers": answers_payload(world["spec"])},
        format="json",
    )
    dispute_id = operator.post(
        f"/api/v1/evaluations/{evaluation_id}/disputes/", {"reason": "нет"}, format="json"
    ).json()["id"]
    response = operator.post(
        f"/api/v1/disputes/{dispute_id}/resolve/",
        {"decision": "reject", "comment": "сама"},
        format="json",
    )
    assert response.status_code in (403, 404)
    assert Dispute.objects.get().state == "open"


def test_api_bad_filter_names_the_parameter(world):
    """Given an unknown state, when listing evaluations, then 400 in the one error shape."""
    response = api(world["analyst"]).get("/api/v1/evaluations/?state=lost")
    assert response.status_code == 400
    assert response.json()["field"] == "state"
