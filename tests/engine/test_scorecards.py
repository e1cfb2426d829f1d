"""Scorecard documents: validation naming the field, YAML round trips, the shipped defaults."""

from __future__ import annotations

import copy
import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nastavnik.engine import scorecards
from nastavnik.engine.text import lexicons as lexicon_files
from nastavnik.engine.types import (
    CHANNELS,
    CRITICAL_LEVELS,
    DIRECTIONS,
    DISPLAYS,
    SCALES,
    CriterionSpec,
    Issue,
    ScorecardSpec,
    StageSpec,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"


def document() -> dict[str, Any]:
    """A small valid scorecard document, fresh on every call."""
    return {
        "key": "small",
        "title": "Маленький",
        "channels": ["chat"],
        "stages": [
            {
                "key": "greeting",
                "title": "Установление контакта",
                "criteria": [
                    {"key": "hello", "title": "Приветствие", "weight": 2},
                    {"key": "name", "title": "Имя", "scale": "ternary", "na_allowed": True},
                ],
            },
            {
                "key": "closing",
                "title": "Завершение",
                "criteria": [
                    {"key": "bye", "title": "Прощание", "scale": "points", "points": 3},
                ],
            },
        ],
    }


def issues_of(data: Any, **options: str) -> list[Issue]:
    with pytest.raises(scorecards.ScorecardError) as caught:
        scorecards.parse_scorecard(data, **options)
    return list(caught.value.issues)


# --- parsing -------------------------------------------------------------------------------


def test_a_valid_document_parses_with_defaults() -> None:
    # given the small document
    # when parsed
    spec = scorecards.parse_scorecard(document())
    # then every default is filled in
    assert spec == ScorecardSpec(
        key="small",
        title="Маленький",
        version=1,
        channels=("chat",),
        stages=(
            StageSpec(
                "greeting",
                "Установление контакта",
                (
                    CriterionSpec("hello", "Приветствие", weight=2.0),
                    CriterionSpec("name", "Имя", scale="ternary", na_allowed=True),
                ),
            ),
            StageSpec(
                "closing",
                "Завершение",
                (CriterionSpec("bye", "Прощание", scale="points", points=3),),
            ),
        ),
    )


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``stages[0].criteria[1].weight`` style paths; a value of DELETE removes the key."""
    parts = re.findall(r"[^.\[\]]+", path)
    target: Any = data
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    if value is DELETE:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value


DELETE = object()
C0 = "stages[0].criteria[0]"


@pytest.mark.parametrize(
    ("path", "value", "field", "reason"),
    [
        ("key", DELETE, "key", "required"),
        ("key", "Small Card", "key", "must be a slug"),
        ("key", "1st", "key", "must be a slug"),
        ("key", "a" * 65, "key", "at most 64 characters"),
        ("title", "   ", "title", "must not be blank"),
        ("title", 5, "title", "must be text, got a number (5)"),
        ("version", 0, "version", "must be an integer 1..1000000"),
        ("version", "2", "version", "must be an integer"),
        ("channels", [], "channels", "must be a non-empty list"),
        ("channels", "chat", "channels", "must be a non-empty list"),
        ("channels", ["chat", "fax"], "channels[1]", "must be one of call, chat, email, messenger"),
        ("channels", ["chat", "chat"], "channels[1]", "duplicate channel 'chat'"),
        ("direction", "sideways", "direction", "must be one of inbound, outbound"),
        ("display", "stars", "display", "must be one of percent, points"),
        ("colour", "red", "colour", "unknown field"),
        ("stages", [], "stages", "must be a non-empty list"),
        ("stages[1]", "closing", "stages[1]", "must be a mapping, got 'closing'"),
        ("stages[1].key", "greeting", "stages[1].key", "duplicate key 'greeting'"),
        ("stages[1].title", DELETE, "stages[1].title", "required"),
        ("stages[1].criteria", [], "stages[1].criteria", "must be a non-empty list"),
        ("stages[1].weight", 3, "stages[1].weight", "unknown field"),
        (f"{C0}.key", DELETE, f"{C0}.key", "required"),
        (f"{C0}.key", "Hello!", f"{C0}.key", "must be a slug"),
        ("stages[1].criteria[0].key", "hello", "stages[1].criteria[0].key", "duplicate key"),
        ("stages[0].criteria[1].key", "hello", "stages[0].criteria[1].key", "duplicate key"),
        (f"{C0}.title", "", f"{C0}.title", "must not be blank"),
        (f"{C0}.rule", ["a"], f"{C0}.rule", "must be text, got a list"),
        (f"{C0}.weight", 0, f"{C0}.weight", "must be greater than 0"),
        (f"{C0}.weight", -1.5, f"{C0}.weight", "must be greater than 0"),
        (f"{C0}.weight", "2", f"{C0}.weight", "must be a number"),
        (f"{C0}.weight", True, f"{C0}.weight", "must be a number"),
        (f"{C0}.weight", float("inf"), f"{C0}.weight", "must be a number"),
        (f"{C0}.scale", "stars", f"{C0}.scale", "must be one of binary, ternary, points"),
        (f"{C0}.points", 3, f"{C0}.points", "allowed only when scale is points"),
        ("stages[1].criteria[0].points", DELETE, "stages[1].criteria[0].points", "required"),
        ("stages[1].criteria[0].points", 0, "stages[1].criteria[0].points", "integer 1..100"),
        ("stages[1].criteria[0].points", 2.5, "stages[1].criteria[0].points", "integer 1..100"),
        (f"{C0}.na_allowed", "yes", f"{C0}.na_allowed", "must be true or false"),
        (f"{C0}.pilot", 1, f"{C0}.pilot", "must be true or false"),
        (f"{C0}.critical", "always", f"{C0}.critical", "must be one of none, stage, evaluation"),
        (f"{C0}.critical", False, f"{C0}.critical", "must be one of none, stage, evaluation"),
        (f"{C0}.skills", "communication", f"{C0}.skills", "must be a list of skill codes"),
        (f"{C0}.skills", ["a.b", " "], f"{C0}.skills[1]", "must be a skill code"),
        (f"{C0}.skills", ["a.b", "a.b"], f"{C0}.skills[1]", "duplicate skill 'a.b'"),
        (f"{C0}.detector", "phrase", f"{C0}.detector", "must be a mapping with a family"),
        (f"{C0}.detector", {"lexicon": "x"}, f"{C0}.detector.family", "detector family name"),
        (f"{C0}.detector", {"family": ""}, f"{C0}.detector.family", "detector family name"),
        (
            f"{C0}.detector",
            {"family": "phrase", "since": datetime.date(2026, 1, 1)},
            f"{C0}.detector.since",
            "must be text, a number, true/false, a list or a mapping",
        ),
        (
            f"{C0}.detector",
            {"family": "phrase", "phrases": ["a", float("nan")]},
            f"{C0}.detector.phrases[1]",
            "must be a finite number",
        ),
        (f"{C0}.wieght", 2, f"{C0}.wieght", "unknown field"),
    ],
)
def test_every_rule_names_the_field(path: str, value: Any, field: str, reason: str) -> None:
    # given the small document with one field made wrong
    data = document()
    set_path(data, path, value)
    # when parsed
    issues = issues_of(data)
    # then exactly that field is reported, with the reason
    assert [issue.field for issue in issues] == [field]
    assert reason in issues[0].reason
    # and the record is named by the key as written, or "scorecard" without a usable one
    written = data.get("key")
    assert issues[0].record == (written if isinstance(written, str) and written else "scorecard")


def test_all_issues_are_collected_and_name_the_source() -> None:
    # given a document with three independent problems, read from a named file
    data = document()
    data["display"] = "stars"
    data["stages"][0]["criteria"][1]["weight"] = 0
    data["stages"][1]["criteria"][0]["critical"] = "sometimes"
    # when parsed
    issues = issues_of(data, source="cards/small.yaml")
    # then all three are reported, each naming the file and the field
    assert [(i.record, i.field) for i in issues] == [
        ("cards/small.yaml", "display"),
        ("cards/small.yaml", "stages[0].criteria[1].weight"),
        ("cards/small.yaml", "stages[1].criteria[0].critical"),
    ]


def test_a_document_that_is_not_a_mapping() -> None:
    assert issues_of(["key"]) == [Issue("scorecard", "(document)", "must be a mapping, got a list")]


def test_the_error_message_lists_the_issues() -> None:
    data = document()
    data["display"] = "stars"
    with pytest.raises(scorecards.ScorecardError, match=r"small: display: must be one of"):
        scorecards.parse_scorecard(data)


def test_texts_are_stripped_and_detectors_copied() -> None:
    # given a rule written as a YAML block (trailing newline) and a detector
    data = document()
    criterion = data["stages"][0]["criteria"][0]
    criterion["rule"] = "Да — поздоровался.\nНет — не поздоровался.\n"
    criterion["detector"] = {"family": "phrase", "phrases": ["здравствуйте"]}
    # when parsed
    spec = scorecards.parse_scorecard(data)
    # then the text is stripped and the detector does not share the input's lists
    parsed = spec.stages[0].criteria[0]
    assert parsed.rule == "Да — поздоровался.\nНет — не поздоровался."
    criterion["detector"]["phrases"].append("привет")
    assert parsed.detector == {"family": "phrase", "phrases": ["здравствуйте"]}


# --- YAML and files ------------------------------------------------------------------------


def test_yaml_syntax_errors_are_issues_with_a_line() -> None:
    text = "key: small\ntitle: [unclosed\nchannels: [chat]\n"
    with pytest.raises(scorecards.ScorecardError) as caught:
        scorecards.scorecard_from_yaml(text, source="bad.yaml")
    (issue,) = caught.value.issues
    assert (issue.record, issue.field) == ("bad.yaml", "(document)")
    assert issue.reason.startswith("not valid YAML")
    assert issue.line is not None


def test_a_key_given_twice_is_an_error() -> None:
    text = "key: small\ntitle: A\ntitle: B\n"
    with pytest.raises(scorecards.ScorecardError) as caught:
        scorecards.scorecard_from_yaml(text, source="twice.yaml")
    (issue,) = caught.value.issues
    assert "found the key 'title' twice" in issue.reason
    assert issue.line == 3


def test_load_scorecard_reads_a_file(tmp_path: Path) -> None:
    # given a scorecard written to a file
    spec = scorecards.parse_scorecard(document())
    path = tmp_path / "small.yaml"
    path.write_text(scorecards.scorecard_to_yaml(spec), encoding="utf-8")
    # when loaded, then it is the same scorecard
    assert scorecards.load_scorecard(path) == spec


def test_load_scorecard_reports_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(scorecards.ScorecardError) as caught:
        scorecards.load_scorecard(missing)
    assert [(i.record, i.field) for i in caught.value.issues] == [(str(missing), "(file)")]
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: small\nchannels: [chat]\n", encoding="utf-8")
    with pytest.raises(scorecards.ScorecardError) as caught:
        scorecards.load_scorecard(bad)
    assert [(i.record, i.field) for i in caught.value.issues] == [
        (str(bad), "title"),
        (str(bad), "stages"),
    ]


# --- round trip ----------------------------------------------------------------------------

ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789"
SLUGS = st.builds(
    lambda first, rest, tail: first + rest + (f"_{tail}" if tail else ""),
    st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
    st.text(ALPHANUMERIC, max_size=6),
    st.text(ALPHANUMERIC, max_size=3),
)
TEXTS = st.text(
    alphabet=st.characters(
        categories=("L", "N", "P", "Zs", "S"), include_characters="\n\t\r\x85\u2028«»—ёЁ"
    ),
    max_size=30,
).map(str.strip)
TITLES = TEXTS.filter(bool)
PLAIN = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-1000, 1000)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXTS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SLUGS, inner, max_size=3),
    max_leaves=6,
)


@st.composite
def criterion_specs(draw: st.DrawFn, key: str) -> CriterionSpec:
    scale = draw(st.sampled_from(SCALES))
    detector = draw(st.none() | st.dictionaries(SLUGS, PLAIN, max_size=3))
    if detector is not None:
        detector["family"] = draw(SLUGS)
    return CriterionSpec(
        key=key,
        title=draw(TITLES),
        rule=draw(TEXTS),
        weight=draw(
            st.floats(min_value=0.001, max_value=1e6, allow_nan=False, allow_infinity=False)
            | st.integers(1, 100).map(float)
        ),
        scale=scale,
        points=draw(st.integers(1, 100)) if scale == "points" else 1,
        na_allowed=draw(st.booleans()),
        critical=draw(st.sampled_from(CRITICAL_LEVELS)),
        pilot=draw(st.booleans()),
        skills=tuple(draw(st.lists(SLUGS.map(lambda s: f"skill.{s}"), unique=True, max_size=3))),
        detector=detector,
        title_en=draw(TEXTS),
        rule_en=draw(TEXTS),
    )


@st.composite
def scorecard_specs(draw: st.DrawFn) -> ScorecardSpec:
    stage_keys = draw(st.lists(SLUGS, min_size=1, max_size=3, unique=True))
    sizes = [draw(st.integers(1, 3)) for _ in stage_keys]
    criterion_keys = draw(st.lists(SLUGS, min_size=sum(sizes), max_size=sum(sizes), unique=True))
    stages = []
    for key, size in zip(stage_keys, sizes, strict=True):
        keys, criterion_keys = criterion_keys[:size], criterion_keys[size:]
        criteria = tuple(draw(criterion_specs(k)) for k in keys)
        stages.append(
            StageSpec(key=key, title=draw(TITLES), criteria=criteria, title_en=draw(TEXTS))
        )
    return ScorecardSpec(
        key=draw(SLUGS),
        title=draw(TITLES),
        version=draw(st.integers(1, 1000)),
        channels=tuple(draw(st.lists(st.sampled_from(CHANNELS), min_size=1, unique=True))),
        stages=tuple(stages),
        direction=draw(st.sampled_from(DIRECTIONS)),
        display=draw(st.sampled_from(DISPLAYS)),
        title_en=draw(TEXTS),
        description=draw(TEXTS),
    )


@given(scorecard_specs())
def test_dump_then_parse_gives_the_same_scorecard(spec: ScorecardSpec) -> None:
    assert scorecards.parse_scorecard(scorecards.dump_scorecard(spec)) == spec
    assert scorecards.scorecard_from_yaml(scorecards.scorecard_to_yaml(spec)) == spec


def test_dump_leaves_defaults_out() -> None:
    spec = scorecards.parse_scorecard(document())
    assert scorecards.dump_scorecard(spec)["stages"][0]["criteria"][1] == {
        "key": "name",
        "title": "Имя",
        "weight": 1,
        "scale": "ternary",
        "na_allowed": True,
    }


# --- the shipped defaults ------------------------------------------------------------------

DEFAULTS = scorecards.default_scorecards()
DEFAULT_CRITERIA = [(key, c) for key, spec in DEFAULTS.items() for c in spec.criteria()]
DEFAULT_IDS = [f"{key}:{c.key}" for key, c in DEFAULT_CRITERIA]
STAGES = [
    ("greeting", "Установление контакта"),
    ("needs", "Выявление потребности"),
    ("solution", "Решение вопроса"),
    ("objections", "Работа с возражениями и негативом"),
    ("closing", "Завершение"),
]
# Every lexicon a scorecard may name is a shipped one.
LEXICONS = set(lexicon_files.available_lexicons("ru"))
# The parameters of each family in docs/detectors.md, and which of them name lexicons.
FAMILY_PARAMETERS = {
    "phrase": {
        "lexicon",
        "phrases",
        "speaker",
        "position",
        "turns",
        "expect",
        "require_all_of",
        "min_count",
        "operator_name_counts_as",
        "partial_needs",
        "na_if_client_left",
    },
    "order": {"before", "after", "speaker"},
    "rate": {"lexicon", "speaker", "per_100_words_max", "partial_max"},
    "client_name": {"min_uses"},
    "timing": {"metric", "max_seconds", "partial_max_seconds"},
    "refusal_protocol": {"triggers", "attempts", "refund", "insist", "max_attempts"},
    "empathy_after_negativity": {"negativity", "empathy", "within_turns"},
    "hold_etiquette": {"ask", "thanks"},
}
LEXICON_PARAMETERS = {
    "lexicon",
    "triggers",
    "attempts",
    "refund",
    "negativity",
    "empathy",
    "ask",
    "thanks",
}


def test_four_default_scorecards_one_per_channel() -> None:
    assert sorted(DEFAULTS) == [
        "default-call",
        "default-chat",
        "default-email",
        "default-messenger",
    ]
    for key, spec in DEFAULTS.items():
        assert spec.key == key
        assert spec.channels == (key.removeprefix("default-"),)
        assert [(s.key, s.title) for s in spec.stages] == STAGES
        assert all(s.title_en for s in spec.stages)
        assert spec.title_en
        assert spec.display == "percent"


def test_the_default_files_parse_from_the_package() -> None:
    folder = Path(scorecards.__file__).parent / "data" / "scorecards"
    assert sorted(p.stem for p in folder.glob("*.yaml")) == sorted(DEFAULTS)
    for key, spec in DEFAULTS.items():
        assert scorecards.load_scorecard(folder / f"{key}.yaml") == spec
        assert scorecards.default_scorecard(key) == spec
    with pytest.raises(KeyError, match="default-fax"):
        scorecards.default_scorecard("default-fax")


def test_default_scorecards_are_fresh_copies() -> None:
    # given a caller that changes a detector of a default scorecard in place
    detector = scorecards.default_scorecard("default-chat").criteria()[1].detector
    assert detector is not None
    detector["family"] = "changed"
    # when the default is asked for again, then it is unchanged
    again = scorecards.default_scorecard("default-chat").criteria()[1].detector
    assert again is not None
    assert again["family"] == "phrase"


@pytest.mark.parametrize(("scorecard_key", "criterion"), DEFAULT_CRITERIA, ids=DEFAULT_IDS)
def test_every_default_criterion_is_bilingual_and_says_what_each_answer_means(
    scorecard_key: str, criterion: CriterionSpec
) -> None:
    # Russian title and rule, English ones beside them
    assert re.search("[а-яё]", criterion.title, re.IGNORECASE)
    assert re.search("[а-яё]", criterion.rule, re.IGNORECASE)
    assert criterion.title_en
    assert criterion.rule_en
    assert not re.search("[а-яё]", criterion.title_en, re.IGNORECASE)
    # each rule says, line by line, what every possible answer means
    if criterion.scale == "points":
        labels_ru = labels_en = [f"{n} —" for n in range(criterion.points, -1, -1)]
    else:
        labels_ru, labels_en = ["Да —"], ["Yes —"]
        if criterion.scale == "ternary":
            labels_ru, labels_en = [*labels_ru, "Частично —"], [*labels_en, "Partial —"]
        labels_ru, labels_en = [*labels_ru, "Нет —"], [*labels_en, "No —"]
    if criterion.na_allowed:
        labels_ru, labels_en = [*labels_ru, "Не применимо —"], [*labels_en, "N/A —"]
    starts_ru = [line.split("—")[0] + "—" for line in criterion.rule.splitlines()]
    starts_en = [line.split("—")[0] + "—" for line in criterion.rule_en.splitlines()]
    assert [s for s in starts_ru if s in ALL_LABELS_RU or re.fullmatch(r"\d+ —", s)] == labels_ru
    assert [s for s in starts_en if s in ALL_LABELS_EN or re.fullmatch(r"\d+ —", s)] == labels_en
    assert "«" in criterion.rule  # an example phrase
    assert criterion.skills


ALL_LABELS_RU = {"Да —", "Частично —", "Нет —", "Не применимо —"}
ALL_LABELS_EN = {"Yes —", "Partial —", "No —", "N/A —"}


@pytest.mark.parametrize(("scorecard_key", "criterion"), DEFAULT_CRITERIA, ids=DEFAULT_IDS)
def test_default_detectors_use_the_documented_vocabulary(
    scorecard_key: str, criterion: CriterionSpec
) -> None:
    if criterion.detector is None:
        assert criterion.key in {"correct_solution", "literacy", "all_questions_answered"}
        return
    family = criterion.detector["family"]
    parameters = set(criterion.detector) - {"family"}
    assert parameters <= FAMILY_PARAMETERS[family]
    lexicons = {criterion.detector[p] for p in parameters & LEXICON_PARAMETERS}
    lexicons |= set(criterion.detector.get("require_all_of", []))
    for side in ("before", "after"):
        lexicons |= {criterion.detector[side]["lexicon"]} if side in criterion.detector else set()
    assert lexicons <= LEXICONS


def test_the_detector_vocabulary_is_documented() -> None:
    text = (DOCS / "detectors.md").read_text(encoding="utf-8")
    assert "## Configuration" in text
    for family, parameters in FAMILY_PARAMETERS.items():
        assert f"`family: {family}`" in text
        for parameter in parameters:
            assert f"`{parameter}`" in text
    for lexicon in LEXICONS:
        assert f"`{lexicon}`" in text


def test_default_weights_make_the_solution_heaviest() -> None:
    for spec in DEFAULTS.values():
        heaviest = max(spec.criteria(), key=lambda c: c.weight)
        assert heaviest.key == "correct_solution"
        assert sum(c.weight for c in spec.criteria()) == 24


def test_sensitive_data_and_prohibited_words_are_critical_everywhere() -> None:
    for spec in DEFAULTS.values():
        critical = {c.key: c.critical for c in spec.criteria() if c.critical != "none"}
        assert critical == {"no_sensitive_data": "evaluation", "no_prohibited_words": "evaluation"}


def test_defaults_round_trip_through_yaml() -> None:
    for spec in DEFAULTS.values():
        assert scorecards.scorecard_from_yaml(scorecards.scorecard_to_yaml(spec)) == spec
        assert scorecards.parse_scorecard(copy.deepcopy(scorecards.dump_scorecard(spec))) == spec
