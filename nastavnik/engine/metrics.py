"""Timing and volume figures derived from the turns of one conversation.

Every turn is placed on one axis, seconds from ``started_at``: ``start``/``end`` when given
(calls), else ``at - started_at``. Turns without a usable time are left out of timing
figures but still counted. Unknown figures are None, never a guess; unsorted turns are put
in time order first. The definitions, chosen so that each figure means one thing:

* duration: ``ended_at - started_at``, else the end of the latest turn;
* first response (written channels only): from the first client turn to the first operator
  turn at or after it. Operator turns before it (a greeting, an outbound opening) answer
  nothing and are skipped; bot and system turns are never responses. Calls give None: their
  transcript starts once the operator has answered, so the wait is not in it;
* longest operator delay: in writing, from the first client message not yet answered to the
  operator's next message (how long the client waited); in calls, from the end of the
  client's turn to the start of the operator's next one;
* longest silence and overlap (calls only): over speech turns (operator, client, bot; system
  events are not speech), the largest gap with nobody speaking and the total time with two
  or more speakers at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from nastavnik.engine.types import Conversation, ConversationMetrics, Turn

_WORD = re.compile(r"\w+")
# System turns ("call transferred", "client joined") are events, not speech.
_SPEECH_SPEAKERS = frozenset({"operator", "client", "bot"})


def conversation_metrics(conversation: Conversation) -> ConversationMetrics:
    """Compute duration, response times, silence, overlap and turn and word counts."""
    moments = turn_timeline(conversation)
    is_call = conversation.channel == "call"
    counts = _counts(conversation.turns)
    return ConversationMetrics(
        duration_seconds=_duration_seconds(conversation, moments),
        first_response_seconds=None if is_call else _first_response_seconds(moments),
        longest_operator_delay_seconds=_longest_operator_delay_seconds(moments, is_call=is_call),
        longest_silence_seconds=_longest_silence_seconds(conversation) if is_call else None,
        overlap_seconds=_overlap_seconds(conversation) if is_call else None,
        operator_turns=counts[0],
        client_turns=counts[1],
        operator_words=counts[2],
        client_words=counts[3],
    )


Moment = tuple[float, int, float, str]
"""(begin, position in the conversation, finish, speaker) of a turn, seconds from start.

