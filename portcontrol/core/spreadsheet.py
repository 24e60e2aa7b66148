"""Text that goes into files people open in a spreadsheet.

A cell that starts with = + - or @ is run as a formula by Excel and LibreOffice: a hostile
value in a manifest or a stowage plan (a "container number" such as =HYPERLINK(...)) would
run on the officer's machine when an export is opened. Exports write such text as text.
"""

from __future__ import annotations

FORMULA_STARTS = frozenset("=+-@")


def as_text_cell(value: object) -> object:
    """The value for a CSV cell: text a spreadsheet would run as a formula gets a leading
    apostrophe (shown as text, not run); None is empty; other values are unchanged."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value
