"""Checking a grader's answers against the scorecard and the transcript before any write.

Every error names the evaluation and the field (``answers.<criterion>`` or
``answers.<criterion>.evidence``) so the page and the API can point at it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from nastavnik.core.errors import ApplicationError
from nastavnik.engine import scoring, types
from nastavnik.evaluations.models import Evaluation


@dataclass(frozen=True)
class AnswerInput:
    """One criterion as a grader fills it in: value (None = N/A), comment, evidence."""

    criterion: str
    value: float | None
    comment: str = ""
    evidence: tuple[dict[str, Any], ...] = field(default=())


def clean(
    spec: types.ScorecardSpec, item: AnswerInput, turns: list[dict], evaluation: Evaluation
) -> AnswerInput:
    """The answer with its evidence checked and quotes re-read from the transcript."""
    criterion_of(spec, item.criterion, evaluation)
    evidence = tuple(
        _evidence(entry, turns, f"answers.{item.criterion}.evidence", evaluation)
        for entry in item.evidence
    )
    return AnswerInput(item.criterion, item.value, (item.comment or "").strip(), evidence)


def _evidence(
    entry: Mapping[str, Any], turns: list[dict], field_name: str, evaluation: Evaluation
) -> dict[str, Any]:
    """A turn and a character span, with the quote re-read from the stored text."""
    turn = entry.get("turn")
    if not isinstance(turn, int) or isinstance(turn, bool) or not 0 <= turn < len(turns):
        raise ApplicationError(
            _("Evidence points at turn %(turn)s, but the conversation has %(count)s turns.")
            % {"turn": turn, "count": len(turns)},
            record=record_of(evaluation),
            field=field_name,
        )
    text = turns[turn].get("text", "")
    start = entry.get("start", 0)
    end = entry.get("end", len(text))
    valid = all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end))
    # An empty span points at the turn itself (auto-QA uses it for a delay before a turn).
    if not valid or not 0 <= start <= end <= len(text):
        raise ApplicationError(
            _("Evidence span %(start)s–%(end)s is outside turn %(turn)s.")
            % {"start": start, "end": end, "turn": turn},
            record=record_of(evaluation),
            field=field_name,
        )
    return {"turn": turn, "start": start, "end": end, "quote": text[start:end]}


def criterion_of(
    spec: types.ScorecardSpec, key: str, evaluation: Evaluation
) -> types.CriterionSpec:
    """The scorecard's criterion ``key``, or an error naming the unknown key."""
    for criterion in spec.criteria():
        if criterion.key == key:
            return criterion
    raise ApplicationError(
        _("The scorecard has no criterion %(key)s.") % {"key": key},
        record=record_of(evaluation),
        field=f"answers.{key}",
    )


def scoring_error(error: scoring.ScoringError, evaluation: Evaluation) -> ApplicationError:
    """The engine's refusal of a value as an error naming the criterion's field."""
    return ApplicationError(
        _("Criterion %(criterion)s: %(reason)s")
        % {"criterion": error.criterion, "reason": error.reason},
        record=record_of(evaluation),
        field=f"answers.{error.criterion}",
    )


def record_of(evaluation: Evaluation) -> str:
    """How errors name an evaluation."""
    return f"evaluation {evaluation.pk}"
