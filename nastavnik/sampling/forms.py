"""Forms of the sampling pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nastavnik.sampling import selectors
from nastavnik.sampling.models import SamplingRule


class RuleForm(forms.ModelForm):
    """Create or edit a sampling rule (validation here, the write in the service)."""

    class Meta:
        model = SamplingRule
        fields = (
            "name",
            "team",
            "channel",
            "per_operator",
            "period",
            "risk_share",
            "low_csat_max",
            "long_handling_minutes",
            "autoqa_score_below",
            "graders",
            "due_days",
            "is_active",
        )
        widgets = {"graders": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].empty_label = _("All teams")
        self.fields["graders"].queryset = selectors.grader_candidates()
        self.fields["graders"].required = True
        self.fields["graders"].help_text = _(
            "Items are shared among them, least loaded first; mentors and team leads get "
            "only their own operators."
        )
        self.fields["channel"].choices = [
            ("", _("All channels")),
            *self.fields["channel"].choices[1:],
        ]

    def validate_unique(self):
        # The service checks the name and names the field itself.
        return

    def rule_fields(self) -> dict:
        """Cleaned values for the service, without the graders."""
        data = dict(self.cleaned_data)
        data.pop("graders", None)
        return data


class QueueFilterForm(forms.Form):
    """Status and, for those who see every queue, grader."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            (selectors.STATUS_OPEN, _("To do")),
            (selectors.STATUS_OVERDUE, _("Overdue")),
            (selectors.STATUS_DONE, _("Done")),
        ],
    )
    grader = forms.TypedChoiceField(label=_("Grader"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, graders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grader"].choices = [("", _("All graders"))] + [(g.pk, str(g)) for g in graders]
