"""Family ``timing``: a time figure of the conversation against a limit.

Parameters: ``metric`` (first_response | longest_operator_delay | longest_silence |
overlap | hold), ``max_seconds`` (required), ``partial_max_seconds`` (optional, ≥ the
former). Value ≤ ``max_seconds`` → yes, ≤ ``partial_max_seconds`` → partial, else no; na
when the figure is unknown (first response in a call, silence in a chat, no hold).

The figures are those of :mod:`nastavnik.engine.metrics`, plus ``hold``: the longest time
from an operator turn with a hold request (lexicon hold_requests) to the operator's next
turn. The evidence is the turn where the worst wait ends (the operator's answer, the turn
after the longest silence, the turn that talks over another, the return from hold).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from nastavnik.engine import metrics
from nastavnik.engine.detectors import messages
from nastavnik.engine.detectors.base import (
    DetectorConfigError,
    DetectorContext,
    DetectorResult,
    PhraseSet,
)
from nastavnik.engine.detectors.config import Params
from nastavnik.engine.metrics import overlap_of
from nastavnik.engine.types import Conversation

METRICS: tuple[str, ...] = (
    "first_response",
    "longest_operator_delay",
    "longest_silence",
    "overlap",
    "hold",
)
MEASURED, NOT_APPLICABLE = 1.0, 1.0
_SPEECH = frozenset({"operator", "client", "bot"})

Moment = tuple[float, int, float, str]
"""(begin, turn index, finish, speaker), seconds from the start: as in metrics."""


@dataclass(frozen=True, slots=True)
class TimingDetector:
    """Compiled ``timing`` detector."""

    family: ClassVar[str] = "timing"
    metric: str
    limit: float
    partial_limit: float | None
    hold_requests: PhraseSet | None

    @property
    def phrase_sets(self) -> tuple[PhraseSet, ...]:
        return (self.hold_requests,) if self.hold_requests is not None else ()

    def detect(self, conversation: Conversation, context: DetectorContext) -> DetectorResult:
        """Measure the figure, compare it with the limits, point at where the wait ends."""
        language = context.language
        value, turn = self._measure(conversation, context)
        metric = messages.say(language, f"metric_{self.metric}")
        if value is None:
            return DetectorResult(
                "na", NOT_APPLICABLE, (), messages.say(language, "timing_na", metric=metric)
            )
        note = messages.say(
            language,
            "timing",
            metric=metric,
            value=messages.duration(language, value),
            limit=messages.duration(language, self.limit),
        )
        evidence = (context.whole_turn(turn),) if turn is not None else ()
        if value <= self.limit:
            verdict = "yes"
        elif self.partial_limit is not None and value <= self.partial_limit:
            verdict = "partial"
        else:
            verdict = "no"
        return DetectorResult(verdict, MEASURED, evidence, note)

    def _measure(
        self, conversation: Conversation, context: DetectorContext
    ) -> tuple[float | None, int | None]:
        """The figure and the turn where its worst wait ends."""
        if self.metric == "hold":
            assert self.hold_requests is not None
            return _longest_hold(conversation, context, self.hold_requests.label)
        is_call = conversation.channel == "call"
        if self.metric == "first_response":
            return (None, None) if is_call else metrics.first_response(context.timeline)
        if self.metric == "longest_operator_delay":
            return metrics.longest_operator_delay(context.timeline, is_call=is_call)
        if not is_call:
            return None, None
        if self.metric == "longest_silence":
            return _longest_silence(conversation)
        return _overlap(conversation)


# Call silence and overlap follow the definitions of nastavnik.engine.metrics (a property
# test holds them equal) and also report the turn to quote; response times come straight
# from metrics.


def speech_intervals(conversation: Conversation) -> list[tuple[float, float, int, str]]:
    """(start, end, turn index, speaker) of timed speech turns of a call, sorted."""
    intervals = []
    for position, turn in enumerate(conversation.turns):
        if turn.start is None or turn.speaker not in _SPEECH:
            continue
        end = turn.end if turn.end is not None and turn.end >= turn.start else turn.start
        intervals.append((turn.start, end, position, turn.speaker))
    intervals.sort()
    return intervals


def _longest_silence(conversation: Conversation) -> tuple[float | None, int | None]:
    intervals = speech_intervals(conversation)
    if not intervals:
        return None, None
    longest, worst = 0.0, None
    speaking_until = intervals[0][1]
    for start, end, position, _speaker in intervals[1:]:
        if start > speaking_until and start - speaking_until > longest:
            longest, worst = start - speaking_until, position
        speaking_until = max(speaking_until, end)
    return longest, worst


def _overlap(conversation: Conversation) -> tuple[float | None, int | None]:
    """Total time with two or more speakers at once, and the turn that overlaps most."""
    intervals = speech_intervals(conversation)
    if not intervals:
        return None, None
    total = overlap_of((start, end, speaker) for start, end, _position, speaker in intervals)
    return total, _worst_overlap_turn(intervals)


def _worst_overlap_turn(intervals: list[tuple[float, float, int, str]]) -> int | None:
    """The turn that starts while another speaker talks, with the longest overlap."""
    longest, worst = 0.0, None
    active: list[tuple[float, str]] = []  # (end, speaker) of turns still going
    for start, end, position, speaker in intervals:
        active = [(until, who) for until, who in active if until > start]
        for until, who in active:
            overlap = min(end, until) - start
            if who != speaker and overlap > longest:
                longest, worst = overlap, position
        active.append((end, speaker))
    return worst


def _longest_hold(
    conversation: Conversation, context: DetectorContext, label: str
) -> tuple[float | None, int | None]:
    """From the end of a hold request to the operator's next turn; the longest of them."""
    timeline = context.timeline
    longest, worst = None, None
    held_since: float | None = None
    for begin, position, finish, speaker in timeline:
        if speaker != "operator":
            continue
        if held_since is not None:
            hold = max(0.0, begin - held_since)
            if longest is None or hold > longest:
                longest, worst = hold, position
            held_since = None
        if context.matches(position, label):
            held_since = finish
    return longest, worst


def build(params: Params) -> TimingDetector:
    """Compile a ``timing`` configuration."""
    metric = params.raw("metric")
    if metric is None:
        raise DetectorConfigError("metric", f"is required: one of {', '.join(METRICS)}")
    metric = params.choice("metric", METRICS, "first_response")
    limit = params.number("max_seconds", None, required=True)
    partial_limit = params.number("partial_max_seconds", None)
    assert limit is not None  # required=True
    if partial_limit is not None and partial_limit < limit:
        raise DetectorConfigError("partial_max_seconds", f"must be ≥ max_seconds ({limit:g})")
    hold_requests = params.lexicon_set("metric", "hold_requests") if metric == "hold" else None
    return TimingDetector(metric, limit, partial_limit, hold_requests)
