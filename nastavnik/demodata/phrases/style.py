"""Text transforms that make one wording look like a channel: ASR, messenger, chat, fillers."""

from __future__ import annotations

import random
from math import log

from nastavnik.demodata.phrases.client import ASR_FILLERS
from nastavnik.demodata.phrases.operator import BUREAUCRATIC_PREFIX, FILLERS

# (old, new) pairs; a chain of str.replace is much faster than str.translate on Cyrillic.
_ASR_REPLACEMENTS: tuple[tuple[str, str], ...] = (
    (".", ""), (",", ""), ("!", ""), ("?", ""), (";", ""), (":", ""), ("«", ""), ("»", ""),
    ('"', ""), ("(", ""), (")", ""), ("…", ""), (" — ", " "), ("—", " "), ("–", "-"),
    ("ё", "е"), ("→", " "),
)  # fmt: skip
_CLOSING_PUNCTUATION = ".!?,;:…"

SLANG: dict[str, tuple[str, ...]] = {
    "спасибо": ("спс", "пасиб", "спасибки", "сяп"),
    "пожалуйста": ("пжл", "плз", "пожалуйста", "пж"),
    "сейчас": ("щас", "щя"),
    "нормально": ("норм",),
    "хорошо": ("ок", "хор", "окей", "оки"),
    "что": ("чё", "че", "шо"),
    "здравствуйте": ("здрасте", "драсте", "здравствуйте"),
    "вообще": ("ваще", "вобще"),
    "короче": ("крч",),
    "сегодня": ("сёдня", "седня"),
    "понятно": ("понял", "ясн", "пон", "понятненько"),
    "ничего": ("ниче", "ничё"),
    "телефон": ("тел",),
    "информация": ("инфа",),
    "просто": ("прост",),
    "тоже": ("тож",),
    "почему": ("почему", "пачему"),
    "вы": ("вы", "вы", "ВЫ"),
    "очень": ("оч", "оч"),
    "потому": ("потому", "патаму"),
    "конечно": ("конеч", "конечн", "канеш"),
    "приложении": ("приле", "приложухе"),
    "заказ": ("заказ", "заказик"),
    "да": ("да", "ага", "угу"),
    "нет": ("нет", "неа", "не"),
}
EMOJI: dict[str, tuple[str, ...]] = {
    "kind": ("🙏", "😊", "🙂", "❤️", "))", ")"),
    "neutral": ("👍", "🤔", ")", ""),
    "rude": ("🤦", "🙄", "!!!", ""),
    "hurry": ("⏰", "!!", ""),
    "elderly": ("🌹", "👍", ""),
    "angry": ("😡", "🤬", "!!!", "!!!!!"),
}
_BUREAUCRATIC_WORDS: dict[str, str] = {
    "сейчас": "в настоящее время",
    "Сейчас": "В настоящее время",
    "деньги": "денежные средства",
    "денег": "денежных средств",
    "оплатить": "произвести оплату",
    "можно": "имеется возможность",
    "Можно": "Имеется возможность",
    "нужно": "необходимо",
    "Нужно": "Необходимо",
    "потом": "впоследствии",
    "если": "в случае если",
    "Если": "В случае если",
    "заказ": "данный заказ",
    "придёт": "поступит",
    "вернутся": "будут возвращены",
}


def capitalise(text: str) -> str:
    """The text with its first character in upper case."""
    return text[:1].upper() + text[1:] if text and text[0].islower() else text


_ASR_EVENT_RATE = 0.115  # fillers, restarts and stutters per word


