"""Auto-QA trust: pairs of manual and automatic answers, kappa per criterion, scoping,
the untrusted criteria left out of scores, the ``autoqa-report`` command and the page."""

from __future__ import annotations

import dataclasses
from datetime import date

import orjson
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from nastavnik.cli import ALIASES
from nastavnik.conversations.models import Conversation
from nastavnik.engine import scorecards, scoring, types
from nastavnik.evaluations import manual as manual_services
from nastavnik.evaluations import services, trust
from nastavnik.evaluations.models import Answer, Evaluation
from nastavnik.scorecards import services as scorecard_services
from nastavnik.scorecards.mappers import version_spec
from nastavnik.scorecards.models import ScorecardVersion
from tests import factories

pytestmark = pytest.mark.django_db

SCORECARD = "trust-chat"
# The hand-computed example (docs/autoqa-trust.md has the same figures worked out):
# greeting_introduction, (person, auto-QA) over 10 conversations.
#   person yes 5, partial 2, no 3; auto-QA yes 5, partial 2, no 3; agreed 4 + 1 + 2 = 7
#   κ = (n·agreed − Σ person·auto) / (n² − Σ person·auto) = (70 − 38) / (100 − 38) = 32/62
#   violations: tp 4 (partial/partial, no/no ×2, no/partial), fp 1 (yes/no), fn 1 (partial/yes)
GREETING_PAIRS = [
    ("yes", "yes"),
    ("yes", "yes"),
    ("no", "no"),
    ("partial", "partial"),
    ("yes", "no"),
    ("no", "partial"),
    # the last four are team B's
    ("yes", "yes"),
    ("yes", "yes"),
    ("partial", "yes"),
    ("no", "no"),
]
TEAM_A, TEAM_B = "Команда А", "Команда Б"


def _spec() -> types.ScorecardSpec:
    """A small chat scorecard: two auto-QA criteria and one for people only."""
    default = scorecards.default_scorecard("default-chat")
    by_key = {c.key: c for c in default.criteria()}
    return dataclasses.replace(
        default,
        key=SCORECARD,
        title="Чат для проверки доверия",
        stages=(
            types.StageSpec(
                "greeting",
                "Приветствие",
                (by_key["greeting_introduction"], by_key["client_name"]),
            ),
            types.StageSpec("solution", "Решение", (by_key["correct_solution"],)),
        ),
    )


def _value(verdict: str) -> float | None:
    """The value that stands for a verdict on a binary or ternary criterion."""
    return {"yes": 1.0, "partial": 0.5, "no": 0.0, "na": None}[verdict]


def _manual(grader, conversation, verdicts: dict[str, str], **start) -> Evaluation:
    """A submitted manual evaluation made through the real services."""
    evaluation = manual_services.evaluation_start(actor=grader, conversation=conversation, **start)
    spec = _spec()
    answers = [
        manual_services.AnswerInput(c.key, _value(verdicts.get(c.key, "yes")))
        for c in spec.criteria()
    ]
    evaluation.refresh_from_db()
    return manual_services.evaluation_submit(
        actor=grader, evaluation=evaluation, revision=evaluation.revision, answers=answers
    )


def _auto(conversation, verdicts: dict[str, str]) -> Evaluation:
    """An automatic evaluation with the given verdicts (the fixture sets what the detector said)."""
    version = ScorecardVersion.objects.get(scorecard__key=SCORECARD)
    evaluation = Evaluation.objects.create(
        conversation=conversation,
        scorecard_version=version,
        kind=Evaluation.Kind.AUTO,
        state=Evaluation.State.SUBMITTED,
    )
    for criterion, verdict in verdicts.items():
        Answer.objects.create(
            evaluation=evaluation,
            criterion=criterion,
            stage="greeting",
            value=_value(verdict),
            verdict=verdict,
            origin=Answer.Origin.AUTO,
        )
    return evaluation


