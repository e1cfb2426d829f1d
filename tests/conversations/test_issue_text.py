"""Import issues in the interface language: every reason the engine writes has a translation."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from nastavnik.conversations import issue_text
from nastavnik.core.models import Job
from nastavnik.engine import formats, types
from nastavnik.engine.formats import validate
from tests import factories

STARTED = "2026-03-02T10:15:00+03:00"

# Broken JSON Lines, together touching every reason of validate.py and jsonl.py.
JSONL_CORPUS: list[bytes | dict] = [
    b"[1]",
    b"{not json",
    b'{"external_id": "j1"',  # ends inside the object: "at the end of the line"
    b"\xff",
    {},
    {
        "external_id": " ",
        "channel": "fax",
        "operator": [1],
        "started_at": 5,
        "source": 7,
        "team": 1,
        "client": [],
        "language": "русский",
        "direction": "sideways",
        "tags": "a",
        "meta": [],
        "outcome": [],
        "turns": {},
        "colour": "red",
    },
    {
        "external_id": "j3",
        "source": "crm",
        "channel": "chat",
        "operator": None,
        "started_at": STARTED,
        "ended_at": "2026-03-01T10:15:00+03:00",
        "tags": ["", 1],
        "outcome": {
            "csat": 9,
            "transfers": -1,
            "helped": "да",
            "order_amount": "много",
            "cancel_reason": 5,
            "mood": 1,
        },
        "turns": [
            1,
            {"speaker": "robot", "text": 5, "at": "вчера", "pitch": 1},
            {"text": "Алло"},
            {"speaker": "client"},
            {"speaker": "client", "text": "Алло", "at": "2026-03-02T10:15:00"},
            {"speaker": "client", "text": "Алло", "at": 5},
        ],
    },
    {
        "external_id": "j4",
        "source": "crm",
        "channel": "call",
        "operator": 17,
        "started_at": "2026-13-45T10:00:00+03:00",
        "turns": [
            {"speaker": "client", "text": "Алло"},
            {"speaker": "client", "text": "Алло", "start": -1, "end": "a"},
            {"speaker": "client", "text": "Алло", "end": 3},
            {"speaker": "client", "text": "Алло", "start": 5, "end": 3},
        ],
    },
    {
        "external_id": "j5",
        "channel": "chat",
        "operator": "op-1",
        "started_at": "2026-03-02T10:15:00",
        "turns": [],
    },
]
_CSV_HEADER = "external_id,channel,operator,started_at,speaker,text,at\n"
_CSV_ROW = "{0},chat,op-1," + STARTED + ",client,Алло," + STARTED + "\n"
# CSV files, together touching every reason of csv_turns.py and the decoders it quotes.
CSV_CORPUS: list[bytes] = [
    b"external_id,external_id,colour,,speaker\n",
    b"channel,speaker\n",
    (
        _CSV_HEADER
        + _CSV_ROW.format("c1").replace("\n", ",extra\n")
        + _CSV_ROW.format("c2")
        + _CSV_ROW.format("c1")
    ).encode(),
    _CSV_HEADER.encode() + _CSV_ROW.format("c3").encode() + b"c4,\xff\n",
    _CSV_HEADER.encode() + b"c5,\xc3(\n",
    b"\xffexternal_id\n",
    _CSV_HEADER.encode() + b"c6,ch\rat\n",
]
# Words a translation may keep: field names, choice values, JSON literals, format names.
KEPT_WORDS = frozenset(
    validate.REQUIRED_FIELDS
    + validate.OPTIONAL_FIELDS
    + validate.TURN_FIELDS
    + types.OUTCOME_FIELDS
    + types.CHANNELS
    + types.SPEAKERS
    + types.DIRECTIONS
    + ("true", "false", "null", "JSON")
)
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_WORD = re.compile(r"[A-Za-z_]+")


def _jsonl(lines: list[bytes | dict]) -> bytes:
    return b"\n".join(line if isinstance(line, bytes) else orjson.dumps(line) for line in lines)


def _corpus_issues() -> list[types.Issue]:
    issues = [
        issue
        for parsed in formats.read_jsonl(io.BytesIO(_jsonl(JSONL_CORPUS)), default_source="")
        for issue in parsed.issues
    ]
    for content in CSV_CORPUS:
        for parsed in formats.read_csv(io.BytesIO(content), default_source=""):
            issues.extend(parsed.issues)
    return issues


def _english_words(text: str) -> list[str]:
    """ASCII words of four letters or more, leaving out quoted data and kept names."""
    words = _WORD.findall(_QUOTED.sub("", text))
    return [word for word in words if len(word) >= 4 and word not in KEPT_WORDS]


def test_every_reason_of_the_corpus_is_translated_to_russian():
    # given every issue the broken corpus makes the engine report
    issues = _corpus_issues()
    reasons = sorted({issue.reason for issue in issues})
    # when translating them into Russian
    with translation.override("ru"):
        translated = {reason: issue_text.translate_reason(reason) for reason in reasons}
        records = {issue_text.translate_issue_record(issue.record) for issue in issues}
        fields = {issue_text.translate_issue_field(issue.field) for issue in issues}
    # then each one changed and keeps no English words but field names and data
    untranslated = {reason: text for reason, text in translated.items() if text == reason}
    assert untranslated == {}
    leftovers = {text: _english_words(text) for text in translated.values()}
    assert {text: words for text, words in leftovers.items() if words} == {}
    assert all(record.startswith("строка ") for record in records)
    assert {"(строка)", "(строка таблицы)", "(файл)", "(пусто)"} <= fields


def test_the_corpus_reaches_every_engine_template():
    # given the templates of the engine's own sentences and value names
    engine_templates = issue_text.ENGINE_REASONS + issue_text.VALUE_NAMES
    # when matching the corpus reasons against them
    reasons = {issue.reason for issue in _corpus_issues()}
    missed = [
        template
        for template in engine_templates
        if not any(_pattern(template).search(reason) for reason in reasons)
    ]
    # then every template is exercised, so the previous test covers all of them
    assert missed == []


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(
        "".join(
            re.escape(part) if index % 2 == 0 else ".+?"
            for index, part in enumerate(re.split(r"\{(\w+)\}", template))
        ),
        re.DOTALL,
    )


def test_every_english_sentence_in_the_engine_readers_has_a_template():
    # given the literal text of the readers (reasons are built from it)
    folder = Path(formats.__file__).parent
    fragments = {
        fragment
        for name in ("validate.py", "csv_turns.py", "jsonl.py")
        for fragment in _sentence_fragments(folder / name)
    }
    # when looking each piece up in the templates
    known = issue_text.REASON_TEMPLATES + issue_text.RECORD_TEMPLATES
    unknown = sorted(
        fragment
        for fragment in fragments
        if not any(
            fragment in template or _pattern(template).fullmatch(fragment) for template in known
        )
    )
    # then none is missing: a new English reason needs a template and a translation
    assert unknown == []


def _sentence_fragments(path: Path) -> list[str]:
    """Stripped string literals with two words or more, outside docstrings and code generation."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr):
            skipped.add(id(node.value))  # a docstring, of a module, function or attribute
        if isinstance(node, ast.FunctionDef) and node.name == "positional_builder":
            skipped.update(id(inner) for inner in ast.walk(node))
    return [
        node.value.strip()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skipped
        and " " in node.value.strip()
        and re.search(r"[a-z]{3}", node.value)
    ]


