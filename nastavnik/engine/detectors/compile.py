"""Compile a scorecard's detectors once, then answer its criteria for many conversations.

``compile_scorecard(spec)`` compiles every criterion that has a ``detector`` (a bad
configuration raises :class:`DetectorConfigError` naming the criterion and parameter) and
merges all their phrases into one matcher, so each turn of a conversation is tokenised and
scanned once however many criteria look at it. Lexicons are per language: the scorecard is
compiled for its default language at once and for another (an English conversation) the
first time one comes; a language without lexicons uses the default's.

Verdict → answer value, by the criterion's scale (documented in ``docs/detectors.md``):

=========  ======  =======  ====================================================
verdict    binary  ternary  points N
=========  ======  =======  ====================================================
yes        1       1        N
partial    0       0.5      half of N rounded half up, but below N (N = 1 → 0)
no         0       0        0
na         None    None     None
=========  ======  =======  ====================================================

A binary criterion is met only in full, so partial counts as no there; the answer's
comment says it was partial. N/A is an answer only where the criterion allows it
(``na_allowed``); elsewhere a timing figure that is unknown gives no answer (the criterion
is left to a person) and any other N/A verdict counts as no.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from nastavnik.engine.detectors import messages
from nastavnik.engine.detectors.base import (
    Detector,
    DetectorConfigError,
    DetectorContext,
    DetectorResult,
)
from nastavnik.engine.detectors.config import Lexicons
from nastavnik.engine.detectors.registry import compile_detector
from nastavnik.engine.formats.validate import positional_builder
from nastavnik.engine.text.lexicons import LANGUAGES
from nastavnik.engine.text.phrases import PhraseMatcher
from nastavnik.engine.types import VERDICTS, Answer, Conversation, CriterionSpec, ScorecardSpec

PathLike = str | os.PathLike[str]

_answer = positional_builder(Answer)


@dataclass(frozen=True, slots=True)
class CompiledCriterion:
    """A criterion, its compiled detector and the answer value of each verdict."""

    criterion: CriterionSpec
    detector: Detector
    values: dict[str, float | None]
    """Verdict → answer value, with ``counted_no`` / ``counted_partial`` for the verdicts the
    criterion cannot take as they are (N/A not allowed; partial on a binary scale)."""


@dataclass(frozen=True, slots=True)
class _Compiled:
    criteria: tuple[CompiledCriterion, ...]
    matcher: PhraseMatcher


class CompiledScorecard:
    """A scorecard version's detectors, ready to evaluate conversations."""

    def __init__(
        self, spec: ScorecardSpec, *, language: str = "ru", extra_dirs: Sequence[PathLike] = ()
    ) -> None:
        self.spec = spec
        self.language = language
        self.extra_dirs = tuple(extra_dirs)
        self._by_language: dict[str, _Compiled] = {}
        self._compiled(language)  # compile now, so a bad configuration fails here

    @property
    def criteria(self) -> tuple[CompiledCriterion, ...]:
        """The criteria with a detector, in scorecard order (default language)."""
        return self._compiled(self.language).criteria

    def detect(self, conversation: Conversation) -> dict[str, DetectorResult]:
        """Every detector's raw result, by criterion key."""
        compiled = self._compiled(self._language_of(conversation))
        context = DetectorContext(conversation, compiled.matcher)
        return {
            item.criterion.key: item.detector.detect(conversation, context)
            for item in compiled.criteria
        }

    def evaluate(self, conversation: Conversation) -> list[Answer]:
        """Answers for the criteria that have a detector, in scorecard order."""
        compiled = self._compiled(self._language_of(conversation))
        context = DetectorContext(conversation, compiled.matcher)
        language = context.language
        answers = []
        for item in compiled.criteria:
            criterion = item.criterion
            verdict, confidence, evidence, comment = item.detector.detect(conversation, context)
            if verdict == "na" and not criterion.na_allowed:
                if item.detector.family == "timing":
                    continue  # an unknown figure: left to a person
                verdict = "counted_no"
            elif verdict == "partial" and criterion.scale == "binary":
                verdict = "counted_partial"
            if verdict.startswith("counted_"):
                comment = f"{messages.say(language, verdict)}: {comment}"
            answers.append(
                _answer(criterion.key, item.values[verdict], evidence, confidence, comment)
            )
        return answers

    def _language_of(self, conversation: Conversation) -> str:
        language = conversation.language.lower().replace("_", "-").split("-", 1)[0]
        return language if language in LANGUAGES else self.language

    def _compiled(self, language: str) -> _Compiled:
        compiled = self._by_language.get(language)
        if compiled is None:
            compiled = self._by_language[language] = self._compile(language)
        return compiled

    def _compile(self, language: str) -> _Compiled:
        lexicons = Lexicons(language, self.extra_dirs)
        criteria = []
        for criterion in self.spec.criteria():
            if criterion.detector is None:
                continue
            try:
                detector = compile_detector(criterion.detector, lexicons=lexicons)
            except DetectorConfigError as error:
                raise error.for_criterion(criterion.key) from None
            values = {verdict: answer_value(verdict, criterion) for verdict in VERDICTS}
            values["counted_no"] = values["counted_partial"] = 0
            criteria.append(CompiledCriterion(criterion, detector, values))
        matcher = PhraseMatcher(
            phrase
            for item in criteria
            for phrase_set in item.detector.phrase_sets
            for phrase in phrase_set.phrases
        )
        return _Compiled(tuple(criteria), matcher)


def compile_scorecard(
    spec: ScorecardSpec, *, language: str = "ru", extra_dirs: Sequence[PathLike] = ()
) -> CompiledScorecard:
    """Compile a scorecard's detectors (once per scorecard version; reuse the result)."""
    return CompiledScorecard(spec, language=language, extra_dirs=extra_dirs)


def answer_value(verdict: str, criterion: CriterionSpec) -> float | None:
    """The answer value of a verdict on the criterion's scale (table in the module doc)."""
    if verdict == "na":
        return None
    if verdict == "yes":
        return criterion.points if criterion.scale == "points" else 1
    if verdict == "no":
        return 0
    if verdict != "partial":
        raise ValueError(f"unknown verdict {verdict!r}")
    if criterion.scale == "ternary":
        return 0.5
    if criterion.scale == "points":
        return min((criterion.points + 1) // 2, max(criterion.points - 1, 0))
    return 0
