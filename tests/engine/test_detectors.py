"""Auto-QA detectors on hand-written, messy conversations: every family, config errors,
the verdict → value mapping, and whole scorecards (the defaults included).

The dialogues are written for these tests (chats with typos, emoji and markup, call
transcripts in ASR style: lower case, no punctuation, fillers), not taken from the demo
generator, so the detectors are not tuned to it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nastavnik.demodata.generator import generate_records
from nastavnik.engine import scoring
from nastavnik.engine.detectors import timing
from nastavnik.engine.detectors.base import (
    DetectorConfigError,
    DetectorContext,
    DetectorResult,
    run_detector,
)
from nastavnik.engine.detectors.compile import answer_value, compile_scorecard
from nastavnik.engine.detectors.registry import FAMILIES, compile_detector
from nastavnik.engine.formats import parse_lines
from nastavnik.engine.metrics import conversation_metrics
from nastavnik.engine.scorecards import DEFAULT_SCORECARD_KEYS, default_scorecard
from nastavnik.engine.text.phrases import PhraseMatcher
from nastavnik.engine.types import (
    VERDICTS,
    Conversation,
    CriterionSpec,
    ScorecardSpec,
    StageSpec,
    Turn,
)

MSK = timezone(timedelta(hours=3))
START = datetime(2026, 3, 2, 10, 15, tzinfo=MSK)


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def chat(*turns: tuple[str, str], gap: float = 30, **fields: Any) -> Conversation:
    """A chat whose turns come ``gap`` seconds apart."""
    timed = tuple(Turn(who, text, at=at(i * gap)) for i, (who, text) in enumerate(turns))
    return Conversation("c-1", fields.pop("channel", "chat"), "op-1", START, timed, **fields)


def call(*turns: tuple[str, str, float, float], **fields: Any) -> Conversation:
    """A call transcript: (speaker, text, start, end) per turn."""
    timed = tuple(Turn(who, text, start=s, end=e) for who, text, s, e in turns)
    return Conversation("k-1", "call", "op-1", START, timed, **fields)


def detect(config: dict[str, Any], conversation: Conversation) -> DetectorResult:
    return run_detector(compile_detector(config), conversation)


def quotes(result: DetectorResult, conversation: Conversation) -> list[str]:
    """Every evidence quote, checked to slice the turn's text exactly."""
    for item in result.evidence:
        assert conversation.turns[item.turn].text[item.start : item.end] == item.quote
    return [item.quote for item in result.evidence]


GREETING = {
    "family": "phrase",
    "require_all_of": ["greetings", "introductions"],
    "position": "first_turn",
}
EMPTY_CHAT = chat()


# --- family: phrase -----------------------------------------------------------------------


def test_greeting_and_introduction_in_the_first_turn_is_yes() -> None:
    conversation = chat(
        ("client", "добрый день, не могу войти в лк(("),
        ("operator", "Доброго утра! 😊 Меня зовут Ксения, служба заботы. Сейчас разберёмся"),
    )
    result = detect(GREETING, conversation)
    assert result.verdict == "yes"
    assert quotes(result, conversation) == ["Доброго утра", "Меня зовут", "служба заботы"]


def test_a_greeting_without_introduction_is_partial() -> None:
    conversation = chat(("client", "алло?"), ("operator", "<p>Здравствуйте!</p> Слушаю вас"))
    result = detect(GREETING, conversation)
    assert result.verdict == "partial"
    assert quotes(result, conversation) == ["Здравствуйте"]
    assert result.note == "есть: приветствие; нет: представление"


def test_no_greeting_at_all_points_at_the_first_operator_turn() -> None:
    # given an operator who opens with a bare question
    conversation = chat(("client", "где заказ??"), ("operator", "номер заказа?"))
    # when the greeting is checked
    result = detect(GREETING, conversation)
    # then the verdict is no, with an empty span at the operator's first turn
    assert result.verdict == "no"
    assert [(e.turn, e.start, e.end, e.quote) for e in result.evidence] == [(1, 0, 0, "")]


def test_an_asr_call_without_punctuation_or_capitals_is_read_by_lemma() -> None:
    conversation = call(
        ("operator", "ээ добрый день компания вега меня зовут ольга слушаю вас", 0.0, 4.2),
        ("client", "да здрасте я по поводу возврата", 4.5, 6.0),
    )
    result = detect(GREETING, conversation)
    assert result.verdict == "yes"
    assert quotes(result, conversation)[:2] == ["добрый день", "компания"]


def test_the_window_looks_at_the_speakers_first_or_last_turns() -> None:
    conversation = chat(
        ("operator", "Здравствуйте!"),
        ("client", "хочу уточнить доставку"),
        ("operator", "Доставка завтра."),
        ("operator", "Могу ещё чем-то помочь?"),
        ("client", "нет спс"),
        ("operator", "Хорошего вечера!"),
    )
    closing = {"family": "phrase", "lexicon": "closing_questions", "position": "last_turns"}
    assert detect(closing, conversation).verdict == "no"  # the last operator turn only
    assert detect({**closing, "turns": 2}, conversation).verdict == "yes"
    first = {"family": "phrase", "lexicon": "farewells", "position": "first_turns", "turns": 2}
    assert detect(first, conversation).verdict == "no"
    client = {"family": "phrase", "phrases": ["спасибо"], "speaker": "client"}
    assert quotes(detect(client, conversation), conversation) == ["спс"]


