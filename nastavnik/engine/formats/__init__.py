"""Streaming readers and writers for conversation import files (JSON Lines and CSV).

Readers yield one :class:`~nastavnik.engine.types.ParsedRecord` at a time: a Conversation,
or every Issue (line, field, reason) that rejects the record. The format is documented in
``docs/formats.md``; the JSON Schema ships as ``schema.json`` (see :func:`load_schema`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from nastavnik.engine.formats.csv_turns import read_csv
from nastavnik.engine.formats.jsonl import (
    Source,
    conversation_to_record,
    parse_lines,
    read_jsonl,
    write_jsonl_record,
)
from nastavnik.engine.formats.validate import load_schema, validate_record
from nastavnik.engine.types import ParsedRecord

__all__ = [
    "FORMATS",
    "Source",
    "conversation_to_record",
    "format_for_path",
    "load_schema",
    "parse_lines",
    "read_csv",
    "read_file",
    "read_jsonl",
    "validate_record",
    "write_jsonl_record",
]

FORMATS: tuple[str, ...] = ("jsonl", "csv")
_EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jl": "jsonl",
    ".json": "jsonl",  # read as JSON Lines: one object per line, not one big array
    ".csv": "csv",
    ".tsv": "csv",
}


def format_for_path(path: str | os.PathLike[str]) -> str:
    """Return ``jsonl`` or ``csv`` for a file name (``.gz`` is looked through)."""
    name = os.fspath(path).lower().removesuffix(".gz")
    extension = os.path.splitext(name)[1]
    try:
        return _EXTENSIONS[extension]
    except KeyError:
        known = ", ".join(sorted(_EXTENSIONS))
        raise ValueError(
            f"cannot tell the format of {os.fspath(path)!r}: expected one of {known} "
            "(optionally .gz), or pass format='jsonl' or 'csv'"
        ) from None


def read_file(
    path: str | os.PathLike[str], *, default_source: str, format: str | None = None
) -> Iterator[ParsedRecord]:
    """Read a JSONL or CSV file (optionally gzipped), choosing the format by extension."""
    chosen = format or format_for_path(path)
    if chosen == "jsonl":
        return read_jsonl(path, default_source=default_source)
    if chosen == "csv":
        is_tsv = os.fspath(path).lower().removesuffix(".gz").endswith(".tsv")
        return read_csv(path, default_source=default_source, delimiter="\t" if is_tsv else None)
    raise ValueError(f"unknown format {chosen!r}: expected one of {', '.join(FORMATS)}")
