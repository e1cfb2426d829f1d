"""Streaming CSV reader: one turn per row, rows grouped into conversations by ``external_id``.

Columns (any order; only ``external_id`` is mandatory in the header, see docs/formats.md):

* conversation: ``external_id source channel operator operator_name team client client_name
  language direction started_at ended_at topic tags meta`` (``tags`` separated by ``;``,
  ``meta`` a JSON object), the outcome fields ``csat helped nps resolved converted cancelled
  missed retention_requested retained escalated transfers order_amount cancel_reason``, and
  ``meta.<key>`` columns whose text goes into ``meta[<key>]``;
* turn: ``speaker text at start end``.

Conversation columns are read from the first row of a group; later rows need only
``external_id`` and the turn columns. A row whose turn columns are all empty adds no turn,
so a missed call is one row. An empty cell means the field is absent.
"""

from __future__ import annotations

import csv
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson

from nastavnik.engine.formats.jsonl import Source, open_binary
from nastavnik.engine.formats.validate import OPTIONAL_FIELDS, Problem, validate_record
from nastavnik.engine.types import OUTCOME_FIELDS, Issue, ParsedRecord

TURN_COLUMNS: tuple[str, ...] = ("speaker", "text", "at", "start", "end")
CONVERSATION_COLUMNS: tuple[str, ...] = (
    ("external_id", "channel", "operator", "started_at")
    + tuple(name for name in OPTIONAL_FIELDS if name != "outcome")
    + OUTCOME_FIELDS
)
META_PREFIX = "meta."
TAG_SEPARATOR = ";"

_TRUE = frozenset({"true", "1", "yes", "y", "да", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "нет", "f"})
_OUTCOME_SET = frozenset(OUTCOME_FIELDS)
_KNOWN_COLUMNS = frozenset(CONVERSATION_COLUMNS + TURN_COLUMNS)
# Exports put whole e-mail threads in one cell; the stdlib default (128 KiB) is too small.
_FIELD_SIZE_LIMIT = 64 * 1024 * 1024


def read_csv(
    source: Source, *, default_source: str, delimiter: str | None = None
) -> Iterator[ParsedRecord]:
    """Yield one ParsedRecord per conversation of a UTF-8 CSV file, in constant memory.

    The delimiter (``,``, ``;`` or tab) is guessed from the header unless given.
    """
    if csv.field_size_limit() < _FIELD_SIZE_LIMIT:
        csv.field_size_limit(_FIELD_SIZE_LIMIT)
    if isinstance(source, str | os.PathLike):
        with open_binary(source) as stream:
            yield from _read_rows(_decoded(stream), default_source, delimiter)
    elif isinstance(source.read(0), bytes):
        yield from _read_rows(_decoded(source), default_source, delimiter)
    else:
        yield from _read_rows(iter(source), default_source, delimiter)


def _decoded(lines: Iterable[bytes]) -> Iterator[str]:
    """Decode line by line, so that a byte that is not UTF-8 is reported at its own line."""
    # Splitting on b"\n" keeps "\r\n" inside quoted cells for the csv module to join.
    for number, line in enumerate(lines):
        yield line.decode("utf-8-sig" if number == 0 else "utf-8")


def _read_rows(
    lines: Iterator[str], default_source: str, delimiter: str | None
) -> Iterator[ParsedRecord]:
    try:
        first = next(lines, "").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        yield _unreadable(error, 1, None)
        return
    if not first:
        return  # an empty file holds no records
    if delimiter is None:
        delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as error:
        yield _unreadable(error, 1, None)
        return
    columns, problems = _check_header(header)
    if problems:
        yield ParsedRecord(1, None, tuple(Issue("line 1", f, r, 1) for f, r in problems))
        return
    yield from _group_rows(reader, columns, default_source)


def _unreadable(error: Exception, line: int, group: _Group | None) -> ParsedRecord:
    """Report a line that cannot be read; the conversation being collected goes with it."""
    if isinstance(error, UnicodeDecodeError):
        why = f"it is not UTF-8 text ({error.reason} at byte {error.start + 1})"
    else:
        why = str(error)
    reason = f"cannot read line {line}: {why}; the rest of the file is skipped"
    if group is None:
        return ParsedRecord(line, None, (Issue(f"line {line}", "(file)", reason, line),))
    name = f"line {group.line} ({group.external_id})" if group.external_id else f"line {line}"
    return ParsedRecord(group.line, None, (Issue(name, "(file)", reason, line),))


def _check_header(header: list[str]) -> tuple[list[str], list[Problem]]:
    columns = [cell.strip() for cell in header]
    problems: list[Problem] = []
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            problems.append((name, "column appears twice in the header"))
        seen.add(name)
        if name not in _KNOWN_COLUMNS and not (
            name.startswith(META_PREFIX) and len(name) > len(META_PREFIX)
        ):
            problems.append((name or "(empty)", "unknown column (extra data goes in meta.<key>)"))
    if "external_id" not in seen:
        problems.append(("external_id", "required column is missing"))
    return columns, problems


class _Group:
    """Rows of one conversation being collected."""

    __slots__ = ("external_id", "line", "first_row", "turns", "turn_lines", "problems", "repeat")

    def __init__(self, external_id: str, line: int, first_row: list[str], repeat: int | None):
        self.external_id = external_id
        self.line = line
        self.first_row = first_row
        self.turns: list[dict[str, Any]] = []
        self.turn_lines: list[int] = []
        self.problems: list[Problem] = []
        self.repeat = repeat


