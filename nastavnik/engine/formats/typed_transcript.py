"""A dialogue typed in by hand («Оператор: …» / «Клиент: …» lines) → turns of the import format.

Mystery shoppers and analysts write down a test contact as plain text, one utterance per
line, each starting with the speaker's label::

    [10:15] Клиент: Здравствуйте, хочу вернуть наушники.
    [10:16] Оператор: Добрый день! Меня зовут Анна. Подскажите номер заказа?
    Клиент: 123-45
    а чек нужен?

* Labels (case-insensitive, ё = е): operator — «Оператор», «Менеджер», «Сотрудник»,
  «Агент», "Operator", "Agent"; client — «Клиент», «Покупатель», «Тайный покупатель»,
  «Абонент», "Client", "Customer", "Shopper"; «Бот»/"Bot"; «Система»/"System".
* A line without a known label continues the previous utterance (kept on a new line).
* An optional time stamp ``HH:MM`` or ``HH:MM:SS`` (in square brackets or not) before the
  label gives the utterance's moment. Only differences between stamps matter: they become
  offsets from the first stamped utterance. An utterance without a stamp takes the moment
  of the one before it, so timing metrics mean something only when times were typed.
  A stamp earlier than the previous one is an error unless it is over 12 hours earlier,
  which is read as crossing midnight.
* Blank lines are ignored.

Problems come back as :class:`~nastavnik.engine.types.Issue` values naming the line; the
parser never raises on text. See docs/mystery-shopper.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from nastavnik.engine.types import WRITTEN_CHANNELS, Issue

FIELD = "transcript"
DAY = 24 * 60 * 60
HALF_DAY = DAY // 2

SPEAKER_LABELS: dict[str, str] = {
    "оператор": "operator",
    "менеджер": "operator",
    "сотрудник": "operator",
    "агент": "operator",
    "operator": "operator",
    "agent": "operator",
    "клиент": "client",
    "покупатель": "client",
    "тайный покупатель": "client",
    "абонент": "client",
    "client": "client",
    "customer": "client",
    "shopper": "client",
    "бот": "bot",
    "bot": "bot",
    "система": "system",
    "system": "system",
}
# The label each speaker is written back with (render).
RENDER_LABELS: dict[str, str] = {
    "operator": "Оператор",
    "client": "Клиент",
    "bot": "Бот",
    "system": "Система",
}

_STAMP = re.compile(r"^\[?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*\]?\s*[-–—]?\s*")
_LABEL = re.compile(r"^([^\W\d_]+(?:\s+[^\W\d_]+)?)\s*:\s?(.*)$")


@dataclass(frozen=True, slots=True)
class TypedTurn:
    """One utterance read from the text: speaker, text, its first line, offset in seconds."""

    speaker: str
    text: str
    line: int
    offset: int


@dataclass(frozen=True, slots=True)
class TypedTranscript:
    """The utterances read from a typed dialogue, or the issues that reject it."""

    turns: tuple[TypedTurn, ...]
    issues: tuple[Issue, ...]

    @property
    def is_valid(self) -> bool:
        return bool(self.turns) and not self.issues


@dataclass
class _Open:
    speaker: str
    lines: list[str]
    line: int
    offset: int


def parse(text: str) -> TypedTranscript:
    """Read a typed dialogue into utterances; every problem is an Issue naming its line."""
    issues: list[Issue] = []
    finished: list[_Open] = []
    current: _Open | None = None
    first_stamp: int | None = None
    previous_moment = 0  # seconds since the first stamp, across midnights
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        stamp, rest = _stamp(line)
        label = _LABEL.match(rest)
        speaker = SPEAKER_LABELS.get(_normal(label.group(1))) if label else None
        if speaker is None:
            if current is None:
                issues.append(_issue(number, "expected a speaker label such as «Оператор:»"))
                continue
            current.lines.append(line)
            continue
        if current is not None:
            finished.append(current)
        offset = previous_moment
        if stamp is not None:
            if first_stamp is None:
                first_stamp = stamp
                offset = 0
            else:
                offset, problem = _next_moment(stamp, first_stamp, previous_moment)
                if problem:
                    issues.append(_issue(number, problem))
        previous_moment = offset
        body = label.group(2).strip() if label else ""
        current = _Open(speaker, [body] if body else [], number, offset)
    if current is not None:
        finished.append(current)
    turns = []
    for item in finished:
        if not item.lines:
            issues.append(_issue(item.line, "the utterance has no text"))
            continue
        turns.append(TypedTurn(item.speaker, "\n".join(item.lines), item.line, item.offset))
    if not finished and not issues:
        issues.append(Issue("line 1", FIELD, "the transcript is empty", 1))
    return TypedTranscript(tuple(turns), tuple(sorted(issues, key=lambda i: i.line or 0)))


def render(turns: list[tuple[str, str]], clocks: list[int | None] | None = None) -> str:
    """Write (speaker, text) pairs back as typed lines (parse(render(x)) gives x back).

    ``clocks`` (seconds since midnight per turn, or None) are written as ``[HH:MM:SS]``
    stamps, so editing a stored dialogue again keeps its timing.
    """
    lines = []
    for index, (speaker, text) in enumerate(turns):
        first, *rest = text.split("\n")
        clock = clocks[index] if clocks is not None else None
        stamp = "" if clock is None else f"[{_clock(clock % DAY, with_seconds=True)}] "
        lines.append(f"{stamp}{RENDER_LABELS.get(speaker, speaker)}: {first}".rstrip())
        lines.extend(rest)
    return "\n".join(lines)


def import_turns(
    transcript: TypedTranscript, *, channel: str, started_at: datetime
) -> list[dict[str, Any]]:
    """Turns in the import format: ``at`` for written channels, ``start``/``end`` for calls."""
    turns: list[dict[str, Any]] = []
    items = transcript.turns
    for index, turn in enumerate(items):
        if channel in WRITTEN_CHANNELS:
            moment = started_at + timedelta(seconds=turn.offset)
            turns.append({"speaker": turn.speaker, "text": turn.text, "at": moment.isoformat()})
            continue
        following = items[index + 1].offset if index + 1 < len(items) else turn.offset
        turns.append(
            {
                "speaker": turn.speaker,
                "text": turn.text,
                "start": float(turn.offset),
                "end": float(max(following, turn.offset)),
            }
        )
    return turns


def duration(transcript: TypedTranscript) -> int:
    """Seconds from the first to the last utterance (0 without time stamps)."""
    return max((turn.offset for turn in transcript.turns), default=0)


def _stamp(line: str) -> tuple[int | None, str]:
    match = _STAMP.match(line)
    if match is None:
        return None, line
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        return None, line
    return hours * 3600 + minutes * 60 + seconds, line[match.end() :]


def _next_moment(stamp: int, first_stamp: int, previous: int) -> tuple[int, str]:
    """Seconds since the first stamp for ``stamp``, given the previous moment."""
    days, previous_clock = divmod(previous + first_stamp, DAY)
    if stamp >= previous_clock:
        return days * DAY + stamp - first_stamp, ""
    if previous_clock - stamp > HALF_DAY:  # past midnight
        return (days + 1) * DAY + stamp - first_stamp, ""
    return previous, (
        f"the time {_clock(stamp)} is earlier than the previous utterance's "
        f"{_clock(previous_clock)}"
    )


def _clock(moment: int, *, with_seconds: bool = False) -> str:
    hours, rest = divmod(moment, 3600)
    minutes, secs = divmod(rest, 60)
    shown = with_seconds or secs
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if shown else "")


def _normal(label: str) -> str:
    return " ".join(label.lower().replace("ё", "е").split())


def _issue(line: int, reason: str) -> Issue:
    return Issue(f"line {line}", FIELD, reason, line)
