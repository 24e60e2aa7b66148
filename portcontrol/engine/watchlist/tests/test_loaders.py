"""Reading watchlists (CSV, FollowTheMoney JSON lines) and names: good rows load, bad rows are
reported by line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portcontrol.engine.watchlist.loaders import (
    parse_names_csv,
    parse_watchlist_csv,
    read_names,
    read_watchlist,
)
from portcontrol.engine.watchlist.model import Kind, WatchlistInputError

GOOD_CSV = """id,name,kind,country,aliases
W1,ООО «Тарвелин Транс»,company,kz,Tarvelin Trans LLC; Тарвелин Транс
W2,Velmara Star,vessel,PA,IMO 9321483;MV Velmara
W3,TCLU 765432-0,container,,
W4,"Kumtebayeva, Ainagul",Person,KZ;UZ,
"""


def test_csv_good_rows() -> None:
    result = parse_watchlist_csv(GOOD_CSV, "W.csv")
    assert result.issues == []
    w1, w2, w3, w4 = result.entries
    assert w1.names == ("ООО «Тарвелин Транс»", "Tarvelin Trans LLC", "Тарвелин Транс")
    assert w1.countries == ("KZ",)
    assert (w2.kind, w2.names, w2.imo_numbers) == (Kind.VESSEL, ("Velmara Star", "MV Velmara"),
                                                   ("9321483",))
    assert (w3.kind, w3.container_numbers) == (Kind.CONTAINER, ("TCLU7654320",))
    assert (w4.kind, w4.name, w4.countries) == (Kind.PERSON, "Kumtebayeva, Ainagul", ("KZ", "UZ"))


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        (",Nameless Id,company,KZ,", "id", "is empty"),
        ("B1,,company,KZ,", "name", "is empty"),
        ("B1,Alfa,ship2,KZ,", "kind", "unknown kind 'ship2'"),
        ("B1,Alfa,company,Kazakhstan,", "country", "'Kazakhstan' is not a two-letter"),
        ("B1,Alfa,vessel,PA,IMO 9321484", "aliases", "IMO number"),
        ("B1,TCLU7654321,container,,", "name", "check digit"),
        ("B1,Alfa,company,KZ,,extra", "row", "more values than header"),
        ("W1,Again,company,KZ,", "id", "already used on line 2"),
    ],
)
def test_csv_bad_row_is_reported_and_the_rest_loads(row: str, field: str, words: str) -> None:
    text = "id,name,kind,country,aliases\nW1,Tarvelin Trans,company,KZ,\n" + row + \
        "\nW9,Shalkytemir,company,KZ,\n"
    result = parse_watchlist_csv(text, "W.csv")
    assert [e.id for e in result.entries] == ["W1", "W9"]
    [issue] = result.issues
    assert (issue.line, issue.field) == (3, field)
    assert words in issue.message
    assert str(issue).startswith(f"W.csv line 3, field '{field}': ")


def test_csv_line_numbers_count_quoted_newlines() -> None:
    text = 'id,name,kind,country,aliases\nW1,"Two\nlines",company,KZ,\nW2,,company,KZ,\n'
    result = parse_watchlist_csv(text, "W.csv")
    assert [(i.line, i.field) for i in result.issues] == [(4, "name")]


def test_csv_missing_columns_is_a_whole_file_error() -> None:
    with pytest.raises(WatchlistInputError, match="missing column"):
        parse_watchlist_csv("id,title\n1,Alfa\n", "W.csv")
    with pytest.raises(WatchlistInputError, match="empty"):
        parse_watchlist_csv("", "W.csv")


def test_names_csv() -> None:
    text = ("id,name,country,imo\nN1,Tarvelin Trans,kz,\nN2,,KZ,\nN3,Alfa,KZ;UZ,\n"
            "N4,Velmara Star,,IMO 9321483\nN5,Beta,,123\n")
    parties, issues = parse_names_csv(text, "N.csv")
    assert [(p.id, p.country, p.imo_number) for p in parties] == [
        ("N1", "KZ", None), ("N4", None, "9321483")]
    assert [(i.line, i.field) for i in issues] == [(3, "name"), (4, "country"), (6, "imo")]


def ftm(obj: dict[str, object]) -> str:
    return json.dumps(obj, ensure_ascii=False)


FTM_LINES = "\n".join([
    ftm({"id": "p-1", "schema": "Person", "properties": {
        "name": ["Кумтебаева Айнагуль"], "alias": ["Kumtebayeva Ainagul"],
        "nationality": ["kz"], "country": ["suhh"]}}),
    ftm({"id": "c-1", "schema": "Company", "properties": {
        "name": ["Tarvelin Trans LLC"], "jurisdiction": ["kz"]}}),
    ftm({"id": "v-1", "schema": "Vessel", "properties": {
        "name": ["Velmara Star"], "imoNumber": ["IMO 9321483"], "flag": ["pa"]}}),
    ftm({"id": "s-1", "schema": "Sanction", "properties": {"entity": ["c-1"]}}),
    "{not json",
    ftm({"id": "c-2", "schema": "Company", "properties": {"name": "not a list"}}),
    ftm({"schema": "Company", "properties": {"name": ["No Id"]}}),
    ftm({"id": "c-3", "schema": "Organization", "properties": {"alias": []}}),
    "",
    ftm({"id": "a-1", "schema": "Address", "properties": {"full": ["12 Tarvelin St, Aktau"]}}),
])


def test_ftm_entities(tmp_path: Path) -> None:
    path = tmp_path / "list.ftm.json"
    path.write_text(FTM_LINES, encoding="utf-8")
    result = read_watchlist(path)
    by_id = {e.id: e for e in result.entries}
    assert set(by_id) == {"p-1", "c-1", "v-1", "a-1"}
    assert by_id["p-1"].kind is Kind.PERSON
    assert by_id["p-1"].names == ("Кумтебаева Айнагуль", "Kumtebayeva Ainagul")
    assert by_id["p-1"].countries == ("KZ",)  # "suhh" is a territory, not a country
    assert by_id["v-1"].imo_numbers == ("9321483",) and by_id["v-1"].countries == ("PA",)
    assert by_id["a-1"].kind is Kind.ADDRESS
    assert result.skipped == 1
    assert [(i.line, i.field) for i in result.issues] == [
        (5, "json"), (6, "properties.name"), (7, "id"), (8, "properties.name")]


def test_ftm_detected_by_content(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text(FTM_LINES, encoding="utf-8")
    assert len(read_watchlist(path).entries) == 4


def test_ftm_array_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[" + FTM_LINES.splitlines()[0] + "]", encoding="utf-8")
    with pytest.raises(WatchlistInputError, match="one JSON object per line"):
        read_watchlist(path)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(WatchlistInputError, match="cannot read"):
        read_watchlist(tmp_path / "missing.csv")
    latin1 = tmp_path / "names.csv"
    latin1.write_bytes("id,name\n1,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(WatchlistInputError, match="not UTF-8"):
        read_names(latin1)


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "W.csv"
    path.write_bytes("\ufeffid,name,kind\nW1,Alfa,company\n".encode())
    assert [e.id for e in read_watchlist(path).entries] == ["W1"]
