"""Timing: turn composed lines into contract turns with ``at`` times or call seconds.

Written channels: the client mostly waits 20 s – 3 min for an answer, sometimes 20–60 min (a
queue) or 4–16 min (an operator slow to pick up); calls: speech-rate durations, short gaps,
holds, dead air and a few overlaps, and about 30 % look like raw speech recognition.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from math import log

from nastavnik.demodata import dialogue as dlg
from nastavnik.demodata.phrases import client as cl
from nastavnik.demodata.phrases import style

_WORDS_PER_SECOND: dict[str, float] = {"elderly": 1.7, "hurry": 3.0, "angry": 2.8}


def render(
    dialogue: dlg.Dialogue, started: datetime, channel: str
) -> tuple[list[dict], datetime, float | None]:
    """Turn composed lines into contract turns; return them, ``ended_at`` and the first wait.

    The first wait is the seconds from the client's first line to the operator's first one
    (None for calls, whose timing is in the turns' ``start``/``end``).
    """
    if channel == "call":
        return _render_call(dialogue, started)
    if channel == "email":
        stamps = _stamps(started, [at for _, _, at in dialogue.turns])
        turns = [
            {"speaker": speaker, "text": text, "at": at}
            for (speaker, text, _), at in zip(dialogue.turns, stamps, strict=True)
        ]
        first_wait = next((at for speaker, _, at in dialogue.turns if speaker == "operator"), None)
        ended = started + timedelta(seconds=dialogue.turns[-1][2])
        return turns, ended, first_wait
    return _render_written(dialogue, started)


_TWO_DIGITS = tuple(f"{number:02d}" for number in range(100))


def _stamps(started: datetime, offsets: list[int]) -> list[str]:
    """ISO times ``offset`` seconds after ``started`` (fast path within the same day)."""
    prefix = started.isoformat()[:11]
    base = started.hour * 3600 + started.minute * 60 + started.second
    two = _TWO_DIGITS
    out = []
    for offset in offsets:
        total = base + offset
        if total >= 86_400:
            out.append((started + timedelta(seconds=offset)).isoformat())
            continue
        hours, rest = divmod(total, 3600)
        minutes, seconds = divmod(rest, 60)
        out.append(f"{prefix}{two[hours]}:{two[minutes]}:{two[seconds]}+03:00")
    return out


def _render_written(
    dialogue: dlg.Dialogue, started: datetime
) -> tuple[list[dict], datetime, float | None]:
    """Chat and messenger: client waits mostly 20 s – 3 min, sometimes 20–60 min."""
    rng, plan = dialogue.rng, dialogue.plan
    random = rng.random
    if "slow_first_response" in plan.habits and random() < 0.85:
        first_low, first_span = 240, 720  # 4–16 min
    elif random() < 0.07:
        first_low, first_span = 1200, 2400  # a queue: 20–60 min
    else:
        first_low, first_span = 15, 0
    operator_factor = 40 * (1.3 - plan.skill)
    typing = 0.35 if plan.persona == "elderly" else 0.15
    messenger = plan.channel == "messenger"
    first_client: int | None = None
    first_wait: float | None = None
    operator_base = 20 * (1.3 - plan.skill)
    normal, quick, first, hold, away = dlg.NORMAL, dlg.QUICK, dlg.FIRST, dlg.HOLD, dlg.AWAY
    prefix = started.isoformat()[:11]
    base = started.hour * 3600 + started.minute * 60 + started.second
    two = _TWO_DIGITS
    offset = 0
    turns = []
    for speaker, text, pause in dialogue.turns:
        if turns:
            roll = random()
            if pause == quick and speaker != "client" or speaker == "bot" or speaker == "system":
                offset += 2 + int(roll * 18)
            elif pause == normal:  # exponential waits, capped
                wait = -log(1.0 - roll)
                if speaker == "operator":
                    offset += int(operator_base + operator_factor * (wait if wait < 7 else 7))
                else:
                    offset += int(8 + 40 * (wait if wait < 6 else 6) + len(text) * typing)
            elif pause == first:
                if first_span:
                    offset += first_low + int(roll * first_span)
                else:
                    wait = 45 * -log(1.0 - roll)
                    offset += first_low + int(wait if wait < 200 else 200)
            elif pause == hold:
                offset += 600 + int(random() * 900) if roll < 0.1 else 60 + int(random() * 300)
            elif pause == away:
                hours = messenger and roll < 0.4
                offset += 3600 + int(random() * 14400) if hours else 600 + int(random() * 1800)
            else:  # a quick client line
                offset += 3 + int(roll * 30 + len(text) * typing)
        if speaker == "client":
            if first_client is None:
                first_client = offset
        elif speaker == "operator" and first_wait is None:
            first_wait = float(offset - (first_client or 0))
        total = base + offset
        if total < 86_400:
            hours_, rest = divmod(total, 3600)
            minutes, seconds = divmod(rest, 60)
            at = f"{prefix}{two[hours_]}:{two[minutes]}:{two[seconds]}+03:00"
        else:
            at = (started + timedelta(seconds=offset)).isoformat()
        turns.append({"speaker": speaker, "text": text, "at": at})
    return turns, started + timedelta(seconds=offset), first_wait


def _render_call(
    dialogue: dlg.Dialogue, started: datetime
) -> tuple[list[dict], datetime, float | None]:
    """Calls: turn seconds from speech rate, short gaps, holds, dead air, some overlaps."""
    rng, plan = dialogue.rng, dialogue.plan
    random = rng.random
    raw_asr = random() < 0.3
    client_rate = _WORDS_PER_SECOND.get(plan.persona, 2.3)
    overlap = 0.15 if plan.persona in cl.NEGATIVE_PERSONAS else 0.05
    dead_air = overlap + 0.06
    clock = 0.0
    previous_start = 0.0
    turns = []
    for speaker, text, pause in dialogue.turns:
        words = text.count(" ") + 1
        rate = 2.6 if speaker == "operator" else client_rate
        duration = words / rate * (0.85 + 0.35 * random()) + 0.3
        roll = random()
        if not turns:
            begin = 0.3 + 1.7 * roll
        elif pause == dlg.HOLD:
            begin = clock + (120 + 180 * random() if roll < 0.1 else 15 + 75 * random())
        elif roll < overlap:
            begin = max(previous_start + 0.3, clock - 0.2 - 0.8 * random())
        elif roll < dead_air:
            begin = clock + 3.0 + 6.0 * random()
        else:
            begin = clock + (0.1 + 0.5 * random() if pause == dlg.QUICK else 0.2 + 1.1 * random())
        begin = int(begin * 10 + 0.5) / 10
        end = int((begin + duration) * 10 + 0.5) / 10
        if raw_asr:
            text = style.asr(text, rng)
        turns.append({"speaker": speaker, "text": text, "start": begin, "end": end})
        previous_start = begin
        if end > clock:
            clock = end
    ended = started + timedelta(seconds=int(clock + 0.5 + 2.5 * random()))
    dialogue.raw_asr = raw_asr
    return turns, ended, None
