from django import forms
from django.utils.translation import gettext_lazy as _

from portcontrol.web.widgets import DayInput

from .models import Rule, UnitRiskSettings

# The form's example rule: a test makes sure it is one the language accepts.
EXAMPLE = ('reefer and origin_country in ["EC", "CO"] and value_below_pct > 40 '
           'and hub_dwell_days >= 10')


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = ["code", "description", "description_ru", "expression", "weight",
                  "valid_from", "valid_to"]
        widgets = {
            "expression": forms.Textarea(attrs={"rows": 4, "class": "mono"}),
            "valid_from": DayInput(),
            "valid_to": DayInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weight"].widget.attrs.update(min="0", max="1", step="0.05")
        self.fields["expression"].help_text = _(
            "For example: %(example)s (the fields a rule can name are listed below the form)"
        ) % {"example": EXAMPLE}


class BacktestForm(forms.Form):
    days = forms.IntegerField(label=_("Days of history"), min_value=1, max_value=730,
                              initial=90)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DayForm(forms.Form):
    day = forms.DateField(label=_("Arrival day"), required=False,
                          widget=DayInput())


class SelectionSettingsForm(forms.ModelForm):
    """The unit's daily capacity and random share (limits are checked again by the action)."""

    class Meta:
        model = UnitRiskSettings
        fields = ["red_capacity", "yellow_capacity", "exploration_share"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The labels the settings page shows above the form.
        self.fields["red_capacity"].label = _("Red places a day")
        self.fields["yellow_capacity"].label = _("Yellow places a day")
        self.fields["exploration_share"].label = _("Share drawn at random")
        self.fields["red_capacity"].widget.attrs.update(min="0", max="5000")
        self.fields["yellow_capacity"].widget.attrs.update(min="0", max="20000")
        self.fields["exploration_share"].widget.attrs.update(min="0", max="0.5", step="0.01")