def test_min_count_below_the_minimum_is_partial() -> None:
    conversation = chat(("operator", "Олег, понимаю вас. Сейчас проверю"))
    config = {"family": "phrase", "phrases": ["понимаю вас", "проверить"], "min_count": 3}
    result = detect(config, conversation)
    assert result.verdict == "partial"
    assert quotes(result, conversation) == ["понимаю вас", "проверю"]


def test_expect_absent_is_yes_without_matches_and_no_with_them() -> None:
    rude = {"family": "phrase", "lexicon": "prohibited_words", "expect": "absent"}
    polite = chat(("client", "блин, опять не работает"), ("operator", "Давайте разберёмся 🙏"))
    assert detect(rude, polite).verdict == "yes"  # the client's words do not count
    impolite = chat(("operator", "Женщина, это ваши проблемы, а не наши!!!"))
    result = detect(rude, impolite)
    assert result.verdict == "no"
    assert quotes(result, impolite) == ["Женщина", "это ваши проблемы"]


def test_sensitive_requests_are_requests_not_mentions() -> None:
    config = {"family": "phrase", "lexicon": "sensitive_requests", "expect": "absent"}
    advice = chat(("operator", "Никому не сообщайте пин-код и код из смс, даже нам."))
    assert detect(config, advice).verdict == "yes"
    warning = chat(("operator", "Мы никогда не спрашиваем CVV и пароли. Я пришлю вам код из СМС."))
    assert detect(config, warning).verdict == "yes"
    request = chat(("operator", "Продиктуйте, пожалуйста, номер карты полностью и CVV"))
    result = detect(config, request)
    assert result.verdict == "no"
    assert quotes(result, request) == ["Продиктуйте, пожалуйста, номер карты полностью"]
    spread = chat(("operator", "Назовите, пожалуйста, кодовое слово и пин-код карты"))
    assert quotes(detect(config, spread), spread) == [
        "Назовите, пожалуйста, кодовое слово и пин-код"
    ]


FAREWELL = {"family": "phrase", "lexicon": "farewells", "position": "last_turns", "turns": 2}
NEGATIVE = {"family": "rate", "lexicon": "negative_phrases", "per_100_words_max": 0.5}


def test_known_misses_a_farewell_with_a_name_and_a_reproach_with_particles() -> None:
    farewell = chat(("operator", "Готово."), ("operator", "Хорошего вам дня, Игорь!"))
    assert quotes(detect(FAREWELL, farewell), farewell) == ["Хорошего вам дня"]
    reproach = chat(("operator", "Я же вам уже объяснила: заказ в пути."))
    result = detect(NEGATIVE, reproach)
    assert result.verdict == "no"
    assert quotes(result, reproach) == ["Я же вам уже объяснила"]


def test_a_greeting_is_not_a_farewell_and_waiting_for_the_client_is_not_an_order() -> None:
    greeting_only = chat(("operator", "Добрый день! Доставка 3–5 дней."))
    assert detect(FAREWELL, greeting_only).verdict == "no"
    assert detect(FAREWELL, chat(("operator", "Доброго дня!"))).verdict == "yes"
    welcome = chat(("operator", "Записала вас на 15:00. Ждём вас! Попробуйте войти ещё раз."))
    assert detect(NEGATIVE, welcome).verdict == "yes"
    assert detect(NEGATIVE, chat(("operator", "Ждите."))).verdict == "no"


def test_the_operator_name_counts_as_an_introduction_when_configured() -> None:
    config = {**GREETING, "operator_name_counts_as": "introductions"}
    opening = ("operator", "банк заря екатерина добрый день")
    named = chat(opening, operator_name="Екатерина Смирнова")
    assert detect(config, named).verdict == "yes"
    assert detect(GREETING, named).verdict == "partial"
    placeholder = chat(opening, operator_name="Оператор")
    assert detect(config, placeholder).verdict == "partial"


def test_partial_needs_the_named_group() -> None:
    config = {**GREETING, "partial_needs": "greetings"}
    no_greeting = chat(("operator", "Меня зовут Роман. Номер заказа?"))
    assert detect(GREETING, no_greeting).verdict == "partial"
    assert detect(config, no_greeting).verdict == "no"
    greeting_only = chat(("operator", "Здравствуйте! Номер заказа?"))
    assert detect(config, greeting_only).verdict == "partial"


