"""Hand-written validation of one import record (a decoded JSON object) into a Conversation.

The rules are those of ``schema.json`` plus the checks JSON Schema cannot express (times
must carry a zone offset and be real dates, ``ended_at >= started_at``, ``end >= start``).
It is written by hand rather than run through ``jsonschema`` because it sits on the import
hot path; a property test keeps the two in agreement. See ``docs/formats.md``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from types import MemberDescriptorType
from typing import Any

from nastavnik.engine.types import (
    CHANNELS,
    DIRECTIONS,
    OUTCOME_FIELDS,
    SPEAKERS,
    WRITTEN_CHANNELS,
    Conversation,
    Issue,
    Outcome,
    ParsedRecord,
    Turn,
)

REQUIRED_FIELDS: tuple[str, ...] = ("external_id", "channel", "operator", "started_at", "turns")
OPTIONAL_FIELDS: tuple[str, ...] = (
    "source",
    "operator_name",
    "team",
    "client",
    "client_name",
    "language",
    "direction",
    "ended_at",
    "topic",
    "tags",
    "outcome",
    "meta",
)
TURN_FIELDS: tuple[str, ...] = ("speaker", "text", "at", "start", "end")

_TOP_KEYS = frozenset(REQUIRED_FIELDS + OPTIONAL_FIELDS)
_TURN_KEYS = frozenset(TURN_FIELDS)
_CHANNEL_SET = frozenset(CHANNELS)
_SPEAKER_SET = frozenset(SPEAKERS)
_DIRECTION_SET = frozenset(DIRECTIONS)
_PLAIN_TEXT_FIELDS = ("operator_name", "team", "client_name", "topic")
_OUTCOME_KINDS: dict[str, tuple[type, int | None, int | None]] = {
    "csat": (int, 1, 5),
    "nps": (int, 0, 10),
    "transfers": (int, 0, None),
    "order_amount": (Decimal, None, None),
    "cancel_reason": (str, None, None),
}
# name -> (position in Outcome, kind, low, high); every other outcome field is a boolean.
_OUTCOME_RULES = {
    name: (index, *_OUTCOME_KINDS.get(name, (bool, None, None)))
    for index, name in enumerate(OUTCOME_FIELDS)
}
_AMOUNT_INDEX = OUTCOME_FIELDS.index("order_amount")
_REASON_INDEX = OUTCOME_FIELDS.index("cancel_reason")
# Outcomes are frozen and few distinct ones recur (csat 5, resolved...), so one instance per
# distinct input is shared, which saves both validation time and memory.
_OUTCOME_CACHE: dict[tuple[Any, ...], Outcome] = {}

# The same patterns as schema.json, applied with re.search as jsonschema does, so both agree.
_NOT_BLANK = re.compile(r"\S")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")
_AMOUNT = re.compile(r"^[0-9]+(\.[0-9]+)?$")

_CHANNEL_LIST = ", ".join(CHANNELS)
_SPEAKER_LIST = ", ".join(SPEAKERS)
_DIRECTION_LIST = ", ".join(DIRECTIONS)
_REQUIRED = "required"
_UNKNOWN_TOP = "unknown field (extra data belongs in meta)"
_UNKNOWN = "unknown field"
# Outcome is frozen, so one empty instance can be shared by every record that has none.
_NO_OUTCOME = Outcome()
_fromisoformat = datetime.fromisoformat
_INFINITY = float("inf")

Problem = tuple[str, str]
"""A (field path, reason) pair; turned into an Issue once the record is named."""


def positional_builder(cls: type) -> Any:
    """Return a function that builds a frozen, slotted dataclass from positional values.

    A frozen dataclass's ``__init__`` assigns through ``object.__setattr__``, which costs
    about twice as much as writing the slots directly; with ten turns a record that is a
    fifth of the parse time. The builder is generated like dataclasses generates
    ``__init__``, so it follows the fields of ``types.py``, and falls back to the class
    itself when the fields are not slots.
    """
    names = [field.name for field in dataclasses.fields(cls)]
    is_slotted = all(isinstance(cls.__dict__.get(name), MemberDescriptorType) for name in names)
    if not is_slotted or hasattr(cls, "__post_init__"):
        return cls
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    lines = [f"def build({', '.join(names)}):", "    obj = _new(_cls)"]
    for name in names:
        namespace[f"_set_{name}"] = cls.__dict__[name].__set__
        lines.append(f"    _set_{name}(obj, {name})")
    lines.append("    return obj")
    exec("\n".join(lines), namespace)  # noqa: S102 -- fixed code built from field names
    return namespace["build"]


_build_turn = positional_builder(Turn)
_build_conversation = positional_builder(Conversation)
_build_outcome = positional_builder(Outcome)
_build_parsed_record = positional_builder(ParsedRecord)


def load_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of one JSONL record, as shipped in the package."""
    # A fresh dict each call, so a caller that edits it cannot change anyone else's copy.
    return json.loads(_schema_text())


