"""The OpenAPI schema: generated cleanly, complete, true to the answers, documented offline."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from drf_spectacular.drainage import reset_generator_stats
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator
from rest_framework.authtoken.models import Token

from nastavnik.accounts.models import Team
from nastavnik.conversations.models import Conversation
from nastavnik.core.models import Job
from tests import factories

SIDECAR = "/static/drf_spectacular_sidecar/swagger-ui-dist/"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_generates_and_validates_without_warnings(tmp_path):
    # given no warnings left over from schemas generated earlier in this process
    reset_generator_stats()
    # when generating the schema the way CI does
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    # then it is written and holds the conversation, import and job operations
    document = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.")
    operations = {(path, method) for path, item in document["paths"].items() for method in item}
    assert {
        ("/api/v1/conversations/", "get"),
        ("/api/v1/conversations/{conversation_id}/", "get"),
        ("/api/v1/conversations/import/", "post"),
        ("/api/v1/jobs/{job_id}/", "get"),
        ("/api/v1/token/", "post"),
        ("/api/v1/me/", "get"),
    } <= operations


def test_import_operation_takes_a_multipart_file_and_answers_202_with_a_job(schema):
    operation = schema["paths"]["/api/v1/conversations/import/"]["post"]
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    request = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    upload = request["properties"]["file"]
    assert (upload["type"], upload["format"]) == ("string", "binary")
    assert request["required"] == ["file"]
    answer = operation["responses"]["202"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/Job"}
    assert set(operation["responses"]) == {"202", "400", "403"}
    error = operation["responses"]["400"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}


def test_list_operation_documents_every_filter(schema):
    operation = schema["paths"]["/api/v1/conversations/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert names == {
        "channel",
        "operator",
        "team",
        "date_from",
        "date_to",
        "csat",
        "csat_missing",
        "q",
        "page",
    }


_PYTHON_TYPES = {"integer": int, "number": (int, float), "string": str, "boolean": bool}


def _enum_mismatches(name: str, node: dict) -> list[str]:
    declared = node.get("type")
    wanted = _PYTHON_TYPES.get(declared)
    wrong = [
        value
        for value in node.get("enum", [])
        if value is not None
        and (
            wanted is None
            or not isinstance(value, wanted)
            or isinstance(value, bool) != (declared == "boolean")
        )
    ]
    found = [f"{name}: {declared} with enum values {wrong!r}"] if wrong else []
    if isinstance(node.get("items"), dict):
        found += _enum_mismatches(f"{name}[]", node["items"])
    return found


def test_parameter_enum_values_have_the_declared_type(schema):
    """A generated client must be able to send every documented value (``csat=5``)."""
    mismatches = [
        problem
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        for parameter in operation.get("parameters", [])
        for problem in _enum_mismatches(f"{method} {path} {parameter['name']}", parameter["schema"])
    ]
    assert mismatches == []


# ---------- answers match the schema ----------


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 → JSON Schema: ``nullable`` becomes a null branch; objects are closed."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if converted.get("type") == "object" and "properties" in converted:
        converted.setdefault("additionalProperties", False)
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def _validator(schema: dict, component: str) -> Draft202012Validator:
    document = {
        "$ref": f"#/components/schemas/{component}",
        "components": _json_schema(schema["components"]),
    }
    return Draft202012Validator(document)


_PYTHON_REPR = re.compile(r"<[^<>]* at 0x[0-9a-f]+>|^<(bound method|method-wrapper) ")


def _python_reprs(body: Any, path: str = "") -> list[str]:
    """Strings that are a Python object's repr: a serializer rendered the wrong thing."""
    if isinstance(body, dict):
        return [
            found for key, value in body.items() for found in _python_reprs(value, f"{path}/{key}")
        ]
    if isinstance(body, list):
        return [
            found for n, value in enumerate(body) for found in _python_reprs(value, f"{path}/{n}")
        ]
    if isinstance(body, str) and _PYTHON_REPR.search(body):
        return [f"{path}: {body}"]
    return []


def _problems(schema: dict, component: str, body: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in _validator(schema, component).iter_errors(body)
    ] + _python_reprs(body)


