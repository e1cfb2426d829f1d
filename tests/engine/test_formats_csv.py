"""CSV reader: one turn per row, rows grouped into conversations by external_id."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from nastavnik.engine.formats import read_csv, read_file
from nastavnik.engine.types import Issue, Outcome, ParsedRecord, Turn

MSK = timezone(timedelta(hours=3))
HEADER = "external_id,channel,operator,started_at,speaker,text,at,start,end\n"


def read(text: str, **options: str) -> list[ParsedRecord]:
    return list(read_csv(io.StringIO(text), default_source="crm", **options))


def test_rows_are_grouped_into_conversations() -> None:
    # given two chats, the second row of each carrying only id and turn columns
    text = (
        HEADER
        + "ch-1,chat,op-1,2026-03-02T10:15:00+03:00,client,Где заказ?,2026-03-02T10:15:00+03:00,,\n"
        + "ch-1,,,,operator,Проверяю,2026-03-02T10:16:00+03:00,,\n"
        + "ch-2,chat,op-2,2026-03-02T11:00:00+03:00,client,Привет,2026-03-02T11:00:00+03:00,,\n"
    )
    # when it is read
    parsed = read(text)
    # then each conversation holds its own turns and comes with the line of its first row
    assert [(record.line, record.is_valid) for record in parsed] == [(2, True), (4, True)]
    first = parsed[0].conversation
    assert first is not None
    assert (first.external_id, first.operator, first.source) == ("ch-1", "op-1", "crm")
    assert first.started_at == datetime(2026, 3, 2, 10, 15, tzinfo=MSK)
    assert first.turns == (
        Turn("client", "Где заказ?", at=datetime(2026, 3, 2, 10, 15, tzinfo=MSK)),
        Turn("operator", "Проверяю", at=datetime(2026, 3, 2, 10, 16, tzinfo=MSK)),
    )


def test_conversation_values_in_later_rows_are_ignored() -> None:
    text = (
        HEADER
        + "c,call,op-1,2026-03-02T10:15:00Z,operator,Алло,,0,1\n"
        + "c,chat,op-9,2030-01-01T00:00:00Z,client,Да,,1.5,2\n"
    )
    (parsed,) = read(text)
    assert parsed.conversation is not None
    assert (parsed.conversation.channel, parsed.conversation.operator) == ("call", "op-1")
    assert parsed.conversation.turns[1] == Turn("client", "Да", start=1.5, end=2.0)


def test_a_row_without_turn_columns_is_a_conversation_without_turns() -> None:
    # given a missed call: one row, no speaker, no text, no times
    text = (
        "external_id,channel,operator,started_at,speaker,text,missed\n"
        "m-1,call,op-1,2026-03-02T10:15:00Z,,,да\n"
    )
    # when it is read
    (parsed,) = read(text)
    # then it is a conversation with no turns
    assert parsed.conversation is not None
    assert parsed.conversation.turns == ()
    assert parsed.conversation.outcome == Outcome(missed=True)


def test_split_group_is_an_issue_naming_both_lines() -> None:
    # given rows of c-1 interrupted by c-2
    text = (
        HEADER
        + "c-1,call,op,2026-03-02T10:15:00Z,operator,Алло,,0,1\n"
        + "c-2,call,op,2026-03-02T10:20:00Z,operator,Алло,,0,1\n"
        + "c-1,call,op,2026-03-02T10:15:00Z,client,Да,,1,2\n"
        + "c-1,,,,operator,Слушаю,,2,3\n"
    )
    # when it is read
    parsed = read(text)
    # then the first group is kept, the reappearing one is rejected with its line
    assert [record.is_valid for record in parsed] == [True, True, False]
    assert parsed[0].conversation.turns == (Turn("operator", "Алло", start=0.0, end=1.0),)
    assert parsed[2].issues == (
        Issue(
            "line 4 (c-1)",
            "external_id",
            "rows of one conversation must be consecutive; 'c-1' already appeared at line 2",
            4,
        ),
    )


def test_semicolon_file_from_excel_with_bom_crlf_and_multiline_cells() -> None:
    # given what Russian Excel saves: BOM, ';', CRLF, a quoted cell with a line break
    text = (
        "\ufeffexternal_id;channel;operator;started_at;speaker;text;at;tags;csat;order_amount\r\n"
        'e-1;email;op-1;2026-03-02T10:15:00+03:00;client;"Добрый день!\r\nГде заказ; номер?";'
        '2026-03-02T10:15:00+03:00;"доставка; жалоба";5;"1 500,50"\r\n'
        "\r\n"
        "e-1;;;;operator;Ответили;2026-03-02T12:00:00+03:00;;;\r\n"
    )
    # when it is read without naming the delimiter
    (parsed,) = read(text)
    # then the delimiter is guessed and every value is converted
    conversation = parsed.conversation
    assert conversation is not None
    assert conversation.turns[0].text == "Добрый день!\r\nГде заказ; номер?"
    assert conversation.tags == ("доставка", "жалоба")
    assert conversation.outcome == Outcome(csat=5, order_amount=Decimal("1500.50"))
    assert len(conversation.turns) == 2


def test_binary_stream_is_decoded_and_left_open() -> None:
    stream = io.BytesIO(
        (
            HEADER + "c,chat,op,2026-03-02T10:15:00Z,client,Привет 👋,2026-03-02T10:15:00Z,,\n"
        ).encode("utf-8-sig")
    )
    (parsed,) = list(read_csv(stream, default_source="crm"))
    assert parsed.conversation.turns[0].text == "Привет 👋"
    assert not stream.closed


def test_path_and_gzip_path(tmp_path: Path) -> None:
    body = HEADER + "c,call,op,2026-03-02T10:15:00Z,operator,Алло,,0,1\n"
    (tmp_path / "a.csv").write_text(body, encoding="utf-8")
    (tmp_path / "a.csv.gz").write_bytes(gzip.compress(body.encode()))
    assert list(read_csv(tmp_path / "a.csv", default_source="x")) == list(
        read_file(tmp_path / "a.csv.gz", default_source="x")
    )


def test_tsv_file_is_read_with_tabs(tmp_path: Path) -> None:
    path = tmp_path / "a.tsv"
    path.write_text(
        HEADER.replace(",", "\t") + "c\tcall\top\t2026-03-02T10:15:00Z\toperator\tА, б\t\t0\t1\n"
    )
    (parsed,) = list(read_file(path, default_source="x"))
    assert parsed.conversation.turns[0].text == "А, б"


def test_outcome_meta_and_conversation_columns_are_converted() -> None:
    # given every kind of conversation column
    text = (
        "external_id,source,channel,operator,operator_name,team,client,language,direction,"
        "started_at,ended_at,topic,helped,resolved,retained,nps,transfers,cancel_reason,"
        "meta,meta.region,speaker,text,at\n"
        "c-1, shop ,chat, op-1 , Анна ,Линия 1,cl-9,EN,outbound,2026-03-02T10:15:00Z,"
        '2026-03-02T10:20:00Z,доставка,yes,нет,,0,2,технический возврат,"{""vip"": true}",'
        "Москва,operator,Hi,2026-03-02T10:15:00Z\n"
    )
    # when it is read
    (parsed,) = read(text)
    # then the values are typed as in JSONL
    conversation = parsed.conversation
    assert conversation is not None
    assert (conversation.source, conversation.operator, conversation.operator_name) == (
        "shop",
        "op-1",
        "Анна",
    )
    assert (conversation.language, conversation.direction, conversation.topic) == (
        "en",
        "outbound",
        "доставка",
    )
    assert conversation.ended_at == datetime(2026, 3, 2, 10, 20, tzinfo=UTC)
    assert conversation.outcome == Outcome(
        helped=True, resolved=False, nps=0, transfers=2, cancel_reason="технический возврат"
    )
    assert conversation.meta == {"vip": True, "region": "Москва"}


def test_bad_values_are_reported_at_their_own_row() -> None:
    # given a bad conversation value on line 2 and a bad turn on line 4
    text = (
        "external_id,channel,operator,started_at,speaker,text,at,csat\n"
        "c-1,chat,op,2026-03-02T10:15:00+03:00,client,Привет,2026-03-02T10:15:00+03:00,пять\n"
        "c-1,,,,operator,Здравствуйте,2026-03-02T10:16:00+03:00,\n"
        "c-1,,,,agent,Бот,2026-03-02 10:17,\n"
    )
    # when it is read
    (parsed,) = read(text)
    # then each issue points at the line of its row
    assert parsed.conversation is None
    assert parsed.issues == (
        Issue("line 2 (c-1)", "outcome.csat", "must be an integer from 1 to 5, got 'пять'", 2),
        Issue(
            "line 4 (c-1)",
            "turns[2].speaker",
            "must be one of operator, client, bot, system, got 'agent'",
            4,
        ),
        Issue("line 4 (c-1)", "turns[2].at", "time has no zone offset, got '2026-03-02 10:17'", 4),
    )


def test_unknown_column_rejects_the_file_at_the_header() -> None:
    # given a typo in a column name
    text = "external_id,channel,opertor,started_at\nc,chat,op,2026-03-02T10:15:00Z\n"
    # when it is read
    parsed = read(text)
    # then the header is the only record, naming the column
    assert parsed == [
        ParsedRecord(
            1,
            None,
            (Issue("line 1", "opertor", "unknown column (extra data goes in meta.<key>)", 1),),
        )
    ]


def test_header_without_external_id_or_with_a_duplicate_column() -> None:
    (parsed,) = read("channel,channel,operator\n")
    assert [(issue.field, issue.reason) for issue in parsed.issues] == [
        ("channel", "column appears twice in the header"),
        ("external_id", "required column is missing"),
    ]


def test_row_with_extra_cells_is_an_issue() -> None:
    text = HEADER + "c,call,op,2026-03-02T10:15:00Z,operator,Алло,,0,1,лишнее\n"
    (parsed,) = read(text)
    assert parsed.issues == (
        Issue("line 2 (c)", "(row)", "line 2 has 10 cells, the header has 9", 2),
    )


def test_trailing_empty_rows_and_short_rows_are_tolerated() -> None:
    text = HEADER + "c,call,op,2026-03-02T10:15:00Z,operator,Алло,,0\n,,,,,,,,\n,,\n"
    (parsed,) = read(text)
    assert parsed.conversation.turns == (Turn("operator", "Алло", start=0.0),)


def test_huge_conversation_of_2000_rows() -> None:
    start = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    rows = [
        f"big,chat,op,{start.isoformat()},{'client' if i % 2 else 'operator'},"
        f"текст {i},{(start + timedelta(seconds=i)).isoformat()},,\n"
        for i in range(2000)
    ]
    (parsed,) = read(HEADER + "".join(rows))
    assert len(parsed.conversation.turns) == 2000
    assert parsed.conversation.turns[1999].text == "текст 1999"


def test_empty_file_gives_nothing() -> None:
    assert read("") == []
    assert read(HEADER) == []


def test_bytes_that_are_not_utf8_stop_the_file_at_their_line() -> None:
    # given a good conversation, then one whose second row holds a cp1251 byte
    data = (
        HEADER
        + "a,call,op,2026-03-02T10:15:00Z,operator,Алло,,0,1\n"
        + "b,call,op,2026-03-02T10:15:00Z,operator,Алло,,0,1\n"
    ).encode()
    data += b"b,,,,client," + "Да".encode("cp1251") + b",,1,2\n"
    data += b"c,call,op,2026-03-02T10:15:00Z,operator,x,,0,1\n"
    # when it is read
    parsed = list(read_csv(io.BytesIO(data), default_source="x"))
    # then the good one is kept and the interrupted one is rejected, naming the bad line
    assert [record.is_valid for record in parsed] == [True, False]
    assert parsed[1].issues == (
        Issue(
            "line 3 (b)",
            "(file)",
            "cannot read line 4: it is not UTF-8 text (invalid continuation byte at byte 13);"
            " the rest of the file is skipped",
            4,
        ),
    )


def test_crlf_inside_quoted_cell_of_a_binary_stream() -> None:
    data = HEADER + 'c,chat,op,2026-03-02T10:15:00Z,client,"раз\r\nдва",2026-03-02T10:15:00Z,,\r\n'
    (parsed,) = list(read_csv(io.BytesIO(data.encode()), default_source="x"))
    assert parsed.conversation.turns[0].text == "раз\r\nдва"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_may_be_given(delimiter: str) -> None:
    text = HEADER.replace(",", delimiter) + delimiter.join(
        ["c", "call", "op", "2026-03-02T10:15:00Z", "client", "x", "", "0", "1"]
    )
    (parsed,) = read(text, delimiter=delimiter)
    assert parsed.is_valid