@pytest.fixture
def world(tmp_path, settings):
    """Ten chat conversations (six of team A, four of team B), each evaluated by a person and
    by auto-QA with the GREETING_PAIRS verdicts; client_name agrees everywhere ("yes")."""
    settings.NASTAVNIK_TRUST_MIN_PAIRS = 5
    settings.NASTAVNIK_TRUST_MIN_KAPPA = 0.6
    scorecard_services.scorecard_activate(
        actor=None, version=scorecard_services.scorecard_save(actor=None, spec=_spec())
    )
    lead = factories.user("team_lead", username="lead")
    analyst = factories.user("qa_analyst", username="analyst")
    factories.import_records(
        tmp_path,
        [
            factories.record(
                f"c{n}",
                operator="op-a" if n < 6 else "op-b",
                team=TEAM_A if n < 6 else TEAM_B,
                started_at=f"2026-03-{n + 1:02d}T10:00:00+03:00",
            )
            for n in range(10)
        ],
    )
    factories.team(TEAM_A, lead=lead)
    for n, (person, auto) in enumerate(GREETING_PAIRS):
        conversation = Conversation.objects.get(external_id=f"c{n}")
        _auto(conversation, {"greeting_introduction": auto, "client_name": "yes"})
        _manual(analyst, conversation, {"greeting_introduction": person})
    return {"lead": lead, "analyst": analyst}


def _criteria(report) -> dict[str, trust.CriterionTrust]:
    (card,) = report
    return {item.key: item for item in card.criteria}


# --- the selector -------------------------------------------------------------------------


def test_kappa_per_criterion_matches_the_hand_computed_example(world):
    """Given ten conversations evaluated by a person and by auto-QA, when the trust report is
    read, then greeting has κ = 32/62, precision = recall = 4/5, and is not trusted."""
    report = trust.trust_report(viewer=world["analyst"])
    assert [card.key for card in report] == [SCORECARD]
    assert report[0].conversations == 10
    items = _criteria(report)
    assert list(items) == ["greeting_introduction", "client_name"]
    greeting = items["greeting_introduction"].figures
    assert greeting.n == 10
    assert greeting.agreement == 0.7
    assert greeting.kappa == 32 / 62
    assert (greeting.precision, greeting.recall) == (0.8, 0.8)
    assert greeting.confusion.count("yes", "no") == 1
    assert greeting.confusion.count("partial", "yes") == 1
    assert items["greeting_introduction"].status == trust.NOT_TRUSTED
    assert items["client_name"].figures.kappa == 1.0
    assert items["client_name"].status == trust.TRUSTED


def test_manual_only_criteria_have_no_pairs(world):
    """Given a criterion without a detector, when the report is read, then it is absent."""
    assert "correct_solution" not in _criteria(trust.trust_report(viewer=world["analyst"]))


def test_a_team_lead_sees_only_their_teams_pairs(world):
    """Given a team lead of team A, when they read the report, then only team A's six
    conversations count: pairs 1–6 give agreement 4/6."""
    items = _criteria(trust.trust_report(viewer=world["lead"]))
    assert items["greeting_introduction"].n == 6
    assert items["greeting_introduction"].figures.agreement == pytest.approx(4 / 6)
    expected = trust.agreement.cohen_kappa(GREETING_PAIRS[:6])
    assert items["greeting_introduction"].figures.kappa == expected


def test_an_operator_and_a_trainer_see_no_pairs(world):
    """Given viewers outside the data, when they read the report, then it is empty."""
    assert trust.trust_report(viewer=factories.user("trainer")) == []
    assert trust.trust_report(viewer=None) == []


def test_filters_by_team_period_and_channel(world):
    """Given filters, when the report is read, then only matching conversations count."""
    by_team = trust.trust_report(viewer=world["analyst"], filters=trust.TrustFilters(team=TEAM_B))
    assert _criteria(by_team)["greeting_introduction"].n == 4
    period = trust.TrustFilters(since=_day(3), until=_day(5))
    by_period = trust.trust_report(viewer=world["analyst"], filters=period)
    assert _criteria(by_period)["greeting_introduction"].n == 3
    calls = trust.TrustFilters(channel="call")
    assert trust.trust_report(viewer=world["analyst"], filters=calls) == []
    other = trust.TrustFilters(scorecard="default-call")
    assert trust.trust_report(viewer=world["analyst"], filters=other) == []


def _day(day: int) -> date:
    return date(2026, 3, day)


