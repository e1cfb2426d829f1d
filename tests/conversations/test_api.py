"""The conversations REST API: authentication, filters, pages, detail, scoping and import.

Jobs run synchronously in tests (``NASTAVNIK_JOB_RUNNER=sync``) once the request's
transaction commits; inside a test transaction that is when
``django_capture_on_commit_callbacks(execute=True)`` exits.
"""

from __future__ import annotations

import gzip

import orjson
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.authtoken.models import Token

from nastavnik.accounts.models import Team
from nastavnik.conversations.models import Conversation
from nastavnik.core.models import AuditEvent, Job
from tests import factories

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/conversations/"
IMPORT_URL = "/api/v1/conversations/import/"
# Errors come in the interface language, Russian unless the user chose English.
UNSUPPORTED = "Неподдерживаемый тип файла: нужен .jsonl или .csv (можно сжатый, .gz)"


def _ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["external_id"] for row in response.json()["results"]}


def _jsonl(lines: list) -> bytes:
    return b"\n".join(
        line.encode() if isinstance(line, str) else orjson.dumps(line) for line in lines
    )


def _stored_uploads() -> list[str]:
    folder = settings.MEDIA_ROOT / "imports"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def analyst():
    return factories.user("qa_analyst", username="qa", full_name="Мария Ковалёва")


@pytest.fixture
def sample(tmp_path):
    """Four conversations: four channels, three operators, two teams and one without."""
    factories.import_records(
        tmp_path,
        [
            factories.record(
                "c1",
                channel="chat",
                operator="op-1",
                team="Линия 1",
                started_at="2026-03-02T10:15:00+03:00",
                outcome={"csat": 5},
                client_name="Олег",
                turns=[
                    {
                        "speaker": "client",
                        "text": "Где моя ЁЛКА?",
                        "at": "2026-03-02T10:15:00+03:00",
                    },
                    {
                        "speaker": "operator",
                        "text": "Сейчас проверю.",
                        "at": "2026-03-02T10:16:30+03:00",
                    },
                ],
            ),
            factories.record(
                "c2",
                channel="call",
                operator="op-2",
                team="Линия 2",
                started_at="2026-03-03T23:30:00+03:00",
                outcome={"csat": 3},
            ),
            # 22:30 UTC on 3 March is 01:30 on 4 March in Moscow, the product's time zone.
            factories.record(
                "c3",
                channel="email",
                operator="op-1",
                team="Линия 1",
                started_at="2026-03-03T22:30:00+00:00",
            ),
            factories.record(
                "c4",
                channel="messenger",
                operator="op-3",
                team=None,
                started_at="2026-03-01T09:00:00+03:00",
                outcome={"csat": 4},
            ),
        ],
    )


# ---------- authentication ----------


def test_token_from_username_and_password_lists_conversations(analyst, sample):
    # given a client without a session
    client = Client()
    # when it trades username and password for a token
    response = client.post(
        "/api/v1/token/",
        {"username": "qa", "password": factories.PASSWORD},
        content_type="application/json",
    )
    # then it gets the user's token, and the token opens the API
    assert response.status_code == 200
    token = response.json()["token"]
    assert response.json() == {"token": Token.objects.get(user=analyst).key}
    listed = client.get(LIST_URL, headers={"Authorization": f"Token {token}"})
    assert _ids(listed) == {"c1", "c2", "c3", "c4"}
    # and asking again returns the same token
    again = client.post("/api/v1/token/", {"username": "qa", "password": factories.PASSWORD})
    assert again.json() == {"token": token}


def test_wrong_password_gets_no_token(analyst):
    response = Client().post("/api/v1/token/", {"username": "qa", "password": "wrong"})
    assert response.status_code == 400
    assert set(response.json()) == {"non_field_errors"}
    assert Token.objects.count() == 0


def test_unknown_token_is_refused_and_reveals_nothing(analyst, sample):
    response = Client().get(LIST_URL, headers={"Authorization": "Token not-a-real-token"})
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}


def test_session_login_lists_conversations(analyst, sample):
    client = Client()
    assert client.login(username="qa", password=factories.PASSWORD)
    assert _ids(client.get(LIST_URL)) == {"c1", "c2", "c3", "c4"}


def test_anonymous_caller_is_refused(sample):
    response = Client().get(LIST_URL)
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}


def test_me_returns_the_callers_roles(client):
    # given a user holding two roles
    person = factories.user("qa_lead", "mentor", username="lead", full_name="Ирина Белова")
    client.force_login(person)
    # when asking who they are
    response = client.get("/api/v1/me/")
    # then the roles come sorted, with the identity
    assert response.status_code == 200
    assert response.json() == {
        "id": person.pk,
        "username": "lead",
        "full_name": "Ирина Белова",
        "roles": ["mentor", "qa_lead"],
    }