@cache
def _schema_text() -> str:
    return resources.files(__package__).joinpath("schema.json").read_text(encoding="utf-8")


def validate_record(
    record: Any,
    *,
    line: int,
    default_source: str,
    turn_lines: list[int] | None = None,
    extra_problems: list[Problem] | None = None,
) -> ParsedRecord:
    """Check one decoded record and return the Conversation, or every Issue that rejects it.

    ``turn_lines`` (CSV) gives the line of each turn so an issue points at its own row;
    ``extra_problems`` are (field, reason) pairs the reader found before decoding.
    """
    problems: list[Problem] = list(extra_problems) if extra_problems else []
    return _validate(record, line, default_source, problems, turn_lines)


def check_record(record: Any, line: int, default_source: str) -> ParsedRecord:
    """``validate_record`` with positional arguments, for the JSONL reader's hot loop."""
    return _validate(record, line, default_source, [], None)


def _validate(
    record: Any,
    line: int,
    default_source: str,
    problems: list[Problem],
    turn_lines: list[int] | None,
) -> ParsedRecord:
    if type(record) is not dict:
        problems.append(("(line)", f"must be a JSON object, got {describe(record)}"))
        return ParsedRecord(line, None, _issues(problems, line, None, turn_lines))
    conversation, external_id = _conversation(record, default_source, problems)
    if problems:
        return ParsedRecord(line, None, _issues(problems, line, external_id, turn_lines))
    return _build_parsed_record(line, conversation, ())


