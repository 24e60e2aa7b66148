"""Exact identifiers: IMO numbers for vessels, ISO 6346 numbers for containers.

Both are checked by python-stdnum (through portcontrol.core for containers) so that a typo in a
listed number is reported when the list is loaded instead of silently never matching.
"""

from __future__ import annotations

import re

from stdnum import imo
from stdnum.exceptions import ValidationError

from portcontrol.core.containers import normalize_container_number, validate_container_number
from portcontrol.core.errors import InvalidValue

_IMO_IN_TEXT = re.compile(r"\bIMO[\s:#.-]*(\d{7})\b", re.IGNORECASE)
_CONTAINER_SHAPE = re.compile(r"^[A-Z]{4}\d{7}$")


def validate_imo(value: str) -> str:
    """The 7-digit IMO number, or ValueError saying what is wrong."""
    try:
        return imo.validate(value)
    except ValidationError as exc:
        raise ValueError(f"IMO number {value!r} is not valid: {exc}") from None


def validate_container(value: str) -> str:
    """The normalised ISO 6346 number, or ValueError with core's message."""
    try:
        return validate_container_number(value)
    except InvalidValue as exc:
        raise ValueError(exc.message) from None


def imo_in_text(text: str) -> str | None:
    """An IMO number written inside a name ("MV Kaspiy Star IMO 9074729"), if valid."""
    if not text or ("IMO" not in text and "imo" not in text.lower()):  # the common case, fast
        return None
    found = _IMO_IN_TEXT.search(text)
    if not found:
        return None
    return found.group(1) if imo.is_valid(found.group(1)) else None


def container_in_text(text: str) -> str | None:
    """The text itself read as a container number ("MSCU 123456-5"), if it is a valid one."""
    if not text or not 11 <= len(text) <= 16:  # 11 characters plus a few separators
        return None
    number = normalize_container_number(text)
    if not _CONTAINER_SHAPE.match(number):
        return None
    try:
        return validate_container_number(number)
    except InvalidValue:
        return None
