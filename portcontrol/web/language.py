"""The reader's language, for texts kept in English and Russian side by side (reasons, rule
descriptions, intake findings, country names)."""

from __future__ import annotations

from django.utils.translation import get_language


def in_reader_language(english: str, russian: str | None) -> str:
    """The Russian text when the page is in Russian and there is one, else the English."""
    if russian and (get_language() or "").lower().startswith("ru"):
        return russian
    return english