Sorting by (begin, position) puts turns in time order and keeps the written order of
turns that share a timestamp.
"""


def turn_timeline(conversation: Conversation) -> list[Moment]:
    """Timed turns as (begin, position, finish, speaker), in time order."""
    started_at = conversation.started_at
    moments = []
    for position, turn in enumerate(conversation.turns):
        if turn.start is not None:
            begin = turn.start
        elif turn.at is not None:
            try:
                begin = (turn.at - started_at).total_seconds()
            except TypeError:  # a naive time beside an aware one (built by hand, not parsed)
                continue
        else:
            continue
        finish = turn.end if turn.end is not None and turn.end >= begin else begin
        moments.append((begin, position, finish, turn.speaker))
    moments.sort()
    return moments


def _duration_seconds(conversation: Conversation, timeline: Sequence[Moment]) -> float | None:
    """``ended_at - started_at``; without ``ended_at``, the end of the latest turn.

    None when neither is known or the result would be negative (inconsistent data).
    """
    ended_at = conversation.ended_at
    if ended_at is not None and (ended_at.tzinfo is None) == (
        conversation.started_at.tzinfo is None
    ):
        seconds = (ended_at - conversation.started_at).total_seconds()
    elif timeline:
        seconds = max(moment[2] for moment in timeline)
    else:
        return None
    return seconds if seconds >= 0 else None


def _first_response_seconds(timeline: Sequence[Moment]) -> float | None:
    """Time from the first client turn to the first operator turn at or after it.

    Operator turns before the first client turn (a greeting, an outbound opening) are not
    responses to anything, so they are skipped; with no client turn, or no operator turn
    after it, the figure is None. Used for written channels; for calls the transcript
    starts when the operator answers, so the wait is not in it.
    """
    return first_response(timeline)[0]


def first_response(timeline: Sequence[Moment]) -> tuple[float | None, int | None]:
    """The first-response wait and the index of the operator turn that ends it."""
    client_began = None
    for begin, position, _finish, speaker in timeline:
        if speaker == "client" and client_began is None:
            client_began = begin
        elif speaker == "operator" and client_began is not None:
            return begin - client_began, position
    return None, None


def _longest_operator_delay_seconds(timeline: Sequence[Moment], *, is_call: bool) -> float | None:
    """Longest wait of the client for the operator's next turn, over the conversation.

    Written channels: from the first client message the operator has not answered yet
    (the client has been waiting since then) to the operator's next message. Calls: from
    the end of the client's last turn to the start of the operator's next one (0 when the
    operator starts before the client finishes). None when no operator turn follows a
    client turn.
    """
    return longest_operator_delay(timeline, is_call=is_call)[0]


def longest_operator_delay(
    timeline: Sequence[Moment], *, is_call: bool
) -> tuple[float | None, int | None]:
    """The longest operator delay and the index of the operator turn that ends it."""
    longest, worst, waiting_since = None, None, None
    for begin, position, finish, speaker in timeline:
        if speaker == "client":
            if is_call:
                waiting_since = finish
            elif waiting_since is None:
                waiting_since = begin
        elif speaker == "operator" and waiting_since is not None:
            delay = max(0.0, begin - waiting_since)
            if longest is None or delay > longest:
                longest, worst = delay, position
            waiting_since = None
    return longest, worst


def _longest_silence_seconds(conversation: Conversation) -> float | None:
    """Largest gap in a call between the end of one speech turn and the start of the next.

    A gap counts only when nobody is speaking (turns that overlap leave none); 0 when
    there is no gap, None when no speech turn (operator, client, bot) has a ``start``.
    """
    intervals = _speech_intervals(conversation.turns)
    if not intervals:
        return None
    longest = 0.0
    speaking_until = intervals[0][1]
    for start, end, _speaker in intervals[1:]:
        if start > speaking_until:
            longest = max(longest, start - speaking_until)
        speaking_until = max(speaking_until, end)
    return longest


def _overlap_seconds(conversation: Conversation) -> float | None:
    """Total time in a call during which at least two different speakers talk at once.

    Measured as time, not summed over pairs, so it never exceeds the call's speech span.
    None when no speech turn (operator, client, bot) has a ``start``.
    """
    intervals = _speech_intervals(conversation.turns)
    if not intervals:
        return None
    return overlap_of(intervals)


def overlap_of(intervals: Iterable[tuple[float, float, str]]) -> float:
    """Time during which at least two different speakers of ``(start, end, speaker)`` talk."""
    spans = [(start, end, speaker) for start, end, speaker in intervals if end > start]
    # Sweep over start and end events; ends sort before starts at the same instant so
    # turns that merely touch do not overlap.
    events = sorted(
        [(start, 1, speaker) for start, _end, speaker in spans]
        + [(end, -1, speaker) for _start, end, speaker in spans]
    )
    talking: dict[str, int] = {}
    total = 0.0
    previous = None
    for moment, change, speaker in events:
        if previous is not None and len(talking) >= 2:
            total += moment - previous
        count = talking.get(speaker, 0) + change
        if count:
            talking[speaker] = count
        else:
            talking.pop(speaker, None)
        previous = moment
    return total


def _speech_intervals(turns: Sequence[Turn]) -> list[tuple[float, float, str]]:
    """(start, end, speaker) of timed speech turns, sorted; a missing end means start."""
    intervals = [
        (turn.start, turn.end if turn.end is not None and turn.end >= turn.start else turn.start)
        + (turn.speaker,)
        for turn in turns
        if turn.start is not None and turn.speaker in _SPEECH_SPEAKERS
    ]
    intervals.sort()
    return intervals


def _counts(turns: Sequence[Turn]) -> tuple[int, int, int, int]:
    operator_turns = client_turns = operator_words = client_words = 0
    for turn in turns:
        if turn.speaker == "operator":
            operator_turns += 1
            operator_words += len(_WORD.findall(turn.text))
        elif turn.speaker == "client":
            client_turns += 1
            client_words += len(_WORD.findall(turn.text))
    return operator_turns, client_turns, operator_words, client_words
