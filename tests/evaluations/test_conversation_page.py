"""The conversation page shows the automatic evaluation and marks its evidence."""

from __future__ import annotations

import pytest

from nastavnik.conversations.models import Conversation
from nastavnik.evaluations import selectors, services
from nastavnik.scorecards import services as scorecard_services
from tests import factories

pytestmark = pytest.mark.django_db


def test_segments_split_text_at_every_evidence_boundary():
    marks = [(0, 5, "A", "yes"), (3, 8, "B", "no")]
    segments = selectors._segments("Здравствуйте", marks)
    assert [s["text"] for s in segments] == ["Здр", "ав", "ств", "уйте"]
    assert [len(s["marks"]) for s in segments] == [1, 2, 1, 0]
    assert "".join(s["text"] for s in segments) == "Здравствуйте"


def test_page_shows_score_verdicts_and_marked_evidence(client, tmp_path):
    # given an automatically evaluated chat
    scorecard_services.scorecard_install_defaults(actor=None)
    factories.import_records(tmp_path, [factories.record("c1", client_name="Олег")])
    services.evaluation_auto_run(actor=None, conversations=Conversation.objects.all())
    conversation = Conversation.objects.get()
    evaluation = conversation.evaluations.get()
    # when an analyst opens the conversation
    client.force_login(factories.user("qa_analyst"))
    page = client.get(f"/conversations/{conversation.pk}/").content.decode()
    # then the score, the criteria and highlighted evidence are there, in Russian
    assert "Автоматическая оценка" in page
    assert f"{evaluation.score_percent:.0f}%" in page
    assert '<mark class="evidence evidence-yes"' in page
    assert "Приветствие и представление" in page


def test_an_operator_sees_the_evaluation_of_own_conversation_only(client, tmp_path):
    scorecard_services.scorecard_install_defaults(actor=None)
    factories.import_records(
        tmp_path, [factories.record("own", operator="op-a"), factories.record("x", operator="op-b")]
    )
    services.evaluation_auto_run(actor=None, conversations=Conversation.objects.all())
    login = factories.user("operator")
    factories.link_login(factories.operator("op-a"), login)
    client.force_login(login)
    own = Conversation.objects.get(external_id="own")
    other = Conversation.objects.get(external_id="x")
    assert "Автоматическая оценка" in client.get(f"/conversations/{own.pk}/").content.decode()
    assert client.get(f"/conversations/{other.pk}/").status_code == 404
