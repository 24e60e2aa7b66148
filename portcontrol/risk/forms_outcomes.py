from django import forms
from django.utils.translation import gettext_lazy as _

from .forms_watchlists import check_upload_size


class OutcomeUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"), allow_empty_file=False,
        help_text=_("CSV (comma or semicolon) with the columns container_number and result "
                    "(found or nothing), and optionally voyage_id, inspected_on (YYYY-MM-DD) "
                    "and kind; UTF-8."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload_size(upload)
        return upload

    def read(self) -> bytes:
        """The uploaded bytes (bounded by the size limit checked above)."""
        return b"".join(self.cleaned_data["file"].chunks())