def asr(text: str, rng: random.Random) -> str:
    """Make a transcript look like raw speech recognition: lower case, no punctuation,
    fillers, restarted and cut words."""
    text = text.lower()
    for old, new in _ASR_REPLACEMENTS:
        if old in text:
            text = text.replace(old, new)
    words = text.split()
    random = rng.random
    # Jump from one disfluency to the next (geometric gaps) instead of rolling per word.
    position = int(-log(1.0 - random()) / _ASR_EVENT_RATE)
    while position < len(words):
        word = words[position]
        kind = random()
        if kind < 0.6:
            words.insert(position, ASR_FILLERS[int(random() * len(ASR_FILLERS))])
        elif kind < 0.87 and len(word) > 5:
            words.insert(position, word[: 2 + int(random() * (len(word) - 4))])  # «подож подождите»
        else:
            words.insert(position, word)  # a stutter
        position += 2 + int(-log(1.0 - random()) / _ASR_EVENT_RATE)
    if len(words) > 4 and random() < 0.12:
        last = words[-1]
        words[-1] = last[: max(2, len(last) // 2)]  # the recogniser cut the last word
    return " ".join(words)


def typo(word: str, rng: random.Random) -> str:
    """One keyboard slip in a word: swapped, dropped or doubled letter."""
    if len(word) < 4 or not word.isalpha():
        return word
    position = rng.randint(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.4:
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    if kind < 0.75:
        return word[:position] + word[position + 1 :]
    return word[:position] + word[position] + word[position:]


def messenger(text: str, persona: str, rng: random.Random) -> str:
    """Rewrite a client's line the way people type in messengers: slang, typos, emoji."""
    words = text.split()
    for index, word in enumerate(words):
        bare = word.rstrip(_CLOSING_PUNCTUATION)
        key = bare.lower()
        if key in SLANG and rng.random() < 0.65:
            words[index] = rng.choice(SLANG[key]) + word[len(bare) :]
        elif rng.random() < 0.04:
            words[index] = typo(bare, rng) + word[len(bare) :]
    result = " ".join(words)
    if rng.random() < 0.7:
        result = result[:1].lower() + result[1:]
    if rng.random() < 0.6:
        result = result.rstrip(".")
    if rng.random() < 0.35:
        emoji = rng.choice(EMOJI.get(persona, EMOJI["neutral"]))
        if emoji and emoji[0] in "!)":  # «норм!!!», «спс))» — typed right after the word
            result = result.rstrip(".!") + emoji
        else:
            result += " " + emoji
    return result.rstrip()


def chat(text: str, persona: str, rng: random.Random) -> str:
    """Light typing noise for a web-chat client: lower-case starts, missing full stops."""
    roll = rng.random()
    if roll < 0.12 and persona in ("rude", "angry"):
        return text.upper().replace("!", "!!")
    if roll < 0.3:
        text = text[:1].lower() + text[1:]
    # Further decisions reuse the digits of the same draw: one call instead of three.
    if (roll * 7.0) % 1.0 < 0.35:
        text = text.rstrip(".")
    if (roll * 53.0) % 1.0 < 0.1:
        words = text.split()
        if words:
            index = rng.randrange(len(words))
            words[index] = typo(words[index], rng)
            text = " ".join(words)
    return text


def with_fillers(text: str, rng: random.Random, count: int = 2) -> str:
    """Insert filler words («как бы», «в принципе») into an operator's line."""
    words = text.split()
    if len(words) < 3:
        return f"{rng.choice(FILLERS).capitalize()}, {text[:1].lower()}{text[1:]}"
    for _ in range(count):
        position = rng.randint(1, len(words) - 1)
        previous = words[position - 1]
        if previous[-1] in ".!?…":
            continue  # not across a sentence boundary
        if previous[-1] not in _CLOSING_PUNCTUATION:
            words[position - 1] = previous + ","
        words.insert(position, rng.choice(FILLERS) + ",")
    return " ".join(words)


def bureaucratise(text: str, rng: random.Random) -> str:
    """Rewrite an operator's line in bureaucratese («в рамках данного обращения …»)."""
    words = [_BUREAUCRATIC_WORDS.get(word, word) for word in text.split()]
    result = " ".join(words)
    if rng.random() < 0.6:
        result = rng.choice(BUREAUCRATIC_PREFIX) + result[:1].lower() + result[1:]
    return result