def describe(value: Any) -> str:
    """Name a JSON value for an error message: ``null``, ``a number (17)``, ``'agent'``."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _issues(
    problems: list[Problem], line: int, external_id: str | None, turn_lines: list[int] | None
) -> tuple[Issue, ...]:
    suffix = f" ({external_id})" if external_id else ""
    issues = []
    for field, reason in problems:
        issue_line = line
        if turn_lines and field.startswith("turns["):
            index = int(field[6 : field.index("]")])
            if index < len(turn_lines):
                issue_line = turn_lines[index]
        issues.append(Issue(f"line {issue_line}{suffix}", field, reason, issue_line))
    return tuple(issues)


def _conversation(
    record: dict[str, Any], default_source: str, problems: list[Problem]
) -> tuple[Conversation | None, str | None]:
    # One long function on purpose: it runs once per record on the import hot path, and
    # splitting it into a call per field costs more than the checks themselves.
    get = record.get
    if not record.keys() <= _TOP_KEYS:
        problems.extend((key, _UNKNOWN_TOP) for key in record if key not in _TOP_KEYS)

    # Fast path for the usual non-blank string ids; anything else goes through _identifier.
    external_id = get("external_id")
    if type(external_id) is not str or not (external_id := external_id.strip()):
        external_id = _identifier(
            get("external_id"), "external_id", "external_id" in record, problems
        )
    operator = get("operator")
    if type(operator) is not str or not (operator := operator.strip()):
        operator = _identifier(get("operator"), "operator", "operator" in record, problems)

    channel = get("channel")
    if type(channel) is not str or channel not in _CHANNEL_SET:
        reason = (
            _REQUIRED
            if "channel" not in record
            else f"must be one of {_CHANNEL_LIST}, got {describe(channel)}"
        )
        problems.append(("channel", reason))
        channel = None

    raw_started = get("started_at")
    try:
        started_at = _fromisoformat(raw_started)  # TypeError when not a string
        if started_at.tzinfo is None:
            raise ValueError
    except (TypeError, ValueError):
        started_at = None
        if "started_at" in record:
            _time(raw_started, "started_at", problems)
        else:
            problems.append(("started_at", _REQUIRED))
    ended_at = None
    raw_ended = get("ended_at")
    if raw_ended is not None:
        ended_at = _time(raw_ended, "ended_at", problems)
        if ended_at is not None and started_at is not None and ended_at < started_at:
            problems.append(("ended_at", f"must not be before started_at ({raw_started})"))

    source = get("source")
    if source is None or type(source) is str:
        source = (source or "").strip() or default_source
        if not source:
            problems.append(("source", "required: the record has none and no default was given"))
    else:
        problems.append(("source", f"must be a string, got {describe(source)}"))

    texts = []
    for name in _PLAIN_TEXT_FIELDS:
        value = get(name)
        if value is None:
            value = ""
        elif type(value) is not str:
            problems.append((name, f"must be a string, got {describe(value)}"))
        texts.append(value)
    operator_name, team, client_name, topic = texts
    client = get("client")
    if client is None:
        client = ""
    elif type(client) is str:
        client = client.strip()
    else:
        client = _identifier(client, "client", True, problems, allow_empty=True) or ""

    language = get("language")
    if language is None or language == "ru":
        language = "ru"
    elif type(language) is str and _LANGUAGE.search(language):
        language = language.lower()
    else:
        problems.append(
            ("language", f"must be a language code such as ru or en, got {describe(language)}")
        )

    direction = get("direction")
    if direction is None:
        direction = "inbound"
    elif direction == "inbound" or direction == "outbound":
        pass
    elif type(direction) is not str or direction not in _DIRECTION_SET:
        problems.append(
            ("direction", f"must be one of {_DIRECTION_LIST}, got {describe(direction)}")
        )

    tags: tuple[str, ...] = ()
    raw_tags = get("tags")
    if raw_tags is not None:
        tags = _tags(raw_tags, problems)

    meta = get("meta")
    if meta is None:
        meta = {}
    elif type(meta) is not dict:
        problems.append(("meta", f"must be an object, got {describe(meta)}"))

    raw_outcome = get("outcome")
    outcome = _NO_OUTCOME if raw_outcome is None else _outcome(raw_outcome, problems)

    turns: tuple[Turn, ...] = ()
    if "turns" in record:
        turns = _turns(get("turns"), channel, problems)
    else:
        problems.append(("turns", _REQUIRED))

    if problems:
        return None, external_id
    return (
        _build_conversation(
            external_id,
            channel,
            operator,
            started_at,
            turns,
            source,
            operator_name,
            team,
            client,
            client_name,
            language,
            direction,
            ended_at,
            topic,
            tags,
            outcome,
            meta,
        ),
        external_id,
    )


def _identifier(
    value: Any, field: str, present: bool, problems: list[Problem], *, allow_empty: bool = False
) -> str | None:
    """Accept a string or an integer id (real exports write both) and strip it."""
    kind = type(value)
    if kind is str:
        if allow_empty or _NOT_BLANK.search(value):
            return value.strip()
        problems.append((field, "must not be empty"))
        return None
    if kind is int:
        return str(value)
    if kind is float and value.is_integer():
        # JSON Schema counts 17.0 as an integer; agree with it.
        return str(int(value))
    problems.append(
        (field, f"must be a string or an integer, got {describe(value)}" if present else _REQUIRED)
    )
    return None


def _time(value: Any, field: str, problems: list[Problem]) -> datetime | None:
    if type(value) is not str:
        problems.append((field, f"must be a date and time string, got {describe(value)}"))
        return None
    try:
        moment = _fromisoformat(value)
    except ValueError:
        problems.append(
            (field, f"must be an ISO 8601 date and time with a zone offset, got {describe(value)}")
        )
        return None
    if moment.tzinfo is None:
        problems.append((field, f"time has no zone offset, got {describe(value)}"))
        return None
    return moment


def _tags(value: Any, problems: list[Problem]) -> tuple[str, ...]:
    if type(value) is not list:
        problems.append(("tags", f"must be an array of strings, got {describe(value)}"))
        return ()
    tags = tuple([tag.strip() for tag in value if type(tag) is str])
    if len(tags) == len(value) and all(tags):
        return tags
    for index, tag in enumerate(value):
        if type(tag) is not str or not _NOT_BLANK.search(tag):
            problems.append((f"tags[{index}]", f"must be a non-empty string, got {describe(tag)}"))
    return ()


def _integer(value: Any) -> int | None:
    kind = type(value)
    if kind is int:
        return value
    if kind is float and value.is_integer():
        return int(value)
    return None


def _outcome(value: Any, problems: list[Problem]) -> Outcome:
    if type(value) is not dict:
        problems.append(("outcome", f"must be an object, got {describe(value)}"))
        return _NO_OUTCOME
    # The types are part of the key because True == 1 and 5.0 == 5 in Python, and
    # {"csat": True} must not be served the Outcome cached for {"csat": 1}.
    try:
        key: tuple[Any, ...] | None = (*value.items(), *map(type, value.values()))
        outcome = _OUTCOME_CACHE.get(key)  # type: ignore[arg-type]
    except TypeError:  # an unhashable value (a list, an object): certainly an error
        key = outcome = None
    if outcome is not None:
        return outcome
    first_problem = len(problems)
    values: list[Any] = [None] * len(OUTCOME_FIELDS)
    for name, raw in value.items():
        rule = _OUTCOME_RULES.get(name)
        if rule is None:
            problems.append((f"outcome.{name}", _UNKNOWN))
            continue
        if raw is None:
            continue
        index, kind, low, high = rule
        if kind is bool:
            if raw is True or raw is False:
                values[index] = raw
            else:
                problems.append(
                    (f"outcome.{name}", f"must be true, false or null, got {describe(raw)}")
                )
        elif kind is int:
            number = _integer(raw)
            if number is None or number < low or (high is not None and number > high):
                wanted = f"from {low} to {high}" if high is not None else f">= {low}"
                problems.append(
                    (f"outcome.{name}", f"must be an integer {wanted}, got {describe(raw)}")
                )
            else:
                values[index] = number
        elif kind is Decimal:
            values[index] = _amount(raw, problems)
        elif type(raw) is str:
            values[index] = raw
        else:
            problems.append((f"outcome.{name}", f"must be a string, got {describe(raw)}"))
    outcome = _build_outcome(*values)
    # Only valid, repetitive outcomes are kept: amounts and reasons vary per record.
    cacheable = values[_AMOUNT_INDEX] is None and values[_REASON_INDEX] is None
    if key is not None and cacheable and len(problems) == first_problem:
        if len(_OUTCOME_CACHE) >= 4096:
            _OUTCOME_CACHE.clear()
        _OUTCOME_CACHE[key] = outcome
    return outcome


def _amount(value: Any, problems: list[Problem]) -> Decimal | None:
    kind = type(value)
    try:
        if kind is int:
            amount = Decimal(value)
        elif kind is float:
            # repr gives the shortest text that round-trips, so 1500.5 does not become
            # 1500.499999999999...
            amount = Decimal(repr(value))
        elif kind is str and _AMOUNT.search(value):
            amount = Decimal(value)
        else:
            amount = None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        problems.append(
            (
                "outcome.order_amount",
                f"must be a number >= 0 or a decimal string like '1500.50', got {describe(value)}",
            )
        )
        return None
    return amount


def _turns(value: Any, channel: str | None, problems: list[Problem]) -> tuple[Turn, ...]:
    # Hot loop: one pass per turn with inlined fast paths; errors go through helpers.
    if type(value) is not list:
        problems.append(("turns", f"must be an array, got {describe(value)}"))
        return ()
    is_call = channel == "call"
    is_written = channel in WRITTEN_CHANNELS
    turns = []
    append = turns.append
    # Globals copied to locals: each lookup saved counts ten times per record.
    fromisoformat = _fromisoformat
    build = _build_turn
    turn_keys = _TURN_KEYS
    speakers = _SPEAKER_SET
    for index, raw in enumerate(value):
        if type(raw) is not dict:
            problems.append((f"turns[{index}]", f"must be an object, got {describe(raw)}"))
            continue
        first_problem = len(problems)
        get = raw.get
        speaker = get("speaker")
        if type(speaker) is not str or speaker not in speakers:
            reason = (
                _REQUIRED
                if "speaker" not in raw
                else f"must be one of {_SPEAKER_LIST}, got {describe(speaker)}"
            )
            problems.append((f"turns[{index}].speaker", reason))
        text = get("text")
        if type(text) is not str:
            reason = _REQUIRED if "text" not in raw else f"must be a string, got {describe(text)}"
            problems.append((f"turns[{index}].text", reason))
        at = get("at")
        if at is not None:
            try:
                at = fromisoformat(at)  # TypeError when not a string
                if at.tzinfo is None:
                    raise ValueError
            except (TypeError, ValueError):
                _time(get("at"), f"turns[{index}].at", problems)
                at = False  # present but invalid: do not also report it as missing
        # Fast path: a dict holding exactly speaker, text and at (a chat turn) has no room
        # for start, end or unknown keys, so those lookups are skipped.
        size = len(raw)
        if size == (2 if at is None else 3) and speaker is not None and text is not None:
            start = end = None
        elif (
            size == 4
            and at is None
            and type(start := get("start")) is float
            and type(end := get("end")) is float
            and 0 <= start <= end < _INFINITY
            and speaker is not None
            and text is not None
        ):
            pass  # a call turn: speaker, text and a valid start <= end, nothing else
        else:
            start = get("start")
            end = get("end")
            if not raw.keys() <= turn_keys:
                # Unknown keys first, as they are the likeliest cause of the other issues.
                problems[first_problem:first_problem] = [
                    (f"turns[{index}].{key}", _UNKNOWN) for key in raw if key not in turn_keys
                ]
            if start is not None or end is not None:
                start, end = _span(start, end, index, problems)
        if at is None:
            if is_written:
                problems.append((f"turns[{index}].at", f"required for {channel} turns"))
            elif is_call and start is None:
                problems.append((f"turns[{index}]", "a call turn needs at or start"))
        append(build(speaker, text, at, start, end))
    return tuple(turns)


def _span(
    start: Any, end: Any, index: int, problems: list[Problem]
) -> tuple[float | bool | None, float | bool | None]:
    """Check start/end seconds; a present but invalid value comes back as False.

    False (not None) keeps an invalid start from also being reported as missing; the
    record is rejected anyway, so the value never reaches a Turn that is kept.
    """
    checked: list[float | bool | None] = []
    for name, raw in (("start", start), ("end", end)):
        if raw is None:
            checked.append(None)
        elif type(raw) in (int, float) and 0 <= raw < _INFINITY:  # also rejects NaN
            checked.append(float(raw))
        else:
            problems.append(
                (f"turns[{index}].{name}", f"must be a number of seconds >= 0, got {describe(raw)}")
            )
            checked.append(False)
    start_seconds, end_seconds = checked
    if end_seconds is not None and end_seconds is not False:
        if start_seconds is None:
            problems.append((f"turns[{index}].end", "needs start"))
            start_seconds = False  # already reported: not "needs at or start" as well
        elif start_seconds is not False and end_seconds < start_seconds:
            problems.append(
                (f"turns[{index}].end", f"must not be before start ({start}), got {end}")
            )
    return start_seconds, end_seconds
