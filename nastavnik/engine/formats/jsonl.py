"""Streaming JSON Lines reader and writer for conversation records (see docs/formats.md)."""

from __future__ import annotations

import gzip
import itertools
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

import orjson

from nastavnik.engine.formats.validate import check_record
from nastavnik.engine.types import Conversation, Issue, ParsedRecord, Turn

Source = str | os.PathLike[str] | IO[bytes] | IO[str]
"""A path (``.gz`` is decompressed on the fly) or an open binary or text stream."""

_BOM_BYTES = b"\xef\xbb\xbf"
_BOM_TEXT = "\ufeff"


@contextmanager
def open_binary(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """Open a file for reading bytes, decompressing it when the name ends in ``.gz``."""
    if os.fspath(path).lower().endswith(".gz"):
        with gzip.open(path, "rb") as stream:
            yield stream
    else:
        with open(path, "rb") as stream:
            yield stream


def read_jsonl(source: Source, *, default_source: str) -> Iterator[ParsedRecord]:
    """Yield one ParsedRecord per non-blank line of a JSON Lines file, in constant memory."""
    if isinstance(source, str | os.PathLike):
        with open_binary(source) as stream:
            yield from parse_lines(stream, default_source=default_source)
    else:
        yield from parse_lines(source, default_source=default_source)


def parse_lines(
    lines: Iterable[bytes | str], *, default_source: str, first_line: int = 1
) -> Iterator[ParsedRecord]:
    """Parse an iterable of JSON lines (bytes or str); blank lines are skipped silently.

    ``first_line`` is the number of the first line, for a chunk cut from a larger file.
    """
    iterator = iter(lines)
    first = next(iterator, None)
    if first is None:
        return
    # Windows tools write a byte order mark; orjson refuses it.
    if isinstance(first, bytes):
        first = first.removeprefix(_BOM_BYTES)
    else:
        first = first.removeprefix(_BOM_TEXT)
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    check = check_record
    for number, line in enumerate(itertools.chain((first,), iterator), first_line):
        try:
            record = loads(line)
        except decode_error as error:
            # Blank lines are checked only here, off the fast path.
            if not line.strip():
                continue
            # Past the first line of the text means past the line break: the end of the line.
            where = f"column {error.colno}" if error.lineno == 1 else "the end of the line"
            reason = f"not valid JSON: {error.msg} at {where}"
            yield ParsedRecord(number, None, (Issue(f"line {number}", "(line)", reason, number),))
            continue
        yield check(record, number, default_source)


def conversation_to_record(conversation: Conversation) -> dict[str, Any]:
    """Turn a Conversation back into a JSONL record (the inverse of parsing)."""
    outcome = conversation.outcome
    amount = outcome.order_amount
    return {
        "external_id": conversation.external_id,
        "source": conversation.source,
        "channel": conversation.channel,
        "operator": conversation.operator,
        "operator_name": conversation.operator_name,
        "team": conversation.team,
        "client": conversation.client,
        "client_name": conversation.client_name,
        "language": conversation.language,
        "direction": conversation.direction,
        "started_at": conversation.started_at.isoformat(),
        "ended_at": conversation.ended_at.isoformat()
        if conversation.ended_at is not None
        else None,
        "topic": conversation.topic,
        "tags": list(conversation.tags),
        "turns": [_turn_to_record(turn) for turn in conversation.turns],
        "outcome": {
            "csat": outcome.csat,
            "helped": outcome.helped,
            "nps": outcome.nps,
            "resolved": outcome.resolved,
            "converted": outcome.converted,
            "cancelled": outcome.cancelled,
            "missed": outcome.missed,
            "retention_requested": outcome.retention_requested,
            "retained": outcome.retained,
            "escalated": outcome.escalated,
            "transfers": outcome.transfers,
            # A string keeps the exact decimal (a JSON number would go through float).
            "order_amount": format(amount, "f") if amount is not None else None,
            "cancel_reason": outcome.cancel_reason,
        },
        "meta": conversation.meta,
    }


def write_jsonl_record(conversation: Conversation) -> bytes:
    """Serialise a Conversation as one JSON line, newline included."""
    return orjson.dumps(conversation_to_record(conversation), option=orjson.OPT_APPEND_NEWLINE)


def _turn_to_record(turn: Turn) -> dict[str, Any]:
    record: dict[str, Any] = {"speaker": turn.speaker, "text": turn.text}
    if turn.at is not None:
        record["at"] = turn.at.isoformat()
    if turn.start is not None:
        record["start"] = turn.start
    if turn.end is not None:
        record["end"] = turn.end
    return record
