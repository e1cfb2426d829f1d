"""Typed dialogues («Оператор: …» / «Клиент: …» lines) parsed into turns."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from nastavnik.engine.formats import typed_transcript
from nastavnik.engine.types import Issue

MSK = timezone(timedelta(hours=3))
START = datetime(2026, 3, 2, 10, 15, tzinfo=MSK)


def test_labels_times_and_continuation_lines_become_turns() -> None:
    # given a typed visit with stamps, a label in another case and a continuation line
    text = (
        "[10:15] Клиент: Здравствуйте, хочу вернуть наушники.\n"
        "\n"
        "10:16:30 ОПЕРАТОР: Добрый день! Меня зовут Анна.\n"
        "Тайный покупатель: Номер заказа 123-45\n"
        "   а чек нужен?  \n"
    )
    # when it is parsed
    parsed = typed_transcript.parse(text)
    # then every utterance keeps its speaker, text, first line and offset from the first stamp
    assert parsed.issues == ()
    assert parsed.turns == (
        typed_transcript.TypedTurn("client", "Здравствуйте, хочу вернуть наушники.", 1, 0),
        typed_transcript.TypedTurn("operator", "Добрый день! Меня зовут Анна.", 3, 90),
        typed_transcript.TypedTurn("client", "Номер заказа 123-45\nа чек нужен?", 4, 90),
    )
    assert parsed.is_valid


def test_text_before_the_first_label_is_an_issue_naming_the_line() -> None:
    # given a dialogue whose first line has no speaker
    text = "Звонок в магазин\nОператор: Здравствуйте!"
    # when it is parsed
    parsed = typed_transcript.parse(text)
    # then the line is reported and the rest is still read
    assert parsed.issues == (
        Issue("line 1", "transcript", "expected a speaker label such as «Оператор:»", 1),
    )
    assert [turn.text for turn in parsed.turns] == ["Здравствуйте!"]
    assert not parsed.is_valid


def test_time_going_backwards_is_an_issue_but_midnight_is_crossed() -> None:
    # given a stamp earlier than the one before it, and a later pair across midnight
    backwards = typed_transcript.parse("10:20 Клиент: а\n10:15 Оператор: б")
    midnight = typed_transcript.parse("23:59 Клиент: а\n00:01 Оператор: б")
    # when they are parsed, then the first is refused and the second is two minutes long
    assert [issue.reason for issue in backwards.issues] == [
        "the time 10:15 is earlier than the previous utterance's 10:20"
    ]
    assert [turn.offset for turn in midnight.turns] == [0, 120]
    assert typed_transcript.duration(midnight) == 120


def test_empty_text_and_empty_utterances_are_issues() -> None:
    # given nothing typed, and a label without any words
    empty = typed_transcript.parse("  \n\n")
    silent = typed_transcript.parse("Оператор:\nКлиент: алло")
    # then both name what is wrong
    assert [issue.reason for issue in empty.issues] == ["the transcript is empty"]
    assert silent.issues == (Issue("line 1", "transcript", "the utterance has no text", 1),)


def test_written_channels_get_moments_and_calls_get_seconds() -> None:
    # given a parsed dialogue with a one-minute gap
    parsed = typed_transcript.parse("10:15 Клиент: алло\n10:16 Оператор: слушаю")
    # when it is turned into import turns for a chat and for a call
    chat = typed_transcript.import_turns(parsed, channel="chat", started_at=START)
    call = typed_transcript.import_turns(parsed, channel="call", started_at=START)
    # then chat turns carry aware moments and call turns seconds from the start
    assert [turn["at"] for turn in chat] == [
        "2026-03-02T10:15:00+03:00",
        "2026-03-02T10:16:00+03:00",
    ]
    assert [(turn["start"], turn["end"]) for turn in call] == [(0.0, 60.0), (60.0, 60.0)]


_WORD = st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщыэюяABCxyz0123456789!?.,-", min_size=1)
_LINE = st.lists(_WORD, min_size=1, max_size=5).map(" ".join)
_TEXT = st.lists(_LINE, min_size=1, max_size=3).map("\n".join)
_TURNS = st.lists(
    st.tuples(st.sampled_from(["operator", "client", "bot", "system"]), _TEXT),
    min_size=1,
    max_size=8,
)


@given(_TURNS)
def test_render_then_parse_gives_the_turns_back(turns: list[tuple[str, str]]) -> None:
    """Given any utterances, when rendered and parsed again, then the same ones come back."""
    parsed = typed_transcript.parse(typed_transcript.render(turns))
    assert parsed.issues == ()
    assert [(turn.speaker, turn.text) for turn in parsed.turns] == turns


@given(st.text(max_size=400))
def test_any_text_gives_turns_or_issues_never_an_exception(text: str) -> None:
    """Given arbitrary text, when parsed, then offsets never go backwards and lines exist."""
    parsed = typed_transcript.parse(text)
    offsets = [turn.offset for turn in parsed.turns]
    assert offsets == sorted(offsets)
    assert all(turn.text.strip() for turn in parsed.turns)
    line_count = max(len(text.splitlines()), 1)
    assert all(1 <= (issue.line or 0) <= line_count for issue in parsed.issues)
    assert parsed.turns or parsed.issues


@given(
    st.lists(
        st.tuples(st.integers(0, 23), st.integers(0, 59), st.integers(0, 59)),
        min_size=1,
        max_size=10,
    )
)
def test_offsets_follow_the_stamps_in_order(stamps: list[tuple[int, int, int]]) -> None:
    """Given stamped lines, then each accepted offset is the time since the first stamp."""
    lines = [f"[{h:02d}:{m:02d}:{s:02d}] Клиент: x" for h, m, s in stamps]
    parsed = typed_transcript.parse("\n".join(lines))
    first = stamps[0][0] * 3600 + stamps[0][1] * 60 + stamps[0][2]
    assert parsed.turns[0].offset == 0
    for turn, (h, m, s) in zip(parsed.turns, stamps, strict=True):
        assert (turn.offset - (h * 3600 + m * 60 + s - first)) % 86400 == 0 or any(
            issue.line == turn.line for issue in parsed.issues
        )


@given(
    _TURNS.flatmap(
        lambda turns: st.tuples(
            st.just(turns),
            st.lists(st.integers(0, 3600), min_size=len(turns), max_size=len(turns)).map(
                lambda gaps: [36000 + sum(gaps[: i + 1]) for i in range(len(gaps))]
            ),
        )
    )
)
def test_rendered_stamps_keep_the_timing(case) -> None:
    """Given turns with rising clock times, when rendered and parsed, then offsets come back."""
    turns, clocks = case
    parsed = typed_transcript.parse(typed_transcript.render(turns, clocks))
    assert parsed.issues == ()
    assert [turn.offset for turn in parsed.turns] == [c - clocks[0] for c in clocks]
