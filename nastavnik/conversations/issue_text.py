"""Import issues in the interface language: the engine writes them in English.

The engine is pure Python and cannot call gettext, so the readers in
``nastavnik/engine/formats`` build each reason from a fixed English sentence.
``REASON_TEMPLATES`` lists those sentences with ``{name}`` placeholders; each is compiled
once into a regex, and a reason that matches one is shown as that template's translation
with the captured parts put back. Parts that are themselves engine text — the described
value (``value``), a parser's message (``detail``) or a nested reason (``why``) — are
translated the same way; field paths, quoted values and numbers are data and stay as they
are, and a reason no template matches is shown unchanged. The API keeps the English
reasons, which are stable for machines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext, gettext_noop

ENGINE_REASONS: tuple[str, ...] = (
    # engine/formats/validate.py: one record
    gettext_noop("required"),
    gettext_noop("required: the record has none and no default was given"),
    gettext_noop("unknown field"),
    gettext_noop("unknown field (extra data belongs in meta)"),
    gettext_noop("must not be empty"),
    gettext_noop("needs start"),
    gettext_noop("a call turn needs at or start"),
    gettext_noop("required for {channel} turns"),
    gettext_noop("must be a JSON object, got {value}"),
    gettext_noop("must be an object, got {value}"),
    gettext_noop("must be an array, got {value}"),
    gettext_noop("must be a string, got {value}"),
    gettext_noop("must be a string or an integer, got {value}"),
    gettext_noop("must be an array of strings, got {value}"),
    gettext_noop("must be a non-empty string, got {value}"),
    gettext_noop("must be one of {choices}, got {value}"),
    gettext_noop("must be a language code such as ru or en, got {value}"),
    gettext_noop("must be a date and time string, got {value}"),
    gettext_noop("must be an ISO 8601 date and time with a zone offset, got {value}"),
    gettext_noop("time has no zone offset, got {value}"),
    gettext_noop("must not be before started_at ({time})"),
    gettext_noop("must be true, false or null, got {value}"),
    gettext_noop("must be an integer from {low} to {high}, got {value}"),
    gettext_noop("must be an integer >= {low}, got {value}"),
    gettext_noop("must be a number >= 0 or a decimal string like '1500.50', got {value}"),
    gettext_noop("must be a number of seconds >= 0, got {value}"),
    gettext_noop("must not be before start ({start}), got {end}"),
    # engine/formats/csv_turns.py: the header, rows and conversations of a CSV file
    gettext_noop("column appears twice in the header"),
    gettext_noop("unknown column (extra data goes in meta.<key>)"),
    gettext_noop("required column is missing"),
    gettext_noop("line {line} has {cells} cells, the header has {width}"),
    gettext_noop(
        "rows of one conversation must be consecutive; {external_id} already appeared at line"
        " {line}"
    ),
    gettext_noop("cannot read line {line}: {why}; the rest of the file is skipped"),
    gettext_noop("it is not UTF-8 text ({detail} at byte {byte})"),
    # engine/formats/jsonl.py: a line that is not JSON
    gettext_noop("not valid JSON: {detail} at column {column}"),
    gettext_noop("not valid JSON: {detail} at the end of the line"),
)
# Values as validate.describe() names them; null, true, false and quoted strings are data.
VALUE_NAMES: tuple[str, ...] = (
    gettext_noop("a number ({number})"),
    gettext_noop("an array"),
    gettext_noop("an object"),
)
# Messages of the parsers the readers quote: orjson, the csv module, the UTF-8 codec.
PARSER_MESSAGES: tuple[str, ...] = (
    gettext_noop("unexpected end of data"),
    gettext_noop("unexpected character, expected a JSON value"),
    gettext_noop("unexpected character, expected a string key"),
    gettext_noop("unexpected character, expected ':' after key"),
    gettext_noop("unexpected character, expected ',' or ']'"),
    gettext_noop("unexpected character, expected ',' or '}'"),
    gettext_noop("unexpected content after document"),
    gettext_noop("unexpected control character in string"),
    gettext_noop("trailing comma is not allowed"),
    gettext_noop("number with leading zero is not allowed"),
    gettext_noop("number is infinity when parsed as double"),
    gettext_noop("no digit after sign"),
    gettext_noop("no digit after decimal point"),
    gettext_noop("no digit after exponent sign"),
    gettext_noop("invalid literal, expected {literal}"),
    gettext_noop("invalid escape in string"),
    gettext_noop("invalid escaped sequence in string"),
    gettext_noop("invalid high surrogate in string"),
    gettext_noop("invalid low surrogate in string"),
    gettext_noop("no low surrogate in string"),
    gettext_noop("invalid UTF-8 encoding in string"),
    gettext_noop("invalid utf-8 encoding in string"),
    gettext_noop("str is not valid UTF-8: surrogates not allowed"),
    gettext_noop("UTF-8 byte order mark (BOM) is not supported"),
    gettext_noop("depth limit exceeded"),
    gettext_noop("input data is empty"),
    gettext_noop("field larger than field limit ({limit})"),
    gettext_noop(
        "new-line character seen in unquoted field - do you need to open the file in"
        " universal-newline mode?"
    ),
    gettext_noop(
        "new-line character seen in unquoted field - do you need to open the file with newline=''?"
    ),
    gettext_noop("invalid start byte"),
    gettext_noop("invalid continuation byte"),
)
REASON_TEMPLATES: tuple[str, ...] = ENGINE_REASONS + VALUE_NAMES + PARSER_MESSAGES
RECORD_TEMPLATES: tuple[str, ...] = (
    gettext_noop("line {line}"),
    gettext_noop("line {line} ({external_id})"),
)
# The names the readers give an issue that concerns no field of the record.
FIELD_LABELS: frozenset[str] = frozenset(
    {gettext_noop("(line)"), gettext_noop("(row)"), gettext_noop("(file)"), gettext_noop("(empty)")}
)
# Captured parts that are engine text themselves, translated in turn.
_NESTED = frozenset({"value", "detail", "why"})
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _compile(templates: Iterable[str]) -> tuple[tuple[re.Pattern[str], str], ...]:
    compiled = []
    for template in templates:
        parts = _PLACEHOLDER.split(template)
        # split() alternates literal text and placeholder names: text, name, text, …
        pattern = "".join(
            re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
            for index, part in enumerate(parts)
        )
        literal_length = sum(len(part) for part in parts[::2])
        compiled.append((literal_length, re.compile(pattern, re.DOTALL), template))
    # The most literal text first, so "line {line} ({external_id})" is tried before the
    # "line {line}" that would also match it.
    compiled.sort(key=lambda item: -item[0])
    return tuple((pattern, template) for _, pattern, template in compiled)


_REASONS = _compile(REASON_TEMPLATES)
_RECORDS = _compile(RECORD_TEMPLATES)


def _translate(text: str, compiled: tuple[tuple[re.Pattern[str], str], ...]) -> str:
    for pattern, template in compiled:
        match = pattern.fullmatch(text)
        if match is not None:
            return _fill(gettext(template), match.groupdict())
    return text


def _fill(translation: str, captured: dict[str, str]) -> str:
    parts = {
        name: translate_reason(part) if name in _NESTED else part for name, part in captured.items()
    }
    # Substituted by hand, not str.format: templates may hold a lone brace ('}').
    return _PLACEHOLDER.sub(lambda found: parts.get(found[1], found[0]), translation)


def translate_reason(reason: str) -> str:
    """An engine reason in the active language; one no template knows comes back unchanged."""
    if not isinstance(reason, str) or not reason:
        return reason
    return _translate(reason, _REASONS)


def translate_issue_record(record: str) -> str:
    """The record label of an issue (``line 17 (ch-1029)``) in the active language."""
    if not isinstance(record, str) or not record:
        return record
    return _translate(record, _RECORDS)


def translate_issue_field(field: str) -> str:
    """An issue's field in the active language when it names no field, as in ``(line)``."""
    return gettext(field) if field in FIELD_LABELS else field