def test_fewer_pairs_than_the_minimum_is_not_enough_data(world, settings):
    """Given the default minimum of 30 pairs, when the report is read, then both criteria are
    "not enough data" and nothing is left out of scores."""
    settings.NASTAVNIK_TRUST_MIN_PAIRS = 30
    items = _criteria(trust.trust_report(viewer=world["analyst"]))
    assert {item.status for item in items.values()} == {trust.NOT_ENOUGH_DATA}
    assert trust.untrusted_criteria(SCORECARD) == frozenset()


def test_the_latest_manual_evaluation_counts_and_calibration_does_not(world):
    """Given a later practice evaluation that agrees with auto-QA on c4 and a calibration one
    that disagrees on c0, when the report is read, then c4 now agrees and c0 is unchanged."""
    c4 = Conversation.objects.get(external_id="c4")
    _manual(world["analyst"], c4, {"greeting_introduction": "no"}, purpose="practice")
    c0 = Conversation.objects.get(external_id="c0")
    calibration = Evaluation.objects.create(
        conversation=c0,
        scorecard_version=Evaluation.objects.filter(conversation=c0).first().scorecard_version,
        kind=Evaluation.Kind.MANUAL,
        purpose=Evaluation.Purpose.CALIBRATION,
        state=Evaluation.State.SUBMITTED,
    )
    Answer.objects.create(
        evaluation=calibration,
        criterion="greeting_introduction",
        stage="greeting",
        value=0.0,
        verdict="no",
        origin=Answer.Origin.MANUAL,
    )
    greeting = _criteria(trust.trust_report(viewer=world["analyst"]))["greeting_introduction"]
    assert greeting.n == 10
    assert greeting.figures.agreement == 0.8
    assert greeting.figures.confusion.count("yes", "no") == 0


def test_drafts_do_not_count(world, tmp_path):
    """Given a draft manual evaluation of a new auto-evaluated conversation, when the report
    is read, then its answers are not pairs."""
    factories.import_records(tmp_path, [factories.record("draft", operator="op-a", team=TEAM_A)])
    conversation = Conversation.objects.get(external_id="draft")
    _auto(conversation, {"greeting_introduction": "no", "client_name": "yes"})
    manual_services.evaluation_start(actor=world["analyst"], conversation=conversation)
    greeting = _criteria(trust.trust_report(viewer=world["analyst"]))["greeting_introduction"]
    assert greeting.n == 10


# --- left out of operator scores ------------------------------------------------------------


def test_untrusted_criteria_become_pilot_in_the_scoring_spec(world):
    """Given greeting is not trusted, when the scoring spec is built, then greeting is pilot,
    client_name is not, and a "no" on greeting no longer lowers the score."""
    assert trust.untrusted_criteria(SCORECARD) == frozenset({"greeting_introduction"})
    version = ScorecardVersion.objects.get(scorecard__key=SCORECARD)
    spec = trust.scoring_spec(version)
    pilots = {c.key: c.pilot for c in spec.criteria()}
    assert pilots == {
        "greeting_introduction": True,
        "client_name": False,
        "correct_solution": False,
    }
    answers = [
        types.Answer("greeting_introduction", 0.0),
        types.Answer("client_name", 1.0),
        types.Answer("correct_solution", 1.0),
    ]
    assert scoring.score(spec, answers).percent == 100.0


def test_a_trusted_scorecard_spec_is_unchanged(world, settings):
    """Given a low threshold, when the scoring spec is built, then it equals the version's."""
    settings.NASTAVNIK_TRUST_MIN_KAPPA = 0.5
    version = ScorecardVersion.objects.get(scorecard__key=SCORECARD)
    assert trust.untrusted_criteria(SCORECARD) == frozenset()
    assert trust.scoring_spec(version) == version_spec(version)


# --- with the real auto-QA run ----------------------------------------------------------------


def test_rescore_applies_trust_without_running_the_detectors(world):
    """Given stored auto answers and an untrusted greeting, when rescoring, then each score
    counts only trusted criteria; a second rescore changes nothing."""
    version = ScorecardVersion.objects.get(scorecard__key=SCORECARD)
    changed = services.evaluation_auto_rescore(actor=None)
    counted = trust.scoring_spec(version)
    assert changed == 10
    for evaluation in Evaluation.objects.filter(kind="auto").prefetch_related("answers"):
        answers = [types.Answer(a.criterion, a.value) for a in evaluation.answers.all()]
        assert (
            evaluation.score_percent == scoring.score(counted, answers, allow_missing=True).percent
        )
    assert services.evaluation_auto_rescore(actor=None) == 0


