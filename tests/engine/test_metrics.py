"""Conversation metrics: duration, response times, silence, overlap and counts."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from nastavnik.engine.metrics import conversation_metrics
from nastavnik.engine.types import SPEAKERS, Conversation, ConversationMetrics, Turn

MSK = timezone(timedelta(hours=3))
START = datetime(2026, 3, 2, 10, 15, tzinfo=MSK)


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def chat(*turns: Turn, **fields: object) -> Conversation:
    return Conversation("c", "chat", "op", START, tuple(turns), **fields)  # type: ignore[arg-type]


def call(*turns: Turn, **fields: object) -> Conversation:
    return Conversation("k", "call", "op", START, tuple(turns), **fields)  # type: ignore[arg-type]


def test_design_example_chat() -> None:
    # given the chat from DESIGN.md: the operator answers after 4 min 12 s
    conversation = chat(
        Turn("client", "Где мой заказ?", at=at(0)),
        Turn("operator", "Здравствуйте, Олег! Меня зовут Анна…", at=at(252)),
        ended_at=at(1000),
    )
    # when its metrics are computed
    # then every figure is exact
    assert conversation_metrics(conversation) == ConversationMetrics(
        duration_seconds=1000.0,
        first_response_seconds=252.0,
        longest_operator_delay_seconds=252.0,
        longest_silence_seconds=None,
        overlap_seconds=None,
        operator_turns=1,
        client_turns=1,
        operator_words=5,
        client_words=3,
    )


def test_longest_delay_runs_from_the_first_unanswered_client_message() -> None:
    # given a client who writes twice before the operator answers, then once more
    conversation = chat(
        Turn("operator", "Добрый день! Чем помочь?", at=at(0)),
        Turn("client", "Заказ не пришёл", at=at(30)),
        Turn("client", "Алло?", at=at(90)),
        Turn("bot", "Оператор скоро ответит", at=at(95)),
        Turn("operator", "Проверяю", at=at(150)),
        Turn("client", "Спасибо", at=at(160)),
        Turn("operator", "Пожалуйста", at=at(170)),
    )
    # when its metrics are computed
    metrics = conversation_metrics(conversation)
    # then the greeting is not a response, the bot does not answer, and the wait is from 30 s
    assert metrics.first_response_seconds == 120.0
    assert metrics.longest_operator_delay_seconds == 120.0
    assert metrics.duration_seconds == 170.0  # no ended_at: the last turn
    assert (metrics.operator_turns, metrics.client_turns) == (3, 3)


def test_unsorted_turns_are_put_in_time_order() -> None:
    ordered = [
        Turn("client", "Вопрос", at=at(10)),
        Turn("operator", "Ответ", at=at(70)),
        Turn("client", "Ещё", at=at(100)),
        Turn("operator", "Ещё ответ", at=at(400)),
    ]
    shuffled = [ordered[2], ordered[0], ordered[3], ordered[1]]
    assert conversation_metrics(chat(*shuffled)) == conversation_metrics(chat(*ordered))
    assert conversation_metrics(chat(*shuffled)).longest_operator_delay_seconds == 300.0


def test_outbound_chat_without_a_client_reply_has_no_response_time() -> None:
    metrics = conversation_metrics(
        chat(Turn("operator", "Ваш заказ готов", at=at(0)), direction="outbound")
    )
    assert metrics.first_response_seconds is None
    assert metrics.longest_operator_delay_seconds is None
    assert metrics.duration_seconds == 0.0


def test_call_silence_overlap_and_delay() -> None:
    # given a call: a 2 s pause, the operator talking over the client for 1 s
    conversation = call(
        Turn("operator", "Здравствуйте, магазин", start=0, end=3),
        Turn("client", "Добрый день, у меня вопрос", start=5, end=10),
        Turn("operator", "Да-да", start=9, end=12),
        Turn("system", "перевод на линию 2", start=12, end=20),
        Turn("client", "Спасибо", start=14.5, end=15),
        ended_at=at(16),
    )
    # when its metrics are computed
    metrics = conversation_metrics(conversation)
    # then
    assert metrics.duration_seconds == 16.0
    assert metrics.first_response_seconds is None  # the wait before answering is not in it
    assert metrics.longest_silence_seconds == 2.5  # 12 → 14.5; system events are not speech
    assert metrics.overlap_seconds == 1.0
    assert metrics.longest_operator_delay_seconds == 0.0  # the operator cut in
    assert (metrics.operator_words, metrics.client_words) == (4, 6)


def test_overlap_counts_time_not_pairs() -> None:
    # given three speakers talking at once for 2 s
    conversation = call(
        Turn("operator", "a", start=0, end=4),
        Turn("client", "b", start=1, end=3),
        Turn("bot", "c", start=1, end=3),
        Turn("operator", "d", start=3, end=3.5),  # the same speaker again: no extra overlap
    )
    assert conversation_metrics(conversation).overlap_seconds == 2.0


def test_touching_turns_neither_overlap_nor_leave_silence() -> None:
    conversation = call(Turn("operator", "a", start=0, end=2), Turn("client", "b", start=2, end=4))
    metrics = conversation_metrics(conversation)
    assert (metrics.overlap_seconds, metrics.longest_silence_seconds) == (0.0, 0.0)
    assert metrics.duration_seconds == 4.0


def test_missed_call_without_turns() -> None:
    metrics = conversation_metrics(call())
    assert metrics == ConversationMetrics()


def test_call_turns_with_at_only_give_no_silence_or_overlap() -> None:
    conversation = call(
        Turn("client", "Алло", at=at(1)),
        Turn("operator", "Слушаю", at=at(2)),
        Turn("client", "", at=None),
    )
    metrics = conversation_metrics(conversation)
    assert (metrics.longest_silence_seconds, metrics.overlap_seconds) == (None, None)
    assert metrics.longest_operator_delay_seconds == 1.0
    assert metrics.duration_seconds == 2.0
    assert metrics.client_turns == 2


def test_turns_without_times_are_counted_but_not_timed() -> None:
    conversation = chat(Turn("client", "раз два"), Turn("operator", "три"))
    metrics = conversation_metrics(conversation)
    assert metrics == ConversationMetrics(
        operator_turns=1, client_turns=1, operator_words=1, client_words=2
    )


def test_end_before_start_is_treated_as_a_point() -> None:
    conversation = call(Turn("operator", "a", start=5, end=1), Turn("client", "b", start=6, end=7))
    metrics = conversation_metrics(conversation)
    assert (metrics.longest_silence_seconds, metrics.overlap_seconds) == (1.0, 0.0)


def test_naive_times_built_by_hand_are_skipped_not_fatal() -> None:
    conversation = chat(
        Turn("client", "a", at=datetime(2026, 3, 2, 10, 15)),
        Turn("operator", "b", at=at(5)),
        ended_at=datetime(2026, 3, 2, 10, 20),
    )
    metrics = conversation_metrics(conversation)
    assert (metrics.duration_seconds, metrics.first_response_seconds) == (5.0, None)


def test_ended_before_started_gives_no_duration() -> None:
    assert conversation_metrics(chat(ended_at=at(-5))).duration_seconds is None


def test_words_are_counted_in_russian_with_emoji_and_punctuation() -> None:
    conversation = chat(Turn("operator", "Добрый день! 🙂 Чем-то помочь? — Да.", at=at(0)))
    assert conversation_metrics(conversation).operator_words == 6


# --- properties -----------------------------------------------------------------------------

SECONDS = st.floats(min_value=0, max_value=3600, allow_nan=False, allow_infinity=False)


@st.composite
def call_turns(draw: st.DrawFn) -> list[Turn]:
    turns = []
    for _ in range(draw(st.integers(0, 12))):
        start = draw(SECONDS)
        end = draw(st.none() | SECONDS.map(lambda extra, begin=start: begin + extra))
        text = draw(st.text(max_size=20))
        turns.append(Turn(draw(st.sampled_from(SPEAKERS)), text, start=start, end=end))
    return turns


@settings(max_examples=400, deadline=None)
@given(call_turns(), st.booleans())
def test_call_figures_are_non_negative_and_bounded(turns: list[Turn], with_end: bool) -> None:
    # given a call, with an end no earlier than its last turn or with none
    last = max((turn.end or turn.start or 0.0 for turn in turns), default=0.0)
    ended_at = at(last + 1) if with_end else None
    # when its metrics are computed
    metrics = conversation_metrics(call(*turns, ended_at=ended_at))
    # then every figure is non-negative, and overlap and silence fit inside the call
    timed = [
        metrics.duration_seconds,
        metrics.longest_operator_delay_seconds,
        metrics.longest_silence_seconds,
        metrics.overlap_seconds,
    ]
    assert all(value is None or value >= 0 for value in timed)
    if turns:
        assert metrics.duration_seconds is not None
    if any(turn.speaker != "system" for turn in turns):  # system events are not speech
        assert metrics.overlap_seconds is not None
        assert metrics.longest_silence_seconds is not None
        assert metrics.overlap_seconds <= metrics.duration_seconds + 1e-6
        assert metrics.longest_silence_seconds <= metrics.duration_seconds + 1e-6
    assert metrics.operator_turns + metrics.client_turns <= len(turns)


@st.composite
def chat_turns(draw: st.DrawFn) -> list[Turn]:
    offsets = draw(st.lists(st.integers(0, 86_400), unique=True, max_size=12))
    return [
        Turn(draw(st.sampled_from(SPEAKERS)), draw(st.text(max_size=20)), at=at(offset))
        for offset in offsets
    ]


@settings(max_examples=400, deadline=None)
@given(chat_turns(), st.randoms(use_true_random=False))
def test_chat_figures_do_not_depend_on_turn_order(
    turns: list[Turn], shuffler: random.Random
) -> None:
    # given a chat with distinct timestamps, in written order and shuffled
    shuffled = list(turns)
    shuffler.shuffle(shuffled)
    # when the metrics of both are computed
    metrics = conversation_metrics(chat(*turns))
    # then they are the same, non-negative, and the first wait is never the longest's better
    assert conversation_metrics(chat(*shuffled)) == metrics
    if metrics.first_response_seconds is not None:
        assert metrics.first_response_seconds >= 0
        assert metrics.longest_operator_delay_seconds is not None
        assert metrics.longest_operator_delay_seconds >= metrics.first_response_seconds
    if metrics.duration_seconds is not None:
        assert metrics.duration_seconds >= 0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.builds(
            Turn,
            st.sampled_from(SPEAKERS),
            st.text(max_size=10),
            st.none() | st.integers(-100, 100).map(at),
            st.none() | SECONDS,
            st.none() | SECONDS,
        ),
        max_size=8,
    ),
    st.sampled_from(["call", "chat", "email", "messenger"]),
)
def test_any_mix_of_missing_and_present_times_never_crashes(
    turns: list[Turn], channel: str
) -> None:
    conversation = Conversation("x", channel, "op", START, tuple(turns))
    metrics = conversation_metrics(conversation)
    assert metrics.operator_turns == sum(turn.speaker == "operator" for turn in turns)
    assert metrics.client_turns == sum(turn.speaker == "client" for turn in turns)
