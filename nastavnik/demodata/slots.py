"""Lazily filled template slots of one conversation (order number, dates, PII …).

A conversation uses only a few of the ~40 slots, so each value is drawn the first time a
template asks for it (``str.format_map`` calls ``__missing__``). The draw order follows the
dialogue, which is itself deterministic, so records stay reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from nastavnik.demodata.phrases import common
from nastavnik.demodata.roster import SURNAMES, feminine_surname

WEEKDAYS_NOM: tuple[str, ...] = (
    "понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье",
)  # fmt: skip
PICKUP_POINTS: tuple[str, ...] = (
    "ул. Ленина, 12", "пр. Мира, 45", "ул. Гагарина, 7", "ул. Советская, 103",
    "ул. Садовая, 18", "ул. Пушкина, 3", "ул. Центральная, 21", "ТЦ «Европа», 1 этаж",
)  # fmt: skip
WINDOWS: tuple[str, ...] = ("с 10 до 14", "с 14:00 до 18:00", "с 18 до 22", "с 9 до 13", "до 12:00")
PROMOS: tuple[str, ...] = ("VEGA15", "SALE10", "WELCOME", "BDAY500", "AUTUMN20", "FRIEND300")
SIZES: tuple[str, ...] = ("42", "44", "46", "48", "50", "S", "M", "L", "XL", "38", "39", "40")
CANCEL_WHY: tuple[str, ...] = (
    "Передумал{a}.",
    "Долго ждать.",
    "Нашлось дешевле.",
    "Ошибся с заказом.",
)


def operator_slots(first_name: str, full_name: str, female: bool) -> dict[str, str]:
    """The slots that depend only on the operator (computed once per operator)."""
    return {
        "op": first_name,
        "op_full": full_name,
        "oa": "а" if female else "",
        "polezen": "полезна" if female else "полезен",
        "Soglasen": "Согласна" if female else "Согласен",
        "addr_op": "девушка" if female else "молодой человек",
        "Addr_op": "Девушка" if female else "Молодой человек",
        "dear": "милая" if female else "сынок",
    }


CLIENT_GENDER_SLOTS: dict[bool, dict[str, str]] = {
    True: {"a": "а", "dolzhen": "должна", "Nashel": "Нашла", "Uvazh": "Уважаемая"},
    False: {"a": "", "dolzhen": "должен", "Nashel": "Нашёл", "Uvazh": "Уважаемый"},
}


class Slots(dict[str, str]):
    """Template values for one conversation; unknown keys are drawn on first use."""

    __slots__ = ("rng", "today", "hour", "female")

    def __init__(self, rng: random.Random, today: date, hour: int, female: bool) -> None:
        super().__init__()
        self.rng = rng
        self.today = today
        self.hour = hour
        self.female = female

    def __missing__(self, key: str) -> str:
        maker = _MAKERS.get(key)
        if maker is None:
            raise KeyError(key)
        value = maker(self)
        self[key] = value
        return value


def date_words(day: date) -> str:
    """«5 марта»."""
    return f"{day.day} {common.MONTHS_GEN[day.month - 1]}"


def phone_number(rng: random.Random) -> str:
    """A Russian mobile number in one of the ways people write them."""
    code, a = rng.randrange(900, 1000), rng.randrange(100, 1000)
    b, c = rng.randrange(100), rng.randrange(100)
    form = rng.randrange(5)
    if form == 0:
        return f"+7 {code} {a}-{b:02d}-{c:02d}"
    if form == 1:
        return f"8 ({code}) {a}-{b:02d}-{c:02d}"
    if form == 2:
        return f"8{code}{a}{b:02d}{c:02d}"
    if form == 3:
        return f"+7{code}{a}{b:02d}{c:02d}"
    return f"+7 ({code}) {a} {b:02d} {c:02d}"


def email_address(rng: random.Random, first_name: str) -> str:
    """A plausible personal e-mail address made from the client's first name."""
    latin = "".join(common.TRANSLIT.get(char, char) for char in first_name.lower())
    separator = rng.choice((".", "_", "", ""))
    suffix = rng.choice(("", str(rng.randrange(1970, 2008)), str(rng.randrange(1, 999))))
    tail = rng.choice(("", separator + rng.choice(("k", "m", "s", "pro", "home"))))
    return f"{latin}{tail}{suffix}@{rng.choice(common.EMAIL_DOMAINS)}"


