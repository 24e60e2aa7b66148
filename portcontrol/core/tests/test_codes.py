import pytest

from portcontrol.core.codes import (imo_check_digit, normalize_country, normalize_currency,
                                    normalize_hs, normalize_imo, normalize_locode)
from portcontrol.core.errors import InvalidValue

KNOWN_HS = frozenset({"08", "0803", "080390", "29", "2915", "291524"})


@pytest.mark.parametrize("raw, expected", [("GEPTI", "GEPTI"), ("ge pti", "GEPTI"),
                                           ("AZ-BAK", "AZBAK"), ("US2NY", "US2NY")])
def test_locode_ok(raw, expected):
    assert normalize_locode(raw) == expected


@pytest.mark.parametrize("raw", ["", "GEPT", "GEPTI1", "G1PTI", "GEPT1", "GEPT0", "ÜÜPTI"])
def test_locode_bad(raw):
    with pytest.raises(InvalidValue) as err:
        normalize_locode(raw, field="port_of_loading")
    assert err.value.field == "port_of_loading"


@pytest.mark.parametrize("raw, expected", [("0803.90", "080390"), ("08", "08"),
                                           ("2915 24", "291524"), ("0803900000", "0803900000")])
def test_hs_ok(raw, expected):
    assert normalize_hs(raw, known=KNOWN_HS) == expected


@pytest.mark.parametrize("raw, code", [("8", "format"), ("08039", "format"), ("abc", "format"),
                                       ("080399", "unknown"), ("9999", "unknown"),
                                       ("08039999", "unknown")])
def test_hs_bad(raw, code):
    with pytest.raises(InvalidValue) as err:
        normalize_hs(raw, known=KNOWN_HS)
    assert err.value.code == code


@pytest.mark.parametrize("raw, ok", [("9321483", True), ("IMO 9321483", True),
                                     ("9321484", False), ("932148", False), ("93214833", False)])
def test_imo(raw, ok):
    if ok:
        assert normalize_imo(raw) == "9321483"
    else:
        with pytest.raises(InvalidValue):
            normalize_imo(raw)


def test_imo_check_digit_weights():
    assert imo_check_digit("932148") == 3


@pytest.mark.parametrize("fn, raw, known, ok", [
    (normalize_country, "az", {"AZ"}, True),
    (normalize_country, "XX", {"AZ"}, False),
    (normalize_country, "AZE", None, False),
    (normalize_currency, "usd", {"USD"}, True),
    (normalize_currency, "USX", {"USD"}, False),
    (normalize_currency, "US", None, False),
])
def test_country_and_currency(fn, raw, known, ok):
    if ok:
        assert fn(raw, known=known) == raw.upper()
    else:
        with pytest.raises(InvalidValue):
            fn(raw, known=known)
