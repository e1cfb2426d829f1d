"""Find and mask personal data in transcripts: phone, card and passport numbers, e-mails.

Masking lets transcripts be shown to trainees (152-ФЗ). It errs towards masking a number
that only looks personal, but leaves ordinary numbers alone: prices ("1 500 руб"), order
numbers ("заказ 12345678"), dates, times, and 13–19 digit numbers that fail the Luhn check.

* phone: Russian numbers with a country or trunk code (+7 / 7 / 8 and ten digits, any
  spaces, dashes or brackets), Russian mobiles written without it (``912 345 67 89``), an
  area code in brackets (``(495) 123-45-67``), local ``123-45-67``, and international
  numbers with a ``+`` (8–15 digits, ``+44 20 7946 0958``);
* card: 13–19 digits, bare or in groups of four (or 4-6-5 / 4-6-4), that pass Luhn;
* passport: 10 digits written ``45 06 123456`` or ``4506 123456``, or any 2+2+6 digits
  after the word «паспорт» or «серия» (``паспорт 4506123456``, ``серия 4506 номер 123456``);
* email: ``local@domain.tld``, Cyrillic domains included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

PHONE = "phone"
CARD = "card"
EMAIL = "email"
PASSPORT = "passport"

TOKENS: Mapping[str, str] = {
    PHONE: "[телефон]",
    CARD: "[карта]",
    EMAIL: "[email]",
    PASSPORT: "[паспорт]",
}
"""Replacement per kind; pass another mapping to :func:`mask_pii` for other languages."""

TOKENS_EN: Mapping[str, str] = {
    PHONE: "[phone]",
    CARD: "[card]",
    EMAIL: "[email]",
    PASSPORT: "[passport]",
}

# When two findings overlap, the longer wins; on a tie, the earlier kind in this order.
_PRIORITY = {EMAIL: 0, CARD: 1, PASSPORT: 2, PHONE: 3}


@dataclass(frozen=True, slots=True)
class PiiSpan:
    """A piece of personal data found in a text: its kind and [start, end) offsets."""

    kind: str
    start: int
    end: int


_TRIGGER = re.compile(r"[0-9@]")
# Every phone, card and passport number lies in a run of digits and separator characters.
# Finding those runs first lets the detailed patterns run only on a few short windows
# instead of scanning the whole text once per pattern.
_CANDIDATE = re.compile(r"[0-9][0-9 \t\u00a0\-–()]{5,}")
_TRAILING = " \t\u00a0-–("
_SEP = r"[ \t\u00a0\-–()]{0,2}"
_PHONE = re.compile(
    r"(?<![0-9+])(?:"
    rf"(?:\+[ \u00a0]?7|8|7)(?:{_SEP}[0-9]){{10}}"  # +7 912 345-67-89, 8 800 555 35 35
    rf"|\+[ \u00a0]?[1-9](?:{_SEP}[0-9]){{7,14}}"  # +44 20 7946 0958 (E.164: up to 15)
    rf"|\(?9[0-9]{{2}}\)?(?:{_SEP}[0-9]){{7}}"  # a mobile without +7: (912) 345-67-89
    rf"|\([0-9]{{3}}\)(?:{_SEP}[0-9]){{7}}"  # (495) 123-45-67
    rf"|\([0-9]{{4}}\)(?:{_SEP}[0-9]){{6}}"  # (4912) 12-34-56
    rf"|\([0-9]{{5}}\)(?:{_SEP}[0-9]){{5}}"  # (49131) 2-34-56
    r"|(?<!-)[0-9]{3}-[0-9]{2}-[0-9]{2}(?!-)"  # local 123-45-67
    r")(?![0-9])"
)
# Digit groups joined by single spaces or dashes; card layouts are looked for inside.
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9]+(?:[ \u00a0\-][0-9]+)*")
_DIGIT_GROUP = re.compile(r"[0-9]+")
_PASSPORT_SHAPE = re.compile(r"(?<![0-9])(?:[0-9]{2} [0-9]{2}|[0-9]{4}) [0-9]{6}(?![0-9])")
_PASSPORT_KEYWORD = re.compile(
    r"(?:паспорт|серия|серии)[^0-9]{0,30}?(?<![0-9])([0-9]{2} ?[0-9]{2})"
    r"(?:[^0-9]{1,20}?)?([0-9]{6})(?![0-9])",
    re.IGNORECASE,
)
# The lookbehind anchors the local part at the start of a run, which keeps the scan linear.
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def find_pii(text: str) -> list[PiiSpan]:
    """Return the personal data found in ``text``, sorted and without overlaps."""
    if not _TRIGGER.search(text):
        return []
    found: list[PiiSpan] = []
    if "@" in text:
        found.extend(PiiSpan(EMAIL, m.start(), m.end()) for m in _EMAIL.finditer(text))
    has_candidate = False
    for candidate in _CANDIDATE.finditer(text):
        run = candidate.group().rstrip(_TRAILING)
        if sum(map(str.isdigit, run)) < 6:
            continue
        has_candidate = True  # six digits: enough for a passport number after «паспорт»
        start = candidate.start()
        end = start + len(run)
        if run.isdigit() and len(run) < 10 and text[start - 1 : start] not in ("+", "("):
            continue  # a bare order number; phones and cards have more digits
        # Two characters before the run let "+ 7 912 ..." and "(912)" keep their prefix;
        # lookbehinds still see the whole text, and no digit can follow the run.
        start = max(0, start - 2)
        found.extend(PiiSpan(PHONE, m.start(), m.end()) for m in _PHONE.finditer(text, start, end))
        found.extend(_cards(text, start, end))
        found.extend(
            PiiSpan(PASSPORT, m.start(), m.end())
            for m in _PASSPORT_SHAPE.finditer(text, start, end)
        )
    # A substring test on the lower-cased text is several times cheaper than a regex scan.
    lowered = text.lower() if has_candidate else ""
    if "паспорт" in lowered or "сери" in lowered:
        for match in _PASSPORT_KEYWORD.finditer(text):
            found.append(PiiSpan(PASSPORT, match.start(1), match.end(1)))
            found.append(PiiSpan(PASSPORT, match.start(2), match.end(2)))
    return _merge(found)


def mask_pii(text: str, *, tokens: Mapping[str, str] = TOKENS) -> str:
    """Replace phone, card and passport numbers and e-mails in ``text`` with tokens."""
    # Masking can reveal more: «паспорт, тел 89123456789, 4506123456» connects the keyword
    # to the number only once the phone is a token. Repeating until nothing is found makes
    # masking idempotent; it ends because every pass removes digits or an '@'.
    while _TRIGGER.search(text):
        spans = find_pii(text)
        if not spans:
            break
        pieces = []
        position = 0
        for span in spans:
            pieces.append(text[position : span.start])
            pieces.append(tokens[span.kind])
            position = span.end
        pieces.append(text[position:])
        text = "".join(pieces)
    return text


def luhn_valid(digits: str) -> bool:
    """Check a string of digits with the Luhn checksum used by payment cards."""
    total = 0
    for position, character in enumerate(reversed(digits)):
        digit = ord(character) - 48
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _cards(text: str, start: int, end: int) -> Iterator[PiiSpan]:
    for run in _DIGIT_RUN.finditer(text, start, end):
        if run.end() - run.start() < 13:
            continue
        groups = [
            (m.start() + run.start(), m.end() + run.start(), m.group())
            for m in _DIGIT_GROUP.finditer(run.group())
        ]
        first = 0
        while first < len(groups):
            # The longest card-shaped window starting here that passes Luhn, so a card
            # followed by another number ("4276 ... 9012 2 шт") is still found. A window
            # holds at most 19 digits, which keeps long runs of numbers linear.
            longest = None
            digits = ""
            for last in range(first, len(groups)):
                digits += groups[last][2]
                if len(digits) > 19:
                    break
                lengths = [len(group[2]) for group in groups[first : last + 1]]
                if len(digits) >= 13 and _card_layout(lengths) and luhn_valid(digits):
                    longest = last
            if longest is None:
                first += 1
            else:
                yield PiiSpan(CARD, groups[first][0], groups[longest][1])
                first = longest + 1


def _card_layout(lengths: list[int]) -> bool:
    """True for the ways card numbers are written: bare, 4-4-4-4(-3), 4-6-5, 4-6-4."""
    total = sum(lengths)
    if not 13 <= total <= 19:
        return False
    if len(lengths) == 1:
        return True
    if lengths in ([4, 6, 5], [4, 6, 4]):
        return True
    return all(length == 4 for length in lengths[:-1]) and 1 <= lengths[-1] <= 4


def _merge(found: list[PiiSpan]) -> list[PiiSpan]:
    """Join overlapping findings (and touching ones of one kind) into single spans."""
    if len(found) < 2:
        return found
    found.sort(key=lambda span: (span.start, -span.end))
    merged = [found[0]]
    for span in found[1:]:
        last = merged[-1]
        touching = span.start == last.end and span.kind == last.kind
        if span.start < last.end or touching:
            kind = min(
                (last, span),
                key=lambda s: (-(s.end - s.start), _PRIORITY[s.kind]),
            ).kind
            merged[-1] = PiiSpan(kind, last.start, max(last.end, span.end))
        else:
            merged.append(span)
    return merged
