import pytest

from portcontrol.core.errors import InvalidValue
from portcontrol.reference import lookup
from portcontrol.reference.loading import load_reference_data
from portcontrol.reference.models import ContainerType, Country, HsCode, Port

pytestmark = pytest.mark.django_db


def test_reference_lists_are_loaded():
    assert Country.objects.get(code="AZ").name_en == "Azerbaijan"
    assert Country.objects.get(code="RU").name_ru
    # Every country has a Russian name, territories and Türkiye included.
    assert not Country.objects.filter(name_ru="").exists()
    assert Country.objects.get(code="TR").name_ru == "Турция"
    assert Country.objects.get(code="HK").name_ru.startswith("Гонконг")
    assert HsCode.objects.filter(level=2).count() == 96
    assert HsCode.objects.get(code="080390").parent == "0803"
    assert ContainerType.objects.filter(code="45R1").exists()
    karachi = Port.objects.get(locode="PKKHI")
    assert karachi.is_seaport and karachi.latitude == pytest.approx(24.78, abs=0.1)


def test_init_is_idempotent():
    result = load_reference_data()
    assert set(result.values()) == {None}
    assert Port.objects.filter(locode="GEPTI").count() == 1


@pytest.mark.parametrize("value, field, ok", [
    ("0803.90", "hs_code", True), ("999999", "hs_code", False), ("08", "hs_code", True),
])
def test_check_hs(value, field, ok):
    if ok:
        assert lookup.check_hs(value)
    else:
        with pytest.raises(InvalidValue, match="does not exist in HS 2022"):
            lookup.check_hs(value)


def test_unknown_locode_is_a_warning_not_an_error():
    code, port, warning = lookup.check_locode("FR XYZ")
    assert code == "FRXYZ" and port is None and "partial" in warning
    code, port, warning = lookup.check_locode("gepti")
    assert port is not None and warning is None


def test_malformed_locode_is_an_error():
    with pytest.raises(InvalidValue, match="not a UN/LOCODE"):
        lookup.check_locode("GE-PT1X")


def test_size_type_must_exist():
    assert lookup.check_size_type("45r1") == "45R1"
    with pytest.raises(InvalidValue, match="not in the ISO 6346 list"):
        lookup.check_size_type("99Z9")


def test_init_command_twice_reports_current(capsys):
    from django.core.management import call_command

    call_command("init")
    call_command("init")
    out = capsys.readouterr().out.strip().splitlines()[-1]
    assert "ports current" in out and "hs2022 current" in out
