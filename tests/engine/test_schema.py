"""schema.json: a valid JSON Schema that agrees with the hand-written validator."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from nastavnik.engine.formats import load_schema, validate_record
from nastavnik.engine.formats.validate import OPTIONAL_FIELDS, REQUIRED_FIELDS, TURN_FIELDS
from nastavnik.engine.types import CHANNELS, DIRECTIONS, OUTCOME_FIELDS, SPEAKERS

VALIDATOR = jsonschema.Draft202012Validator(load_schema())


def hand_valid(record: Any) -> bool:
    return validate_record(record, line=1, default_source="test").is_valid


def schema_valid(record: Any) -> bool:
    return VALIDATOR.is_valid(record)


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(load_schema())


def test_schema_lists_exactly_the_fields_of_the_contract() -> None:
    schema = load_schema()
    assert set(schema["properties"]) == set(REQUIRED_FIELDS + OPTIONAL_FIELDS)
    assert schema["required"] == list(REQUIRED_FIELDS)
    assert set(schema["$defs"]["turn"]["properties"]) == set(TURN_FIELDS)
    assert tuple(schema["$defs"]["outcome"]["properties"]) == OUTCOME_FIELDS
    assert schema["properties"]["channel"]["enum"] == list(CHANNELS)
    assert schema["$defs"]["turn"]["properties"]["speaker"]["enum"] == list(SPEAKERS)
    assert schema["properties"]["direction"]["enum"] == [*DIRECTIONS, None]


def test_every_field_has_a_description() -> None:
    schema = load_schema()
    for name, field in schema["properties"].items():
        assert field.get("description"), name
    for name, field in schema["$defs"]["outcome"]["properties"].items():
        assert field.get("description"), name


def test_examples_are_valid_for_both_validators() -> None:
    examples = load_schema()["examples"]
    assert len(examples) == 2
    for example in examples:
        assert schema_valid(example)
        assert hand_valid(example)


def test_load_schema_returns_a_fresh_copy() -> None:
    schema = load_schema()
    schema["title"] = "changed"
    assert load_schema()["title"] == "Nastavnik conversation record"


# --- agreement ------------------------------------------------------------------------------
# Records are built valid, then broken by random mutations. Semantic rules JSON Schema cannot
# express (real calendar dates, ended_at >= started_at, end >= start, a default source) are
# kept true by construction and tested by example in test_formats_jsonl.py.

STARTED = "2026-03-02T10:15:00+03:00"
LATER_TIMES = st.sampled_from(
    [
        "2026-03-02T10:15:00+03:00",
        "2026-03-02T10:20:00Z",
        "2026-03-02 10:30:00.5+0300",
        "2026-03-02T11:00+03:00",
        "2026-03-03T00:00:00.123456-05:00",
    ]
)
BAD_TIMES = st.sampled_from(
    ["2026-03-02T10:15:00", "2026-03-02", "вчера", "", "10:15", "2026-03-02T10:15:00 МСК"]
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-2, max_value=12)  # around every bound of the contract
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.sampled_from([0.0, 1.0, 4.5, 5.0, -0.5])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=6,
)
NAMES = st.text(min_size=1, max_size=8)


@st.composite
def valid_turn(draw: st.DrawFn, channel: str) -> dict[str, Any]:
    turn: dict[str, Any] = {"speaker": draw(st.sampled_from(SPEAKERS)), "text": draw(st.text())}
    timing = draw(st.sampled_from(["at", "start", "both"] if channel == "call" else ["at"]))
    if timing in ("at", "both"):
        turn["at"] = draw(LATER_TIMES)
    if timing in ("start", "both"):
        start = draw(st.integers(0, 100) | st.floats(0, 100))
        turn["start"] = start
        if draw(st.booleans()):
            turn["end"] = start + draw(st.integers(0, 10))
    return turn


@st.composite
def valid_record(draw: st.DrawFn) -> dict[str, Any]:
    channel = draw(st.sampled_from(CHANNELS))
    record: dict[str, Any] = {
        "external_id": draw(st.text(min_size=1).filter(str.strip) | st.integers()),
        "channel": channel,
        "operator": draw(st.text(min_size=1).filter(str.strip) | st.integers()),
        "started_at": STARTED,
        "turns": draw(st.lists(valid_turn(channel), max_size=4)),
    }
    optional = {
        "source": st.none() | st.text(max_size=6),
        "operator_name": st.none() | st.text(max_size=6),
        "client": st.none() | st.text(max_size=6) | st.integers(),
        "language": st.sampled_from([None, "ru", "en", "RU", "ru-RU", "kk_KZ"]),
        "direction": st.sampled_from([None, *DIRECTIONS]),
        "ended_at": st.none() | LATER_TIMES,
        "tags": st.none() | st.lists(st.text(min_size=1, max_size=5).filter(str.strip)),
        "meta": st.none() | st.dictionaries(st.text(max_size=4), JSON_VALUES, max_size=3),
        "outcome": st.none() | valid_outcome(),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            record[name] = draw(strategy)
    return record


@st.composite
def valid_outcome(draw: st.DrawFn) -> dict[str, Any]:
    values = {
        "csat": st.none() | st.integers(1, 5),
        "nps": st.none() | st.integers(0, 10),
        "transfers": st.none() | st.integers(0, 50),
        "order_amount": st.none()
        | st.integers(0, 10**9)
        | st.floats(0, 1e9)
        | st.sampled_from(["0", "1500", "1500.50"]),
        "cancel_reason": st.none() | st.text(max_size=10),
    }
    outcome = {}
    for name in OUTCOME_FIELDS:
        if draw(st.booleans()):
            outcome[name] = draw(values.get(name, st.none() | st.booleans()))
    return outcome


TOP_FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
_NUMBERS = [-1, 0, 1, 4.5, 5, 5.0, 6, 10, 11, True, "5", None]
# Values next to the edge of each rule, where two validators are most likely to differ.
TRICKY: dict[str, list[Any]] = {
    "external_id": ["", "  ", " x ", 0, -7, 1.0, 1.5, True, None],
    "operator": ["", "\t", 3, 3.0, False, None],
    "client": ["", " ", 3, 2.5, None],
    "source": ["", " ", None, 1],
    "channel": ["call", "chat", "CHAT", "sms", "", None],
    "direction": ["inbound", "outbound", "in", None, 1],
    "language": ["", "r", "ru", "rus", "russ", "ru_", "ru-RU", "ru-", "RU", "ru-ru-x", "ру"],
    "tags": [[], [""], [" "], ["a", 1], "a", None],
    "meta": [{}, [], "x", None, {"a": [1]}],
    "turns": [[], {}, [None], [[]], None],
    "csat": _NUMBERS,
    "nps": _NUMBERS,
    "transfers": _NUMBERS,
    "order_amount": ["0", "12", "12.5", "12.", ".5", "-5", "1e3", "1,5", " 12", 0, -0.01, 1e20],
    "cancel_reason": ["", 0, None],
    "speaker": [*SPEAKERS, "agent", "", None],
    "text": ["", 0, None, []],
    "start": [0, -0.1, 0.5, 1e9, "1", None, True],
    "end": [0, 1000, -1, "2", None, False],
    "at": [STARTED, "2026-03-02T10:15:00", "2026-03-02", None, 0],
    "started_at": [STARTED, "2026-03-02T10:15:00", "2026-03-02", "", None, 0],
    "ended_at": ["2026-03-02T11:00:00+03:00", "2026-03-02T11:00:00", "x", None, 0],
}


PLACES = (
    [("record", name) for name in TOP_FIELDS]
    + [("outcome", name) for name in OUTCOME_FIELDS]
    + [("turn", name) for name in TURN_FIELDS]
)


def _target(record: dict[str, Any], place: str, turn_index: int) -> dict[str, Any] | None:
    """The dict a mutation at ``place`` applies to, created when needed."""
    if place == "record":
        return record
    if place == "outcome":
        if not isinstance(record.get("outcome"), dict):
            record["outcome"] = {}
        return record["outcome"]
    turns = record.get("turns")
    if not isinstance(turns, list) or not turns:
        return None
    turn = turns[turn_index % len(turns)]
    return turn if isinstance(turn, dict) else None


@st.composite
def mutated_record(draw: st.DrawFn) -> Any:
    """A valid record with up to three fields replaced, dropped or added, anywhere."""
    record = draw(valid_record())
    for _ in range(draw(st.integers(0, 3))):
        place, name = draw(st.sampled_from(PLACES))
        target = _target(record, place, draw(st.integers(0, 5)))
        if target is None:
            continue
        action = draw(st.sampled_from(["tricky", "tricky", "tricky", "json", "drop", "add"]))
        if action == "drop":
            target.pop(name, None)
        elif action == "add":
            target[draw(NAMES)] = draw(JSON_VALUES)  # most likely an unknown key
        elif action == "json":
            target[name] = draw(JSON_VALUES)
        else:
            target[name] = draw(st.sampled_from(TRICKY.get(name, [True, None, "x"])))
    if draw(st.integers(0, 20)) == 0:
        return draw(JSON_VALUES)  # not even an object, now and then
    return record


def _end_before_start(record: Any) -> bool:
    """True when a turn ends before it starts: a rule only the hand validator can check."""
    turns = record.get("turns") if isinstance(record, dict) else None
    if not isinstance(turns, list):
        return False
    for turn in turns:
        if not isinstance(turn, dict):
            continue
        start, end = turn.get("start"), turn.get("end")
        numbers = all(type(value) in (int, float) for value in (start, end))
        if numbers and end < start:
            return True
    return False


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_record())
def test_generated_valid_records_pass_both(record: dict[str, Any]) -> None:
    assert schema_valid(record)
    assert hand_valid(record)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_record())
def test_hand_validator_and_schema_agree(record: Any) -> None:
    # given a record that may have been broken anywhere
    assume(not _end_before_start(record))
    original = copy.deepcopy(record)
    # when both validators judge it
    # then they agree, and validation does not change the record
    verdict = hand_valid(record)
    event("valid" if verdict else "invalid")
    assert verdict == schema_valid(record)
    assert record == original


def test_every_tricky_value_of_every_field_is_judged_alike() -> None:
    # given a valid chat and call, and each field set in turn to each value near its edge
    bases = [
        {
            "external_id": "c",
            "channel": channel,
            "operator": "o",
            "started_at": STARTED,
            "turns": [{"speaker": "client", "text": "", "at": STARTED, "start": 1, "end": 2}],
            "outcome": {},
        }
        for channel in ("chat", "call")
    ]
    disagreements = []
    for base in bases:
        for place, name in PLACES:
            for value in TRICKY.get(name, [True, None, "x"]):
                record = copy.deepcopy(base)
                target = _target(record, place, 0)
                assert target is not None
                target[name] = value
                if _end_before_start(record):
                    continue
                if hand_valid(record) != schema_valid(record):
                    disagreements.append((base["channel"], place, name, value))
    # then the hand validator and the schema never disagree
    assert disagreements == []


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_arbitrary_json_is_rejected_by_both(value: Any) -> None:
    assert hand_valid(value) is False
    assert schema_valid(value) is False
