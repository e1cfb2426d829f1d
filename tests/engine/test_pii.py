"""PII masking: phones, cards (Luhn), e-mails and passports, and what must stay untouched."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nastavnik.engine.text.pii import (
    TOKENS,
    TOKENS_EN,
    PiiSpan,
    find_pii,
    luhn_valid,
    mask_pii,
)


@pytest.mark.parametrize(
    "phone",
    [
        "+7 (912) 345-67-89",
        "8 912 345 67 89",
        "89123456789",
        "+79123456789",
        "8-800-555-35-35",
        "8 (800) 555-35-35",
        "+7 912 345 6789",
        "7 912 3456789",
        "+ 7 912 345 67 89",
        "8(4912)12-34-56",
        "(495) 123-45-67",
        "(912) 345-67-89",
        "912 345 67 89",
        "9123456789",
        "123-45-67",
        "+44 20 7946 0958",
        "+1 (555) 123-4567",
        "+380 44 123 4567",
        "+49 30 1234567",
        "8\u00a0912\u00a0345\u00a067\u00a089",
    ],
)
def test_phone_numbers_in_common_writings_are_masked(phone: str) -> None:
    # given a phone inside a sentence
    text = f"Мой номер {phone}, перезвоните"
    # when it is masked
    # then only the number is replaced
    assert mask_pii(text) == "Мой номер [телефон], перезвоните"


@pytest.mark.parametrize(
    "card",
    [
        "4111 1111 1111 1111",
        "4111111111111111",
        "4111-1111-1111-1111",
        "5500 0000 0000 0004",
        "3782 822463 10005",
        "378282246310005",
        "2200 0000 0000 0004",
        "6759 6498 2643 8453 011",  # Maestro, 19 digits
    ],
)
def test_luhn_valid_card_numbers_are_masked(card: str) -> None:
    assert luhn_valid(card.replace(" ", "").replace("-", ""))
    assert mask_pii(f"карта {card}.") == "карта [карта]."


def test_card_followed_by_another_number_is_still_found() -> None:
    assert mask_pii("оплатил 4111 1111 1111 1111 2 раза") == "оплатил [карта] 2 раза"


@pytest.mark.parametrize(
    "email",
    ["ivan.petrov@mail.ru", "a+tag@example.co.uk", "оля@почта.рф", "user_1-x@sub.domain.com"],
)
def test_emails_are_masked(email: str) -> None:
    assert mask_pii(f"пишите: {email}.") == "пишите: [email]."


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("паспорт 45 06 123456", "паспорт [паспорт]"),
        ("45 06 123456 выдан", "[паспорт] выдан"),
        ("4506 123456", "[паспорт]"),
        ("паспорт 4506123456", "паспорт [паспорт]"),
        ("Паспорт: 4506123456", "Паспорт: [паспорт]"),
        ("серия 4506 номер 123456", "серия [паспорт] номер [паспорт]"),
        ("ПАСПОРТ серии 45 06 № 123456", "ПАСПОРТ серии [паспорт] № [паспорт]"),
    ],
)
def test_passport_numbers_are_masked(text: str, masked: str) -> None:
    assert mask_pii(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Стоимость 1 500 руб, доставка 350 ₽",
        "Итого 15 000 000 руб.",
        "заказ 12345678",
        "заказ №4506123456 отправлен",  # ten digits but no «паспорт» nearby
        "заказ 1234567812345678",  # 16 digits that fail Luhn
        "заказ 1234 5678 1234 5678",
        "доставим 02.03.2026 с 10:15 до 18:00",
        "дата 2026-03-02, время 10:15:00",
        "трек RA123456789RU",
        "ИНН 500100732259",
        "версия 2.14.7, код 4821",
        "звонок длился 125 секунд, 3 перевода",
        "",
        "@everyone привет",
    ],
)
def test_ordinary_numbers_are_not_masked(text: str) -> None:
    assert mask_pii(text) == text
    assert find_pii(text) == []


def test_find_pii_gives_kinds_and_offsets() -> None:
    # given one of each kind
    text = "тел +7 912 345-67-89, карта 4111111111111111, ivan@mail.ru, паспорт 4506 123456"
    # when they are found
    spans = find_pii(text)
    # then each span is in order, with its kind and exact offsets
    assert [(span.kind, text[span.start : span.end]) for span in spans] == [
        ("phone", "+7 912 345-67-89"),
        ("card", "4111111111111111"),
        ("email", "ivan@mail.ru"),
        ("passport", "4506 123456"),
    ]
    assert spans[0] == PiiSpan("phone", 4, 20)


def test_email_holding_a_phone_is_one_email() -> None:
    assert mask_pii("ivan89123456789@mail.ru") == "[email]"


def test_other_tokens_can_be_used() -> None:
    text = "+7 912 345-67-89, 4111111111111111, a@b.ru, 4506 123456"
    assert mask_pii(text, tokens=TOKENS_EN) == "[phone], [card], [email], [passport]"
    assert set(TOKENS) == set(TOKENS_EN)


def test_masking_that_reveals_a_keyword_is_finished_in_one_call() -> None:
    # given a bare passport number that belongs to «паспорт» only once the phone is gone
    text = "паспорт, тел 89123456789, 4506123456"
    # when it is masked
    # then both are masked at once, and masking again changes nothing
    assert mask_pii(text) == "паспорт, тел [телефон], [паспорт]"
    assert mask_pii(mask_pii(text)) == mask_pii(text)


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("1234567812345678")


# --- properties -----------------------------------------------------------------------------

RUSSIAN = st.text(
    alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ ,.!?:;—«»()\n",
    max_size=40,
)
DIGITS = "0123456789"


def _digits(count: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=DIGITS, min_size=count, max_size=count)


def _check_digit(body: str) -> str:
    """The digit that makes ``body + digit`` pass Luhn."""
    return next(digit for digit in DIGITS if luhn_valid(body + digit))


@st.composite
def phones(draw: st.DrawFn) -> str:
    code = draw(st.sampled_from("3489"))
    area = code + draw(_digits(2))
    number = draw(_digits(7))
    a, b, c = number[:3], number[3:5], number[5:]
    template = draw(
        st.sampled_from(
            [
                "+7 ({area}) {a}-{b}-{c}",
                "8 {area} {a} {b} {c}",
                "8{area}{a}{b}{c}",
                "+7{area}{a}{b}{c}",
                "8-{area}-{a}-{b}-{c}",
                "+7 {area} {a}{b}{c}",
                "8 ({area}) {a}{b}{c}",
            ]
        )
    )
    return template.format(area=area, a=a, b=b, c=c)


@st.composite
def cards(draw: st.DrawFn) -> str:
    body = draw(st.sampled_from("2345")) + draw(_digits(14))
    number = body + _check_digit(body)
    separator = draw(st.sampled_from(["", " ", "-"]))
    return separator.join(number[i : i + 4] for i in range(0, 16, 4))


@st.composite
def bad_cards(draw: st.DrawFn) -> str:
    body = draw(st.sampled_from("123456789")) + draw(_digits(14))
    wrong = draw(st.sampled_from([d for d in DIGITS if not luhn_valid(body + d)]))
    number = body + wrong
    separator = draw(st.sampled_from(["", " "]))
    return separator.join(number[i : i + 4] for i in range(0, 16, 4))


EMAILS = st.builds(
    "{}@{}.{}".format,
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=1, max_size=12),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10),
    st.sampled_from(["ru", "com", "рф", "org"]),
)


@st.composite
def passports(draw: st.DrawFn) -> str:
    series, number = draw(_digits(4)), draw(_digits(6))
    return draw(
        st.sampled_from(
            [
                f"{series[:2]} {series[2:]} {number}",
                f"{series} {number}",
                f"паспорт {series}{number}",
                f"серия {series} номер {number}",
            ]
        )
    )


PII = st.one_of(phones(), cards(), EMAILS, passports())


@settings(max_examples=400, deadline=None)
@given(RUSSIAN, PII, RUSSIAN)
def test_embedded_pii_leaves_no_digit_or_at_behind(left: str, pii: str, right: str) -> None:
    # given personal data inside random Russian text
    text = f"{left} {pii} {right}"
    # when it is masked
    masked = mask_pii(text)
    # then none of its digits and no '@' survive, and the text around it is kept
    assert not any(character in DIGITS + "@" for character in masked)
    assert pii not in masked
    assert masked.startswith(left)
    assert masked.endswith(right)


@settings(max_examples=300, deadline=None)
@given(RUSSIAN, cards(), RUSSIAN)
def test_luhn_valid_cards_are_masked_as_cards(left: str, card: str, right: str) -> None:
    assert mask_pii(f"{left} {card} {right}") == f"{left} [карта] {right}"


@settings(max_examples=300, deadline=None)
@given(RUSSIAN, bad_cards(), RUSSIAN)
def test_luhn_invalid_16_digit_numbers_are_not_masked(left: str, number: str, right: str) -> None:
    text = f"{left} {number} {right}"
    assert mask_pii(text) == text


MIXED = st.lists(
    st.one_of(
        RUSSIAN,
        PII,
        bad_cards(),
        _digits(8),
        st.sampled_from(["1 500 руб", "02.03.2026", "10:15", "№", "+", "@", "-", "(", ")"]),
        st.text(max_size=10),
    ),
    max_size=6,
).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(MIXED | st.text())
def test_masking_is_idempotent(text: str) -> None:
    once = mask_pii(text)
    assert mask_pii(once) == once
    assert find_pii(once) == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters=DIGITS + "@")))
def test_text_without_digits_or_at_is_unchanged(text: str) -> None:
    assert mask_pii(text) == text
    assert find_pii(text) == []


@settings(max_examples=300, deadline=None)
@given(MIXED)
def test_spans_are_sorted_disjoint_and_inside_the_text(text: str) -> None:
    spans = find_pii(text)
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
    for earlier, later in zip(spans, spans[1:], strict=False):
        assert earlier.end <= later.start


def test_long_runs_of_numbers_are_scanned_in_linear_time() -> None:
    # given a spreadsheet pasted into a chat: 20,000 numbers in a row, one card among them
    numbers = "1 " * 10_000 + "4111 1111 1111 1111 " + "2 " * 10_000
    # when it is masked (a quadratic scan would not finish)
    masked = mask_pii(numbers)
    # then only the card is replaced
    assert masked == "1 " * 10_000 + "[карта] " + "2 " * 10_000
