from django import forms
from django.utils.translation import gettext_lazy as _

from .forms_watchlists import UploadForm


class OutcomeUploadForm(UploadForm):
    file = forms.FileField(
        label=_("File"), allow_empty_file=False,
        help_text=_("CSV (comma or semicolon) with the columns container_number and result "
                    "(found or nothing), and optionally voyage_id, inspected_on (YYYY-MM-DD) "
                    "and kind; UTF-8."))
