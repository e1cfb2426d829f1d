"""The web scorecard editor: create, edit, rearrange, validate, publish, upload."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.urls import reverse
from hypothesis import assume, given, settings

from nastavnik.conversations.models import Conversation
from nastavnik.core.models import AuditEvent
from nastavnik.engine import scorecards
from nastavnik.evaluations import services as evaluation_services
from nastavnik.scorecards import editor, services
from nastavnik.scorecards.models import Scorecard, ScorecardVersion
from tests import factories
from tests.engine import test_scorecards as test_engine_scorecards

pytestmark = [pytest.mark.usefixtures("english_ui"), pytest.mark.django_db]

CHAT = scorecards.default_scorecard("default-chat")


class _FormReader(HTMLParser):
    """The values a browser would post from the editor form (no button presses)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") != "file":
            if attributes.get("type") == "checkbox" and "checked" not in attributes:
                return
            self._add(name, attributes.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self._add(name, "")
        elif tag == "option" and self._select and "selected" in attributes:
            self.data[self._select][-1] = attributes.get("value", "")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Browsers drop one newline right after <textarea>, as the HTML spec says.
            self._add(self._textarea, self._text.removeprefix("\n"))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def _form_data(response) -> dict[str, list[str]]:
    reader = _FormReader()
    reader.feed(response.content.decode())
    return reader.data


def _post(client, url, data, **extra):
    return client.post(url, data, **extra)


@pytest.fixture
def analyst(client):
    user = factories.user("qa_analyst")
    client.force_login(user)
    return user


@pytest.fixture
def active_chat():
    version = services.scorecard_save(actor=None, spec=CHAT)
    return services.scorecard_activate(actor=None, version=version)


def _edit_url(version: ScorecardVersion) -> str:
    return reverse("scorecards:edit", args=[version.scorecard.key, version.number])


@pytest.mark.parametrize("key", scorecards.DEFAULT_SCORECARD_KEYS)
def test_the_rendered_editor_posts_back_exactly_the_stored_document(client, analyst, key):
    """Given a stored default scorecard, when its editor is saved untouched,
    then the next version's document equals the original (the form loses no field)."""
    spec = scorecards.default_scorecard(key)
    version = services.scorecard_activate(
        actor=None, version=services.scorecard_save(actor=None, spec=spec)
    )
    data = _form_data(client.get(_edit_url(version)))
    response = _post(client, _edit_url(version), {**data, "action": "save"})
    assert response.status_code == 302
    saved = ScorecardVersion.objects.get(scorecard__key=key, number=2)
    expected = dict(version.spec, version=2)
    assert saved.spec == expected
    assert saved.state == "draft"


def test_an_active_version_warns_and_saving_creates_the_next_draft(client, analyst, active_chat):
    """Given an active version 1, when the analyst opens and saves an edit,
    then the page said version 2 would be created, and v1 stays unchanged."""
    page = client.get(_edit_url(active_chat))
    text = page.content.decode()
    assert 'data-mode="new_version"' in text
    assert "version 2 as a draft" in text
    data = _form_data(page)
    data["title"] = ["Чат, новая редакция"]
    data["s0-c0-weight"] = ["5"]
    response = _post(client, _edit_url(active_chat), {**data, "action": "save"})
    assert response.status_code == 302
    assert response["Location"] == reverse("scorecards:version", args=["default-chat", 2])
    states = dict(ScorecardVersion.objects.values_list("number", "state"))
    assert states == {1: "active", 2: "draft"}
    active_chat.refresh_from_db()
    assert active_chat.spec["title"] == CHAT.title
    newer = ScorecardVersion.objects.get(number=2)
    assert newer.spec["title"] == "Чат, новая редакция"
    assert newer.spec["stages"][0]["criteria"][0]["weight"] == 5
    event = AuditEvent.objects.filter(action="scorecard.version_create").latest("id")
    assert event.actor == analyst


def test_a_save_over_someone_elses_newer_save_is_refused(client, analyst, active_chat):
    """Given two analysts who opened the same version, when both save, then the second save
    is refused with 409 naming who changed it, and the first analyst's draft is kept."""
    first_page = _form_data(client.get(_edit_url(active_chat)))
    second_page = dict(first_page)
    _post(client, _edit_url(active_chat), {**first_page, "title": ["Первая"], "action": "save"})
    response = _post(
        client, _edit_url(active_chat), {**second_page, "title": ["Вторая"], "action": "save"}
    )
    assert response.status_code == 200
    assert analyst.username in response.content.decode()
    titles = dict(ScorecardVersion.objects.values_list("number", "spec__title"))
    assert titles == {1: CHAT.title, 2: "Первая"}


def test_saving_a_draft_edits_it_in_place_with_old_and_new_in_the_audit(client, analyst):
    """Given a draft version 1, when saved from the editor, then it changes in place."""
    draft = services.scorecard_save(actor=None, spec=CHAT)
    page = client.get(_edit_url(draft))
    assert 'data-mode="in_place"' in page.content.decode()
    data = _form_data(page)
    data["s0-c0-title"] = ["Приветствие по стандарту"]
    _post(client, _edit_url(draft), {**data, "action": "save"})
    assert ScorecardVersion.objects.count() == 1
    draft.refresh_from_db()
    assert draft.spec["stages"][0]["criteria"][0]["title"] == "Приветствие по стандарту"
    event = AuditEvent.objects.filter(action="scorecard.save").latest("id")
    old, new = event.changes["spec"]
    assert old["stages"][0]["criteria"][0]["title"] == CHAT.stages[0].criteria[0].title
    assert new["stages"][0]["criteria"][0]["title"] == "Приветствие по стандарту"


def test_editing_an_old_version_while_a_draft_exists_says_it_replaces_the_draft(
    client, analyst, active_chat
):
    """Given v1 active and v2 draft, when v1's editor opens, then it names draft v2."""
    services.scorecard_save(actor=None, spec=CHAT)
    text = client.get(_edit_url(active_chat)).content.decode()
    assert 'data-mode="replace_draft"' in text
    assert "replaces the content of draft version 2" in text


def test_invalid_fields_are_shown_next_to_the_field_and_nothing_is_stored(
    client, analyst, active_chat
):
    """Given bad values, when saved, then each engine reason names its field; nothing changes."""
    data = _form_data(client.get(_edit_url(active_chat)))
    data["s0-c0-weight"] = ["abc"]
    data["s1-c0-scale"] = ["points"]
    data["s1-c0-points"] = [""]
    data["s0-c1-key"] = [data["s0-c0-key"][0]]
    data["channels"] = []
    events_before = AuditEvent.objects.count()
    response = _post(client, _edit_url(active_chat), {**data, "action": "save"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "stages[0].criteria[0].weight: must be a number, got &#x27;abc&#x27;" in text
    assert "stages[1].criteria[0].points: required when scale is points" in text
    assert "stages[0].criteria[1].key: duplicate key" in text
    assert "channels: must be a non-empty list" in text
    assert "Nothing was saved: 4 problems" in text
    assert ScorecardVersion.objects.count() == 1
    assert AuditEvent.objects.count() == events_before
    # the typed values survive, so the person can fix them
    assert 'name="s0-c0-weight" value="abc"' in text


def test_a_detector_that_is_not_yaml_or_has_no_family_is_refused_on_its_field(
    client, analyst, active_chat
):
    """Given detector text that is not YAML, then one error on that detector; nothing stored."""
    data = _form_data(client.get(_edit_url(active_chat)))
    data["s0-c0-detector"] = ["family: [phrase"]
    data["s0-c1-detector"] = ["lexicon: greetings"]
    text = _post(client, _edit_url(active_chat), {**data, "action": "save"}).content.decode()
    assert "stages[0].criteria[0].detector: not valid YAML" in text
    assert "stages[0].criteria[0].detector: must be a mapping" not in text
    assert "stages[0].criteria[1].detector.family: must be a detector family name" in text
    assert ScorecardVersion.objects.count() == 1


def test_a_detector_typed_as_yaml_is_stored_as_data(client, analyst):
    """Given a draft, when a detector is typed as YAML, then the version stores the mapping."""
    draft = services.scorecard_save(actor=None, spec=CHAT)
    data = _form_data(client.get(_edit_url(draft)))
    data["s0-c0-detector"] = ["family: phrase\nphrases: [добрый день]\nexpect: present\n"]
    data["s0-c0-skills"] = ["communication.greeting, communication.greeting, x"]
    text = _post(client, _edit_url(draft), {**data, "action": "save"}).content.decode()
    assert "stages[0].criteria[0].skills[1]: duplicate skill" in text
    data["s0-c0-skills"] = ["communication.greeting,\nproducts.knowledge"]
    _post(client, _edit_url(draft), {**data, "action": "save"})
    draft.refresh_from_db()
    criterion = draft.spec["stages"][0]["criteria"][0]
    assert criterion["detector"] == {
        "family": "phrase",
        "phrases": ["добрый день"],
        "expect": "present",
    }
    assert criterion["skills"] == ["communication.greeting", "products.knowledge"]


def test_rearranging_buttons_change_the_form_but_store_nothing(client, analyst, active_chat):
    """Given the editor, when criteria and stages are added, moved and deleted,
    then the re-rendered form has the new order and the database is untouched."""
    url = _edit_url(active_chat)
    data = _form_data(client.get(url))
    first, second = data["s0-c0-key"][0], data["s0-c1-key"][0]
    stage_count = int(data["stages"][0])
    data = _form_data(_post(client, url, {**data, "action": "criterion:0:1:up"}))
    assert (data["s0-c0-key"][0], data["s0-c1-key"][0]) == (second, first)
    data = _form_data(_post(client, url, {**data, "action": "stage-add"}))
    assert int(data["stages"][0]) == stage_count + 1
    new_stage = f"s{stage_count}-"
    assert data[f"{new_stage}criteria"] == ["0"]
    data = _form_data(_post(client, url, {**data, "action": f"stage:{stage_count}:add-criterion"}))
    assert data[f"{new_stage}c0-key"] == ["criterion-1"]
    data[f"{new_stage}c0-title"] = ["Новый критерий"]
    # move the first criterion of stage 0 into the new stage through the select
    data["s0-c0-move"] = [str(stage_count)]
    data = _form_data(_post(client, url, {**data, "action": "criterion:0:0:move"}))
    assert data[f"{new_stage}criteria"] == ["2"]
    assert data[f"{new_stage}c1-key"] == [second]
    # a stage with criteria cannot be deleted; an emptied one can
    response = _post(client, url, {**data, "action": f"stage:{stage_count}:delete"})
    assert "still has criteria" in response.content.decode()
    for _ in range(2):
        data = _form_data(
            _post(client, url, {**data, "action": f"criterion:{stage_count}:0:delete"})
        )
    data = _form_data(_post(client, url, {**data, "action": f"stage:{stage_count}:delete"}))
    assert int(data["stages"][0]) == stage_count
    assert ScorecardVersion.objects.count() == 1
    assert not AuditEvent.objects.filter(action__startswith="scorecard.save").exists()


def test_up_and_down_cross_stage_boundaries():
    """Given two stages, when the first criterion of stage 2 goes up, it ends stage 1."""
    draft = editor.draft_from_document(scorecards.dump_scorecard(CHAT))
    moving = draft.stages[1].criteria[0].key
    editor.draft_apply(draft, "criterion:1:0:up")
    assert draft.stages[0].criteria[-1].key == moving
    editor.draft_apply(draft, f"criterion:0:{len(draft.stages[0].criteria) - 1}:down")
    assert draft.stages[1].criteria[0].key == moving
    with pytest.raises(editor.EditorError):
        editor.draft_apply(draft, "criterion:9:0:up")
    with pytest.raises(editor.EditorError):
        editor.draft_apply(draft, "stage:-1:up")


def test_an_empty_new_stage_cannot_be_saved(client, analyst, active_chat):
    """Given a new stage without criteria, when saved, then the engine's reason is shown."""
    url = _edit_url(active_chat)
    data = _form_data(_post(client, url, {**_form_data(client.get(url)), "action": "stage-add"}))
    index = int(data["stages"][0]) - 1
    text = _post(client, url, {**data, "action": "save"}).content.decode()
    assert f"stages[{index}].title: must not be blank" in text
    assert f"stages[{index}].criteria: must be a non-empty list" in text
    assert ScorecardVersion.objects.count() == 1


def test_htmx_buttons_get_only_the_editor_fragment(client, analyst, active_chat):
    """Given an htmx request from a rearranging button, then only the editor is returned."""
    url = _edit_url(active_chat)
    data = _form_data(client.get(url))
    response = _post(client, url, {**data, "action": "stage-add"}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="editor"')
    assert "<html" not in text


def test_creating_a_scorecard_stores_version_one_as_a_draft(client, analyst):
    """Given the new-scorecard page, when filled in and saved, then v1 is a draft."""
    page = client.get(reverse("scorecards:create"))
    data = _form_data(page)
    data.update(
        {
            "key": ["sales-chat"],
            "title": ["Продажи в чате"],
            "channels": ["chat", "messenger"],
            "display": ["points"],
            "s0-title": ["Приветствие"],
            "s0-c0-title": ["Поздоровался"],
            "s0-c0-scale": ["points"],
            "s0-c0-points": ["3"],
            "s0-c0-weight": ["1,5"],
            "s0-c0-critical": ["evaluation"],
            "s0-c0-na_allowed": ["1"],
            "s0-c0-pilot": ["1"],
            "s0-c0-title_en": ["Greeted"],
        }
    )
    response = _post(client, reverse("scorecards:create"), {**data, "action": "save"})
    assert response.status_code == 302
    version = ScorecardVersion.objects.get(scorecard__key="sales-chat")
    assert (version.number, version.state, version.created_by) == (1, "draft", analyst)
    assert version.channels == ["chat", "messenger"]
    assert version.spec["display"] == "points"
    assert version.spec["stages"][0]["criteria"][0] == {
        "key": "criterion-1",
        "title": "Поздоровался",
        "title_en": "Greeted",
        "weight": 1.5,
        "scale": "points",
        "points": 3,
        "na_allowed": True,
        "critical": "evaluation",
        "pilot": True,
    }


def test_creating_with_a_taken_or_reserved_key_is_refused_on_the_key(client, analyst, active_chat):
    """Given an existing key, when a new scorecard uses it, then nothing changes."""
    data = _form_data(client.get(reverse("scorecards:create")))
    data.update({"title": ["Дубль"], "s0-title": ["Этап"], "s0-c0-title": ["Критерий"]})
    for key, reason in (("default-chat", "already exists"), ("new", "is reserved")):
        data["key"] = [key]
        text = _post(client, reverse("scorecards:create"), {**data, "action": "save"})
        assert "key: " in text.content.decode()
        assert reason in text.content.decode()
    assert list(ScorecardVersion.objects.values_list("number", flat=True)) == [1]
    assert Scorecard.objects.get().title == CHAT.title


def test_the_key_of_an_existing_scorecard_cannot_be_changed(client, analyst, active_chat):
    """Given an edit that posts another key, then the scorecard's own key is kept."""
    data = _form_data(client.get(_edit_url(active_chat)))
    data["key"] = ["other-key"]
    _post(client, _edit_url(active_chat), {**data, "action": "save"})
    assert list(Scorecard.objects.values_list("key", flat=True)) == ["default-chat"]
    with pytest.raises(Exception, match="cannot be changed"):
        services.scorecard_edit(
            actor=analyst,
            document=dict(active_chat.spec, key="other-key"),
            version=active_chat,
        )


def test_activate_and_archive_are_posts_by_editors_with_audit_rows(client, analyst, active_chat):
    """Given a draft v2, when activated, then v1 is archived; archiving v2 leaves none active."""
    draft = services.scorecard_save(actor=None, spec=CHAT)
    url = reverse("scorecards:activate", args=["default-chat", draft.number])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    states = dict(ScorecardVersion.objects.values_list("number", "state"))
    assert states == {1: "archived", 2: "active"}
    client.post(reverse("scorecards:archive", args=["default-chat", 2]))
    assert ScorecardVersion.objects.get(number=2).state == "archived"
    actions = list(
        AuditEvent.objects.filter(actor=analyst).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["scorecard.archive", "scorecard.activate", "scorecard.archive"]


@pytest.mark.parametrize("role", ["operator", "head", "mentor", "team_lead", "trainer"])
def test_other_roles_are_refused_and_change_nothing(client, active_chat, role):
    """Given a non-editor, when posting to every editor route, then 403 and nothing changes."""
    client.force_login(factories.user(role))
    data = {"action": "save", "title": "Взлом", "stages": "0"}
    urls = [
        reverse("scorecards:create"),
        reverse("scorecards:import"),
        _edit_url(active_chat),
        reverse("scorecards:activate", args=["default-chat", 1]),
        reverse("scorecards:archive", args=["default-chat", 1]),
    ]
    for url in urls:
        assert client.post(url, data).status_code == 403, url
    assert list(ScorecardVersion.objects.values_list("state", flat=True)) == ["active"]
    page = client.get(reverse("scorecards:version", args=["default-chat", 1])).content.decode()
    assert "edit-version" not in page
    assert "activate-version" not in page


def test_editors_see_the_buttons_on_the_list_and_detail(client, analyst, active_chat):
    """Given an analyst, then the list offers New/Upload and an active version Edit/Archive."""
    listing = client.get(reverse("scorecards:list")).content.decode()
    assert reverse("scorecards:create") in listing
    assert reverse("scorecards:import") in listing
    page = client.get(reverse("scorecards:version", args=["default-chat", 1])).content.decode()
    assert _edit_url(active_chat) in page
    assert 'id="archive-version"' in page
    assert 'id="activate-version"' not in page


def _upload(client, text: str, name: str = "chat.yaml", **fields):
    file = SimpleUploadedFile(name, text.encode(), content_type="application/yaml")
    return client.post(reverse("scorecards:import"), {"file": file, **fields})


def test_uploading_yaml_stores_a_version_and_can_activate_it(client, analyst):
    """Given a valid YAML file, when uploaded with activate, then v1 is active."""
    response = _upload(client, scorecards.scorecard_to_yaml(CHAT), activate="on")
    assert response.status_code == 302
    version = ScorecardVersion.objects.get()
    assert (version.scorecard.key, version.state) == ("default-chat", "active")


def test_uploading_bad_yaml_lists_every_bad_field_and_stores_nothing(client, analyst):
    """Given a YAML file with two bad fields, then both are listed and nothing is stored."""
    document = scorecards.dump_scorecard(CHAT)
    document["channels"] = ["fax"]
    document["stages"][0]["criteria"][0]["weight"] = 0
    response = _upload(client, yaml.safe_dump(document, allow_unicode=True), name="bad.yaml")
    text = response.content.decode()
    assert response.status_code == 200
    assert "channels[0]" in text
    assert "stages[0].criteria[0].weight" in text
    assert "must be greater than 0" in text
    assert not Scorecard.objects.exists()
    reserved = dict(scorecards.dump_scorecard(CHAT), key="import")
    text = _upload(client, yaml.safe_dump(reserved, allow_unicode=True)).content.decode()
    assert "is reserved" in text
    assert not Scorecard.objects.exists()


def _browser_post(draft: editor.ScorecardDraft) -> QueryDict:
    """What a browser posts for a draft's form (field names as the template writes them)."""
    data = QueryDict(mutable=True)
    for name in editor.SCORECARD_TEXT_FIELDS:
        data[name] = getattr(draft, name)
    data.setlist("channels", draft.channels)
    data["stages"] = str(len(draft.stages))
    for stage in draft.stages:
        for name in editor.STAGE_TEXT_FIELDS:
            data[stage.prefix + name] = getattr(stage, name)
        data[f"{stage.prefix}criteria"] = str(len(stage.criteria))
        for criterion in stage.criteria:
            for name in editor.CRITERION_TEXT_FIELDS:
                data[criterion.prefix + name] = getattr(criterion, name)
            for flag in editor.CRITERION_FLAGS:
                if getattr(criterion, flag):
                    data[criterion.prefix + flag] = "1"
    return data


def _texts(spec) -> list[str]:
    texts = [spec.title, spec.title_en, spec.description]
    for stage in spec.stages:
        texts += [stage.title, stage.title_en]
        texts += [t for c in stage.criteria for t in (c.title, c.title_en, c.rule, c.rule_en)]
    return texts


@settings(max_examples=60, deadline=None)
@given(spec=test_engine_scorecards.scorecard_specs())
def test_any_valid_scorecard_survives_the_editor_unchanged(spec):
    """Given any valid scorecard, when its editor form is posted back untouched,
    then the engine reads exactly the same scorecard (no field lost or altered)."""
    # Browsers send a textarea's line breaks as CR LF, so the editor reads CR LF as LF.
    assume(not any("\r" in text for text in _texts(spec)))
    draft = editor.draft_from_document(scorecards.dump_scorecard(spec))
    posted = editor.draft_from_post(_browser_post(draft))
    document, issues = editor.draft_document(posted)
    assert issues == []
    # The channel checkboxes post in their fixed order; the order of channels means nothing.
    channels = tuple(value for value, _label in editor.CHANNEL_CHOICES if value in spec.channels)
    expected = dataclasses.replace(spec, channels=channels)
    assert scorecards.parse_scorecard(dict(document, version=spec.version)) == expected


def test_the_editor_counts_the_evaluations_made_with_the_version(
    client, analyst, active_chat, tmp_path
):
    """Given an active version used by an auto-QA evaluation, when its editor opens,
    then the warning says it has that evaluation and that saving creates version 2."""
    factories.import_records(tmp_path, [factories.record("c-1", channel="chat")])
    evaluation_services.evaluation_auto_run(actor=None, conversations=Conversation.objects.all())
    assert active_chat.evaluations.count() == 1
    text = client.get(_edit_url(active_chat)).content.decode()
    outcome = text[text.index('id="save-outcome"') :].split("</div>", 1)[0]
    assert "It has 1 evaluation." in outcome
    assert "Saving creates version 2 as a draft" in outcome