# ---------- list: filters and pages ----------


def _resolve(params: dict) -> dict:
    """Replace ``operator``/``team`` names with the ids the importer gave them."""
    resolved = dict(params)
    if "operator" in resolved:
        resolved["operator"] = factories.operator(resolved["operator"]).pk
    if "team" in resolved:
        resolved["team"] = Team.objects.get(name=resolved["team"]).pk
    return resolved


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"c1", "c2", "c3", "c4"}),
        ({"channel": "call"}, {"c2"}),
        ({"channel": ["call", "email"]}, {"c2", "c3"}),
        ({"operator": "op-1"}, {"c1", "c3"}),
        ({"team": "Линия 2"}, {"c2"}),
        ({"date_from": "2026-03-03"}, {"c2", "c3"}),
        ({"date_to": "2026-03-03"}, {"c1", "c2", "c4"}),
        ({"date_from": "2026-03-03", "date_to": "2026-03-03"}, {"c2"}),
        ({"date_from": "2026-03-04", "date_to": "2026-03-04"}, {"c3"}),
        ({"csat": "5"}, {"c1"}),
        ({"csat": ["3", "4"]}, {"c2", "c4"}),
        ({"csat_missing": "true"}, {"c3"}),
        ({"q": "ёлка"}, {"c1"}),
        ({"q": "ЕЛКА"}, {"c1"}),
        ({"q": "c3"}, {"c3"}),
        ({"q": "пылесос"}, set()),
        ({"channel": "chat", "operator": "op-1", "csat": "5"}, {"c1"}),
    ],
)
def test_list_filters(client, analyst, sample, params, expected):
    # given an analyst who sees everything
    client.force_login(analyst)
    # when filtering the list
    response = client.get(LIST_URL, _resolve(params))
    # then exactly the matching conversations come back
    assert _ids(response) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"csat": "7"}, "csat"),
        ({"operator": "999999"}, "operator"),
    ],
)
def test_invalid_filter_is_a_400_naming_the_parameter(client, analyst, sample, params, field):
    client.force_login(analyst)
    response = client.get(LIST_URL, params)
    assert response.status_code == 400
    # the one error shape of every endpoint: a message and the parameter it is about
    assert response.json()["field"] == field
    assert response.json()["error"]


def test_list_rows_carry_names_and_outcomes(client, analyst, sample):
    client.force_login(analyst)
    rows = {row["external_id"]: row for row in client.get(LIST_URL).json()["results"]}
    c1 = Conversation.objects.get(external_id="c1")
    assert rows["c1"]["id"] == c1.pk
    assert (rows["c1"]["operator"], rows["c1"]["operator_name"]) == (
        factories.operator("op-1").pk,
        "Оператор op-1",
    )
    assert (rows["c1"]["team_name"], rows["c1"]["csat"]) == ("Линия 1", 5)
    assert rows["c1"]["client_name"] == "Олег"
    assert rows["c1"]["started_at"] == "2026-03-02T10:15:00+03:00"
    assert (rows["c4"]["team"], rows["c4"]["team_name"]) == (None, None)
    # the list leaves out the heavy columns
    assert "turns" not in rows["c1"]
    assert "meta" not in rows["c1"]


def test_pages_of_fifty_newest_first_keep_the_filter(client, analyst, tmp_path):
    # given 53 chats and 2 calls, one minute apart
    records = [
        factories.record(f"p{n:02d}", started_at=f"2026-03-02T10:{n:02d}:00+03:00")
        for n in range(53)
    ]
    records += [
        factories.record(f"k{n}", channel="call", started_at=f"2026-03-02T11:0{n}:00+03:00")
        for n in range(2)
    ]
    factories.import_records(tmp_path, records)
    client.force_login(analyst)
    # when reading the chats page by page
    first = client.get(LIST_URL, {"channel": "chat"}).json()
    second = client.get(first["next"]).json()
    # then the pages have DRF's shape, newest first, and the links keep the filter
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 53
    assert first["next"] == "http://testserver/api/v1/conversations/?channel=chat&page=2"
    assert first["previous"] is None
    assert [row["external_id"] for row in first["results"]] == [
        f"p{n:02d}" for n in range(52, 2, -1)
    ]
    assert second["count"] == 53
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/conversations/?channel=chat"
    assert [row["external_id"] for row in second["results"]] == ["p02", "p01", "p00"]
    # and a page past the end is a 404
    assert client.get(LIST_URL, {"channel": "chat", "page": 3}).status_code == 404


