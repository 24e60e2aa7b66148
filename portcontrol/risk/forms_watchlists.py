import math

from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

MB = 1024 * 1024


def check_upload_size(upload) -> None:
    """Refuse a file above PORTCONTROL_MAX_UPLOAD_MB, naming the limit (as intake does)."""
    limit = settings.PORTCONTROL_MAX_UPLOAD_MB
    if upload.size is not None and upload.size > limit * MB:
        size = math.ceil(upload.size * 10 / MB) / 10  # rounded up: never shown as the limit
        raise forms.ValidationError(
            _("The file %(name)s is %(size)s MB; the largest file accepted is %(limit)s MB."),
            code="too_large", params={"name": upload.name, "limit": limit,
                                      "size": number_format(size, 1)})


class UploadForm(forms.Form):
    """One file, refused above the size limit; subclasses give the field its help text and
    the file types the browser offers (`accept`)."""

    accept = ".csv,.txt"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = self.accept

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload_size(upload)
        return upload

    def read(self) -> bytes:
        """The uploaded bytes (bounded by the size limit checked above)."""
        return b"".join(self.cleaned_data["file"].chunks())


class WatchlistReplaceForm(UploadForm):
    accept = ".csv,.json,.jsonl,.ndjson,.ftm,.txt"
    file = forms.FileField(
        label=_("File"), allow_empty_file=False,
        help_text=_("CSV with the columns id,name,kind,country,aliases (aliases separated by "
                    "';'), or FollowTheMoney JSON lines; UTF-8. The format is detected."))


class WatchlistUploadForm(WatchlistReplaceForm):
    name = forms.CharField(label=_("Name of the list"), max_length=120,
                           help_text=_("For example: national sanctions, past seizures."))

    field_order = ["name", "file"]

    def __init__(self, *args, existing_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._existing = {n.casefold() for n in existing_names}

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the list a name."), code="required")
        if name.casefold() in self._existing:
            raise forms.ValidationError(
                _("Your unit already has a list named %(name)s; open it to replace its "
                  "entries."), code="exists", params={"name": name})
        return name


class WatchlistSearchForm(forms.Form):
    q = forms.CharField(label=_("Search entries"), max_length=200, required=False)


class WatchlistDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Containers will no longer be screened against this list."), required=True)
