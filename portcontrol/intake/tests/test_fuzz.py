"""Fuzzing every reader: random bytes and damaged samples may only ever produce findings or
a clean IntakeError, never another exception, and every outcome is a well-formed Outcome."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portcontrol.intake import IntakeError, Outcome, read
from portcontrol.intake.findings import Finding

SAMPLES = Path(__file__).resolve().parent / "samples"
TEXT_SAMPLES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".edi", ".csv"))
FUZZ = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for line in (SAMPLES / "csv_generator_style.csv").read_text().splitlines():
        sheet.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX = _xlsx_bytes()
SEEDS = [p.read_bytes() for p in TEXT_SAMPLES] + [XLSX]


@st.composite
def damaged(draw: Callable[..., Any]) -> bytes:
    """A sample with a few random edits: cut, delete, insert, overwrite, duplicate."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        j = draw(st.integers(i, min(len(data), i + 40)))
        op = draw(st.sampled_from(["cut", "delete", "insert", "overwrite", "duplicate"]))
        if op == "cut":
            del data[i:]
        elif op == "delete":
            del data[i:j]
        elif op == "insert":
            data[i:i] = draw(st.binary(max_size=12) | st.sampled_from(
                [b"'", b"+", b":", b"?", b"UNT+", b"UNH+1+CUSCAR:D:95B:UN'", b"\n", b",", b";",
                 b'"', b"\xff", b"EQD+CN+", b"RFF+BM:", b"GID+1'", b"UNA:+.? '",
                 b"LOC+13+ESALG'", b"DTM+178:", b"DTM+186:2026", b"DTM+133:'"]))
        elif op == "overwrite":
            data[i:j] = draw(st.binary(min_size=j - i, max_size=j - i))
        else:
            data[i:i] = data[i:j]
    return bytes(data)


def _consume(data: bytes, **kw: Any) -> None:
    fd, name = tempfile.mkstemp(prefix="pc-fuzz-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            intake = read(name, **kw)
            for outcome in intake:
                assert isinstance(outcome, Outcome)
                assert all(isinstance(f, Finding) for f in outcome.findings)
                if outcome.record is None:
                    assert any(f.is_error for f in outcome.findings)
            assert intake.summary.accepted + intake.summary.rejected == intake.summary.seen
        except IntakeError as exc:
            assert str(exc)
    finally:
        os.unlink(name)


FORMATS = ["auto", "cuscar", "baplie", "csv", "xlsx", "json"]


@FUZZ
@given(st.binary(max_size=600), st.sampled_from(FORMATS))
def test_random_bytes(data, fmt):
    _consume(data, format=fmt)


@FUZZ
@given(damaged(), st.sampled_from(FORMATS))
def test_damaged_samples(data, fmt):
    _consume(data, format=fmt)


@FUZZ
@given(damaged())
def test_damaged_samples_through_pydifact_and_the_other_profile(data):
    _consume(data, format="auto", engine="pydifact", profile="rff_containers")


@FUZZ
@given(damaged())
def test_damaged_samples_with_the_agency_mapping(data):
    _consume(data, format="auto", mapping="example_agency")


@FUZZ
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(
                        ["voyage", "bl_number", "containers", "goods", "parties", "shipper",
                         "seals", "hs_code", "gross_mass_kg", "reefer", "records", "eta",
                         "port_of_call", "container_number", "transshipment_ports"]),
                        inner, max_size=6), max_leaves=25))
def test_json_of_any_shape(value):
    import json

    _consume(json.dumps(value).encode(), format="json")
    _consume((json.dumps(value) + "\n" + json.dumps(value)).encode(), format="json")
