"""The auto-QA trust pages: agreement of each detector with people, and its confusion matrix."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from nastavnik.accounts import access
from nastavnik.accounts.models import Operator, Team
from nastavnik.conversations.models import Channel
from nastavnik.evaluations import trust
from nastavnik.scorecards.models import Scorecard
from nastavnik.web.templatetags.nastavnik import localized

VERDICT_NAMES = {"yes": _("yes"), "partial": _("partly"), "no": _("no"), "na": _("N/A")}


class TrustFilterForm(forms.Form):
    """Scorecard, period, channel and team of the conversations whose pairs count."""

    scorecard = forms.ChoiceField(label=_("Scorecard"), required=False)
    since = forms.DateField(
        label=_("Date from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Date to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices]
    )
    team = forms.ChoiceField(label=_("Team"), required=False)

    def __init__(self, *args: Any, viewer=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scorecard"].choices = [("", _("All scorecards"))] + [
            (s.key, s.title) for s in Scorecard.objects.order_by("key")
        ]
        teams = Team.objects.all()
        if not access.sees_everything(viewer):
            operators = access.scope_operators(Operator.objects.all(), viewer)
            teams = teams.filter(pk__in=operators.exclude(team=None).values("team_id"))
        self.fields["team"].choices = [("", _("All teams"))] + [
            (name, name) for name in teams.order_by("name").values_list("name", flat=True)
        ]

    def filters(self) -> trust.TrustFilters:
        """The chosen filters; an invalid field counts as not chosen (its error is shown)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return trust.TrustFilters(
            scorecard=data.get("scorecard") or None,
            since=data.get("since"),
            until=data.get("until"),
            channel=data.get("channel") or None,
            team=data.get("team") or None,
        )


def _chart(card: trust.ScorecardTrust, min_kappa: float) -> dict[str, Any]:
    # Plain data for the json_script element the chart reads.
    return {
        "labels": [localized(item.criterion, "title") for item in card.criteria],
        "kappa": [round(item.figures.kappa, 3) for item in card.criteria],
        "status": [item.status for item in card.criteria],
        "threshold": min_kappa,
    }


def _confusion(item: trust.CriterionTrust) -> dict[str, Any]:
    # Rows are the person's verdicts, columns auto-QA's; the diagonal is agreement.
    matrix = item.figures.confusion
    return {
        "item": item,
        "columns": [VERDICT_NAMES.get(label, label) for label in matrix.labels],
        "rows": [
            {
                "label": VERDICT_NAMES.get(label, label),
                "cells": [
                    {"count": count, "agree": label == column}
                    for column, count in zip(matrix.labels, cells, strict=True)
                ],
                "total": sum(cells),
            }
            for label, cells in zip(matrix.labels, matrix.counts, strict=True)
        ],
        "totals": [sum(column) for column in zip(*matrix.counts, strict=True)],
    }


def _selected(report: list[trust.ScorecardTrust], value: str) -> dict[str, Any] | None:
    """The confusion matrix of ``scorecard:criterion`` if the report has it."""
    scorecard, _, criterion = value.partition(":")
    for card in report:
        for item in card.criteria:
            if card.key == scorecard and item.key == criterion:
                return {"card": card, **_confusion(item)}
    return None


@login_required
def trust_page(request):
    """Per scorecard: agreement, kappa, precision and recall of each auto-QA criterion.

    ``?criterion=<scorecard>:<criterion>`` (a click on a row) adds that criterion's
    confusion matrix.
    """
    if not access.can_see_trust(request.user):
        raise PermissionDenied
    form = TrustFilterForm(request.GET or None, viewer=request.user)
    report = trust.trust_report(viewer=request.user, filters=form.filters())
    limits = trust.thresholds()
    query = request.GET.copy()
    query.pop("criterion", None)
    return render(
        request,
        "evaluations/trust.html",
        {
            "form": form,
            "cards": [
                {"card": c, "chart": _chart(c, limits.min_kappa), "chart_id": f"trust-chart-{n}"}
                for n, c in enumerate(report, start=1)
            ],
            "limits": limits,
            "selected": _selected(report, request.GET.get("criterion", "")),
            "query": query.urlencode(),
        },
    )