@pytest.fixture
def world(db, tmp_path):
    """Conversations with and without a team and outcomes, a finished import job."""
    factories.import_records(
        tmp_path,
        [
            factories.record(
                "c1",
                operator="op-1",
                team="Линия 1",
                outcome={"csat": 5, "order_amount": 1250.5},
                meta={"crm": 7},
            ),
            factories.record("c2", channel="call", operator="op-2", team=None),
        ],
    )
    analyst = factories.user("qa_analyst", username="qa")
    factories.link_login(factories.operator("op-1"), factories.user("operator"), mentor=analyst)
    job = Job.objects.create(
        kind="conversations.import",
        state=Job.State.DONE,
        created_by=analyst,
        report={"created": 2, "issues": []},
    )
    return {"analyst": analyst, "job": job}


@pytest.mark.parametrize(
    ("url", "component"),
    [
        ("/api/v1/conversations/", "PaginatedConversationListList"),
        ("/api/v1/conversations/{c1}/", "ConversationDetail"),
        ("/api/v1/conversations/{c2}/", "ConversationDetail"),
        ("/api/v1/jobs/{job}/", "Job"),
        ("/api/v1/me/", "Me"),
        ("/api/v1/operators/", "PaginatedOperatorList"),
        ("/api/v1/teams/", "PaginatedTeamList"),
    ],
)
def test_answers_match_the_schema(client, schema, world, url, component):
    # given a conversation without a team, an operator without a mentor, a finished job
    client.force_login(world["analyst"])
    ids = {
        "c1": Conversation.objects.get(external_id="c1").pk,
        "c2": Conversation.objects.get(external_id="c2").pk,
        "job": world["job"].pk,
    }
    # when calling the endpoint
    response = client.get(url.format(**ids))
    # then the answer is exactly what the schema promises (no undocumented fields either)
    assert response.status_code == 200
    assert _problems(schema, component, response.json()) == []


def test_token_answer_matches_the_schema(client, schema, world):
    response = client.post("/api/v1/token/", {"username": "qa", "password": factories.PASSWORD})
    assert response.status_code == 200
    assert _problems(schema, "AuthToken", response.json()) == []
    assert response.json()["token"] == Token.objects.get(user=world["analyst"]).key


@pytest.mark.parametrize(
    "data",
    [{"file": SimpleUploadedFile("notes.txt", b"hi")}, {"source": "crm"}],
    ids=["unsupported type", "no file"],
)
def test_import_errors_match_the_error_schema(client, schema, world, data):
    client.force_login(world["analyst"])
    response = client.post("/api/v1/conversations/import/", data)
    assert response.status_code == 400
    assert response.json()["field"] == "file"
    assert _problems(schema, "Error", response.json()) == []


def test_operators_answer_names_the_mentor_or_nothing(client, world):
    # given op-1 mentored by the analyst and op-2 without a mentor, team or grade
    client.force_login(world["analyst"])
    # when listing operators
    rows = {row["full_name"]: row for row in client.get("/api/v1/operators/").json()["results"]}
    # then the mentor's name, or null, never a Python repr
    assert (rows["Оператор op-1"]["mentor"], rows["Оператор op-1"]["mentor_name"]) == (
        world["analyst"].pk,
        "qa",
    )
    op2 = rows["Оператор op-2"]
    assert (op2["mentor"], op2["mentor_name"], op2["team_name"], op2["grade"]) == (
        None,
        None,
        None,
        "",
    )


def test_teams_answer_has_the_team_without_a_lead(client, schema, world):
    client.force_login(world["analyst"])
    names = [row["name"] for row in client.get("/api/v1/teams/").json()["results"]]
    assert names == list(Team.objects.order_by("name").values_list("name", flat=True))


# ---------- documentation page ----------


@pytest.mark.django_db
def test_swagger_ui_is_served_from_vendored_static_files(client):
    # given a signed-in user
    client.force_login(factories.user("operator"))
    # when opening the API documentation
    response = client.get("/api/docs/")
    html = response.content.decode()
    # then Swagger UI loads from our static files, pointed at our schema, with no CDN
    assert response.status_code == 200
    assert f'<script src="{SIDECAR}swagger-ui-bundle.js"></script>' in html
    assert f'<link rel="stylesheet" href="{SIDECAR}swagger-ui.css">' in html
    assert '"/api/v1/schema/"' in html
    assert re.findall(r"""(?:src|href)=["'](?:https?:)?//""", html) == []
    for needle in ("cdn.", "jsdelivr", "unpkg", "cdnjs"):
        assert needle not in html
    # and every static file the page references is actually served
    static = sorted(set(re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", html)))
    assert len(static) == 4
    for url in static:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_schema_endpoint_serves_the_same_paths(client, schema):
    client.force_login(factories.user("operator"))
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert set(response.json()["paths"]) == set(schema["paths"])