def _group_rows(reader: Any, columns: list[str], default_source: str) -> Iterator[ParsedRecord]:
    width = len(columns)
    id_index = columns.index("external_id")
    # A missing turn column reads the empty cell appended to every row (index ``width``).
    speaker, text, at, start, end = (
        columns.index(name) if name in columns else width for name in TURN_COLUMNS
    )
    turn_indexes = (speaker, text, at, start, end)
    conversation_columns = [
        (index, name, _converter(name))
        for index, name in enumerate(columns)
        if name not in TURN_COLUMNS
    ]
    # Memory grows with the number of distinct ids (not rows); needed to catch split groups.
    first_lines: dict[str, int] = {}
    group: _Group | None = None
    previous_end = reader.line_num
    try:
        for row in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if not row:
                continue
            if len(row) != width:
                extra = row[width:]
                row = row[:width] + [""] * (width - len(row))
            else:
                extra = None
            row.append("")
            external_id = row[id_index].strip()
            if not external_id and not any(cell.strip() for cell in row):
                continue  # a row of empty cells, as spreadsheets leave at the end
            if group is None or external_id != group.external_id:
                if group is not None:
                    yield _finish(group, conversation_columns, default_source)
                repeat = first_lines.get(external_id) if external_id else None
                if repeat is None:
                    first_lines[external_id] = line
                group = _Group(external_id, line, row, repeat)
            if extra and any(cell.strip() for cell in extra):
                group.problems.append(
                    ("(row)", f"line {line} has {width + len(extra)} cells, the header has {width}")
                )
            turn = _turn(row, turn_indexes)
            if turn is not None:
                group.turns.append(turn)
                group.turn_lines.append(line)
    except (UnicodeDecodeError, csv.Error) as error:
        # A decoding error is raised before the csv module counts the line; a csv.Error after.
        line = reader.line_num + (1 if isinstance(error, UnicodeDecodeError) else 0)
        yield _unreadable(error, line, group)
        return
    if group is not None:
        yield _finish(group, conversation_columns, default_source)


def _turn(row: list[str], indexes: tuple[int, int, int, int, int]) -> dict[str, Any] | None:
    speaker_index, text_index, at_index, start_index, end_index = indexes
    speaker = row[speaker_index].strip()
    text = row[text_index]
    at = row[at_index].strip()
    start = row[start_index].strip()
    end = row[end_index].strip()
    if not (speaker or text or at or start or end):
        return None
    turn: dict[str, Any] = {"text": text}
    if speaker:
        turn["speaker"] = speaker
    if at:
        turn["at"] = at
    if start:
        turn["start"] = _to_seconds(start)
    if end:
        turn["end"] = _to_seconds(end)
    return turn


def _finish(
    group: _Group,
    conversation_columns: list[tuple[int, str, Callable[[str], Any]]],
    default_source: str,
) -> ParsedRecord:
    if group.repeat is not None:
        reason = (
            "rows of one conversation must be consecutive; "
            f"{group.external_id!r} already appeared at line {group.repeat}"
        )
        issue = Issue(f"line {group.line} ({group.external_id})", "external_id", reason, group.line)
        return ParsedRecord(group.line, None, (issue,))
    record: dict[str, Any] = {}
    outcome: dict[str, Any] = {}
    extra_meta: dict[str, str] = {}
    first_row = group.first_row
    for index, name, convert in conversation_columns:
        cell = first_row[index]
        if not cell.strip():
            continue
        if name in _OUTCOME_SET:
            outcome[name] = convert(cell)
        elif name.startswith(META_PREFIX):
            extra_meta[name[len(META_PREFIX) :]] = cell.strip()
        else:
            record[name] = convert(cell)
    if outcome:
        record["outcome"] = outcome
    if extra_meta:
        meta = record.setdefault("meta", {})
        if isinstance(meta, dict):
            meta.update(extra_meta)
    record["turns"] = group.turns
    return validate_record(
        record,
        line=group.line,
        default_source=default_source,
        turn_lines=group.turn_lines,
        extra_problems=group.problems,
    )


def _converter(name: str) -> Callable[[str], Any]:
    if name in ("csat", "nps", "transfers"):
        return _to_integer
    if name in _OUTCOME_SET and name not in ("order_amount", "cancel_reason"):
        return _to_boolean
    return {
        "order_amount": _to_amount,
        "tags": _to_tags,
        "meta": _to_meta,
        "cancel_reason": str,
    }.get(name, str.strip)


# Converters return the cell unchanged when they cannot read it, so the validator reports
# it with the same message as in JSONL ("must be an integer from 1 to 5, got 'пять'").
def _to_integer(cell: str) -> int | str:
    try:
        return int(cell.strip())
    except ValueError:
        return cell


def _to_boolean(cell: str) -> bool | str:
    word = cell.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return cell


def _to_seconds(cell: str) -> float | str:
    try:
        return float(cell.strip().replace(",", "."))
    except ValueError:
        return cell


def _to_amount(cell: str) -> str:
    # Russian spreadsheets write "1 500,50" (space or no-break space for thousands).
    return cell.replace(" ", "").replace("\u00a0", "").replace(",", ".")


def _to_tags(cell: str) -> list[str]:
    return [tag.strip() for tag in cell.split(TAG_SEPARATOR) if tag.strip()]


def _to_meta(cell: str) -> Any:
    try:
        return orjson.loads(cell)
    except orjson.JSONDecodeError:
        return cell
