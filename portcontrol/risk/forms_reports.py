from django import forms
from django.utils.translation import gettext_lazy as _

from portcontrol.web.widgets import DayInput


class HitRateForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    since = forms.DateField(label=_("Arrivals from"),
                            widget=DayInput())
    until = forms.DateField(label=_("to"), widget=DayInput())

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period comes before its start."))
        return data
