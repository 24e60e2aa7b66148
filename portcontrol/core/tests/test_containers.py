import pytest
from stdnum import iso6346

from portcontrol.core.containers import (check_digit, is_reefer_type, is_valid_container_number,
                                         normalize_size_type, validate_container_number)
from portcontrol.core.errors import InvalidValue


@pytest.mark.parametrize("raw, expected", [
    ("CSQU3054383", "CSQU3054383"),
    ("csqu 305438-3", "CSQU3054383"),
    ("CSQU.305438/3", "CSQU3054383"),
    (" MSCU1234566 ", "MSCU1234566"),
])
def test_valid_numbers_are_normalised(raw, expected):
    assert validate_container_number(raw) == expected


@pytest.mark.parametrize("raw, code, fragment", [
    ("", "empty", "empty"),
    ("CSQU305438", "length", "has 10 characters"),
    ("CSQU30543833", "length", "has 12 characters"),
    ("CSQU3054384", "check_digit", "ISO 6346 gives 3"),
    ("C5QU3054383", "format", "not of the form"),
    ("CSQX3054383", "format", "not of the form"),
    ("CSQU30A4383", "format", "not of the form"),
    ("<script>alert", "length", "characters"),
])
def test_invalid_numbers_say_what_is_wrong(raw, code, fragment):
    with pytest.raises(InvalidValue) as err:
        validate_container_number(raw)
    assert err.value.code == code
    assert fragment in err.value.message
    assert err.value.field == "container_number"


@pytest.mark.parametrize("first_ten", ["CSQU305438", "MSCU123456", "MAEU765432", "TGHU000000"])
def test_check_digit_matches_stdnum(first_ten):
    number = first_ten + check_digit(first_ten)
    assert iso6346.is_valid(number)
    assert is_valid_container_number(number)


@pytest.mark.parametrize("raw, ok", [("22G1", True), ("45r1", True), ("L5G1", True),
                                     ("2G1", False), ("22-1", False), ("", False)])
def test_size_type_form(raw, ok):
    if ok:
        assert normalize_size_type(raw) == raw.upper()
    else:
        with pytest.raises(InvalidValue):
            normalize_size_type(raw)


@pytest.mark.parametrize("code, reefer", [("45R1", True), ("22R1", True), ("22G1", False),
                                          ("", False)])
def test_reefer_type(code, reefer):
    assert is_reefer_type(code) is reefer
