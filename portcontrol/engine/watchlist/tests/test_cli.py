"""The `portcontrol watchlist` command line: output format, exit codes, one-line errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from portcontrol.engine.watchlist.cli import main

WATCHLIST = """id,name,kind,country,aliases
W1,ООО «Тарвелин Транс»,company,KZ,Tarvelin Trans LLC
W2,Velmara Star,vessel,PA,IMO 9321483
W3,TCLU7654320,container,,
W4,Кумтебаева Айнагуль Сериковна,person,KZ,
W5,Tarvelin Logistics LLC,company,KZ,
"""
NAMES = """id,name,country
N1,TARVELIN TRANS TOO,KZ
N2,MV VELMARA STAR IMO 9321483,
N3,TCLU 765432-0,
N4,Ainagul Kumtebayeva,KZ
N5,Nothing Alike Trading,AE
N6,Tarvelln Tarns,
"""


@pytest.fixture()
def files(tmp_path: Path) -> Path:
    (tmp_path / "W.csv").write_text(WATCHLIST, encoding="utf-8")
    (tmp_path / "N.csv").write_text(NAMES, encoding="utf-8")
    return tmp_path


def run(files: Path, *extra: str) -> int:
    return main(["screen", "--watchlist", str(files / "W.csv"), "--names",
                 str(files / "N.csv"), "--out", str(files / "M.csv"), *extra])


def read_out(files: Path) -> list[dict[str, str]]:
    with open(files / "M.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_screen_writes_one_row_per_match(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(files) == 0
    rows = read_out(files)
    assert list(rows[0]) == ["name_id", "watchlist_id", "score"]
    assert [(r["name_id"], r["watchlist_id"]) for r in rows] == [
        ("N1", "W1"), ("N2", "W2"), ("N3", "W3"), ("N4", "W4"), ("N6", "W1")]
    assert all(0.0 <= float(r["score"]) <= 1.0 and len(r["score"]) == 5 for r in rows)
    out = capsys.readouterr()
    assert out.out.startswith("screened 6 names against 5 entries: 5 matches at threshold 0.8")
    assert out.err == ""


def test_threshold_option(files: Path) -> None:
    assert run(files, "--threshold", "0.999") == 0
    assert {r["name_id"] for r in read_out(files)} == {"N1", "N2", "N3"}


def test_explain_adds_english_and_russian(files: Path) -> None:
    assert run(files, "--explain") == 0
    rows = {r["name_id"]: r for r in read_out(files)}
    assert rows["N1"]["explanation_en"].startswith("name matches alias 'Tarvelin Trans LLC'")
    assert "та же страна (KZ)" in rows["N1"]["explanation_ru"]
    assert rows["N2"]["explanation_en"] == "IMO number 9321483 matches exactly"


def test_ftm_watchlist(files: Path) -> None:
    lines = [{"id": "ftm-1", "schema": "Company",
              "properties": {"name": ["Tarvelin Trans LLC"], "country": ["kz"]}},
             {"id": "ftm-2", "schema": "Sanction", "properties": {"entity": ["ftm-1"]}}]
    (files / "W.json").write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    code = main(["screen", "--watchlist", str(files / "W.json"), "--names",
                 str(files / "N.csv"), "--out", str(files / "M.csv")])
    assert code == 0
    assert {(r["name_id"], r["watchlist_id"]) for r in read_out(files)} == {
        ("N1", "ftm-1"), ("N6", "ftm-1")}


def test_bad_rows_are_warned_and_strict_fails(files: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    (files / "W.csv").write_text(WATCHLIST + "W6,Alfa,ship2,KZ,\n", encoding="utf-8")
    assert run(files) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [("warning: skipped W.csv line 7, field 'kind': unknown kind 'ship2'; "
                    "use company, person, vessel, container or address")]
    assert run(files, "--strict") == 1


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["screen", "--watchlist", "{d}/missing.csv", "--names", "{d}/N.csv", "--out",
          "{d}/M.csv"], 1, "cannot read"),
        (["screen", "--watchlist", "{d}/W.csv", "--names", "{d}/N.csv", "--out", "{d}/M.csv",
          "--threshold", "1.5"], 2, "not between 0 and 1"),
        (["screen", "--watchlist", "{d}/W.csv", "--out", "{d}/M.csv"], 2, "--names"),
        (["screen", "--watchlist", "{d}/bad.csv", "--names", "{d}/N.csv", "--out",
          "{d}/M.csv"], 1, "missing column"),
        (["screen", "--watchlist", "{d}/W.csv", "--names", "{d}/N.csv", "--out",
          "{d}/no/such/dir/M.csv"], 1, "error"),
        (["frobnicate"], 2, "invalid choice"),
    ],
)
def test_errors_are_one_line(files: Path, capsys: pytest.CaptureFixture[str],
                             argv: list[str], code: int, message: str) -> None:
    (files / "bad.csv").write_text("id,title\n1,x\n", encoding="utf-8")
    assert main([a.format(d=files) for a in argv]) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("portcontrol watchlist: error:")
    assert message in err[0]
    assert "Traceback" not in err[0]


def test_failed_run_leaves_no_output(files: Path) -> None:
    (files / "M.csv").write_text("previous\n", encoding="utf-8")
    (files / "W.csv").write_text("id,name,kind\n", encoding="utf-8")  # no usable entries
    assert run(files) == 1
    assert (files / "M.csv").read_text(encoding="utf-8") == "previous\n"


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "screen" in capsys.readouterr().out
    assert main(["screen", "--help"]) == 0


def test_check(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--watchlist", str(files / "W.csv")]) == 0
    assert "5 entries (2 company, 1 container, 1 person, 1 vessel); 0 bad rows" in \
        capsys.readouterr().out


def test_same_input_same_output(files: Path) -> None:
    assert run(files, "--explain") == 0
    first = (files / "M.csv").read_bytes()
    assert run(files, "--explain") == 0
    assert (files / "M.csv").read_bytes() == first


def test_stdout(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "--watchlist", str(files / "W.csv"), "--names",
                 str(files / "N.csv"), "--out", "-"]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines()[0] == "name_id,watchlist_id,score"
    assert out.err.startswith("screened 6 names")