def test_a_group_parameter_must_name_one_of_the_lexicons() -> None:
    with pytest.raises(DetectorConfigError, match="partial_needs"):
        compile_detector({**GREETING, "partial_needs": "farewells"})
    with pytest.raises(DetectorConfigError, match="na_if_client_left"):
        compile_detector({**FAREWELL, "na_if_client_left": "yes"})


def test_a_client_who_left_makes_the_closing_not_applicable() -> None:
    config = {**FAREWELL, "na_if_client_left": True}
    gone = chat(("client", "как сменить номер?"), ("operator", "Подскажите, старый номер у вас?"))
    result = detect(config, gone)
    assert result.verdict == "na"
    assert "прервано" in result.note
    checked = chat(("client", "а"), ("operator", "Готово."), ("operator", "Вы на связи?"))
    assert detect(config, checked).verdict == "na"
    answered = chat(("operator", "Подскажите номер?"), ("client", "12"), ("operator", "Готово."))
    assert detect(config, answered).verdict == "no"
    said_goodbye = chat(("operator", "Не получила ответа, закрываю чат. Хорошего дня!"))
    assert detect(config, said_goodbye).verdict == "yes"
    assert detect(FAREWELL, gone).verdict == "no"


def test_a_plain_request_after_an_attempt_is_insisting() -> None:
    config = {"family": "refusal_protocol"}
    conversation = chat(
        ("client", "Отключите подписку, решение окончательное"),
        ("operator", "Могу предложить скидку 30%."),
        ("client", "нет"),
        ("operator", "Ещё можно заморозить подписку на месяц."),
        ("client", "нет. верните деньги"),
        ("operator", "Возврат только в офисе с паспортом."),
    )
    result = detect(config, conversation)
    assert result.verdict == "no"
    assert "верните деньги" in quotes(result, conversation)


def test_without_turns_of_the_speaker_presence_is_na_and_absence_yes() -> None:
    assert detect(GREETING, EMPTY_CHAT).verdict == "na"
    only_client = chat(("client", "ау"))
    assert detect(GREETING, only_client).verdict == "na"
    absent = {"family": "phrase", "lexicon": "prohibited_words", "expect": "absent"}
    assert detect(absent, EMPTY_CHAT).verdict == "yes"


# --- family: order ------------------------------------------------------------------------

ORDER = {
    "family": "order",
    "before": {"lexicon": "clarifying_questions"},
    "after": {"lexicon": "solution_markers"},
}


def test_a_clarifying_question_before_the_solution_is_yes() -> None:
    conversation = chat(
        ("client", "не пришли баллы за покупку"),
        ("operator", "Подскажите, пожалуйста, номер телефона в профиле?"),
        ("client", "89001234567"),
        ("operator", "Спасибо! Начислила 350 баллов, они уже на счёте."),
    )
    result = detect(ORDER, conversation)
    assert result.verdict == "yes"
    assert quotes(result, conversation) == ["Подскажите, пожалуйста, номер", "Начислила"]


def test_the_question_may_come_earlier_in_the_same_turn() -> None:
    conversation = chat(("operator", "Какой у вас номер заказа? По ссылке можно отследить."))
    assert detect(ORDER, conversation).verdict == "yes"


def test_a_solution_with_no_question_before_it_is_no() -> None:
    conversation = chat(
        ("client", "как сбросить пароль"),
        ("operator", "Нажмите «Забыли пароль» на странице входа."),
        ("operator", "Подскажите, получилось?"),
    )
    result = detect(ORDER, conversation)
    assert result.verdict == "no"
    assert quotes(result, conversation) == ["Нажмите"]


def test_without_a_solution_the_order_is_not_applicable() -> None:
    conversation = chat(("client", "здрасьте"), ("operator", "Здравствуйте! Слушаю вас."))
    assert detect(ORDER, conversation).verdict == "na"
    assert detect(ORDER, EMPTY_CHAT).verdict == "na"


# --- family: rate -------------------------------------------------------------------------

FILLERS = {
    "family": "rate",
    "lexicon": "filler_words",
    "per_100_words_max": 2,
    "partial_max": 6,
}


def test_filler_words_per_100_operator_words() -> None:
    # given 30 operator words with 2 fillers and client fillers that do not count
    conversation = call(
        ("client", "ну короче ну это самое заказ где", 0.0, 3.0),
        (
            "operator",
            "так сказать заказ уже передан в доставку курьер приедет завтра с десяти "
            "до двух и позвонит за час до приезда если что напишите нам в чат",
            3.5,
            12.0,
        ),
        ("operator", "ну вот и всё", 12.5, 13.0),
    )
    result = detect(FILLERS, conversation)
    assert result.verdict == "no"
    assert quotes(result, conversation) == ["так сказать", "ну вот"]
    assert result.note.startswith("6.7 на 100 слов (2 на 30 сл.)")
    assert detect({**FILLERS, "partial_max": 7}, conversation).verdict == "partial"
    assert (
        detect({**FILLERS, "per_100_words_max": 7, "partial_max": 9}, conversation).verdict == "yes"
    )


