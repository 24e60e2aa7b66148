"""Rebuild portcontrol/reference/data/ from the public datasets in ../shared/datasets.

Run by a maintainer when a source is updated; the product itself only reads the vendored
files. Usage: python tools/vendor_reference.py [SHARED_DATASETS_DIR]
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "portcontrol" / "reference" / "data"


def _write(name: str, header: list[str], rows: list[list[object]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode("utf-8")
    if name.endswith(".gz"):
        # mtime=0 keeps the file byte-identical between runs.
        with gzip.GzipFile(OUT / name, "wb", mtime=0) as fh:
            fh.write(data)
    else:
        (OUT / name).write_bytes(data)
    print(f"{name}: {len(rows)} rows")


def countries(src: Path) -> None:
    # UNTERM names only UN members, and not yet "Türkiye": the rest (territories such as
    # Hong Kong, Macao, Gibraltar, Puerto Rico) take Unicode CLDR's Russian name, which
    # Babel ships.
    from babel import Locale
    cldr_ru = Locale("ru").territories
    rows = []
    with open(src / "country-codes" / "country-codes.csv", encoding="utf-8-sig") as fh:
        for r in csv.DictReader(fh):
            a2 = r["ISO3166-1-Alpha-2"].strip()
            if not a2:
                continue
            rows.append([
                a2, r["ISO3166-1-Alpha-3"], r["ISO3166-1-numeric"],
                r["CLDR display name"] or r["official_name_en"],
                r["UNTERM Russian Short"].strip() or cldr_ru.get(a2, ""), r["Region Name"],
                r["Sub-region Name"],
                r["ISO4217-currency_alphabetic_code"].split(",")[0].strip(),
            ])
    rows.sort()
    _write("countries.csv", ["alpha2", "alpha3", "numeric", "name_en", "name_ru",
                             "region", "subregion", "currency"], rows)


def hs(src: Path) -> None:
    rows = []
    with open(src / "harmonized-system" / "harmonized-system.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            # Chapter 99 ("not specified according to kind") is a UN Comtrade reporting code,
            # not part of the WCO nomenclature: a declaration using it is refused.
            if r["section"] == "TOTAL" or r["level"] not in ("2", "4", "6"):
                continue
            parent = "" if r["parent"] == "TOTAL" else r["parent"]
            rows.append([r["hscode"], r["level"], parent, r["section"], r["description"]])
    _write("hs2022.csv.gz", ["code", "level", "parent", "section", "description"], rows)
    with open(src / "harmonized-system" / "sections.csv", encoding="utf-8-sig") as fh:
        secs = [list(r.values())[:2] for r in csv.DictReader(fh)]
    _write("hs2022_sections.csv", ["section", "name"], secs)


def container_types(src: Path) -> None:
    with open(src / "dcsa-reference" / "iso-6346-container-codes.csv", encoding="utf-8") as fh:
        by_code: dict[str, list[object]] = {}
        for r in csv.DictReader(fh):
            # The source lists a few codes twice; the first description is kept.
            by_code.setdefault(r["code"].strip(), [r["code"].strip(), r["description"],
                                                   r["length"], r["height"], r["group"]])
        rows = list(by_code.values())
    _write("iso6346_types.csv", ["code", "description", "length_ft", "height_ft", "group"], rows)


def currencies(src: Path) -> None:
    seen: dict[str, list[object]] = {}
    with open(src / "dcsa-reference" / "currency-codes-iso-4217.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            code = r["CurrencyCode"].strip()
            if code and not r["WithdrawalDate"].strip() and code not in seen:
                seen[code] = [code, r["Currency"], r["NumericCode"], r["MinorUnit"]]
    _write("currencies.csv", ["code", "name", "numeric", "minor_unit"], sorted(seen.values()))


def _locode_coord(text: str) -> tuple[str, str]:
    # UNECE form "4230N 04140E": degrees and minutes.
    text = text.strip()
    if len(text) != 12:
        return "", ""
    lat = int(text[0:2]) + int(text[2:4]) / 60
    lon = int(text[6:9]) + int(text[9:11]) / 60
    if text[4] == "S":
        lat = -lat
    if text[11] == "W":
        lon = -lon
    return f"{lat:.4f}", f"{lon:.4f}"


def ports(src: Path) -> None:
    table: dict[str, list[str]] = {}
    part_dir = src / "un-locode-2023-1-partial"
    for part in ("2023-1 UNLOCODE CodeListPart2.csv", "2023-1 UNLOCODE CodeListPart3.csv"):
        with open(part_dir / part, encoding="latin-1") as fh:
            for r in csv.reader(fh):
                if len(r) < 11 or not r[2].strip():
                    continue
                code = (r[1] + r[2]).strip().upper()
                lat, lon = _locode_coord(r[10])
                table[code] = [code, r[1], r[3].strip(), r[6].strip(), lat, lon, "UN/LOCODE 2023-1"]
    with open(src / "world-port-index" / "UpdatedPub150.csv", encoding="utf-8-sig") as fh:
        for r in csv.DictReader(fh):
            code = r["UN/LOCODE"].replace(" ", "").strip().upper()
            if len(code) != 5:
                continue
            lat = f"{float(r['Latitude']):.4f}"
            lon = f"{float(r['Longitude']):.4f}"
            if code in table:
                row = table[code]
                row[4], row[5] = lat, lon
                row[6] += " + WPI"
                if "1" not in row[3][:1]:
                    row[3] = "1" + row[3][1:] if row[3] else "1-------"
            else:
                table[code] = [code, code[:2], r["Main Port Name"].strip(), "1-------",
                               lat, lon, "World Port Index"]
    with open(ROOT / "tools" / "ports_supplement.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            code = r["locode"]
            row = table.get(code) or [code, code[:2], r["name"], r["functions"], "", "", ""]
            if not row[4]:
                row[4], row[5] = r["lat"], r["lon"]
                row[6] = (row[6] + " + " if row[6] else "") + "project supplement"
            table[code] = row
    _write("ports.csv.gz", ["locode", "country", "name", "functions", "lat", "lon", "source"],
           sorted(table.values()))


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "datasets"
    OUT.mkdir(parents=True, exist_ok=True)
    countries(src)
    hs(src)
    container_types(src)
    currencies(src)
    ports(src)


if __name__ == "__main__":
    main()
