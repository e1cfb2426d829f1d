"""Template filters of the evaluation pages."""

from __future__ import annotations

from typing import Any

import orjson
from django import template

from nastavnik.engine import types
from nastavnik.evaluations import forms

register = template.Library()


@register.filter
def value_choices(criterion: types.CriterionSpec) -> list[tuple[str, str]]:
    """The values a criterion can take with their verdicts, best first."""
    return forms.value_options(criterion)


@register.filter
def json_list(value: Any) -> str:
    """A list as compact JSON for a hidden form field."""
    return orjson.dumps(value or []).decode()


@register.filter
def score_class(percent: float | None, critical_failed: bool = False) -> str:
    """CSS class of a score: bad under 60 % or with a critical error, neutral under 80 %."""
    if critical_failed:
        return "score-bad"
    if percent is None:
        return ""
    if percent < 60:
        return "score-bad"
    return "score-neutral" if percent < 80 else "score-good"