def test_negative_phrases_suggest_positive_alternatives() -> None:
    conversation = chat(
        ("operator", "Я не знаю, когда приедет курьер. Это не ко мне, звоните в доставку."),
    )
    config = {"family": "rate", "lexicon": "negative_phrases", "per_100_words_max": 1}
    result = detect(config, conversation)
    assert result.verdict == "no"
    assert quotes(result, conversation) == ["Я не знаю", "Это не ко мне"]
    assert "«я не знаю» → «позвольте, я уточню эту информацию»" in result.note


def test_a_rate_without_words_has_nothing_to_count() -> None:
    result = detect(FILLERS, chat(("operator", "👍"), ("client", "ну ок")))
    assert (result.verdict, result.evidence[0].turn) == ("yes", 0)
    assert detect(FILLERS, EMPTY_CHAT).verdict == "yes"


# --- family: client_name ------------------------------------------------------------------

NAME = {"family": "client_name", "min_uses": 1}


def test_the_name_from_metadata_is_found_in_any_case_form() -> None:
    conversation = chat(
        ("client", "где мой заказ"),
        ("operator", "Здравствуйте! Олегу уже отправили смс, Олег, проверьте пожалуйста"),
        client_name="Петров Олег Иванович",
    )
    result = detect(NAME, conversation)
    assert result.verdict == "yes"
    assert quotes(result, conversation) == ["Олегу", "Олег"]
    assert detect({**NAME, "min_uses": 2}, conversation).verdict == "partial"


def test_the_name_from_the_clients_own_words_lower_case_and_short_forms() -> None:
    conversation = chat(
        ("client", "здрасте меня зовут ольга, у меня вопрос по оплате"),
        ("operator", "Оля, добрый день! Сейчас посмотрю."),
        ("operator", "ольга, всё оплачено"),
    )
    result = detect(NAME, conversation)
    assert result.verdict == "yes"
    assert quotes(result, conversation) == ["Оля", "ольга"]


@pytest.mark.parametrize(
    ("client_text", "channel", "name"),
    [
        ("алло это Ирина звоню насчёт доставки", "chat", "Ирина"),
        ("Добрый день!\nВерните деньги за заказ 5512.\n\nС уважением,\nМарина", "email", "Марина"),
        ("Добрый день! Заказ не пришёл.\n\nМарина Соколова", "email", "Марина"),
        ("Hi, this is Jessica, my parcel is late", "chat", "Jessica"),
    ],
)
def test_names_in_introductions_and_signatures(client_text: str, channel: str, name: str) -> None:
    conversation = chat(
        ("client", client_text),
        ("operator", f"{name}, спасибо, что написали!"),
        channel=channel,
    )
    assert detect(NAME, conversation).verdict == "yes"


def test_a_known_name_the_operator_never_uses_is_no() -> None:
    conversation = chat(
        ("client", "Меня зовут Анастасия"), ("operator", "Здравствуйте! Чем помочь?")
    )
    result = detect(NAME, conversation)
    assert result.verdict == "no"
    assert (result.evidence[0].turn, result.evidence[0].quote) == (1, "")


def test_an_unknown_name_is_not_applicable() -> None:
    placeholder = chat(("operator", "Здравствуйте, клиент!"), client_name="Клиент 4412")
    assert detect(NAME, placeholder).verdict == "na"
    assert detect(NAME, chat(("client", "я по поводу заказа"), ("operator", "Да?"))).verdict == "na"
    assert detect(NAME, EMPTY_CHAT).verdict == "na"


# --- family: timing -----------------------------------------------------------------------

SLA = {
    "family": "timing",
    "metric": "first_response",
    "max_seconds": 900,
    "partial_max_seconds": 1800,
}


@pytest.mark.parametrize(
    ("wait", "verdict"), [(60, "yes"), (900, "yes"), (1200, "partial"), (3600, "no")]
)
def test_first_response_against_the_sla(wait: int, verdict: str) -> None:
    conversation = Conversation(
        "c",
        "chat",
        "op",
        START,
        (
            Turn("operator", "Добро пожаловать!", at=at(0)),  # an opening answers nothing
            Turn("client", "ау есть кто", at=at(10)),
            Turn("operator", "Здравствуйте, я тут", at=at(10 + wait)),
        ),
    )
    result = detect(SLA, conversation)
    assert result.verdict == verdict
    assert [(e.turn, e.quote) for e in result.evidence] == [(2, "Здравствуйте, я тут")]


def test_a_metric_that_does_not_apply_is_not_applicable() -> None:
    conversation = call(("operator", "алло", 0.0, 1.0), ("client", "да", 1.5, 2.0))
    assert detect(SLA, conversation).verdict == "na"
    silence = {"family": "timing", "metric": "longest_silence", "max_seconds": 10}
    assert detect(silence, chat(("client", "привет"), ("operator", "привет"))).verdict == "na"
    assert detect(silence, EMPTY_CHAT).verdict == "na"


