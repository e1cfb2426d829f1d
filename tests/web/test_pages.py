"""Web pages: rendering, language, filters, pagination, import report, operator scoping."""

from __future__ import annotations

import re

import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse

from nastavnik.conversations.models import Conversation
from nastavnik.core.errors import ApplicationError
from nastavnik.core.models import Job
from tests import factories

pytestmark = pytest.mark.django_db


def _ids(response) -> set[str]:
    """External ids of the conversations listed on a list page."""
    return {conversation.external_id for conversation in response.context["page"].object_list}


@pytest.fixture
def analyst(client):
    login = factories.user("qa_analyst", username="qa", full_name="Мария Ковалёва")
    client.force_login(login)
    return login


@pytest.fixture
def sample(tmp_path):
    """Five conversations in three channels with different texts and ratings."""
    factories.import_records(
        tmp_path,
        [
            factories.record(
                "c1",
                channel="chat",
                topic="доставка",
                client_name="Олег",
                outcome={"csat": 5},
                tags=["задержка"],
                turns=[
                    {
                        "speaker": "client",
                        "text": "Где мой заказ? Жду ЁЛКУ к празднику.",
                        "at": "2026-03-02T10:15:00+03:00",
                    },
                    {
                        "speaker": "operator",
                        "text": "Здравствуйте, Олег! Сейчас проверю.",
                        "at": "2026-03-02T10:16:30+03:00",
                    },
                    {
                        "speaker": "bot",
                        "text": "Оцените, пожалуйста, разговор.",
                        "at": "2026-03-02T10:20:00+03:00",
                    },
                ],
            ),
            factories.record(
                "c2", channel="call", outcome={"csat": 2}, started_at="2026-03-03T09:00:00+03:00"
            ),
            factories.record(
                "c3", channel="email", operator="op-2", started_at="2026-03-04T09:00:00+03:00"
            ),
            factories.record(
                "c4",
                channel="messenger",
                operator="op-2",
                outcome={"csat": 5},
                started_at="2026-03-05T09:00:00+03:00",
            ),
            factories.record(
                "c5",
                channel="call",
                turns=[],
                outcome={"missed": True},
                started_at="2026-03-06T09:00:00+03:00",
            ),
        ],
    )


# ---------- layout, language ----------


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    # when an anonymous visitor opens the overview
    response = client.get(reverse("home"))
    # then they are redirected to the login form, which renders in Russian
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'lang="ru"' in page.content.decode()
    assert "Войти" in page.content.decode()


def test_russian_is_the_default_interface(client, analyst, sample):
    # when the analyst opens the overview without choosing a language
    response = client.get(reverse("home"))
    html = response.content.decode()
    # then the page is Russian: menu, user's role, logout as a POST form
    assert response.status_code == 200
    assert '<html lang="ru">' in html
    assert "<span>Обращения</span>" in html
    assert "<span>Операторы</span>" in html
    assert "<span>Импорт</span>" in html
    assert "Специалист ОКК" in html
    assert "Мария Ковалёва" in html
    assert re.search(r'<form method="post" action="/logout/">', html)


def test_switching_to_english_changes_the_menu(client, analyst, sample):
    # when the analyst switches the language to English
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("home")}, follow=True
    )
    html = response.content.decode()
    # then the menu is English, and switching back gives Russian again
    assert '<html lang="en">' in html
    assert "<span>Conversations</span>" in html
    assert "<span>Обращения</span>" not in html
    back = client.post(
        reverse("set_language"), {"language": "ru", "next": reverse("home")}, follow=True
    )
    assert "<span>Обращения</span>" in back.content.decode()


def test_operator_menu_has_no_import_or_operators(client, tmp_path):
    # given an operator with a login
    factories.import_records(tmp_path, [factories.record("c1")])
    login = factories.user("operator")
    factories.link_login(factories.operator("op-1"), login)
    client.force_login(login)
    # when they open the overview
    html = client.get(reverse("home")).content.decode()
    # then the menu shows their conversations only
    assert "<span>Обращения</span>" in html
    assert "<span>Импорт</span>" not in html
    assert "<span>Операторы</span>" not in html


