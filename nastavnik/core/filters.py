"""The audit log filter: who, what, which record, when."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from nastavnik.core import audit_labels
from nastavnik.core.models import AuditEvent


def day_filter(field_name: str, *, until: bool = False) -> django_filters.DateFilter:
    """A calendar-day bound on a date-time field: "from" (inclusive) or, with ``until``, "to"."""
    return django_filters.DateFilter(
        label=_("To") if until else _("From"),
        field_name=field_name,
        lookup_expr="date__lte" if until else "date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class AuditFilter(django_filters.FilterSet):
    """Actor, action, entity type and id, period."""

    actor = django_filters.ModelChoiceFilter(
        label=_("Who"),
        queryset=get_user_model().objects.order_by("username"),
        empty_label=_("Anyone"),
    )
    action = django_filters.ChoiceFilter(
        label=_("Action"),
        choices=sorted(audit_labels.ACTIONS.items(), key=lambda item: str(item[1])),
        empty_label=_("Any action"),
    )
    entity_type = django_filters.ChoiceFilter(
        label=_("Record type"), choices=[], empty_label=_("Any record")
    )
    entity_id = django_filters.CharFilter(label=_("Record id"))
    date_from = day_filter("at")
    date_to = day_filter("at", until=True)

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "entity_type", "entity_id", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = AuditEvent.objects.order_by().values_list("entity_type", flat=True).distinct()
        self.filters["entity_type"].extra["choices"] = sorted(
            ((t, audit_labels.entity_label(t)) for t in types), key=lambda item: item[1]
        )
