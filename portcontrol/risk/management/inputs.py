"""What the risk commands that read a file for a unit check first."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from portcontrol.accounts.models import Unit


def unit_and_file(code: str, path: Path) -> Unit:
    """The unit with `code`; refuses an unknown code and a path that is not a file."""
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise CommandError(f"No unit with code {code!r}.")
    if not path.is_file():
        raise CommandError(f"{path}: no such file.")
    return unit
