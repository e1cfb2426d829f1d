"""JSON Lines reader and writer: contract, error reporting and round trip."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nastavnik.engine.formats import (
    conversation_to_record,
    read_file,
    read_jsonl,
    validate_record,
    write_jsonl_record,
)
from nastavnik.engine.formats.validate import positional_builder
from nastavnik.engine.types import (
    CHANNELS,
    OUTCOME_FIELDS,
    SPEAKERS,
    WRITTEN_CHANNELS,
    Conversation,
    Issue,
    Outcome,
    ParsedRecord,
    Turn,
)

MSK = timezone(timedelta(hours=3))

DESIGN_EXAMPLE: dict[str, Any] = {
    "external_id": "ch-1029",
    "source": "helpdesk",
    "channel": "chat",
    "operator": "op-17",
    "operator_name": "Анна Смирнова",
    "team": "Линия 1",
    "client": "cl-5531",
    "client_name": "Олег",
    "language": "ru",
    "direction": "inbound",
    "started_at": "2026-03-02T10:15:00+03:00",
    "ended_at": "2026-03-02T10:31:40+03:00",
    "topic": "доставка",
    "tags": ["задержка"],
    "turns": [
        {"speaker": "client", "text": "Где мой заказ?", "at": "2026-03-02T10:15:00+03:00"},
        {
            "speaker": "operator",
            "text": "Здравствуйте, Олег! Меня зовут Анна…",
            "at": "2026-03-02T10:19:12+03:00",
        },
    ],
    "outcome": {
        "csat": 5,
        "helped": True,
        "nps": 9,
        "resolved": True,
        "converted": False,
        "cancelled": False,
        "missed": False,
        "retention_requested": False,
        "retained": None,
        "escalated": False,
        "transfers": 0,
        "order_amount": None,
        "cancel_reason": None,
    },
    "meta": {},
}


def minimal(**changes: Any) -> dict[str, Any]:
    """A valid chat record with only the required fields, updated with ``changes``."""
    record: dict[str, Any] = {
        "external_id": "ch-1",
        "channel": "chat",
        "operator": "op-1",
        "started_at": "2026-03-02T10:15:00+03:00",
        "turns": [{"speaker": "client", "text": "Добрый день", "at": "2026-03-02T10:15:00+03:00"}],
    }
    record.update(changes)
    return record


def call(**changes: Any) -> dict[str, Any]:
    """A valid call record with timed turns, updated with ``changes``."""
    return (
        minimal(
            channel="call",
            turns=[
                {"speaker": "operator", "text": "Алло", "start": 0, "end": 1.5},
                {"speaker": "client", "text": "Здравствуйте", "start": 2, "end": 3},
            ],
        )
        | changes
    )


def to_bytes(*records: Any) -> bytes:
    return b"".join(orjson.dumps(record) + b"\n" for record in records)


def parse(*records: Any, default_source: str = "helpdesk") -> list[ParsedRecord]:
    return list(read_jsonl(io.BytesIO(to_bytes(*records)), default_source=default_source))


def issues_of(record: Any) -> list[tuple[str, str]]:
    """(field, reason) of every issue of one record."""
    (parsed,) = parse(record)
    assert parsed.conversation is None
    return [(issue.field, issue.reason) for issue in parsed.issues]


# --- the contract ---------------------------------------------------------------------------


def test_design_example_parses_into_every_field() -> None:
    # given the record from DESIGN.md
    # when it is read
    (parsed,) = parse(DESIGN_EXAMPLE)
    # then every field is typed as the contract says
    assert parsed.is_valid
    assert parsed.line == 1
    assert parsed.conversation == Conversation(
        external_id="ch-1029",
        channel="chat",
        operator="op-17",
        started_at=datetime(2026, 3, 2, 10, 15, tzinfo=MSK),
        turns=(
            Turn("client", "Где мой заказ?", at=datetime(2026, 3, 2, 10, 15, tzinfo=MSK)),
            Turn(
                "operator",
                "Здравствуйте, Олег! Меня зовут Анна…",
                at=datetime(2026, 3, 2, 10, 19, 12, tzinfo=MSK),
            ),
        ),
        source="helpdesk",
        operator_name="Анна Смирнова",
        team="Линия 1",
        client="cl-5531",
        client_name="Олег",
        language="ru",
        direction="inbound",
        ended_at=datetime(2026, 3, 2, 10, 31, 40, tzinfo=MSK),
        topic="доставка",
        tags=("задержка",),
        outcome=Outcome(
            csat=5,
            helped=True,
            nps=9,
            resolved=True,
            converted=False,
            cancelled=False,
            missed=False,
            retention_requested=False,
            escalated=False,
            transfers=0,
        ),
        meta={},
    )


def test_optional_fields_take_their_defaults() -> None:
    # given a record with only the required fields
    # when it is read with a default source
    (parsed,) = parse(minimal(), default_source="crm")
    conversation = parsed.conversation
    # then the defaults of the contract apply
    assert conversation is not None
    assert (conversation.source, conversation.language, conversation.direction) == (
        "crm",
        "ru",
        "inbound",
    )
    assert conversation.outcome == Outcome()
    assert conversation.meta == {}
    assert conversation.tags == ()
    assert conversation.ended_at is None
    assert (conversation.operator_name, conversation.team, conversation.topic) == ("", "", "")


def test_nulls_in_optional_fields_mean_absent() -> None:
    # given optional fields written as null, as many exporters do
    record = minimal(
        source=None,
        operator_name=None,
        client=None,
        language=None,
        direction=None,
        ended_at=None,
        tags=None,
        outcome=None,
        meta=None,
    )
    # when it is read
    (parsed,) = parse(record, default_source="crm")
    # then it is the same as leaving them out
    assert parsed.conversation == parse(minimal(), default_source="crm")[0].conversation


def test_integer_ids_become_strings_and_ids_are_stripped() -> None:
    # given ids written as integers or with stray whitespace
    record = minimal(external_id=1029, operator="  op-17 ", client=5531, source=" crm ")
    # when it is read
    (parsed,) = parse(record)
    # then they are clean strings
    conversation = parsed.conversation
    assert conversation is not None
    assert (conversation.external_id, conversation.operator) == ("1029", "op-17")
    assert (conversation.client, conversation.source) == ("5531", "crm")


def test_missed_call_with_no_turns_is_valid() -> None:
    # given a missed call: no turns at all
    record = minimal(channel="call", turns=[], outcome={"missed": True})
    # when it is read
    (parsed,) = parse(record)
    # then it is a conversation without turns
    assert parsed.conversation is not None
    assert parsed.conversation.turns == ()
    assert parsed.conversation.outcome.missed is True


def test_call_turns_carry_start_and_end_seconds() -> None:
    # given a call whose turns are timed in seconds from its start
    # when it is read
    (parsed,) = parse(call())
    # then start and end are floats and at is empty
    assert parsed.conversation is not None
    assert parsed.conversation.turns == (
        Turn("operator", "Алло", start=0.0, end=1.5),
        Turn("client", "Здравствуйте", start=2.0, end=3.0),
    )


def test_language_is_lower_cased_and_outbound_kept() -> None:
    (parsed,) = parse(minimal(language="RU-ru", direction="outbound"))
    assert parsed.conversation is not None
    assert (parsed.conversation.language, parsed.conversation.direction) == ("ru-ru", "outbound")


def test_order_amount_is_an_exact_decimal() -> None:
    # given amounts as a decimal string, a float and an integer
    records = [
        minimal(external_id="a", outcome={"order_amount": "1500.50"}),
        minimal(external_id="b", outcome={"order_amount": 1500.1}),
        minimal(external_id="c", outcome={"order_amount": 700}),
    ]
    # when they are read
    amounts = [parsed.conversation.outcome.order_amount for parsed in parse(*records)]
    # then they are Decimals without float noise
    assert amounts == [Decimal("1500.50"), Decimal("1500.1"), Decimal("700")]
    assert str(amounts[1]) == "1500.1"


def test_text_keeps_emoji_markup_and_newlines_exactly() -> None:
    # given a message with emoji, HTML, markdown and a CRLF inside the JSON string
    text = "Спасибо 🙏🏽👍! <b>Жирный</b> *курсив* [ссылка](https://ex.ru)\r\nвторая строка\u00a0"
    record = minimal(turns=[{"speaker": "client", "text": text, "at": "2026-03-02T10:15:00Z"}])
    # when it is read
    (parsed,) = parse(record)
    # then the text is unchanged
    assert parsed.conversation is not None
    assert parsed.conversation.turns[0].text == text


def test_empty_text_is_allowed() -> None:
    record = minimal(turns=[{"speaker": "client", "text": "", "at": "2026-03-02T10:15:00Z"}])
    (parsed,) = parse(record)
    assert parsed.conversation is not None
    assert parsed.conversation.turns[0].text == ""


def test_huge_conversation_of_2000_turns() -> None:
    # given a chat of 2,000 turns one second apart
    start = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    turns = [
        {
            "speaker": SPEAKERS[index % 2],
            "text": f"сообщение {index}",
            "at": (start + timedelta(seconds=index)).isoformat(),
        }
        for index in range(2000)
    ]
    # when it is read
    (parsed,) = parse(minimal(turns=turns))
    # then all turns are there in order
    assert parsed.conversation is not None
    assert len(parsed.conversation.turns) == 2000
    assert parsed.conversation.turns[-1] == Turn(
        "client", "сообщение 1999", at=start + timedelta(seconds=1999)
    )


# --- files and streams ----------------------------------------------------------------------


def test_bom_crlf_and_blank_lines_keep_line_numbers() -> None:
    # given a Windows file: BOM, CRLF endings, blank lines, an error on line 4
    data = (
        b"\xef\xbb\xbf"
        + orjson.dumps(minimal(external_id="a"))
        + b"\r\n\r\n   \r\n"
        + orjson.dumps(minimal(external_id="b", channel="fax"))
        + b"\r\n"
        + orjson.dumps(minimal(external_id="c"))
        + b"\r\n"
    )
    # when it is read
    parsed = list(read_jsonl(io.BytesIO(data), default_source="x"))
    # then blank lines are skipped silently and the lines are counted as a text editor does
    assert [(record.line, record.is_valid) for record in parsed] == [
        (1, True),
        (4, False),
        (5, True),
    ]
    assert parsed[1].issues == (
        Issue(
            "line 4 (b)",
            "channel",
            "must be one of call, chat, email, messenger, got 'fax'",
            4,
        ),
    )


def test_text_stream_with_bom_is_read_like_bytes() -> None:
    text = "\ufeff" + to_bytes(minimal(), minimal(external_id="ch-2")).decode()
    parsed = list(read_jsonl(io.StringIO(text), default_source="x"))
    assert [record.conversation.external_id for record in parsed] == ["ch-1", "ch-2"]


def test_path_and_gzip_path_are_read(tmp_path: Path) -> None:
    # given the same records in a plain and a gzipped file
    plain = tmp_path / "chats.jsonl"
    packed = tmp_path / "chats.jsonl.gz"
    plain.write_bytes(to_bytes(minimal(), call(external_id="call-1")))
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    # when both are read by path
    from_plain = list(read_jsonl(plain, default_source="x"))
    from_packed = list(read_jsonl(str(packed), default_source="x"))
    # then they give the same conversations
    assert from_plain == from_packed
    assert [record.conversation.channel for record in from_plain] == ["chat", "call"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("export.jsonl", b""),
        ("export.ndjson.gz", b""),
        ("export.JSON", b""),
        ("export.csv", b"external_id,channel,operator,started_at,speaker,text,at\n"),
        ("export.csv.gz", b"external_id,channel,operator,started_at,speaker,text,at\n"),
    ],
)
def test_read_file_chooses_the_format_by_extension(
    tmp_path: Path, name: str, content: bytes
) -> None:
    # given one chat in the file's own format
    row = "ch-1,chat,op-1,2026-03-02T10:15:00+03:00,client,Добрый день,2026-03-02T10:15:00+03:00\n"
    row_bytes = row.encode()
    body = content + (row_bytes if content else to_bytes(minimal()))
    path = tmp_path / name
    path.write_bytes(gzip.compress(body) if name.endswith(".gz") else body)
    # when it is read without naming the format
    (parsed,) = list(read_file(path, default_source="x"))
    # then it is the same conversation
    assert parsed.conversation == parse(minimal(), default_source="x")[0].conversation


def test_read_file_rejects_an_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot tell the format of"):
        read_file(tmp_path / "export.xlsx", default_source="x")


def test_read_file_takes_an_explicit_format(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes(to_bytes(minimal()))
    (parsed,) = list(read_file(path, default_source="x", format="jsonl"))
    assert parsed.is_valid


# --- errors ---------------------------------------------------------------------------------


def test_invalid_json_is_reported_and_reading_goes_on() -> None:
    # given a broken line between two good ones
    data = to_bytes(minimal(external_id="a")) + b'{"external_id": "b",\n' + to_bytes(minimal())
    # when it is read
    parsed = list(read_jsonl(io.BytesIO(data), default_source="x"))
    # then the broken line is an issue and the others are read
    assert [record.is_valid for record in parsed] == [True, False, True]
    assert parsed[1].issues == (
        Issue(
            "line 2", "(line)", "not valid JSON: unexpected end of data at the end of the line", 2
        ),
    )


def test_invalid_json_message_points_at_the_column() -> None:
    (parsed,) = list(read_jsonl(io.BytesIO(b'{"external_id" "x"}\r\n'), default_source="x"))
    assert parsed.issues[0].reason == (
        "not valid JSON: unexpected character, expected ':' after key at column 16"
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"[1, 2]", "must be a JSON object, got an array"),
        (b'"text"', "must be a JSON object, got 'text'"),
        (b"null", "must be a JSON object, got null"),
        (b"17", "must be a JSON object, got a number (17)"),
    ],
)
def test_a_line_that_is_not_an_object_is_an_issue(line: bytes, reason: str) -> None:
    (parsed,) = list(read_jsonl(io.BytesIO(line + b"\n"), default_source="x"))
    assert parsed.issues == (Issue("line 1", "(line)", reason, 1),)


def test_time_without_zone_is_an_error() -> None:
    assert issues_of(minimal(started_at="2026-03-02T10:15:00")) == [
        ("started_at", "time has no zone offset, got '2026-03-02T10:15:00'")
    ]


def test_unknown_top_level_key_is_an_error_naming_the_key() -> None:
    assert issues_of(minimal(region="Москва")) == [
        ("region", "unknown field (extra data belongs in meta)")
    ]


def test_every_problem_of_a_record_is_reported_in_one_go() -> None:
    # given a record that is wrong in many places
    record = {
        "external_id": "ch-9",
        "channel": "chat",
        "operator": ["op"],
        "started_at": "вчера",
        "ended_at": 1700000000,
        "team": 5,
        "language": "русский",
        "direction": "incoming",
        "tags": ["ok", ""],
        "meta": "none",
        "outcome": {"csat": 6, "helped": "да", "order_amount": "-5", "mood": "good"},
        "turns": [
            {"speaker": "agent", "text": None, "at": "2026-03-02 10:15"},
            "привет",
            {"speaker": "client", "text": "…", "start": -1, "id": 7},
            {"speaker": "operator", "text": "Здравствуйте"},
        ],
        "priority": "high",
    }
    # when it is read
    (parsed,) = parse(record)
    # then every problem is named, the record is rejected and named by line and id
    assert parsed.conversation is None
    assert {issue.record for issue in parsed.issues} == {"line 1 (ch-9)"}
    assert [(issue.field, issue.reason) for issue in parsed.issues] == [
        ("priority", "unknown field (extra data belongs in meta)"),
        ("operator", "must be a string or an integer, got an array"),
        ("started_at", "must be an ISO 8601 date and time with a zone offset, got 'вчера'"),
        ("ended_at", "must be a date and time string, got a number (1700000000)"),
        ("team", "must be a string, got a number (5)"),
        ("language", "must be a language code such as ru or en, got 'русский'"),
        ("direction", "must be one of inbound, outbound, got 'incoming'"),
        ("tags[1]", "must be a non-empty string, got ''"),
        ("meta", "must be an object, got 'none'"),
        ("outcome.csat", "must be an integer from 1 to 5, got a number (6)"),
        ("outcome.helped", "must be true, false or null, got 'да'"),
        (
            "outcome.order_amount",
            "must be a number >= 0 or a decimal string like '1500.50', got '-5'",
        ),
        ("outcome.mood", "unknown field"),
        ("turns[0].speaker", "must be one of operator, client, bot, system, got 'agent'"),
        ("turns[0].text", "must be a string, got null"),
        ("turns[0].at", "time has no zone offset, got '2026-03-02 10:15'"),
        ("turns[1]", "must be an object, got 'привет'"),
        ("turns[2].id", "unknown field"),
        ("turns[2].start", "must be a number of seconds >= 0, got a number (-1)"),
        ("turns[2].at", "required for chat turns"),
        ("turns[3].at", "required for chat turns"),
    ]


def test_missing_required_fields_are_each_named() -> None:
    assert issues_of({"source": "crm"}) == [
        ("external_id", "required"),
        ("operator", "required"),
        ("channel", "required"),
        ("started_at", "required"),
        ("turns", "required"),
    ]


def test_record_without_a_known_id_is_named_by_line_only() -> None:
    (parsed,) = parse(minimal(external_id="   "))
    assert parsed.issues == (Issue("line 1", "external_id", "must not be empty", 1),)


@pytest.mark.parametrize(
    ("turn", "expected"),
    [
        ({"speaker": "client", "text": "a"}, [("turns[0].at", "required for chat turns")]),
        (
            {"speaker": "client", "text": "a", "at": None},
            [("turns[0].at", "required for chat turns")],
        ),
        ({"text": "a", "at": "2026-03-02T10:15:00Z"}, [("turns[0].speaker", "required")]),
        ({"speaker": "bot", "at": "2026-03-02T10:15:00Z"}, [("turns[0].text", "required")]),
        (
            {"speaker": "bot", "text": 5, "at": "2026-03-02T10:15:00Z"},
            [("turns[0].text", "must be a string, got a number (5)")],
        ),
        (
            {"speaker": True, "text": "", "at": "2026-03-02T10:15:00Z"},
            [("turns[0].speaker", "must be one of operator, client, bot, system, got true")],
        ),
    ],
)
def test_written_turn_errors(turn: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert issues_of(minimal(turns=[turn])) == expected


@pytest.mark.parametrize(
    ("turn", "expected"),
    [
        ({"speaker": "client", "text": "a"}, [("turns[0]", "a call turn needs at or start")]),
        (
            {"speaker": "client", "text": "a", "start": 5, "end": 4.5},
            [("turns[0].end", "must not be before start (5), got 4.5")],
        ),
        ({"speaker": "client", "text": "a", "end": 4}, [("turns[0].end", "needs start")]),
        (
            {"speaker": "client", "text": "a", "start": "5"},
            [("turns[0].start", "must be a number of seconds >= 0, got '5'")],
        ),
        (
            {"speaker": "client", "text": "a", "start": 1, "end": False},
            [("turns[0].end", "must be a number of seconds >= 0, got false")],
        ),
    ],
)
def test_call_turn_errors(turn: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert issues_of(call(turns=[turn])) == expected


def test_call_turn_may_be_placed_by_at_alone() -> None:
    turn = {"speaker": "client", "text": "a", "at": "2026-03-02T10:15:03+03:00"}
    (parsed,) = parse(call(turns=[turn]))
    assert parsed.is_valid


def test_ended_before_started_is_an_error() -> None:
    assert issues_of(minimal(ended_at="2026-03-02T10:14:59+03:00")) == [
        ("ended_at", "must not be before started_at (2026-03-02T10:15:00+03:00)")
    ]


def test_ended_at_is_compared_across_zones() -> None:
    # given an end written in UTC that is after a start written in Moscow time
    (parsed,) = parse(minimal(ended_at="2026-03-02T07:16:00Z"))
    # then it is accepted
    assert parsed.is_valid


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ({"csat": True}, [("outcome.csat", "must be an integer from 1 to 5, got true")]),
        ({"csat": 4.5}, [("outcome.csat", "must be an integer from 1 to 5, got a number (4.5)")]),
        ({"nps": 11}, [("outcome.nps", "must be an integer from 0 to 10, got a number (11)")]),
        ({"transfers": -1}, [("outcome.transfers", "must be an integer >= 0, got a number (-1)")]),
        (
            {"cancel_reason": 3},
            [("outcome.cancel_reason", "must be a string, got a number (3)")],
        ),
        ([], [("outcome", "must be an object, got an array")]),
    ],
)
def test_outcome_errors(outcome: Any, expected: list[tuple[str, str]]) -> None:
    assert issues_of(minimal(outcome=outcome)) == expected


def test_integral_float_counts_as_integer_like_json_schema() -> None:
    (parsed,) = parse(minimal(external_id=17.0, outcome={"csat": 5.0}))
    assert parsed.conversation is not None
    assert (parsed.conversation.external_id, parsed.conversation.outcome.csat) == ("17", 5)


def test_missing_source_without_default_is_an_error() -> None:
    (parsed,) = parse(minimal(), default_source="")
    assert [(issue.field, issue.reason) for issue in parsed.issues] == [
        ("source", "required: the record has none and no default was given")
    ]


def test_issue_reads_as_one_line_for_a_person() -> None:
    (parsed,) = parse(minimal(channel="sms"))
    assert str(parsed.issues[0]) == (
        "line 1 (ch-1): channel: must be one of call, chat, email, messenger, got 'sms'"
    )


def test_long_values_are_shortened_in_messages() -> None:
    (parsed,) = parse(minimal(channel="x" * 200))
    assert parsed.issues[0].reason.endswith("got '" + "x" * 57 + "...'")


def test_validate_record_accepts_a_decoded_dict_directly() -> None:
    parsed = validate_record(minimal(), line=7, default_source="x")
    assert parsed.line == 7
    assert parsed.is_valid


# --- writing and round trip -----------------------------------------------------------------


def test_written_record_parses_back_to_the_same_conversation() -> None:
    # given a parsed conversation with every field set
    (parsed,) = parse(DESIGN_EXAMPLE | {"outcome": {"order_amount": "1500.50"}})
    conversation = parsed.conversation
    assert conversation is not None
    # when it is written and read again
    line = write_jsonl_record(conversation)
    (again,) = list(read_jsonl(io.BytesIO(line), default_source="other"))
    # then nothing changed, and the amount kept its exact text
    assert line.endswith(b"\n")
    assert again.conversation == conversation
    assert orjson.loads(line)["outcome"]["order_amount"] == "1500.50"


def test_record_omits_empty_turn_times() -> None:
    (parsed,) = parse(call())
    assert conversation_to_record(parsed.conversation)["turns"][0] == {
        "speaker": "operator",
        "text": "Алло",
        "start": 0.0,
        "end": 1.5,
    }


def test_positional_builder_matches_the_dataclass_constructor() -> None:
    build = positional_builder(Turn)
    moment = datetime(2026, 3, 2, tzinfo=UTC)
    assert build("client", "a", moment, 1.0, 2.0) == Turn("client", "a", moment, 1.0, 2.0)
    built_outcome = positional_builder(Outcome)(*([None] * len(OUTCOME_FIELDS)))
    assert built_outcome == Outcome()
    with pytest.raises(AttributeError):
        build("client", "a", None, None, None).text = "changed"  # still frozen


# --- property: parse(write(c)) == c ---------------------------------------------------------

ZONES = st.sampled_from([UTC, MSK, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5.5))])
MOMENTS = st.builds(
    lambda base, zone: base.replace(tzinfo=zone),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    ZONES,
)
IDS = st.text(min_size=1, max_size=12).map(str.strip).filter(bool)
SECONDS = st.floats(min_value=0, max_value=100_000, allow_nan=False, allow_infinity=False)
JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10)
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def turns_for(draw: st.DrawFn, channel: str, started_at: datetime) -> tuple[Turn, ...]:
    turns = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        speaker = draw(st.sampled_from(SPEAKERS))
        text = draw(st.text(max_size=30))
        at = None
        start = end = None
        if channel in WRITTEN_CHANNELS or draw(st.booleans()):
            at = started_at + timedelta(seconds=draw(SECONDS))
        if channel == "call" and (at is None or draw(st.booleans())):
            start = draw(SECONDS)
            end = draw(st.none() | SECONDS.map(lambda extra, begin=start: begin + extra))
        turns.append(Turn(speaker, text, at, start, end))
    return tuple(turns)


@st.composite
def outcomes(draw: st.DrawFn) -> Outcome:
    flag = st.none() | st.booleans()
    return Outcome(
        csat=draw(st.none() | st.integers(1, 5)),
        helped=draw(flag),
        nps=draw(st.none() | st.integers(0, 10)),
        resolved=draw(flag),
        converted=draw(flag),
        cancelled=draw(flag),
        missed=draw(flag),
        retention_requested=draw(flag),
        retained=draw(flag),
        escalated=draw(flag),
        transfers=draw(st.none() | st.integers(0, 20)),
        order_amount=draw(
            st.none() | st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
        ),
        cancel_reason=draw(st.none() | st.text(max_size=20)),
    )


@st.composite
def conversations(draw: st.DrawFn) -> Conversation:
    channel = draw(st.sampled_from(CHANNELS))
    started_at = draw(MOMENTS)
    ended_at = draw(st.none() | SECONDS.map(lambda extra: started_at + timedelta(seconds=extra)))
    return Conversation(
        external_id=draw(IDS),
        channel=channel,
        operator=draw(IDS),
        started_at=started_at,
        turns=draw(turns_for(channel, started_at)),
        source=draw(IDS),
        operator_name=draw(st.text(max_size=20)),
        team=draw(st.text(max_size=10)),
        client=draw(st.text(max_size=10).map(str.strip)),
        client_name=draw(st.text(max_size=10)),
        language=draw(st.sampled_from(["ru", "en", "kk", "ru-ru"])),
        direction=draw(st.sampled_from(["inbound", "outbound"])),
        ended_at=ended_at,
        topic=draw(st.text(max_size=10)),
        tags=tuple(draw(st.lists(IDS, max_size=3))),
        outcome=draw(outcomes()),
        meta=draw(st.dictionaries(st.text(max_size=5), JSON_VALUES, max_size=3)),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conversations())
def test_parse_of_write_is_identity(conversation: Conversation) -> None:
    # given any valid conversation
    # when it is written as a JSON line and read back
    (parsed,) = list(read_jsonl(io.BytesIO(write_jsonl_record(conversation)), default_source="x"))
    # then the same conversation comes out
    assert parsed.issues == ()
    assert parsed.conversation == conversation