def test_listing_fifty_conversations_costs_a_fixed_number_of_queries(
    client, analyst, tmp_path, django_assert_max_num_queries
):
    # given 50 conversations of 10 operators in 5 teams
    factories.import_records(
        tmp_path,
        [
            factories.record(f"n{n}", operator=f"op-{n % 10}", team=f"Линия {n % 5}")
            for n in range(50)
        ],
    )
    client.force_login(analyst)
    # when listing them: session, user, roles, count, one page with operators and teams
    with django_assert_max_num_queries(5):
        response = client.get(LIST_URL)
    # then all 50 came back with their operator and team names
    rows = response.json()["results"]
    assert len(rows) == 50
    assert {row["team_name"] for row in rows} == {f"Линия {n}" for n in range(5)}
    assert len({row["operator_name"] for row in rows}) == 10


# ---------- detail and scoping ----------


def test_detail_has_the_turns(client, analyst, sample):
    client.force_login(analyst)
    c1 = Conversation.objects.get(external_id="c1")
    response = client.get(f"{LIST_URL}{c1.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["external_id"], body["channel"]) == (c1.pk, "c1", "chat")
    assert body["turns"] == [
        {"speaker": "client", "text": "Где моя ЁЛКА?", "at": "2026-03-02T10:15:00+03:00"},
        {"speaker": "operator", "text": "Сейчас проверю.", "at": "2026-03-02T10:16:30+03:00"},
    ]
    assert body["turn_count"] == 2
    assert body["first_response_seconds"] == 90.0


def test_call_turns_have_offsets_instead_of_times(client, analyst, sample):
    client.force_login(analyst)
    c2 = Conversation.objects.get(external_id="c2")
    turns = client.get(f"{LIST_URL}{c2.pk}/").json()["turns"]
    assert turns == [
        {"speaker": "operator", "text": "Здравствуйте, меня зовут Анна.", "start": 0.0, "end": 2.5},
        {"speaker": "client", "text": "Где мой заказ?", "start": 3.0, "end": 4.2},
    ]


@pytest.fixture
def operator_login(client, sample):
    """The login of operator op-1 (who owns c1 and c3), signed in."""
    login = factories.user("operator", username="op1")
    factories.link_login(factories.operator("op-1"), login)
    client.force_login(login)
    return login


def test_operator_lists_only_their_own_conversations(client, operator_login):
    assert _ids(client.get(LIST_URL)) == {"c1", "c3"}


def test_operator_gets_404_for_another_operators_conversation(client, operator_login):
    # given a conversation of op-2 and one of the operator's own
    other = Conversation.objects.get(external_id="c2")
    own = Conversation.objects.get(external_id="c1")
    # when the operator asks for both
    hidden = client.get(f"{LIST_URL}{other.pk}/")
    visible = client.get(f"{LIST_URL}{own.pk}/")
    # then the other operator's looks exactly like one that does not exist
    missing = client.get(f"{LIST_URL}999999/")
    assert hidden.status_code == 404
    assert hidden.json() == missing.json()
    assert visible.status_code == 200


def test_operator_cannot_filter_by_another_operator(client, operator_login):
    response = client.get(LIST_URL, {"operator": factories.operator("op-2").pk})
    assert response.status_code == 400
    assert response.json()["field"] == "operator"


# ---------- import ----------


@pytest.fixture
def token_client(analyst):
    token = Token.objects.create(user=analyst)
    return Client(headers={"Authorization": f"Token {token.key}"})


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_import_queues_a_job_that_reports_created_and_rejected(
    token_client, analyst, django_capture_on_commit_callbacks
):
    # given a file with three good records and a bad channel on line 2
    content = _jsonl(
        [
            factories.record("u1"),
            factories.record("b1", channel="fax"),
            factories.record("u2"),
            factories.record("u3", channel="call"),
        ]
    )
    # when the analyst uploads it with a token
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client.post(
            IMPORT_URL, {"file": _upload("batch.jsonl", content), "source": "crm"}
        )
    # then the answer is 202 with the job, which starts when the request commits
    assert response.status_code == 202
    accepted = response.json()
    job = Job.objects.get()
    assert (accepted["id"], accepted["kind"]) == (job.pk, "conversations.import")
    assert (accepted["state"], accepted["total"]) == ("queued", len(content))
    # and the job page shows it done with the report
    polled = token_client.get(f"/api/v1/jobs/{job.pk}/")
    assert polled.status_code == 200
    body = polled.json()
    assert (body["state"], body["error"], body["percent"]) == ("done", "", 100)
    assert (body["done"], body["total"]) == (len(content), len(content))
    report = body["report"]
    assert report["filename"] == "batch.jsonl"
    assert (report["records"], report["created"], report["rejected"]) == (4, 3, 1)
    assert report["issues"] == [
        {
            "line": 2,
            "record": "line 2 (b1)",
            "field": "channel",
            "reason": "must be one of call, chat, email, messenger, got 'fax'",
        },
    ]
    assert set(Conversation.objects.values_list("source", "external_id")) == {
        ("crm", "u1"),
        ("crm", "u2"),
        ("crm", "u3"),
    }
    # the uploaded copy is gone once imported, and the import is audited to the analyst
    assert _stored_uploads() == []
    event = AuditEvent.objects.get(action="conversations.import")
    assert (event.actor, event.changes["created"]) == (analyst, 3)


def test_gzipped_csv_imports_too(token_client, django_capture_on_commit_callbacks):
    content = gzip.compress(
        "external_id,channel,operator,started_at,speaker,text,at\n"
        "k1,chat,op-1,2026-03-02T10:00:00+03:00,client,Привет,2026-03-02T10:00:00+03:00\n"
        "k1,,,,operator,Здравствуйте!,2026-03-02T10:01:00+03:00\n".encode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client.post(
            IMPORT_URL, {"file": _upload("export.csv.gz", content), "source": "csv"}
        )
    assert response.status_code == 202
    job = Job.objects.get()
    assert (job.state, job.report["created"], job.report["rejected"]) == ("done", 1, 0)
    assert Conversation.objects.get().turn_count == 2


@pytest.mark.parametrize("role", ["head", "team_lead", "mentor", "trainer", "operator"])
def test_roles_that_may_not_import_get_403_and_nothing_is_stored(
    client, role, django_capture_on_commit_callbacks
):
    # given a signed-in user whose role may not import
    client.force_login(factories.user(role))
    # when they upload a valid file
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            IMPORT_URL,
            {"file": _upload("batch.jsonl", _jsonl([factories.record("x1")])), "source": "crm"},
        )
    # then they are refused and nothing was written or queued
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}
    assert Job.objects.count() == 0
    assert Conversation.objects.count() == 0
    assert _stored_uploads() == []


