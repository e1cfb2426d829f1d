"""The evaluation filter set shared by the list page and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from nastavnik.accounts import access
from nastavnik.accounts.models import Operator
from nastavnik.core.filters import day_filter
from nastavnik.evaluations.models import Evaluation

YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


class EvaluationFilter(django_filters.FilterSet):
    """State, purpose, operator, period, acknowledged and disputed."""

    state = django_filters.ChoiceFilter(
        label=_("State"), choices=Evaluation.State.choices, empty_label=_("Any state")
    )
    purpose = django_filters.ChoiceFilter(
        label=_("Purpose"), choices=Evaluation.Purpose.choices, empty_label=_("Any purpose")
    )
    operator = django_filters.ModelChoiceFilter(
        label=_("Operator"),
        field_name="conversation__operator",
        queryset=Operator.objects.none(),
        empty_label=_("All operators"),
    )
    date_from = day_filter("updated_at")
    date_to = day_filter("updated_at", until=True)
    acknowledged = django_filters.BooleanFilter(
        label=_("Acknowledged"),
        field_name="acknowledged_at",
        lookup_expr="isnull",
        exclude=True,
        widget=forms.Select(choices=YES_NO),
    )
    disputed = django_filters.BooleanFilter(
        label=_("Open dispute"), method="filter_disputed", widget=forms.Select(choices=YES_NO)
    )

    class Meta:
        model = Evaluation
        fields = ["state", "purpose", "operator", "date_from", "date_to"]

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["operator"].queryset = access.scope_operators(Operator.objects.all(), viewer)

    def filter_disputed(self, queryset, name, value):
        """With an open dispute (true) or without (false)."""
        if value is None:
            return queryset
        return queryset.filter(open_disputes__gt=0) if value else queryset.filter(open_disputes=0)