# ---------- overview ----------


def test_overview_counts_channels_and_draws_the_chart(client, analyst, sample):
    response = client.get(reverse("home"))
    html = response.content.decode()
    overview = response.context["overview"]
    assert overview["total"] == 5
    assert overview["by_channel"] == {"chat": 1, "call": 2, "email": 1, "messenger": 1}
    assert 'id="channel-chart-data"' in html
    assert "vendor/chart.umd.min.js" in html
    # the average of the ratings 5, 2 and 5, in Russian number format
    assert "4,00" in html
    assert "Последние обращения" in html


def test_overview_without_data_shows_an_empty_state(client, analyst):
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Обращений пока нет" in html
    assert "chart.umd.min.js" not in html
    assert reverse("conversations:import") in html


# ---------- conversation list ----------


def test_list_shows_every_visible_conversation_with_links(client, analyst, sample):
    response = client.get(reverse("conversations:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert _ids(response) == {"c1", "c2", "c3", "c4", "c5"}
    for conversation in Conversation.objects.all():
        assert f'href="{reverse("conversations:detail", args=[conversation.pk])}"' in html
    assert '<span class="badge badge-call">Звонок</span>' in html
    assert "Показаны 1–5 из 5" in html


def test_list_filters_by_channel(client, analyst, sample):
    response = client.get(reverse("conversations:list"), {"channel": ["call", "email"]})
    assert _ids(response) == {"c2", "c3", "c5"}
    # the chosen channels stay ticked
    html = response.content.decode()
    assert re.search(r'<input[^>]*value="call"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="chat"[^>]*checked', html)


@pytest.mark.parametrize("query", ["ёлку", "ЕЛКУ", "Ёлку к ПРАЗДНИКУ", "елку"])
def test_text_search_folds_case_and_yo(client, analyst, sample, query):
    response = client.get(reverse("conversations:list"), {"q": query})
    assert _ids(response) == {"c1"}


def test_text_search_finds_an_external_id(client, analyst, sample):
    response = client.get(reverse("conversations:list"), {"q": "c4"})
    assert _ids(response) == {"c4"}


def test_list_filters_by_csat(client, analyst, sample):
    assert _ids(client.get(reverse("conversations:list"), {"csat": "5"})) == {"c1", "c4"}
    assert _ids(client.get(reverse("conversations:list"), {"csat": ["2", "5"]})) == {
        "c1",
        "c2",
        "c4",
    }
    without = client.get(reverse("conversations:list"), {"csat_missing": "true"})
    assert _ids(without) == {"c3", "c5"}


def test_list_filters_by_operator_and_period(client, analyst, sample):
    operator = factories.operator("op-2")
    response = client.get(reverse("conversations:list"), {"operator": operator.pk})
    assert _ids(response) == {"c3", "c4"}
    period = client.get(
        reverse("conversations:list"), {"date_from": "2026-03-03", "date_to": "2026-03-05"}
    )
    assert _ids(period) == {"c2", "c3", "c4"}


def test_list_with_no_match_shows_an_empty_state(client, analyst, sample):
    response = client.get(reverse("conversations:list"), {"q": "несуществующая фраза"})
    html = response.content.decode()
    assert _ids(response) == set()
    assert "Ничего не найдено" in html
    assert "<table" not in html


def test_pagination_keeps_the_filters(client, analyst, tmp_path):
    # given 55 chats and 3 calls
    records = [
        factories.record(f"chat-{n:02d}", started_at=f"2026-03-{1 + n % 28:02d}T10:00:00+03:00")
        for n in range(55)
    ]
    records += [factories.record(f"call-{n}", channel="call") for n in range(3)]
    factories.import_records(tmp_path, records)
    # when listing the chats
    first = client.get(reverse("conversations:list"), {"channel": "chat"})
    html = first.content.decode()
    # then the first page has 50 of them and the next-page link keeps the filter
    assert len(_ids(first)) == 50
    assert "Страница 1 из 2" in html
    assert 'href="?channel=chat&amp;page=2"' in html
    second = client.get(reverse("conversations:list"), {"channel": "chat", "page": "2"})
    assert len(_ids(second)) == 5
    assert _ids(first) | _ids(second) == {f"chat-{n:02d}" for n in range(55)}
    assert 'href="?channel=chat&amp;page=1"' in second.content.decode()


@pytest.mark.parametrize(
    ("url_name", "queries"),
    [
        ("home", 13),
        ("conversations:list", 10),
        ("accounts:operator_list", 5),
        ("accounts:operator_detail", 11),
    ],
)
def test_page_query_count_does_not_grow_with_rows(
    client, analyst, tmp_path, django_assert_max_num_queries, url_name, queries
):
    # given 60 conversations of 7 operators
    factories.import_records(
        tmp_path,
        [factories.record(f"c{n}", operator=f"op-{n % 7}", outcome={"csat": 4}) for n in range(60)],
    )
    args = [factories.operator("op-1").pk] if url_name == "accounts:operator_detail" else []
    # when the page renders, then its query count is fixed, whatever the number of rows
    # (one of them is the unread-notification count in the top bar; the overview adds five
    # for what waits for the user: evaluations to read, disputes, drafts, the queue; the
    # operator page five for the quality section, whatever the number of scorecard versions)
    with django_assert_max_num_queries(queries):
        response = client.get(reverse(url_name, args=args))
    assert response.status_code == 200


# ---------- conversation page ----------


def test_conversation_page_shows_metadata_and_the_dialogue(client, analyst, sample):
    conversation = Conversation.objects.get(external_id="c1")
    response = client.get(reverse("conversations:detail", args=[conversation.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    # every turn is anchored for evidence links, on the side of its speaker
    assert [t["index"] for t in response.context["turns"]] == [0, 1, 2]
    assert '<div class="turn turn-client" id="turn-0">' in html
    assert '<div class="turn turn-operator" id="turn-1">' in html
    assert '<div class="turn turn-bot" id="turn-2">' in html
    assert "Жду ЁЛКУ к празднику." in html
    assert "10:16:30" in html
    # metadata and the derived first response (90 s) as m:ss
    assert "Обращение c1" in html
    assert "доставка" in html
    assert '<span class="tag">задержка</span>' in html
    assert "Олег" in html
    assert "1:30" in html
    assert "Первый ответ" in html


def test_missed_call_without_turns_says_so(client, analyst, sample):
    conversation = Conversation.objects.get(external_id="c5")
    html = client.get(reverse("conversations:detail", args=[conversation.pk])).content.decode()
    assert 'id="turn-' not in html
    assert "пропущенный звонок" in html.lower()


def test_unknown_conversation_is_404_with_the_page_template(client, analyst):
    response = client.get(reverse("conversations:detail", args=[999999]))
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


# ---------- operators' scope ----------


def test_operator_sees_only_own_conversations(client, analyst, sample):
    # given an operator login linked to op-2
    login = factories.user("operator")
    factories.link_login(factories.operator("op-2"), login)
    client.force_login(login)
    # when they open the list
    response = client.get(reverse("conversations:list"))
    # then only op-2's conversations are listed
    assert _ids(response) == {"c3", "c4"}
    # and the operator filter offers only themselves
    operators = list(response.context["filter"].filters["operator"].queryset)
    assert operators == [factories.operator("op-2")]


def test_operator_opening_anothers_conversation_gets_404(client, analyst, sample):
    login = factories.user("operator")
    factories.link_login(factories.operator("op-2"), login)
    client.force_login(login)
    foreign = Conversation.objects.get(external_id="c1")
    own = Conversation.objects.get(external_id="c3")
    assert client.get(reverse("conversations:detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("conversations:detail", args=[own.pk])).status_code == 200


def test_operator_gets_403_on_the_import_page(client, tmp_path):
    login = factories.user("operator")
    client.force_login(login)
    response = client.get(reverse("conversations:import"))
    assert response.status_code == 403
    assert "Доступ запрещён" in response.content.decode()


def test_operator_list_and_profile(client, analyst, sample):
    response = client.get(reverse("accounts:operator_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Оператор op-1" in html
    assert "Оператор op-2" in html
    operator = factories.operator("op-2")
    profile = client.get(reverse("accounts:operator_detail", args=[operator.pk]))
    profile_html = profile.content.decode()
    assert profile.status_code == 200
    assert "Оператор op-2" in profile_html
    assert {c.external_id for c in profile.context["latest"]} == {"c3", "c4"}


# ---------- import ----------


def test_import_upload_reports_created_and_the_rejected_line(
    client, analyst, django_capture_on_commit_callbacks
):
    # given a file of three good records and a broken second line
    lines = [factories.record("u1"), "{not json", factories.record("u2"), factories.record("u3")]
    content = b"\n".join(
        line.encode() if isinstance(line, str) else orjson.dumps(line) for line in lines
    )
    upload = SimpleUploadedFile("batch.jsonl", content, content_type="application/jsonl")
    # when the analyst uploads it (the job runs when the request commits)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("conversations:import"), {"file": upload, "source": "crm"})
    # then they land on the job page, which shows the report
    job = Job.objects.get()
    assert job.state == Job.State.DONE
    assert response.status_code == 302
    assert response["Location"] == reverse("conversations:import_job", args=[job.pk])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert '<div class="stat-value" data-count="created">3</div>' in html
    assert '<div class="stat-value" data-count="rejected">1</div>' in html
    assert '<td class="num">2</td>' in html
    assert "строка 2" in html
    assert "Отклонённые записи" in html
    # a finished job is no longer polled
    assert "hx-trigger" not in html
    assert Conversation.objects.filter(source="crm").count() == 3


def test_import_progress_fragment_polls_while_running(client, analyst):
    # given a job that has not started yet
    job = Job.objects.create(
        kind="conversations.import",
        payload={"filename": "a.jsonl"},
        created_by=analyst,
        total=2048,
        done=512,
    )
    url = reverse("conversations:import_job", args=[job.pk])
    # when htmx asks for the progress
    response = client.get(url, headers={"HX-Request": "true"})
    html = response.content.decode()
    # then only the fragment comes back, polling the same URL every second
    assert "<html" not in html
    assert f'hx-get="{url}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert 'aria-valuenow="25"' in html
    # and the full page includes the same fragment inside the layout
    full = client.get(url).content.decode()
    assert "<html" in full
    assert 'hx-trigger="every 1s"' in full
    assert "vendor/htmx.min.js" in full


def test_failed_job_shows_its_error(client, analyst):
    job = Job.objects.create(
        kind="conversations.import",
        state="failed",
        created_by=analyst,
        error="File not found: /tmp/x.jsonl",
    )
    html = client.get(reverse("conversations:import_job", args=[job.pk])).content.decode()
    assert "Импорт не выполнен." in html
    assert "File not found: /tmp/x.jsonl" in html
    assert "hx-trigger" not in html


def test_import_page_lists_recent_jobs_and_rejects_other_file_types(client, analyst):
    upload = SimpleUploadedFile("notes.txt", b"hello")
    response = client.post(reverse("conversations:import"), {"file": upload, "source": "crm"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Неподдерживаемый тип файла" in html
    assert Job.objects.count() == 0
    assert "Импортов пока не было" in html


# ---------- other pages ----------


def test_password_change_page_renders(client, analyst):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 200
    assert "Сменить пароль" in response.content.decode()


def test_error_page_names_the_record_and_field(rf, analyst):
    request = rf.get("/")
    request.user = analyst
    error = ApplicationError("Bad value", record="line 3", field="channel")
    html = render_to_string("web/error.html", {"error": error}, request=request)
    assert "Bad value" in html
    assert "line 3" in html
    assert "channel" in html


def test_an_english_browser_still_gets_the_russian_default(client, django_user_model):
    # given a user whose browser asks for English
    analyst = factories.user("qa_analyst")
    client.force_login(analyst)
    # when opening the overview
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    # then the page is Russian
    assert "Обращения" in response.content.decode()
