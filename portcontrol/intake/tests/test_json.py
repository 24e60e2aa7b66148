"""JSON list, {"records": [...]} object and NDJSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from portcontrol.intake import IntakeError
from portcontrol.intake.json_reader import read_json
from portcontrol.testing.records import sample_records


def outcomes(path: Path) -> list[Any]:
    return list(read_json(path))


@pytest.mark.parametrize("shape", ["list", "object", "ndjson", "bom"])
def test_shapes(tmp_path, shape):
    records = sample_records()
    path = tmp_path / "m.json"
    if shape == "list":
        path.write_text(json.dumps(records, indent=2))
    elif shape == "object":
        path.write_text(json.dumps({"source": {"records": 0}, "records": records, "n": 3}))
    elif shape == "ndjson":
        path.write_text("\n".join(json.dumps(r) for r in records) + "\n\n")
    else:
        path.write_bytes(b"\xef\xbb\xbf" + json.dumps(records).encode())
    outs = outcomes(path)
    assert [o.record["bl_number"] for o in outs] == [r["bl_number"] for r in records]
    assert all(o.findings == [] for o in outs)


def test_streaming_list_across_buffer_edges(tmp_path, monkeypatch):
    from portcontrol.intake import json_reader

    monkeypatch.setattr(json_reader, "CHUNK", 7)
    records = sample_records() * 5
    path = tmp_path / "m.json"
    path.write_text(json.dumps(records))
    assert len(outcomes(path)) == 15


def test_ndjson_bad_lines_are_rejected_records(tmp_path):
    good = json.dumps(sample_records()[0])
    path = tmp_path / "m.ndjson"
    path.write_text(f"{good}\n{{not json\n[1, 2]\n{good}\n")
    outs = outcomes(path)
    assert [o.accepted for o in outs] == [True, False, False, True]
    assert outs[1].findings[0].location == "line 2" and outs[1].raw_text == "{not json\n"
    assert outs[2].findings[0].field == ""


def test_non_objects_in_a_list_are_rejected_records(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps([sample_records()[0], 5, "x", None]))
    outs = outcomes(path)
    assert [o.accepted for o in outs] == [True, False, False, False]
    assert outs[1].findings[0].location == "record 2"


@pytest.mark.parametrize("text, fragment", [
    ('[{"bl_number": "A"}, {"bl', "Not valid JSON"),
    ('{"meta": 1}', "records"),
    ("not json", "does not start"),
    ('[{"a": 1} {"b": 2}]', "expected"),
])
def test_broken_json_is_an_intake_error_after_the_good_records(tmp_path, text, fragment):
    path = tmp_path / "m.json"
    path.write_text(text)
    seen: list[Any] = []
    with pytest.raises(IntakeError, match=fragment):
        seen.extend(read_json(path))
    assert len(seen) <= 1
