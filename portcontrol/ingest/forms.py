import math

from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from portcontrol.intake.mapping import available_mappings
from portcontrol.intake.profiles import available_profiles

from .actions import FORMATS

class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(label=_("Files"))
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper() if f != "auto" else
                                                             _("detect automatically"))
                                                            for f in FORMATS], initial="auto")
    mapping = forms.ChoiceField(label=_("Column mapping (CSV, XLSX)"), required=False)
    profile = forms.ChoiceField(label=_("Message profile (EDIFACT)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mapping"].choices = [("", _("default"))] + [
            (m, m) for m in available_mappings()]
        self.fields["profile"].choices = [("", _("default"))] + [
            (p, p) for p in available_profiles()]

    def clean_files(self):
        files = self.cleaned_data["files"]
        for f in files:
            check_upload_size(f)
        return files


def check_upload_size(upload) -> None:
    """Refuse a file above PORTCONTROL_MAX_UPLOAD_MB, naming the limit."""
    limit = settings.PORTCONTROL_MAX_UPLOAD_MB
    if upload.size is not None and upload.size > limit * 1024 * 1024:
        size = math.ceil(upload.size * 10 / 2**20) / 10  # rounded up: never shown as the limit
        raise forms.ValidationError(
            _("The file %(name)s is %(size)s MB; the largest file accepted is %(limit)s MB."),
            code="too_large", params={"name": upload.name, "limit": limit,
                                      "size": number_format(size, 1)})


class ReplayForm(forms.Form):
    record = forms.JSONField(label=_("Corrected record (JSON)"),
                             widget=forms.Textarea(attrs={"rows": 18, "class": "mono"}))


class DiscardForm(forms.Form):
    reason = forms.CharField(label=_("Why is this record discarded?"), max_length=500)
