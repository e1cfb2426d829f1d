"""Reading the evaluation page's form (and the API's answers) into service inputs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from django.utils.translation import gettext as _

from nastavnik.core.errors import ApplicationError
from nastavnik.engine import scoring, types
from nastavnik.evaluations.manual import AnswerInput

NOT_APPLICABLE = "na"


def parse_value(raw: Any, field_name: str) -> float | None:
    """``"na"``/None → N/A; a number (as text or number) → that number."""
    if raw is None or raw == NOT_APPLICABLE:
        return None
    try:
        return float(raw)
    except (TypeError, ValueError) as error:
        raise ApplicationError(
            _("Not a valid answer: %(value)s") % {"value": raw}, field=field_name
        ) from error


def parse_evidence(raw: Any, field_name: str) -> tuple[dict[str, Any], ...]:
    """Evidence as a JSON list (the page's hidden field) or an already-parsed list."""
    if raw in (None, ""):
        return ()
    if isinstance(raw, str):
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise ApplicationError(_("Evidence is not valid JSON."), field=field_name) from error
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise ApplicationError(_("Evidence must be a list of turn spans."), field=field_name)
    return tuple(raw)


def answers_from_post(post: Mapping[str, Any], spec: types.ScorecardSpec) -> list[AnswerInput]:
    """Answered criteria of the page's form (``value-<key>`` empty = not answered yet)."""
    answers = []
    for criterion in spec.criteria():
        raw = post.get(f"value-{criterion.key}", "")
        if raw == "":
            continue
        answers.append(
            AnswerInput(
                criterion=criterion.key,
                value=parse_value(raw, f"answers.{criterion.key}"),
                comment=post.get(f"comment-{criterion.key}", ""),
                evidence=parse_evidence(
                    post.get(f"evidence-{criterion.key}", ""), f"answers.{criterion.key}.evidence"
                ),
            )
        )
    return answers


def answers_from_api(items: list[Mapping[str, Any]]) -> list[AnswerInput]:
    """The API's ``answers`` list: ``{criterion, value, comment, evidence}`` per item."""
    answers = []
    for index, item in enumerate(items):
        key = item.get("criterion")
        if not isinstance(key, str) or not key:
            raise ApplicationError(_("Each answer needs a criterion."), field=f"answers[{index}]")
        if "value" not in item:
            raise ApplicationError(
                _("Each answer needs a value (null for N/A)."), field=f"answers.{key}"
            )
        answers.append(
            AnswerInput(
                criterion=key,
                value=parse_value(item["value"], f"answers.{key}"),
                comment=str(item.get("comment") or ""),
                evidence=parse_evidence(item.get("evidence"), f"answers.{key}.evidence"),
            )
        )
    return answers


@dataclass(frozen=True)
class CriterionField:
    """One criterion on the analyst's page: the options and the value currently shown."""

    row: Any  # selectors.CriterionRow
    options: list[tuple[str, str]]  # (form value, verdict) from best to worst
    value: str
    comment: str
    evidence: list[dict[str, Any]]
    evidence_json: str


def value_key(value: float | None) -> str:
    """The form's text for a stored value: ``na`` or the number without trailing zeros."""
    return NOT_APPLICABLE if value is None else f"{value:g}"


def value_options(criterion: types.CriterionSpec) -> list[tuple[str, str]]:
    """The values a criterion can take, best first, each with the verdict it stands for."""
    if criterion.scale == "points":
        values = [float(n) for n in range(criterion.points, -1, -1)]
    elif criterion.scale == "ternary":
        values = [1.0, 0.5, 0.0]
    else:
        values = [1.0, 0.0]
    options = [(value_key(v), scoring.verdict(criterion, v)) for v in values]
    if criterion.na_allowed:
        options.append((NOT_APPLICABLE, "na"))
    return options


def edit_fields(page: Any, posted: Mapping[str, Any] | None = None) -> list[tuple[Any, Any, list]]:
    """Stages with their criterion fields; values from the failed post win over stored ones."""
    stages = []
    for stage, percent, rows in page.stages:
        fields = []
        for row in rows:
            key = row.criterion.key
            answer = row.answer
            if posted is not None:
                value = posted.get(f"value-{key}", "")
                comment = posted.get(f"comment-{key}", "")
                evidence_json = posted.get(f"evidence-{key}", "") or "[]"
                try:
                    evidence = list(parse_evidence(evidence_json, key))
                except ApplicationError:
                    evidence, evidence_json = [], "[]"
            else:
                value = value_key(answer.value) if answer else ""
                comment = answer.comment if answer else ""
                evidence = answer.evidence if answer else []
                evidence_json = orjson.dumps(evidence).decode()
            fields.append(
                CriterionField(
                    row, value_options(row.criterion), value, comment, evidence, evidence_json
                )
            )
        stages.append((stage, percent, fields))
    return stages