def test_auto_qa_leaves_untrusted_criteria_out_of_the_score(world):
    """Given greeting is not trusted, when auto-QA runs, then the greeting answer is stored
    (so trust can be measured again) but the score counts only the trusted criteria."""
    version = ScorecardVersion.objects.get(scorecard__key=SCORECARD)
    services.evaluation_auto_run(
        actor=None, conversations=Conversation.objects.all(), versions={"chat": version}
    )
    plain, counted = version_spec(version), trust.scoring_spec(version)
    checked = 0
    for evaluation in Evaluation.objects.filter(kind="auto").prefetch_related("answers"):
        answers = [types.Answer(a.criterion, a.value) for a in evaluation.answers.all()]
        assert "greeting_introduction" in {a.criterion for a in answers}
        expected = scoring.score(counted, answers, allow_missing=True)
        assert (evaluation.earned, evaluation.maximum) == (expected.earned, expected.maximum)
        with_greeting = scoring.score(plain, answers, allow_missing=True)
        checked += with_greeting.maximum > evaluation.maximum
    assert checked == 10


def test_pairs_from_a_real_auto_qa_run_and_a_review_that_overrides_one_answer(tmp_path):
    """Given auto-QA over a stored chat and an analyst who starts from its answers and
    overrides the greeting, when the report is read, then greeting disagrees and the other
    detector criterion (accepted as is) agrees."""
    scorecard_services.scorecard_activate(
        actor=None, version=scorecard_services.scorecard_save(actor=None, spec=_spec())
    )
    factories.import_records(tmp_path, [factories.record("r1", client_name="Олег")])
    services.evaluation_auto_run(actor=None, conversations=Conversation.objects.all())
    conversation = Conversation.objects.get(external_id="r1")
    auto = {a.criterion: a.verdict for a in Answer.objects.filter(evaluation__kind="auto")}
    analyst = factories.user("qa_analyst")
    evaluation = manual_services.evaluation_start(
        actor=analyst, conversation=conversation, from_auto=True
    )
    flipped = "no" if auto["greeting_introduction"] != "no" else "yes"
    manual_services.evaluation_submit(
        actor=analyst,
        evaluation=evaluation,
        revision=evaluation.revision,
        answers=[
            manual_services.AnswerInput("greeting_introduction", _value(flipped)),
            manual_services.AnswerInput("correct_solution", 1.0),
        ],
    )
    items = _criteria(trust.trust_report(viewer=analyst))
    assert (
        items["greeting_introduction"].figures.confusion.count(
            flipped, auto["greeting_introduction"]
        )
        == 1
    )
    assert items["greeting_introduction"].figures.agreement == 0.0
    assert items["client_name"].figures.agreement == 1.0


# --- the command -----------------------------------------------------------------------------


def test_cli_alias():
    """Given the console script, when `autoqa-report` is typed, then the command runs."""
    assert ALIASES["autoqa-report"] == "autoqa_report"


def test_command_prints_a_table(world, capsys):
    """Given the example, when the report is printed, then each criterion has its row."""
    call_command("autoqa_report")
    out = capsys.readouterr().out
    assert "trust-chat — Чат для проверки доверия (10 conversations" in out
    greeting = next(line for line in out.splitlines() if line.startswith("greeting_introduction"))
    assert "Приветствие и представление" in greeting
    assert "   10    70%   0.52" in greeting
    assert greeting.endswith("NOT TRUSTED")
    name = next(line for line in out.splitlines() if line.startswith("client_name"))
    assert name.endswith("  trusted")


def test_command_json_for_pipelines(world, capsys):
    """Given --format json and a team filter, when run, then figures are exact numbers."""
    call_command("autoqa_report", "--format", "json", "--scorecard", SCORECARD)
    document = orjson.loads(capsys.readouterr().out)
    assert document["thresholds"] == {"min_kappa": 0.6, "min_pairs": 5}
    (card,) = document["scorecards"]
    greeting = card["criteria"][0]
    assert greeting["criterion"] == "greeting_introduction"
    assert greeting["kappa"] == 32 / 62
    assert greeting["status"] == "not_trusted"
    assert greeting["confusion"]["partial"] == {"yes": 1, "partial": 1, "no": 0, "na": 0}
    assert greeting["violations"]["false_positives"] == 1
    call_command("autoqa_report", "--format", "json", "--team", TEAM_B)
    (card,) = orjson.loads(capsys.readouterr().out)["scorecards"]
    assert card["criteria"][0]["n"] == 4


