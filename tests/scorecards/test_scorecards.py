"""Scorecards: versioning, activation, YAML import/export, pages."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import CommandError, call_command

from nastavnik.core.errors import ApplicationError
from nastavnik.core.models import AuditEvent
from nastavnik.engine import scorecards
from nastavnik.scorecards import selectors, services
from nastavnik.scorecards.models import Scorecard, ScorecardVersion
from tests import factories

pytestmark = pytest.mark.django_db


def _yaml(**changes) -> str:
    document = scorecards.dump_scorecard(scorecards.default_scorecard("default-chat"))
    document.update(changes)
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def test_defaults_install_once_and_are_active():
    installed = services.scorecard_install_defaults(actor=None)
    assert sorted(v.scorecard.key for v in installed) == [
        "default-call",
        "default-chat",
        "default-email",
        "default-messenger",
    ]
    assert {v.state for v in installed} == {"active"}
    assert services.scorecard_install_defaults(actor=None) == []
    assert ScorecardVersion.objects.count() == 4


def test_saving_a_draft_edits_it_but_saving_after_activation_creates_a_version():
    analyst = factories.user("qa_lead")
    draft = services.scorecard_import_yaml(actor=analyst, text=_yaml(title="Чат v1"))
    again = services.scorecard_import_yaml(actor=analyst, text=_yaml(title="Чат, правка"))
    assert (again.pk, again.number, again.state) == (draft.pk, 1, "draft")
    services.scorecard_activate(actor=analyst, version=again)
    newer = services.scorecard_import_yaml(actor=analyst, text=_yaml(title="Чат v2"))
    assert (newer.number, newer.state) == (2, "draft")
    services.scorecard_activate(actor=analyst, version=newer)
    states = dict(ScorecardVersion.objects.values_list("number", "state"))
    assert states == {1: "archived", 2: "active"}
    assert Scorecard.objects.get().title == "Чат v2"
    actions = list(
        AuditEvent.objects.filter(entity_type="scorecards.scorecardversion")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "scorecard.version_create",
        "scorecard.save",
        "scorecard.activate",
        "scorecard.version_create",
        "scorecard.archive",
        "scorecard.activate",
    ]


def test_invalid_yaml_names_every_bad_field_and_stores_nothing():
    document = scorecards.dump_scorecard(scorecards.default_scorecard("default-chat"))
    document["channels"] = ["fax"]
    document["stages"][0]["criteria"][0]["weight"] = -1
    text = yaml.safe_dump(document, allow_unicode=True)
    with pytest.raises(ApplicationError) as raised:
        services.scorecard_import_yaml(actor=None, text=text, source_name="bad.yaml")
    fields = {issue["field"] for issue in raised.value.extra["issues"]}
    assert "channels[0]" in fields
    assert "stages[0].criteria[0].weight" in fields
    assert Scorecard.objects.count() == 0


def test_export_round_trips_the_stored_version():
    version = services.scorecard_import_yaml(actor=None, text=_yaml(), activate=True)
    exported = selectors.scorecard_yaml(version)
    assert scorecards.scorecard_from_yaml(exported) == selectors.scorecard_spec(version)


def test_cli_import_export_and_error_exit(tmp_path, capsys):
    good = tmp_path / "chat.yaml"
    good.write_text(_yaml(), encoding="utf-8")
    call_command("scorecard", "import", str(good), "--activate")
    out = tmp_path / "out.yaml"
    call_command("scorecard", "export", "default-chat", "--out", str(out))
    assert scorecards.load_scorecard(out).key == "default-chat"
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: x\nstages: 5\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("scorecard", "import", str(bad))
    assert "stages" in capsys.readouterr().err


def test_pages_show_stages_criteria_and_rules_in_both_languages(client):
    services.scorecard_install_defaults(actor=None)
    client.force_login(factories.user("operator"))
    listing = client.get("/scorecards/").content.decode()
    assert "default-call" in listing
    page = client.get("/scorecards/default-chat/").content.decode()
    spec = scorecards.default_scorecard("default-chat")
    first = spec.stages[0].criteria[0]
    assert first.title in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/scorecards/default-chat/").content.decode()
    assert first.title_en in english
    download = client.get("/scorecards/default-chat/v1/export/")
    assert download["Content-Type"].startswith("application/yaml")
    assert client.get("/scorecards/no-such/").status_code == 404
