"""Form widgets shared by the apps' pages."""

from __future__ import annotations

from typing import Any

from django import forms


class DayInput(forms.DateInput):
    """A browser date picker. Its value must be written YYYY-MM-DD whatever the language:
    Django writes a date in the locale's first input format (30.10.2026 in Russian), which
    a date input cannot read, so the field showed empty and a form saved as it was lost
    the date."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs, format="%Y-%m-%d")