def card_number(rng: random.Random) -> str:
    """A Luhn-valid card number, grouped by four digits most of the time."""
    digits = [int(d) for d in rng.choice(("2200", "2202", "4276", "5469", "4279"))]
    digits += [rng.randrange(10) for _ in range(11)]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 0:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    digits.append((10 - total % 10) % 10)
    number = "".join(map(str, digits))
    if rng.random() < 0.3:
        return number
    return " ".join(number[i : i + 4] for i in range(0, 16, 4))


def _hello(slots: Slots) -> str:
    if slots.rng.random() < 0.6:
        return "Здравствуйте"
    hour = slots.hour
    return "Доброе утро" if hour < 12 else "Добрый день" if hour < 18 else "Добрый вечер"


def _client_full(slots: Slots) -> str:
    surname = slots.rng.choice(SURNAMES)
    return f"{slots['client']} {feminine_surname(surname) if slots.female else surname}"


def _promised(slots: Slots) -> str:
    return common.ON_WEEKDAY[(slots.today - timedelta(days=slots.rng.randint(1, 3))).weekday()]


def _size2(slots: Slots) -> str:
    return SIZES[(SIZES.index(slots["size"]) + 1) % len(SIZES)]


def _passport(slots: Slots) -> str:
    rng = slots.rng
    return f"{rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10**5, 10**6)}"


def _phone_ref(slots: Slots) -> str:
    return slots["phone"] if slots.rng.random() < 0.4 else "Тот же, с которого обращаюсь."


def _email_ref(slots: Slots) -> str:
    return slots["email"] if slots.rng.random() < 0.5 else "Та же, что в заказе."


_MAKERS: dict[str, Callable[[Slots], str]] = {
    "hello": _hello,
    "hello_lc": lambda s: s["hello"].lower(),
    "goodday": lambda s: "хорошего дня" if s.hour < 17 else "хорошего вечера",
    "Goodday": lambda s: s["goodday"].capitalize(),
    "client_full": _client_full,
    "order": lambda s: str(s.rng.randrange(10_000_000, 99_999_999)),
    "amount_small": lambda s: str(s.rng.choice((150, 290, 390, 500, 990))),
    "date": lambda s: date_words(s.today + timedelta(days=s.rng.randint(1, 5))),
    "date_past": lambda s: date_words(s.today - timedelta(days=s.rng.randint(2, 14))),
    "promised": _promised,
    "today_wd": lambda s: WEEKDAYS_NOM[s.today.weekday()],
    "ticket": lambda s: f"ЗВ-{s.rng.randrange(100_000, 999_999)}",
    "city": lambda s: s.rng.choice(common.CITIES),
    "promo": lambda s: s.rng.choice(PROMOS),
    "pvz": lambda s: s.rng.choice(PICKUP_POINTS),
    "window": lambda s: s.rng.choice(WINDOWS),
    "size": lambda s: s.rng.choice(SIZES),
    "garment": lambda s: s.rng.choice(common.GARMENTS)[0],
    "gadget": lambda s: s.rng.choice(common.GADGETS)[0],
    "size2": _size2,
    "bonus": lambda s: str(s.rng.choice((200, 300, 500, 1000))),
    "phone": lambda s: phone_number(s.rng),
    "phone_ref": _phone_ref,
    "email": lambda s: email_address(s.rng, s["client"]),
    "email_ref": _email_ref,
    "card": lambda s: card_number(s.rng),
    "card_last4": lambda s: str(s.rng.randrange(1000, 10_000)),
    "passport": _passport,
    "cancel_why": lambda s: s.rng.choice(CANCEL_WHY).replace("{a}", s["a"]),
}
