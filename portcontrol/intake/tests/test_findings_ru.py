"""Every finding and every IntakeError carries a Russian text (message_ru) beside its English.

The cases below run the readers on the hand-written samples, on files made from them (lines
that disagree, bytes replaced, broken envelopes, broken JSON, damaged workbooks) and on
records damaged through validate_record. For every finding: a Russian text in Cyrillic with
no template brace left over; the English is checked word for word where it is recorded
below (the texts as they were before the Russian was added: reports and the API keep them).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from portcontrol.core.codes import (
    normalize_country,
    normalize_currency,
    normalize_hs,
    normalize_imo,
    normalize_locode,
)
from portcontrol.core.containers import normalize_size_type, validate_container_number
from portcontrol.core.errors import InvalidValue
from portcontrol.intake import Finding, IntakeError, read
from portcontrol.intake.baplie import read_baplie
from portcontrol.intake.cuscar import read_cuscar
from portcontrol.intake.json_reader import read_json
from portcontrol.intake.mapping import FIELDS, load_mapping
from portcontrol.intake.tests.test_validate import changed
from portcontrol.intake.validate import validate_record
from portcontrol.testing.records import sample_records

SAMPLES = Path(__file__).resolve().parent / "samples"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")

Result = list[Finding] | IntakeError


def collect(make: Callable[[], Any]) -> Result:
    """The findings of one read (records' and the file's), or the IntakeError that stops it."""
    sink: list[Finding] = []
    found: list[Finding] = []
    try:
        made = make()
        if isinstance(made, tuple):  # validate_record's (clean, findings)
            return list(made[1])
        for outcome in made:
            found.extend(outcome.findings)
        sink = list(getattr(made, "findings", []))
    except IntakeError as exc:
        return exc
    return sink + found


def reading(path: Path, **options: Any) -> Callable[[], Any]:
    return lambda: read(path, **options)


# --- the samples ------------------------------------------------------------------------

OPTIONS: dict[str, dict[str, Any]] = {"agency_example.csv": {"mapping": "example_agency"},
                                      "cuscar_rff_c058.edi": {"profile": "rff_containers"}}


def sample_cases() -> dict[str, Callable[[], Any]]:
    cases = {}
    for path in sorted(SAMPLES.iterdir()):
        options = OPTIONS.get(path.name, {})
        cases[f"sample {path.name}"] = reading(path, **options)
        if path.suffix == ".edi":
            cases[f"sample {path.name} pydifact"] = reading(path, engine="pydifact", **options)
    return cases


# --- records damaged through validate_record ----------------------------------------------

# changed() is test_validate's: one way to damage a record


DAMAGE = [
    ("containers.0.container_number", "MSCU1234567"),  # check digit
    ("containers.0.container_number", "MSCX1234566"),  # category
    ("containers.0.container_number", ""),
    ("containers.0.container_number", "MSCU12345"),  # length
    ("containers.0.container_number", "MS1U1234566"),
    ("containers.0.size_type", "45X9"),
    ("containers.0.size_type", "4"),
    ("port_of_loading", "EC GY"),
    ("port_of_loading", "ZZABC"),  # unknown: a warning
    ("transshipment_ports", ["ESALG", "ZZABC"]),
    ("transshipment_ports", 5),
    ("place_of_receipt", "ZZ-QQQ"),
    ("final_destination", "12345"),
    ("voyage.port_of_call", ""),
    ("voyage.vessel_imo", "9321484"),
    ("voyage.vessel_imo", "12"),
    ("voyage.vessel_flag", "XX"),
    ("voyage.vessel_flag", "PAN"),
    ("voyage.eta", "24/11/2026"),
    ("voyage.voyage_id", "V" * 41),
    ("voyage.vessel_name", ["MSC", "ANNA"]),
    ("bl_number", "  "),
    ("bl_number", "B" * 41),
    ("freight_terms", "PREPAID-IN-FULL"),
    ("containers.0.goods.0.hs_code", "999999"),
    ("containers.0.goods.0.hs_code", "08039"),
    ("containers.0.goods.0.hs_code", "9999990000"),
    ("containers.0.goods.0.currency", "DOLLARS"),
    ("containers.0.goods.0.currency", "ABC"),
    ("containers.0.goods.0.currency", ""),  # a value without currency: a warning
    ("containers.0.goods.0.origin_country", "ZZ"),
    ("containers.0.gross_mass_kg", 0),
    ("containers.0.gross_mass_kg", -3),
    ("containers.0.gross_mass_kg", "heavy"),
    ("containers.0.gross_mass_kg", "nan"),
    ("containers.0.gross_mass_kg", True),
    ("containers.0.vgm_kg", 20000),  # far from gross: a warning
    ("containers.0.goods.0.net_kg", 23000),  # above gross: a warning
    ("containers.0.goods.0.value", 0),
    ("containers.0.goods.0.packages", 10.5),
    ("containers.0.goods.0.packages", "many"),
    ("containers.0.reefer", "maybe"),
    ("containers.0.full_empty", "X"),
    ("containers.0.seals", {"a": 1}),
    ("containers.0.goods", "bananas"),
    ("containers.0.goods.0", "bananas"),
    ("containers.0", 7),
    ("containers", "not a list"),
    ("containers", []),
    ("parties", "x"),
    ("parties.shipper", "x"),
    ("parties.shipper.country", "E"),
    ("parties.consignee.country", "QQ"),
    ("parties.shipper.address", 12.5),
]

JUNK = [None, 7, "text", [], {"voyage": "x", "containers": [1]}, {"parties": {"shipper": "x"}},
        {"bl_number": {"a": 1}}]


def damage_cases() -> dict[str, Callable[[], Any]]:
    cases: dict[str, Callable[[], Any]] = {}
    for path, value in DAMAGE:
        rec = changed(path, value)
        cases[f"damaged {path}={value!r}"] = lambda rec=rec: validate_record(
            copy.deepcopy(rec), source="f", location="line 9")
    for junk in JUNK:
        cases[f"junk {junk!r}"] = lambda junk=junk: validate_record(copy.deepcopy(junk))
    return cases


# --- files made for the purpose -----------------------------------------------------------

def _csv_lines() -> list[str]:
    return (SAMPLES / "csv_generator_style.csv").read_text(encoding="utf-8").splitlines()


def _cuscar_text() -> str:
    return (SAMPLES / "cuscar_d95b_una_lines.edi").read_text(encoding="latin-1")


def _xlsx(path: Path, rows: list[list[Any]], title: str = "Sheet") -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def file_cases(tmp: Path) -> dict[str, Callable[[], Any]]:
    cases: dict[str, Callable[[], Any]] = {}

    def write(name: str, content: str | bytes) -> Path:
        path = tmp / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    # CSV: lines of one bill that disagree (on the bill and on the container), lossy bytes
    lines = _csv_lines()
    header, first = lines[0], lines[1]
    other = first.replace("MSC ANNA", "MSC OTHER").replace(",26500,", ",26900,")
    cases["csv lines disagree"] = reading(write("disagree.csv",
                                                f"{header}\n{first}\n{other}\n"))
    cases["csv replaced bytes"] = reading(write("lossy.csv", "\n".join(
        [header, first.replace("Caspian Fresh", "Caspian \ufffdFresh")]) + "\n"))
    cases["csv unknown encoding"] = reading(
        SAMPLES / "csv_generator_style.csv",
        mapping=dataclasses.replace(load_mapping("generator"), encoding="no-such-codec"))
    cases["csv named but json"] = reading(write("m.json.csv", "[]"), format="csv")
    cases["unknown format"] = reading(SAMPLES / "csv_tab.csv", format="pdf")
    cases["missing file"] = reading(tmp / "nothing-here.csv")
    cases["missing file named csv"] = reading(tmp / "nothing-here.csv", format="csv")
    cases["missing file named json"] = reading(tmp / "nothing-here.json", format="json")
    cases["missing file named cuscar"] = reading(tmp / "nothing-here.edi", format="cuscar")

    # XLSX
    names = list(FIELDS)
    good = dict.fromkeys(FIELDS, None) | {
        "voyage_id": "V1", "port_of_call": "GEPTI", "bl_number": "B1",
        "container_number": "MSCU1234566", "size_type": "22G1", "gross_mass_kg": 1000}
    bad = good | {"bl_number": "B2", "container_number": "MSCU1234567", "hs_code": 999999,
                  "vgm_kg": 5000}
    rows = [[*names, "remarks"], [*[good[f] for f in names], "x"], [bad[f] for f in names]]
    cases["xlsx bad row"] = reading(_xlsx(tmp / "two.xlsx", rows))
    cases["xlsx not a zip"] = reading(write("plain.xlsx", b"plain text"), format="xlsx")
    cases["xlsx damaged zip"] = reading(write("bad.xlsx", b"PK\x03\x04 not really a zip"))
    cases["xlsx empty sheet"] = reading(_xlsx(tmp / "empty.xlsx", []))
    cases["xlsx no such sheet"] = reading(
        _xlsx(tmp / "sheet.xlsx", rows), mapping=dataclasses.replace(
            load_mapping("generator"), sheet="Manifest"))
    cases["xlsx missing columns"] = reading(_xlsx(tmp / "cols.xlsx", [["a", "b"], [1, 2]]))

    # JSON
    good_json = json.dumps(sample_records()[0])
    cases["ndjson bad lines"] = reading(write("m.ndjson", f"{good_json}\n{{not json\n[1, 2]\n"))
    cases["json non-objects"] = reading(write("list.json", f"[{good_json}, 5, \"x\", null]"))
    for i, text in enumerate(['[{"bl_number": "A"}, {"bl', '{"meta": 1}', '[{"a": 1} {"b": 2}]',
                              "[" * 100_000]):
        cases[f"json broken {i}"] = functools.partial(read_json, write(f"broken{i}.json", text))
    cases["json not json"] = functools.partial(read_json, write("nj.json", "not json"))
    cases["json not utf-8"] = reading(write("latin.json", '[{"bl_number": "Ä"}]'.encode(
        "latin-1")))
    cases["json missing file"] = (lambda: read_json(tmp / "absent.json"))

    # EDIFACT: envelopes and records
    cuscar = _cuscar_text()
    cases["cuscar goods without sgp"] = reading(write("sgp.edi", re.sub(
        r"SGP\+[^']*'\n?", "", cuscar)))
    no_box = cuscar.replace("EQD+CN+MSCU1234566+45R1:102:5+++5'\nMEA+AAE+G+KGM:26500'\n"
                            "MEA+AAE+VGM+KGM:26550'\nSEL+EC1234567+CA'\nTMP+2+13:CEL'\n",
                            "").replace("SGP+MSCU1234566+1080'\n", "")
    assert no_box != cuscar
    cases["cuscar goods without container"] = reading(write("nobox.edi", no_box))
    unh = cuscar.index("UNH")
    head, body = cuscar[:unh], cuscar[unh:cuscar.index("UNZ")]
    cases["cuscar envelope oddities"] = reading(write("env.edi", (
        head + "UNG+CUSCAR+A+B+261120:0600+G1'\nFTX+AAA'\n" + body
        + "UNH+9+IFTMIN:D:95B:UN'\nBGM+1'\nUNT+3+9'\nUNE+5+G1'\nUNZ+1+CTRL95B'\n"
        + "UNH+X1+CUSCAR:D:95B:UN'\nUNT+2+X1'\n")))
    cases["cuscar UNZ inside a message"] = reading(write("unt.edi", re.sub(
        r"UNT\+[^']*'\n", "", cuscar)))
    cases["cuscar unknown syntax"] = reading(write("syn.edi", cuscar.replace("UNOC:3", "UNOQ:3")))
    cases["cuscar new UNB before UNZ"] = reading(write("unb.edi", cuscar.replace(
        "UNZ+1+CTRL95B'", "") + cuscar[cuscar.index("UNB"):]))
    cases["cuscar only other messages"] = reading(write("other.edi", head + (
        "UNH+1+IFTMIN:D:95B:UN'\nUNT+2+1'\nUNZ+1+CTRL95B'\n")), format="cuscar")
    cases["cuscar no messages"] = reading(write("none.edi", head + "UNZ+0+CTRL95B'\n"),
                                          format="cuscar")
    cases["edifact named but csv"] = (lambda: read_cuscar(SAMPLES / "csv_tab.csv"))
    cases["baplie read as cuscar"] = (lambda: read_cuscar(SAMPLES / "baplie_d95b.edi"))
    cases["cuscar read as baplie"] = (lambda: read_baplie(SAMPLES / "cuscar_d00b_oneline.edi"))
    baplie = (SAMPLES / "baplie_d95b.edi").read_text(encoding="latin-1")
    cut = baplie[:baplie.index("UNT")]
    cases["baplie bad box, no voyage, cut"] = reading(write("plan.edi", re.sub(
        r"TDT\+[^']*'\n", "", cut).replace("MSCU1234566", "MSCU1234567")))
    return cases


def all_cases(tmp: Path) -> dict[str, Result]:
    makers = {**sample_cases(), **damage_cases(), **file_cases(tmp)}
    return {name: collect(make) for name, make in makers.items()}


# --- the tests ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Result]:
    return all_cases(tmp_path_factory.mktemp("ru"))


def _russian(english: str, russian: str) -> None:
    assert russian, f"no Russian for {english!r}"
    assert CYRILLIC.search(russian), russian
    if "{" not in english and "}" not in english:
        assert "{" not in russian and "}" not in russian, russian


def test_the_cases_produce_findings_and_errors(results):
    findings = [f for r in results.values() if not isinstance(r, IntakeError) for f in r]
    errors = [r for r in results.values() if isinstance(r, IntakeError)]
    assert len(findings) > 150 and len(errors) > 20
    codes = {f.code for f in findings}
    assert {"check_digit", "unknown", "unknown_locode", "vgm_far", "net_above_gross",
            "missing", "format", "date", "range", "type", "too_long", "no_containers",
            "lines_disagree", "encoding", "extra_column", "json", "count", "reference",
            "unclosed", "unz_missing", "charset", "release", "syntax", "truncated",
            "unknown_segment", "goods_placement", "incomplete", "container_number",
            "message_type", "outside", "after_unz", "no_messages"} <= codes


def test_every_finding_has_a_russian_text(results):
    for name, result in results.items():
        if isinstance(result, IntakeError):
            continue
        for finding in result:
            assert isinstance(finding.message_ru, str)
            try:
                _russian(finding.message, finding.message_ru)
            except AssertionError as exc:
                raise AssertionError(f"{name}: {finding}") from exc
            assert finding.as_dict()["message_ru"] == finding.message_ru
            assert "message_ru" not in str(finding) and finding.message in str(finding)


def test_every_intake_error_has_a_russian_text(results):
    for name, result in results.items():
        if not isinstance(result, IntakeError):
            continue
        try:
            _russian(result.message, result.message_ru)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {result}") from exc
        assert str(result).endswith(result.message)


ENGLISH = [  # (case, the English of one of its findings, exactly as before)
    ("sample csv_wrong_types.csv",
     ("error [csv_wrong_types.csv, line 2, MSCUGYE000001] containers[0].gross_mass_kg: "
      "'heavy' is not a number.")),
    ("sample csv_cp1251.csv",
     "warning [csv_cp1251.csv] The file is not UTF-8; it was read as Windows-1251 (Cyrillic)."),
    ("damaged containers.0.container_number='MSCU1234567'",
     ("error [f, line 9, MSCUGYE000001] containers[0].container_number: Container number "
      "'MSCU1234567' has check digit 7; ISO 6346 gives 6 for MSCU123456.")),
    ("damaged port_of_loading='ZZABC'",
     ("warning [f, line 9, MSCUGYE000001] port_of_loading: UN/LOCODE ZZABC is not in the "
      "reference list (which is partial).")),
    ("damaged containers.0.vgm_kg=20000",
     ("warning [f, line 9, MSCUGYE000001] containers[0].vgm_kg: VGM 20000 kg is far from the "
      "declared gross mass 26500 kg.")),
    ("damaged containers.0.goods.0.hs_code='999999'",
     ("error [f, line 9, MSCUGYE000001] containers[0].goods[0].hs_code: HS code 999999 does "
      "not exist in HS 2022.")),
    ("damaged voyage.eta='24/11/2026'",
     ("error [f, line 9, MSCUGYE000001] voyage.eta: Date '24/11/2026' is not an ISO 8601 date "
      "and time (for example 2026-11-24T06:00:00Z).")),
    ("damaged containers.0.gross_mass_kg=-3",
     ("error [f, line 9, MSCUGYE000001] containers[0].gross_mass_kg: Must be a number greater "
      "than zero, not -3.")),
    ("damaged voyage.port_of_call=''",
     ("error [f, line 9, MSCUGYE000001] voyage.port_of_call: This field is required and is "
      "empty.")),
    ("sample bad_unt_count.edi",
     ("warning [bad_unt_count.edi, segment 52] UNT: UNT says message 'M1' has '40' segments; "
      "it has 51 (UNH to UNT).")),
    ("csv lines disagree",
     ("error [disagree.csv, line 3, MSCUGYE000001] voyage.vessel_name: The lines of bill "
      "MSCUGYE000001 disagree on vessel_name: line 2 has 'MSC ANNA', line 3 has 'MSC OTHER'. "
      "Every line of a bill of lading must repeat the same value (or leave it empty).")),
    ("sample csv_extra_columns.csv",
     ("warning [csv_extra_columns.csv, line 1] remarks: Column 'remarks' is not in mapping "
      "'generator'; ignored.")),
    ("cuscar envelope oddities",
     "warning [env.edi, segment 58] UNE: UNE says the group holds '5' messages; it holds 2."),
    ("baplie bad box, no voyage, cut",
     ("warning [plan.edi, segment 13] containers[0].container_number: Container number "
      "'MSCU1234567' on board fails ISO 6346; kept as read.")),
]


RUSSIAN = [  # (case, the Russian of one of its findings)
    ("damaged containers.0.container_number='MSCU1234567'",
     ("У номера контейнера 'MSCU1234567' контрольная цифра 7; по ISO 6346 для MSCU123456 "
      "она должна быть 6.")),
    ("damaged containers.0.vgm_kg=20000",
     ("VGM (подтверждённая масса брутто) 20000 кг сильно отличается от заявленной массы "
      "брутто 26500 кг.")),
    ("damaged port_of_loading='ZZABC'",
     "Кода UN/LOCODE ZZABC нет в справочнике (справочник неполный)."),
    ("damaged containers.0.gross_mass_kg=True", "Ожидалось число, а не значение «да/нет»."),
    ("sample csv_cp1251.csv", "Файл не в кодировке UTF-8; прочитан как Windows-1251 (кириллица)."),
    ("csv lines disagree",
     ("Строки коносамента MSCUGYE000001 расходятся в поле vessel_name: в строке 2 — "
      "'MSC ANNA', в строке 3 — 'MSC OTHER'. Во всех строках коносамента значение должно "
      "быть одним и тем же (или не заполнено).")),
]


@pytest.mark.parametrize("case, russian", RUSSIAN)
def test_russian_texts(results, case, russian):
    result = results[case]
    assert not isinstance(result, IntakeError)
    assert russian in [f.message_ru for f in result]


def test_russian_json_error_names_what_was_expected(results):
    assert results["json broken 2"].message_ru == (
        "Недопустимый JSON: ожидался знак ',' или ']', а найден '{'.")


@pytest.mark.parametrize("case, english", ENGLISH)
def test_english_is_unchanged(results, case, english):
    result = results[case]
    assert not isinstance(result, IntakeError)
    assert english in [str(f) for f in result]


def test_intake_error_english_is_unchanged(results):
    missing = results["sample csv_missing_columns.csv"]
    assert isinstance(missing, IntakeError)
    assert str(missing) == ("csv_missing_columns.csv: Required columns are missing: "
                            "bl_number (for bl_number); container_number (for "
                            "container_number) (mapping 'generator').")
    assert str(results["json not utf-8"]) == (
        "latin.json: JSON must be UTF-8: invalid continuation byte at byte 16.")
    assert results["unknown format"].message == (
        "Unknown format 'pdf'; use one of auto, cuscar, baplie, csv, xlsx, json.")


@pytest.mark.parametrize("call", [
    lambda: normalize_locode("EC GY"), lambda: normalize_country("E"),
    lambda: normalize_country("ZZ", known={"EC"}), lambda: normalize_currency("DOLLARS"),
    lambda: normalize_currency("ABC", known={"USD"}), lambda: normalize_hs("08039"),
    lambda: normalize_hs("999999", known={"080390"}), lambda: normalize_imo("12"),
    lambda: normalize_imo("9321484"), lambda: validate_container_number(""),
    lambda: validate_container_number("MSCX1234566"),
    lambda: validate_container_number("MSCU12345"),
    lambda: validate_container_number("MSCU1234567"), lambda: normalize_size_type("4"),
])
def test_core_invalid_values_carry_russian(call):
    with pytest.raises(InvalidValue) as caught:
        call()
    _russian(caught.value.message, caught.value.message_ru)
    assert str(caught.value) == caught.value.message


def test_invalid_value_keeps_its_signature():
    plain = InvalidValue("Bad.", field="x", code="format")
    assert (plain.message, plain.field, plain.code, plain.message_ru) == \
        ("Bad.", "x", "format", "")
    assert plain.as_dict() == {"code": "format", "message": "Bad.", "field": "x"}
    error = IntakeError("Broken.", source="f.csv", location="line 2", message_ru="Сломан.")
    assert (str(error), error.message, error.message_ru) == \
        ("f.csv, line 2: Broken.", "Broken.", "Сломан.")
    assert IntakeError("Broken.").message_ru == ""
    finding = Finding("f", "line 1", "B", "x", "c", "Message.")
    assert finding.message_ru == "" and finding.severity == "error"
