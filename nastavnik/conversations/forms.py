"""Forms of the conversation pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    """Upload of a JSONL or CSV file."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("JSON Lines (.jsonl) or CSV (.csv), optionally gzip-compressed (.gz)."),
    )
    source = forms.CharField(
        label=_("Source system"),
        max_length=64,
        initial="upload",
        help_text=_("Records of one source with the same external id are updated, not duplicated."),
    )
