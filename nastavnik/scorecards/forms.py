"""Forms of the scorecard pages (the structured editor's working copy is in editor.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ScorecardUploadForm(forms.Form):
    """Upload of a scorecard YAML (or JSON) file, optionally activating it at once."""

    file = forms.FileField(
        label=_("Scorecard file"),
        help_text=_("YAML or JSON in the scorecard format (see docs/scoring.md)."),
    )
    activate = forms.BooleanField(
        label=_("Activate the uploaded version at once"),
        required=False,
        help_text=_("Otherwise it is stored as a draft to review first."),
    )

    def clean_file(self) -> str:
        """The uploaded file as text."""
        uploaded = self.cleaned_data["file"]
        try:
            return uploaded.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(
                _("The file is not UTF-8 text: %(reason)s"), params={"reason": error}
            ) from error
