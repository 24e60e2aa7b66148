"""Read-only access to the vendored reference files, without Django.

The files live in portcontrol/reference/data; they are read with the standard library so the
generator, intake and engine (pure packages) use them without Django; the reference app loads
the same files into the database.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

DATA_DIR = Path(__file__).resolve().parent / "data"


def _rows(name: str) -> list[dict[str, str]]:
    path = DATA_DIR / name
    raw = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))


@dataclass(frozen=True)
class Port:
    locode: str
    country: str
    name: str
    lat: float | None
    lon: float | None


@lru_cache(maxsize=1)
def ports() -> dict[str, Port]:
    # polars parses the 62,000 rows in milliseconds where the csv module takes a second.
    raw = gzip.decompress((DATA_DIR / "ports.csv.gz").read_bytes())
    frame = pl.read_csv(raw, columns=["locode", "country", "name", "lat", "lon"],
                        schema_overrides={"lat": pl.Float64, "lon": pl.Float64},
                        infer_schema_length=0)
    return {row[0]: Port(*row) for row in frame.iter_rows()}


@lru_cache(maxsize=1)
def hs6_codes() -> frozenset[str]:
    return frozenset(r["code"] for r in _rows("hs2022.csv.gz") if r["level"] == "6")


@lru_cache(maxsize=1)
def countries() -> dict[str, dict[str, str]]:
    return {r["alpha2"]: r for r in _rows("countries.csv")}


@lru_cache(maxsize=1)
def size_types() -> dict[str, str]:
    """ISO 6346 size-type code -> type group (22GP, 45RT, ...)."""
    return {r["code"]: r["group"] for r in _rows("iso6346_types.csv")}


@lru_cache(maxsize=1)
def currencies() -> frozenset[str]:
    return frozenset(r["code"] for r in _rows("currencies.csv"))


@lru_cache(maxsize=1)
def hs_codes() -> frozenset[str]:
    """HS 2022 codes at every level: chapters (2), headings (4) and subheadings (6)."""
    return frozenset(r["code"] for r in _rows("hs2022.csv.gz"))