def test_longest_silence_and_overlap_point_at_the_turn_that_ends_them() -> None:
    conversation = call(
        ("operator", "добрый день слушаю", 0.0, 2.0),
        ("client", "у меня списали дважды", 2.5, 5.0),
        ("operator", "сейчас посмотрю", 4.0, 6.0),  # starts 1 s before the client ends
        ("operator", "вижу два списания одно вернём", 50.0, 54.0),
    )
    silence = detect(
        {"family": "timing", "metric": "longest_silence", "max_seconds": 30}, conversation
    )
    assert (silence.verdict, silence.evidence[0].turn) == ("no", 3)
    assert "44 с" in silence.note
    overlap = detect({"family": "timing", "metric": "overlap", "max_seconds": 2}, conversation)
    assert (overlap.verdict, overlap.evidence[0].turn) == ("yes", 2)


def test_hold_runs_from_the_request_to_the_operators_return() -> None:
    conversation = call(
        ("client", "можно узнать статус заявки", 0.0, 2.0),
        ("operator", "одну минуту уточню информацию", 2.5, 4.0),
        ("client", "угу", 4.5, 5.0),
        ("operator", "спасибо за ожидание заявка одобрена", 124.0, 127.0),
    )
    config = {"family": "timing", "metric": "hold", "max_seconds": 60, "partial_max_seconds": 180}
    result = detect(config, conversation)
    assert (result.verdict, result.evidence[0].turn) == ("partial", 3)
    assert "2 мин 00 с" in result.note
    no_hold = call(("operator", "добрый день", 0.0, 1.0))
    assert detect(config, no_hold).verdict == "na"