def test_command_prints_a_confusion_matrix(world, capsys):
    """Given --confusion, when run, then the matrix has a row per person's verdict."""
    call_command("autoqa_report", "--confusion", "greeting_introduction")
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "rows: person, columns: auto-QA"
    assert lines[2].split() == ["yes", "partial", "no", "na"]
    assert lines[3].split() == ["yes", "4", "0", "1", "0"]
    assert lines[4].split() == ["partial", "1", "1", "0", "0"]
    assert lines[5].split() == ["no", "0", "1", "2", "0"]


def test_command_names_an_unknown_criterion(world):
    """Given a criterion without pairs, when its matrix is asked for, then the error names it."""
    with pytest.raises(CommandError, match="'correct_solution'"):
        call_command("autoqa_report", "--confusion", "correct_solution")


def test_command_without_data_explains_what_is_needed(db, capsys):
    """Given no manual evaluations, when run, then it says what trust needs."""
    call_command("autoqa_report")
    assert "manual evaluations" in capsys.readouterr().out


# --- the page ------------------------------------------------------------------------------


def test_page_shows_every_criterion_with_its_status(world, client, django_assert_max_num_queries):
    """Given the example, when an analyst opens the page, then both criteria are listed with
    kappa, interval and status, and the chart has its data."""
    client.force_login(world["analyst"])
    with django_assert_max_num_queries(15):
        response = client.get(reverse("evaluations:trust"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Приветствие и представление" in html
    assert "0,52" in html or "0.52" in html
    assert response.context["cards"][0]["chart"]["kappa"] == [0.516, 1.0]
    assert response.context["cards"][0]["chart"]["status"] == ["not_trusted", "trusted"]
    assert 'data-chart="trust"' in html
    assert response.context["selected"] is None


def test_page_shows_a_criterions_confusion_matrix(world, client):
    """Given a click on a row, when the page opens with ?criterion=, then its matrix shows."""
    client.force_login(world["analyst"])
    url = reverse("evaluations:trust") + f"?criterion={SCORECARD}:greeting_introduction"
    response = client.get(url)
    selected = response.context["selected"]
    assert selected["item"].key == "greeting_introduction"
    assert [cell["count"] for cell in selected["rows"][0]["cells"]] == [4, 0, 1, 0]
    assert selected["totals"] == [5, 2, 3, 0]
    assert 'id="confusion"' in response.content.decode()


def test_page_filters_by_team(world, client):
    """Given the team filter, when the page opens, then only that team's pairs count."""
    client.force_login(world["analyst"])
    response = client.get(reverse("evaluations:trust"), {"team": TEAM_B})
    assert response.context["cards"][0]["card"].criteria[0].n == 4


def test_page_without_data_explains_what_is_needed(db, client):
    """Given no manual evaluations, when the page opens, then the empty state explains."""
    client.force_login(factories.user("qa_lead"))
    response = client.get(reverse("evaluations:trust"))
    assert response.status_code == 200
    assert response.context["cards"] == []
    assert "empty" in response.content.decode()


@pytest.mark.parametrize("role", ["team_lead", "mentor", "trainer", "operator"])
def test_page_is_forbidden_to_other_roles(db, client, role):
    """Given a role outside QA and management, when it opens the page, then 403."""
    client.force_login(factories.user(role))
    assert client.get(reverse("evaluations:trust")).status_code == 403


def test_navigation_has_the_page_for_analysts_only(db, client):
    """Given an analyst and a mentor, when they open the overview, then only the analyst's
    menu has the trust page."""
    url = reverse("evaluations:trust")
    client.force_login(factories.user("qa_analyst"))
    assert url in client.get(reverse("home")).content.decode()
    client.force_login(factories.user("mentor"))
    assert url not in client.get(reverse("home")).content.decode()


def test_command_rescore(world, capsys):
    """Given stored auto answers, when `autoqa --rescore` runs, then it reports the changes."""
    call_command("autoqa", "--rescore")
    assert "10 automatic evaluations changed score" in capsys.readouterr().out
