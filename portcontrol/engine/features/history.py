"""History: a small, serialisable summary of an installation's past manifests.

The indicators compare today's containers with what is normal here: which parties we know,
which goods come from which country, what a kilogram of a heading is usually worth, how heavy
its loads are, and which boxes were on other ships lately. Computing that once from the past
frame (nightly, say) and storing the summary keeps scoring independent of the size of the
archive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl

from .config import EngineConfig
from .frame import collect, left_join, prepare

FORMAT_VERSION = 1
PARTY_ROLES = ("shipper", "consignee", "notify")
# Robust scale of a normal distribution from its median absolute deviation.
MAD_TO_SIGMA = 1.4826

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "parties": {"party_key": pl.String(), "first_seen": pl.Date(), "shipments": pl.UInt32(),
                "seizures": pl.UInt32(), "last_seizure": pl.Date()},
    "origin_hs": {"origin_country": pl.String(), "hs4": pl.String(), "n": pl.UInt32()},
    "origins": {"origin_country": pl.String(), "n": pl.UInt32()},
    "freight": {"origin_country": pl.String(), "freight_terms": pl.String(),
                "n": pl.UInt32()},
    "route_hubs": {"pol_country": pl.String(), "hub": pl.String(), "n": pl.UInt32()},
    "pol_countries": {"pol_country": pl.String(), "n": pl.UInt32()},
    "values": {"level": pl.String(), "code": pl.String(), "n": pl.UInt32(),
               "median": pl.Float64(), "scale": pl.Float64()},
    "loads": {"hs4": pl.String(), "_load_group": pl.String(), "n": pl.UInt32(),
              "median": pl.Float64()},
    "recent": {"container_number": pl.String(), "voyage_id": pl.String(),
               "eta": pl.Datetime("us")},
}


def party_key(role: str) -> pl.Expr:
    """Country and name, upper-cased, punctuation folded: "Acme, Ltd." = "ACME LTD".

    Exact keys on purpose: fuzzy identity is the watchlist's job, and a new party that
    spells itself like an old one should still look new here.
    """
    name = (pl.col(f"{role}_name").str.to_uppercase()
            .str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars())
    return pl.concat_str([pl.col(f"{role}_country").fill_null(""), name], separator="|")


def party_keys(frame: pl.LazyFrame, role: str) -> pl.LazyFrame:
    """(name, country) -> party key for the distinct pairs of `frame`: a batch names a few
    thousand parties a million times, and the Unicode regex is the costly part."""
    name, country = f"{role}_name", f"{role}_country"
    pair = pl.struct(name, country).hash()
    return (frame.select(name, country, pair.alias("_pair")).unique("_pair").drop("_pair")
            .with_columns(party_key(role).alias(f"{role}_party_key")))


@dataclass
class History:
    """Summary tables of the past (see SCHEMAS); build with `from_frame`, store `to_dict`."""

    as_of: date | None = None
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, schema in SCHEMAS.items():
            if name not in self.tables:
                self.tables[name] = pl.DataFrame(schema=schema)

    def table(self, name: str) -> pl.DataFrame:
        return self.tables[name]

    @property
    def empty(self) -> bool:
        return self.tables["origins"].height == 0

    @classmethod
    def from_frame(cls, past: pl.DataFrame | pl.LazyFrame, labels: pl.DataFrame | None = None,
                   config: EngineConfig | None = None) -> History:
        """Summarise past container lines; `labels` (container_number, optional voyage_id,
        seizure) marks lines where something was found: they are kept out of the "normal"
        statistics and counted against their parties."""
        config = config or EngineConfig()
        df = prepare(past, config)
        df = df.with_columns(_seized(df, labels))
        if df.height == 0:
            return cls()
        as_of = df["arrival_date"].max()
        clean = df.filter(~pl.col("_seized"))
        tables = {
            "parties": _parties(df),
            **_pairs(df),
            "values": _values(clean),
            "loads": _loads(clean),
            "recent": _recent(df, config.clone_window_days),
        }
        return cls(as_of=as_of if isinstance(as_of, date) else None, tables=tables)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable form (dates as ISO text)."""
        out: dict[str, Any] = {"version": FORMAT_VERSION,
                               "as_of": self.as_of.isoformat() if self.as_of else None,
                               "tables": {}}
        for name, frame in self.tables.items():
            text = frame.with_columns(pl.col(pl.Date, pl.Datetime).cast(pl.String))
            out["tables"][name] = text.to_dict(as_series=False)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> History:
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"history format {data.get('version')!r} is not "
                             f"{FORMAT_VERSION}; rebuild it with History.from_frame")
        tables = {}
        for name, schema in SCHEMAS.items():
            raw = data["tables"].get(name, {})
            frame = pl.DataFrame(raw, schema={c: pl.String() if d.is_temporal() else d
                                              for c, d in schema.items()})
            tables[name] = frame.with_columns(
                [pl.col(c).str.to_datetime() if isinstance(d, pl.Datetime) else
                 pl.col(c).str.to_date() for c, d in schema.items() if d.is_temporal()])
        as_of = date.fromisoformat(data["as_of"]) if data.get("as_of") else None
        return cls(as_of=as_of, tables=tables)