def test_anonymous_import_is_refused():
    response = Client().post(
        IMPORT_URL, {"file": _upload("batch.jsonl", _jsonl([factories.record("x1")]))}
    )
    assert response.status_code == 403
    assert (Job.objects.count(), Conversation.objects.count(), _stored_uploads()) == (0, 0, [])


def test_session_import_needs_the_csrf_token_and_token_import_does_not(analyst):
    # given a browser-like client that enforces CSRF, signed in with a session
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(analyst)
    content = _jsonl([factories.record("x1")])
    # when it posts without a CSRF token, it is refused and nothing is stored
    refused = browser.post(IMPORT_URL, {"file": _upload("a.jsonl", content)})
    assert refused.status_code == 403
    assert (Job.objects.count(), _stored_uploads()) == (0, [])
    # and a token client on the same CSRF-enforcing stack is accepted
    token = Token.objects.create(user=analyst)
    api = Client(enforce_csrf_checks=True, headers={"Authorization": f"Token {token.key}"})
    accepted = api.post(IMPORT_URL, {"file": _upload("a.jsonl", content)})
    assert accepted.status_code == 202
    assert Job.objects.get().payload["source"] == "api"


@pytest.mark.parametrize("name", ["notes.txt", "export.xlsx", "batch.jsonl.zip", "archive.gz"])
def test_unsupported_file_type_is_a_400_naming_the_field(token_client, name):
    # when uploading a file that is neither JSONL nor CSV
    response = token_client.post(IMPORT_URL, {"file": _upload(name, b"hello"), "source": "crm"})
    # then the one error shape names the field, and nothing is stored or queued
    assert response.status_code == 400
    assert response.json() == {"error": UNSUPPORTED, "field": "file"}
    assert (Job.objects.count(), Conversation.objects.count(), _stored_uploads()) == (0, 0, [])


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"source": "crm"}, "file"),
        ({"file": b"", "source": "crm"}, "file"),
        ({"file": b"{}", "source": " "}, "source"),
        ({"file": b"{}", "source": "x" * 65}, "source"),
    ],
)
def test_bad_import_request_is_a_400_in_the_one_error_shape(token_client, data, field):
    # given a request missing a file, with an empty file, or with a bad source
    if "file" in data:
        data = {**data, "file": _upload("a.jsonl", data["file"])}
    # when posting it
    response = token_client.post(IMPORT_URL, data)
    # then the answer has the same shape as every other error, naming the field
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error", "field"}
    assert body["field"] == field
    assert body["error"]
    assert (Job.objects.count(), _stored_uploads()) == (0, [])