@pytest.mark.parametrize(
    ("reason", "russian"),
    [
        (
            "must be one of call, chat, email, messenger, got 'fax'",
            "должно быть одним из: call, chat, email, messenger; получено: 'fax'",
        ),
        (
            "must be a string or an integer, got an array",
            "должно быть строкой или целым числом; получено: массив",
        ),
        (
            "must be an integer from 1 to 5, got a number (9)",
            "должно быть целым числом от 1 до 5; получено: число (9)",
        ),
        ("required", "обязательное поле"),
        (
            "not valid JSON: unexpected character, expected ',' or '}' at column 5",
            "ошибка в JSON: неожиданный символ, ожидалось ',' или '}' (позиция 5)",
        ),
        (
            "cannot read line 3: it is not UTF-8 text (invalid start byte at byte 1); "
            "the rest of the file is skipped",
            "не удалось прочитать строку 3: это не текст в кодировке UTF-8 "
            "(недопустимый начальный байт, позиция 1); остаток файла пропущен",
        ),
        ("a reason nobody has written yet", "a reason nobody has written yet"),
    ],
)
def test_reason_translates_exactly(reason, russian):
    with translation.override("ru"):
        assert issue_text.translate_reason(reason) == russian


def test_record_and_field_labels_translate_and_field_paths_stay():
    with translation.override("ru"):
        assert issue_text.translate_issue_record("line 17 (ch-1029)") == "строка 17 (ch-1029)"
        assert issue_text.translate_issue_record("line 1") == "строка 1"
        assert issue_text.translate_issue_field("(line)") == "(строка)"
        assert issue_text.translate_issue_field("turns[3].speaker") == "turns[3].speaker"


def test_english_stays_english():
    # given every issue of the corpus
    issues = _corpus_issues()
    # when "translating" into English
    with translation.override("en"):
        shown = [
            (
                issue_text.translate_issue_record(issue.record),
                issue_text.translate_issue_field(issue.field),
                issue_text.translate_reason(issue.reason),
            )
            for issue in issues
        ]
    # then the engine's text comes back as it was
    assert shown == [(issue.record, issue.field, issue.reason) for issue in issues]


@pytest.mark.django_db
def test_import_job_page_shows_russian_reasons(client, django_capture_on_commit_callbacks):
    # given an analyst and a file whose second record has an impossible rating
    client.force_login(factories.user("qa_analyst"))
    lines = [factories.record("u1"), factories.record("u2", outcome={"csat": 9})]
    upload = SimpleUploadedFile("batch.jsonl", b"\n".join(orjson.dumps(line) for line in lines))
    # when uploading it through the import page and opening the report
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("conversations:import"), {"file": upload, "source": "crm"})
    assert Job.objects.get().state == Job.State.DONE
    html = client.get(response["Location"]).content.decode()
    # then the reason and the record are Russian, and the field path is left alone
    assert "должно быть целым числом от 1 до 5; получено: число (9)" in html
    assert "<code>строка 2 (u2)</code>" in html
    assert "<code>outcome.csat</code>" in html
    assert "must be an integer" not in html
