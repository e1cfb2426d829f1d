"""Notifications (texts in the reader's language, mark read) and the audit log page."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from nastavnik.core import notifications
from nastavnik.core.audit import audit_record
from nastavnik.core.models import Notification
from tests import factories


def test_notification_text_is_rendered_in_the_readers_language(db):
    """Given a stored notification, when read in ru and en, then each language's text shows."""
    user = factories.user("operator")
    notifications.notification_send(
        user_ids=[user.pk, user.pk], kind="evaluation.new", params={"score": 87.5}
    )
    note = Notification.objects.get()
    with translation.override("en"):
        assert notifications.notification_text(note) == "New evaluation of your work: 88 %"
    with translation.override("ru"):
        assert notifications.notification_text(note).startswith("Новая оценка")


def test_mark_read_only_touches_own_notifications(db, client):
    """Given two users' notifications, when one marks all read, then the other's stay unread."""
    mine, theirs = factories.user("operator"), factories.user("operator")
    for user in (mine, theirs):
        notifications.notification_send(
            user_ids=[user.pk], kind="dispute.rejected", params={"criterion": "Приветствие"}
        )
    client.force_login(mine)
    page = client.get(reverse("notifications"))
    assert 'data-testid="unread">1<' in page.content.decode()
    client.post(reverse("notifications"))
    assert Notification.objects.get(user=mine).read_at is not None
    assert Notification.objects.get(user=theirs).read_at is None


def test_audit_page_shows_old_and_new_values(db, client):
    """Given an audit row, when a QA lead filters the log, then who, what and old → new show."""
    lead = factories.user("qa_lead", full_name="Ирина Петрова")
    audit_record(
        actor=lead,
        action="evaluation.save",
        entity_type="evaluations.evaluation",
        entity_id=41,
        changes={"greeting": [{"verdict": "no"}, {"verdict": "yes"}]},
    )
    client.force_login(lead)
    html = client.get(reverse("audit"), {"entity_type": "evaluations.evaluation"}).content.decode()
    assert "Ирина Петрова" in html
    assert "greeting" in html
    assert "→" in html
    operator = factories.user("operator")
    client.force_login(operator)
    assert client.get(reverse("audit")).status_code == 403


def test_audit_values_read_as_words_in_the_interface():
    """Given raw audit values, when shown, then flags, states and numbers read as words."""
    from nastavnik.core import audit_labels

    def verdict(code):
        return {"no": "нет", "yes": "да"}[code]

    with translation.override("ru"):
        assert audit_labels.change_text([None, True], verdict) == "— → да"
        assert audit_labels.change_text(["draft", "submitted"], verdict) == (
            "черновик → отправлена"
        )
        assert audit_labels.change_text([72.0, 91.6667], verdict) == "72 → 91.7"
        assert audit_labels.change_text([{"verdict": "no"}, {"verdict": "yes"}], verdict) == (
            "нет → да"
        )
        assert audit_labels.field_label("answers.farewell") == "ответ по критерию: farewell"
        assert audit_labels.action_label("dispute.accept") == "апелляция принята"
