"""Text for spreadsheets: what would run as a formula is written as text."""

import pytest

from portcontrol.core.spreadsheet import as_text_cell


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("MSCU1234566", "MSCU1234566"), ("", ""), (None, ""), (12.5, 12.5), (0, 0),
    (" =not first", " =not first"),
])
def test_formulas_become_text_and_the_rest_stays(value, cell):
    assert as_text_cell(value) == cell
