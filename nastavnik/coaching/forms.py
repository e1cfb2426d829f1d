"""Forms of the mystery shopper pages (input shape only; rules live in services)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nastavnik.conversations.models import Channel

BLANK_BEHAVIOUR_ROWS = 3


class ScenarioForm(forms.Form):
    """Title, channel, script, active flag; behaviours come as parallel lists (see below)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    script = forms.CharField(
        label=_("Situation script"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Who the shopper is, what they say and in what order."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def behaviours(self) -> list[dict[str, str]]:
        """The expected behaviour rows as typed: text and criterion key, empty rows included."""
        texts = self.data.getlist("behaviour_text")
        criteria = self.data.getlist("behaviour_criterion")
        return [
            {"text": text, "criterion": criterion}
            for text, criterion in zip(texts, criteria, strict=False)
        ]


class VisitPlanForm(forms.Form):
    """Operators to visit, the date and the shopper."""

    operators = forms.ModelMultipleChoiceField(
        label=_("Operators"),
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("One visit is planned for each chosen operator."),
    )
    planned_on = forms.DateField(
        label=_("Planned date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    shopper_name = forms.CharField(
        label=_("Shopper"),
        max_length=200,
        required=False,
        help_text=_("The person who makes the test contact (usually not a user of Nastavnik)."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args, operators=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operators"].queryset = operators
        self.fields["planned_on"].initial = timezone.localdate()


class AttachForm(forms.Form):
    """An imported conversation: by id, or by source and external id."""

    conversation_id = forms.IntegerField(label=_("Conversation id"), required=False, min_value=1)
    source = forms.CharField(label=_("Source"), max_length=64, required=False)
    external_id = forms.CharField(label=_("External id"), max_length=128, required=False)


class TranscriptForm(forms.Form):
    """The dialogue typed in, and when the contact started."""

    started_at = forms.DateTimeField(
        label=_("Started at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    transcript = forms.CharField(
        label=_("Dialogue"),
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "true"}),
        help_text=_(
            "One utterance per line, starting with «Оператор:» or «Клиент:»; an optional time "
            "such as [10:15] before the speaker. A line without a speaker continues the "
            "previous utterance."
        ),
    )


class CancelForm(forms.Form):
    """Why a visit is cancelled."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