_TURNS = st.lists(
    st.tuples(
        st.sampled_from(["operator", "client", "bot", "system"]),
        st.floats(min_value=0, max_value=600, allow_nan=False),
        st.floats(min_value=0, max_value=60, allow_nan=False),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(_TURNS, st.sampled_from(["call", "chat"]))
def test_timing_figures_equal_the_conversation_metrics(
    turns: list[tuple[str, float, float]], channel: str
) -> None:
    # given any timed conversation, as a call (start/end) or a chat (at)
    if channel == "call":
        built = tuple(Turn(who, "да", start=s, end=s + d) for who, s, d in turns)
    else:
        built = tuple(Turn(who, "да", at=at(s)) for who, s, _d in turns)
    conversation = Conversation("x", channel, "op", START, built)
    # when each timing figure is measured by the detector
    metrics = conversation_metrics(conversation)
    expected = {
        "first_response": metrics.first_response_seconds,
        "longest_operator_delay": metrics.longest_operator_delay_seconds,
        "longest_silence": metrics.longest_silence_seconds,
        "overlap": metrics.overlap_seconds,
    }
    for metric, value in expected.items():
        detector = compile_detector({"family": "timing", "metric": metric, "max_seconds": 1})
        assert isinstance(detector, timing.TimingDetector)
        context = DetectorContext(conversation, PhraseMatcher(()))
        measured, turn = detector._measure(conversation, context)
        # then it is the figure of nastavnik.engine.metrics
        assert measured == pytest.approx(value), metric
        if value:  # a wait to point at: the turn that ends it
            assert turn is not None, metric


# --- family: refusal_protocol -------------------------------------------------------------

REFUSAL = {"family": "refusal_protocol", "max_attempts": 2}


def refusal_chat(*operator_replies: str, insist: bool = True) -> Conversation:
    """A client who refuses categorically, then answers each operator reply."""
    turns = [("client", "Я всё решила, не уговаривайте — отменяйте подписку!!")]
    for reply in operator_replies:
        turns.append(("operator", reply))
        if insist:
            turns.append(("client", "я же сказала — просто отмените"))
    return chat(*turns)


ATTEMPT_ONE = "Понимаю. Могу предложить приостановить подписку на месяц бесплатно?"
ATTEMPT_TWO = "А если со скидкой 50% на полгода?"
ATTEMPT_THREE = "Может быть всё-таки подумаете? Бонусы сгорят."
REFUND = "Хорошо, отменяю подписку, деньги вернутся на карту в течение 3 дней."


@pytest.mark.parametrize(
    ("replies", "verdict"),
    [
        ([ATTEMPT_ONE, ATTEMPT_TWO, REFUND], "yes"),
        ([ATTEMPT_ONE, REFUND], "partial"),
        ([REFUND], "no"),
        ([ATTEMPT_ONE, ATTEMPT_TWO, ATTEMPT_THREE, REFUND], "no"),
        ([ATTEMPT_ONE, ATTEMPT_TWO], "no"),  # the client insisted and got no refund
    ],
)
def test_categorical_refusal_protocol(replies: list[str], verdict: str) -> None:
    conversation = refusal_chat(*replies)
    result = detect(REFUSAL, conversation)
    assert result.verdict == verdict
    assert quotes(result, conversation)[0] == "Я всё решила"


def test_a_client_kept_after_one_or_two_attempts_is_yes() -> None:
    conversation = chat(
        ("client", "не тратьте моё время, хочу отказаться от тарифа"),
        ("operator", "Могу предложить тариф дешевле на 200 ₽ с теми же минутами"),
        ("client", "о, давайте так"),
    )
    assert detect(REFUSAL, conversation).verdict == "yes"


def test_a_plain_refund_request_is_not_a_categorical_refusal() -> None:
    conversation = chat(
        ("client", "хочу вернуть деньги за наушники, не подошли"),
        ("operator", "Оформляю возврат, деньги поступят за 3 дня."),
    )
    assert detect(REFUSAL, conversation).verdict == "na"


# --- family: empathy_after_negativity -----------------------------------------------------

EMPATHY = {"family": "empathy_after_negativity", "within_turns": 2}


def test_every_negative_turn_answered_with_empathy_is_yes() -> None:
    conversation = chat(
        ("client", "Это просто безобразие!!! третий раз пишу 😡"),
        ("operator", "Добрый день. Мне очень жаль, что так вышло."),
    )
    result = detect(EMPATHY, conversation)
    assert result.verdict == "yes"
    assert quotes(result, conversation) == ["безобразие", "Мне очень жаль"]


def test_empathy_must_come_within_the_next_operator_turns() -> None:
    conversation = chat(
        ("client", "сколько можно ждать?!"),
        ("operator", "Номер заказа?"),
        ("operator", "Вижу, курьер в пути."),
        ("operator", "Понимаю вас, приношу извинения за задержку."),
        ("client", "ужас а не сервис"),
        ("operator", "Понимаю ваше недовольство"),
    )
    result = detect(EMPATHY, conversation)
    assert result.verdict == "partial"
    assert result.note.endswith("1 из 2")
    assert detect({**EMPATHY, "within_turns": 3}, conversation).verdict == "yes"


def test_negativity_left_without_empathy_is_no_and_calm_clients_are_na() -> None:
    angry = chat(("client", "Вы издеваетесь? Верните деньги"), ("operator", "Возврат 3-5 дней."))
    assert detect(EMPATHY, angry).verdict == "no"
    calm = chat(("client", "подскажите статус"), ("operator", "Передан курьеру"))
    assert detect(EMPATHY, calm).verdict == "na"


# --- family: hold_etiquette ---------------------------------------------------------------

HOLD = {"family": "hold_etiquette"}


def test_asking_and_thanking_around_a_hold_is_yes() -> None:
    conversation = chat(
        ("client", "а бонусы сгорят?"),
        ("operator", "Минуточку, уточню информацию."),
        ("operator", "Спасибо большое за ожидание! Бонусы сохранятся."),
    )
    result = detect(HOLD, conversation)
    assert result.verdict == "yes"
    assert quotes(result, conversation) == ["Минуточку", "Спасибо большое за ожидание"]


def test_a_hold_without_thanks_is_partial() -> None:
    conversation = chat(("operator", "Подождите немного"), ("operator", "Итак, заказ у курьера"))
    result = detect(HOLD, conversation)
    assert result.verdict == "partial"
    assert [(e.turn, e.quote) for e in result.evidence] == [(0, "Подождите немного"), (1, "")]


def test_a_silent_gap_in_a_call_is_a_hold_without_asking() -> None:
    conversation = call(
        ("client", "а где мой возврат", 0.0, 2.0),
        ("operator", "так", 2.5, 3.0),
        ("operator", "возврат отправлен вчера", 70.0, 72.0),
    )
    assert detect(HOLD, conversation).verdict == "no"
    thanked = call(
        ("client", "а где мой возврат", 0.0, 2.0),
        ("operator", "спасибо что дождались возврат отправлен вчера", 70.0, 72.0),
    )
    assert detect(HOLD, thanked).verdict == "partial"


def test_no_hold_is_not_applicable() -> None:
    assert detect(HOLD, chat(("client", "спс"), ("operator", "Всего доброго!"))).verdict == "na"
    assert detect(HOLD, EMPTY_CHAT).verdict == "na"


# --- configuration errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "parameter", "reason"),
    [
        ({}, "family", "is required"),
        ({"family": "magic"}, "family", "unknown family 'magic'"),
        (
            {"family": "phrase", "lexicon": "greetings", "postion": "anywhere"},
            "postion",
            "unknown parameter",
        ),
        ({"family": "phrase"}, "lexicon", "give a lexicon name"),
        ({"family": "phrase", "lexicon": "greeting"}, "lexicon", "no lexicon 'greeting'"),
        (
            {"family": "phrase", "lexicon": "greetings", "position": "start"},
            "position",
            "expected one of",
        ),
        ({"family": "phrase", "lexicon": "greetings", "turns": 2}, "turns", "applies only"),
        ({"family": "phrase", "lexicon": "greetings", "min_count": 0}, "min_count", "≥ 1"),
        ({"family": "phrase", "phrases": ["*"]}, "phrases", "word first and last"),
        ({"family": "phrase", "phrases": "привет"}, "phrases", "list of phrases"),
        (
            {"family": "phrase", "require_all_of": ["greetings"], "expect": "absent"},
            "require_all_of",
            "cannot be combined",
        ),
        (
            {"family": "phrase", "require_all_of": ["greetings", "intros"]},
            "require_all_of[1]",
            "no lexicon",
        ),
        ({"family": "order", "before": {"lexicon": "nope"}}, "before.lexicon", "no lexicon 'nope'"),
        (
            {"family": "order", "after": {"lexicon": "x", "phrase": []}},
            "after.phrase",
            "unknown key",
        ),
        ({"family": "rate", "per_100_words_max": 1}, "lexicon", "is required"),
        ({"family": "rate", "lexicon": "filler_words"}, "per_100_words_max", "is required"),
        (
            {"family": "rate", "lexicon": "filler_words", "per_100_words_max": 3, "partial_max": 1},
            "partial_max",
            "must be ≥",
        ),
        (
            {"family": "rate", "lexicon": "filler_words", "per_100_words_max": "2"},
            "per_100_words_max",
            "a number",
        ),
        ({"family": "timing", "max_seconds": 60}, "metric", "is required"),
        ({"family": "timing", "metric": "aht", "max_seconds": 60}, "metric", "expected one of"),
        ({"family": "client_name", "min_uses": True}, "min_uses", "whole number"),
        ({"family": "refusal_protocol", "triggers": 5}, "triggers", "expected a lexicon name"),
        ({"family": "empathy_after_negativity", "within_turns": 0}, "within_turns", "≥ 1"),
        ({"family": "hold_etiquette", "ask": "hold_request"}, "ask", "no lexicon 'hold_request'"),
    ],
)
def test_bad_configuration_names_the_parameter(
    config: dict[str, Any], parameter: str, reason: str
) -> None:
    with pytest.raises(DetectorConfigError, match=reason) as raised:
        compile_detector(config)
    assert raised.value.parameter == parameter
    assert f"detector parameter {parameter!r}" in str(raised.value)


def test_every_family_is_registered() -> None:
    assert set(FAMILIES) == {
        "phrase",
        "order",
        "rate",
        "client_name",
        "timing",
        "refusal_protocol",
        "empathy_after_negativity",
        "hold_etiquette",
    }


def test_sources_take_a_name_a_list_or_a_mapping() -> None:
    conversation = chat(("operator", "Подскажите, пожалуйста, артикул? Меняем бесплатно!"))
    for before in ("clarifying_questions", ["подскажите"], {"phrases": ["артикул"]}):
        config = {**ORDER, "before": before, "after": {"phrases": ["менять бесплатно"]}}
        assert detect(config, conversation).verdict == "yes", before


# --- scorecards ---------------------------------------------------------------------------


def criterion(key: str, detector: dict[str, Any] | None, **fields: Any) -> CriterionSpec:
    return CriterionSpec(key=key, title=key, detector=detector, **fields)


def scorecard(*criteria: CriterionSpec) -> ScorecardSpec:
    return ScorecardSpec("test", "Test", 1, ("chat", "call"), (StageSpec("all", "All", criteria),))


@pytest.mark.parametrize(
    ("scale", "points", "verdict", "value"),
    [
        ("binary", 1, "yes", 1),
        ("binary", 1, "partial", 0),
        ("binary", 1, "no", 0),
        ("binary", 1, "na", None),
        ("ternary", 1, "yes", 1),
        ("ternary", 1, "partial", 0.5),
        ("ternary", 1, "no", 0),
        ("points", 1, "partial", 0),
        ("points", 2, "partial", 1),
        ("points", 3, "partial", 2),
        ("points", 4, "partial", 2),
        ("points", 5, "partial", 3),
        ("points", 5, "yes", 5),
        ("points", 5, "no", 0),
    ],
)
def test_verdicts_map_to_values_on_each_scale(
    scale: str, points: int, verdict: str, value: float | None
) -> None:
    spec = criterion("k", None, scale=scale, points=points)
    assert answer_value(verdict, spec) == value


def test_evaluate_answers_only_detector_criteria_with_evidence() -> None:
    spec = scorecard(
        criterion("greeting", GREETING, scale="ternary"),
        criterion("manual", None),
        criterion("sla", SLA, scale="ternary"),
        criterion("name", NAME, na_allowed=True),
    )
    conversation = chat(
        ("client", "здрасьте, это Вера, где мой заказ"),
        ("operator", "Здравствуйте, Вера! Меня зовут Игорь. Сейчас проверю"),
        gap=1000,
    )
    answers = compile_scorecard(spec).evaluate(conversation)
    assert [(a.criterion, a.value) for a in answers] == [
        ("greeting", 1),
        ("sla", 0.5),
        ("name", 1),
    ]
    assert all(a.evidence and a.comment and 0 < (a.confidence or 0) <= 1 for a in answers)
    assert scoring.score(spec, answers, allow_missing=True).percent == pytest.approx(250 / 3)


def test_na_where_the_criterion_does_not_allow_it() -> None:
    # given criteria that do not allow N/A, on a call (no first response in a call)
    spec = scorecard(
        criterion("sla", SLA),
        criterion("empathy", EMPATHY),
        criterion("empathy_na", EMPATHY, na_allowed=True),
        criterion("closing", {**GREETING, "position": "anywhere"}, scale="ternary"),
    )
    conversation = call(("operator", "здравствуйте меня зовут яна", 0.0, 2.0))
    answers = {a.criterion: a for a in compile_scorecard(spec).evaluate(conversation)}
    # then an unknown timing figure gives no answer, another N/A counts as no
    assert "sla" not in answers
    assert answers["empathy"].value == 0
    assert answers["empathy"].comment.startswith("не применимо, но этот критерий требует ответа")
    assert answers["empathy_na"].value is None


def test_a_partial_on_a_binary_criterion_counts_as_no_and_says_so() -> None:
    spec = scorecard(criterion("greeting", GREETING))
    conversation = chat(("operator", "Добрый день!"))
    (answer,) = compile_scorecard(spec).evaluate(conversation)
    assert answer.value == 0
    assert answer.comment.startswith("выполнено частично")


def test_a_bad_criterion_configuration_names_the_criterion() -> None:
    spec = scorecard(criterion("greeting", {"family": "phrase", "lexicon": "greetingz"}))
    with pytest.raises(DetectorConfigError, match="criterion 'greeting': detector parameter"):
        compile_scorecard(spec)


def test_english_conversations_use_english_lexicons_and_notes() -> None:
    spec = scorecard(criterion("greeting", GREETING, scale="ternary"))
    compiled = compile_scorecard(spec)
    english = chat(
        ("client", "hi, my order is late"),
        ("operator", "Good morning! My name is Tom, I'll check it."),
        language="en",
    )
    (answer,) = compiled.evaluate(english)
    assert answer.value == 1
    assert answer.comment.startswith("present: greetings, introductions")
    unknown = chat(("operator", "Добрый день! Меня зовут Айгерим."), language="kk")
    assert compiled.evaluate(unknown)[0].value == 1  # falls back to Russian lexicons


@pytest.mark.parametrize("key", DEFAULT_SCORECARD_KEYS)
def test_default_scorecards_compile_and_score_messy_conversations(key: str) -> None:
    spec = default_scorecard(key)
    compiled = compile_scorecard(spec)
    messy = [
        EMPTY_CHAT,
        chat(("client", "🙂🙂🙂"), ("operator", "<br/><br/>")),
        refusal_chat(ATTEMPT_ONE, ATTEMPT_TWO, REFUND),
        call(
            ("operator", "алло ээ компания вега слушаю", 0.0, 2.0),
            ("client", "ну короче сколько можно ждать уже неделю", 1.5, 4.0),
            ("operator", "понимаю вас минутку посмотрю", 4.5, 6.0),
            ("operator", "спасибо за ожидание отправили сегодня", 50.0, 53.0),
        ),
    ]
    for conversation in messy:
        answers = compiled.evaluate(conversation)
        assert {a.criterion for a in answers} <= {c.key for c in spec.criteria()}
        for answer in answers:
            for item in answer.evidence:
                text = conversation.turns[item.turn].text
                assert text[item.start : item.end] == item.quote
        scoring.score(spec, answers, allow_missing=True)  # every value is on its scale


def test_a_huge_chat_just_works() -> None:
    # given a 2,000-turn chat
    lines = [
        ("client", "ну и где??? уже неделю жду 😡"),
        ("operator", "Понимаю вас. Минутку, уточню по номеру 5521."),
        ("operator", "Спасибо за ожидание! Курьер привезёт завтра, как бы с 10 до 14."),
        ("client", "ок спс"),
    ]
    conversation = chat(*(lines * 500), gap=5, client_name="Вика")
    # when the default chat scorecard evaluates it
    answers = compile_scorecard(default_scorecard("default-chat")).evaluate(conversation)
    # then every criterion with a detector is answered, with capped evidence
    by_key = {a.criterion: a for a in answers}
    assert by_key["empathy"].value == 1
    assert by_key["no_filler_words"].value == 0
    assert max(len(a.evidence) for a in answers) <= 10


def test_every_result_has_a_known_verdict_and_a_confidence_in_range() -> None:
    # given many generated conversations and the default scorecards
    records = (orjson.dumps(record) for record in generate_records(300, seed=3))
    compiled = {key: compile_scorecard(default_scorecard(key)) for key in DEFAULT_SCORECARD_KEYS}
    for parsed in parse_lines(records, default_source="demo"):
        conversation = parsed.conversation
        assert conversation is not None
        # when every detector answers
        results = compiled[f"default-{conversation.channel}"].detect(conversation)
        # then each verdict is known and each confidence within 0..1
        for result in results.values():
            assert result.verdict in VERDICTS
            assert 0 <= result.confidence <= 1
