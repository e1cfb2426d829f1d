"""The conversation filter set shared by the list page and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from nastavnik.accounts import access
from nastavnik.accounts.models import Operator, Team
from nastavnik.conversations.mappers import normalise_query
from nastavnik.conversations.models import Channel, Conversation
from nastavnik.core.filters import day_filter

CSAT_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class ConversationFilter(django_filters.FilterSet):
    """Channel, operator, team, period, CSAT and text search."""

    channel = django_filters.MultipleChoiceFilter(
        label=_("Channel"), choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )
    operator = django_filters.ModelChoiceFilter(
        label=_("Operator"), queryset=Operator.objects.none()
    )
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=Team.objects.none())
    date_from = day_filter("started_at")
    date_to = day_filter("started_at", until=True)
    csat = django_filters.MultipleChoiceFilter(label=_("CSAT"), choices=CSAT_CHOICES)
    csat_missing = django_filters.BooleanFilter(
        label=_("Without CSAT"), field_name="csat", lookup_expr="isnull"
    )
    q = django_filters.CharFilter(label=_("Text"), method="filter_text")

    class Meta:
        model = Conversation
        fields = ["channel", "operator", "team", "date_from", "date_to", "csat", "q"]

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only offer the operators and teams the viewer may see.
        operators = access.scope_operators(Operator.objects.all(), viewer)
        self.filters["operator"].queryset = operators
        team_ids = operators.exclude(team=None).values("team_id")
        self.filters["team"].queryset = (
            Team.objects.all()
            if access.sees_everything(viewer)
            else Team.objects.filter(pk__in=team_ids)
        )

    def filter_text(self, queryset, name, value):
        """Substring search in the transcript, the external id and the client name."""
        query = normalise_query(value)
        if not query:
            return queryset
        return queryset.filter(search_text__contains=query) | queryset.filter(
            external_id=value.strip()
        )