def _seized(df: pl.DataFrame, labels: pl.DataFrame | None) -> pl.Expr:
    if labels is None or labels.height == 0:
        return pl.lit(False).alias("_seized")
    keys = [c for c in ("container_number", "voyage_id") if c in labels.columns]
    found = labels.filter(pl.col("seizure").cast(pl.Boolean)).select(keys).unique()
    hit = pl.concat_str([pl.col(k) for k in keys], separator="|")
    wanted = found.select(hit.alias("k"))["k"].implode()
    return hit.is_in(wanted).fill_null(False).alias("_seized")


def _parties(df: pl.DataFrame) -> pl.DataFrame:
    lf = df.lazy()
    rows = pl.concat([
        left_join(lf, party_keys(lf, role), [f"{role}_name", f"{role}_country"])
        .select(pl.col(f"{role}_party_key").alias("party_key"), "arrival_date", "bl_number",
                "_seized")
        for role in PARTY_ROLES
    ]).drop_nulls("party_key").unique(["party_key", "bl_number", "_seized"])
    return rows.group_by("party_key").agg(
        pl.col("arrival_date").min().alias("first_seen"),
        pl.col("bl_number").n_unique().cast(pl.UInt32).alias("shipments"),
        pl.col("_seized").sum().cast(pl.UInt32).alias("seizures"),
        pl.col("arrival_date").filter(pl.col("_seized")).max().alias("last_seizure"),
    ).sort("party_key").pipe(collect)


def _count(df: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return (df.drop_nulls(keys).group_by(keys).agg(pl.len().cast(pl.UInt32).alias("n"))
            .sort(keys))


def _pairs(df: pl.DataFrame) -> dict[str, pl.DataFrame]:
    full = df.filter(pl.col("full"))
    hubs = df.select("pol_country", pl.col("transshipment_ports").str.split(";").alias("hub")
                     ).explode("hub")
    return {
        "origin_hs": _count(full, ["origin_country", "hs4"]),
        "origins": _count(full, ["origin_country"]),
        "freight": _count(df, ["origin_country", "freight_terms"]),
        "route_hubs": _count(hubs, ["pol_country", "hub"]),
        "pol_countries": _count(df, ["pol_country"]),
    }


def _robust(df: pl.DataFrame, keys: list[str], value: pl.Expr) -> pl.DataFrame:
    """Median and robust scale (MAD) of `value` per group of `keys`."""
    v = df.select(*keys, value.alias("v")).drop_nulls()
    v = v.with_columns(pl.col("v").median().over(keys).alias("median"))
    return v.group_by(keys).agg(
        pl.len().cast(pl.UInt32).alias("n"), pl.col("median").first(),
        ((pl.col("v") - pl.col("median")).abs().median() * MAD_TO_SIGMA).alias("scale"),
    ).sort(keys)


def _values(df: pl.DataFrame) -> pl.DataFrame:
    usable = df.filter(pl.col("full") & (pl.col("value_per_kg") > 0))
    log_vpk = pl.col("value_per_kg").log()
    parts = []
    for level, column in (("heading", "hs4"), ("chapter", "hs2")):
        stats = _robust(usable, [column], log_vpk).rename({column: "code"})
        parts.append(stats.select(pl.lit(level).alias("level"), "code", "n", "median", "scale"))
    return pl.concat(parts)


def _loads(df: pl.DataFrame) -> pl.DataFrame:
    usable = df.filter(pl.col("full") & (pl.col("goods_gross_kg") > 0))
    stats = _robust(usable, ["hs4", "_load_group"], pl.col("goods_gross_kg").log())
    return stats.select("hs4", "_load_group", "n", pl.col("median").exp())


def _recent(df: pl.DataFrame, window_days: int) -> pl.DataFrame:
    last = df["eta"].max()
    if not isinstance(last, datetime):
        return pl.DataFrame(schema=SCHEMAS["recent"])
    since = last - timedelta(days=window_days)
    return (df.filter(pl.col("eta") >= since)
            .select("container_number", "voyage_id", "eta").drop_nulls()
            .unique(["container_number", "voyage_id"]).sort("container_number", "voyage_id"))
