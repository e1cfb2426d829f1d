"""Phrase lists (lexicons) for auto-QA, read from editable text files.

A lexicon is ``<dir>/<language>/<name>.txt``: one phrase per line, ``#`` starts a comment.
In ``negative_phrases`` a line reads ``negative phrase => positive alternative``; the
alternative is what the operator is shown as a suggestion. ``*`` in a phrase stands for
exactly one arbitrary word, ``{name}`` for any first name («я {name}»).

The shipped lists live in ``nastavnik/engine/data/lexicons``. A company adds its own
directories (``extra_dirs``) laid out the same way; their files extend the shipped list of
the same name, in order. In such a file a line ``-phrase`` removes a phrase loaded before
it, and a line ``!replace`` drops everything loaded before it (the file replaces the list).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nastavnik.engine.text.morph import LEXICON_ROOT, SPELLINGS_FILE, fold

LANGUAGES: tuple[str, ...] = ("ru", "en")
"""Languages with shipped lexicons; other conversation languages fall back to the first."""

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_REPLACE = "!replace"

PathLike = str | os.PathLike[str]


class LexiconError(ValueError):
    """A lexicon that does not exist or a line that cannot be read."""


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """One line of a lexicon: the phrase and, for negative phrases, the suggested wording."""

    phrase: str
    alternative: str = ""


def load_lexicon(
    name: str, language: str, *, extra_dirs: Sequence[PathLike] = ()
) -> tuple[LexiconEntry, ...]:
    """Read a lexicon: the shipped file, then each ``extra_dirs`` file of the same name."""
    if not _NAME.fullmatch(name):
        raise LexiconError(f"bad lexicon name {name!r}: use lower-case letters, digits and _")
    paths = [
        path
        for path in (Path(root) / language / f"{name}.txt" for root in _roots(extra_dirs))
        if path.is_file()
    ]
    if not paths:
        known = ", ".join(available_lexicons(language, extra_dirs=extra_dirs)) or "none"
        raise LexiconError(f"no lexicon {name!r} for language {language!r} (known: {known})")
    entries: dict[str, LexiconEntry] = {}
    for path in paths:
        _read_into(entries, path)
    return tuple(entries.values())


def available_lexicons(language: str, *, extra_dirs: Sequence[PathLike] = ()) -> list[str]:
    """Names of the lexicons that exist for a language, sorted."""
    names = {
        path.stem
        for root in _roots(extra_dirs)
        for path in (Path(root) / language).glob("*.txt")
        if path.name != SPELLINGS_FILE
    }
    return sorted(names)


def parse_lexicon(lines: Iterable[str], *, source: str = "<text>") -> tuple[LexiconEntry, ...]:
    """Read lexicon lines (the file format above) into entries, without ``-``/``!replace``."""
    entries: dict[str, LexiconEntry] = {}
    _parse_into(entries, lines, source)
    return tuple(entries.values())


def _roots(extra_dirs: Sequence[PathLike]) -> list[PathLike]:
    return [LEXICON_ROOT, *extra_dirs]


def _read_into(entries: dict[str, LexiconEntry], path: Path) -> None:
    with path.open(encoding="utf-8-sig") as lines:
        _parse_into(entries, lines, str(path))


def _parse_into(entries: dict[str, LexiconEntry], lines: Iterable[str], source: str) -> None:
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line == _REPLACE:
            entries.clear()
            continue
        if line.startswith("-"):
            entries.pop(_key(line[1:].partition("=>")[0]), None)
            continue
        phrase, arrow, alternative = (part.strip() for part in line.partition("=>"))
        if not phrase or (arrow and not alternative):
            raise LexiconError(f"{source}, line {number}: expected 'phrase' or 'phrase => text'")
        entries[_key(phrase)] = LexiconEntry(phrase, alternative)


def _key(phrase: str) -> str:
    return " ".join(fold(phrase).split())
