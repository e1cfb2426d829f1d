"""The read-and-prepare half of an import: file → batches of prepared rows and issues.

Parsing, validation, PII masking, metrics and hashing need no database, so for JSON Lines
they can run in worker processes (``workers >= 1``) while the importing process only
resolves operators and writes. Chunks are processed in file order and at most two per
worker are in flight, so memory stays flat in the file size. CSV groups rows by
conversation across lines and is read in one process.
"""

from __future__ import annotations

import gzip
import multiprocessing
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import connections

from nastavnik.conversations.mappers import PreparedRow, prepare_row
from nastavnik.engine import formats, types


@dataclass
class PreparedBatch:
    """Rows ready to write, the issues of rejected records, and how far the file was read."""

    rows: list[PreparedRow] = field(default_factory=list)
    issues: list[types.Issue] = field(default_factory=list)
    records: int = 0
    rejected: int = 0
    bytes_read: int = 0


def file_kind(path: Path, file_format: str | None) -> str:
    """``csv`` or ``jsonl``, from the explicit format or the file name."""
    if file_format:
        return file_format
    name = path.name.lower().removesuffix(".gz")
    return "csv" if name.endswith((".csv", ".tsv")) else "jsonl"


def prepared_batches(
    path: Path,
    *,
    source: str,
    mask: bool,
    batch_size: int,
    workers: int = 0,
    file_format: str | None = None,
) -> Iterator[PreparedBatch]:
    """Read the file and yield prepared batches in file order.

    ``workers`` processes prepare JSON Lines chunks while this process writes; with 0 all
    the work happens here.
    """
    kind = file_kind(path, file_format)
    with path.open("rb") as raw:
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if path.name.lower().endswith(".gz") else raw
        if workers >= 1 and kind == "jsonl":
            yield from _parallel(stream, raw, source, mask, batch_size, workers)
        else:
            reader = formats.read_csv if kind == "csv" else formats.read_jsonl
            yield from _serial(reader(stream, default_source=source), raw, mask, batch_size)


def _serial(
    records: Iterator[types.ParsedRecord], raw: IO[bytes], mask: bool, size: int
) -> Iterator[PreparedBatch]:
    batch = PreparedBatch()
    for parsed in records:
        _add(batch, parsed, mask)
        if len(batch.rows) >= size:
            batch.bytes_read = raw.tell()
            yield batch
            batch = PreparedBatch()
    batch.bytes_read = raw.tell()
    if batch.records:
        yield batch


def _add(batch: PreparedBatch, parsed: types.ParsedRecord, mask: bool) -> None:
    batch.records += 1
    if parsed.issues or parsed.conversation is None:
        batch.rejected += 1
        batch.issues.extend(parsed.issues)
    else:
        batch.rows.append(prepare_row(parsed.conversation, mask=mask))


def prepare_lines(lines: list[bytes], first_line: int, source: str, mask: bool) -> PreparedBatch:
    """Parse and prepare one chunk of JSON lines (runs in a worker process)."""
    batch = PreparedBatch()
    for parsed in formats.parse_lines(lines, default_source=source, first_line=first_line):
        _add(batch, parsed, mask)
    return batch


def _chunks(stream: IO[bytes], size: int) -> Iterator[tuple[list[bytes], int]]:
    chunk: list[bytes] = []
    first_line = 1
    number = 0
    for number, line in enumerate(stream, 1):  # noqa: B007 (number is used after the loop)
        chunk.append(line)
        if len(chunk) >= size:
            yield chunk, first_line
            chunk = []
            first_line = number + 1
    if chunk:
        yield chunk, first_line


def _parallel(
    stream: IO[bytes], raw: IO[bytes], source: str, mask: bool, size: int, workers: int
) -> Iterator[PreparedBatch]:
    # Forked children must not share the parent's database sockets. Inside a transaction
    # (a test) the connection must stay open; the children never touch it and leave with
    # os._exit, so nothing of it is closed or reused from their side.
    if not any(conn.in_atomic_block for conn in connections.all()):
        connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        in_flight: deque = deque()
        for lines, first_line in _chunks(stream, size):
            in_flight.append(
                (pool.apply_async(prepare_lines, (lines, first_line, source, mask)), raw.tell())
            )
            if len(in_flight) >= 2 * workers:
                yield _collect(in_flight.popleft())
        while in_flight:
            yield _collect(in_flight.popleft())


def _collect(item) -> PreparedBatch:
    pending, bytes_read = item
    batch = pending.get()
    batch.bytes_read = bytes_read
    return batch
