"""History: a small, serialisable summary of an installation's past manifests.

The indicators compare today's containers with what is normal here: which parties we know,
which goods come from which country, what a kilogram of a heading is usually worth, how heavy
its loads are, and which boxes were on other ships lately. Computing that once from the past
frame (nightly, say) and storing the summary keeps scoring independent of the size of the
archive.
"""

from __future__ import annotations

from collections.abc import Iterable
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
        return cls.from_parts([HistoryPart.from_frame(past, labels, config)], config)

    @classmethod
    def from_parts(cls, parts: list[HistoryPart], config: EngineConfig | None = None
                   ) -> History:
        """The History of the lines of all `parts` together: exactly what from_frame makes of
        the concatenated lines, when no line is in two parts."""
        config = config or EngineConfig()
        parts = [p for p in parts if not p.empty]
        if not parts:
            return cls()

        def joined(name: str) -> pl.DataFrame:
            return pl.concat([p.tables[name] for p in parts])

        counts = {name: _summed(joined(name), keys) for name, keys in COUNT_KEYS.items()}
        tables = {
            "parties": _parties_of(joined("bills")),
            **counts,
            "values": _values(joined("value_samples")),
            "loads": _loads(joined("load_samples")),
            "recent": _recent(joined("recent"), _latest(p.last_eta for p in parts),
                              config.clone_window_days),
        }
        return cls(as_of=_latest(p.last_arrival for p in parts), tables=tables)

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


@dataclass
class HistoryPart:
    """What the lines of some days add to a History, kept so that a History of a year can be
    made again the next day from the parts of the days it still covers plus the new day's,
    without reading the year's lines again (risk.history keeps a part per week).

    Counts are kept as counts and summed; each party's bills as (party, bill, found) rows
    with their first and last arrival, so a bill is counted once whichever parts it is in;
    the values whose medians the History takes as samples, since medians do not add up."""

    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    last_arrival: date | None = None
    last_eta: datetime | None = None

    @property
    def empty(self) -> bool:
        return not self.tables

    @classmethod
    def from_frame(cls, past: pl.DataFrame | pl.LazyFrame, labels: pl.DataFrame | None = None,
                   config: EngineConfig | None = None) -> HistoryPart:
        """See History.from_frame for `labels`."""
        df = prepare(past, config or EngineConfig())
        df = df.with_columns(_seized(df, labels))
        if df.height == 0:
            return cls()
        clean = df.filter(~pl.col("_seized"))
        last_arrival, last_eta = df["arrival_date"].max(), df["eta"].max()
        tables = {
            "bills": _bills(df),
            **_pairs(df),
            "value_samples": _value_samples(clean),
            "load_samples": _load_samples(clean),
            "recent": df.select("container_number", "voyage_id", "eta").drop_nulls().unique(),
        }
        return cls(tables=tables,
                   last_arrival=last_arrival if isinstance(last_arrival, date) else None,
                   last_eta=last_eta if isinstance(last_eta, datetime) else None)


def _latest(values: Iterable[Any]) -> Any:
    return max((v for v in values if v is not None), default=None)


def _seized(df: pl.DataFrame, labels: pl.DataFrame | None) -> pl.Expr:
    if labels is None or labels.height == 0:
        return pl.lit(False).alias("_seized")
    keys = [c for c in ("container_number", "voyage_id") if c in labels.columns]
    found = labels.filter(pl.col("seizure").cast(pl.Boolean)).select(keys).unique()
    hit = pl.concat_str([pl.col(k) for k in keys], separator="|")
    wanted = found.select(hit.alias("k"))["k"].implode()
    return hit.is_in(wanted).fill_null(False).alias("_seized")


def _bills(df: pl.DataFrame) -> pl.DataFrame:
    """(party, bill, found) with the first and last arrival of its lines."""
    lf = df.lazy()
    rows = pl.concat([
        left_join(lf, party_keys(lf, role), [f"{role}_name", f"{role}_country"])
        .select(pl.col(f"{role}_party_key").alias("party_key"), "arrival_date", "bl_number",
                "_seized")
        for role in PARTY_ROLES
    ]).drop_nulls("party_key")
    return _bill_rows(rows, pl.col("arrival_date"), pl.col("arrival_date")).pipe(collect)


def _bill_rows(rows: pl.LazyFrame, first: pl.Expr, last: pl.Expr) -> pl.LazyFrame:
    return rows.group_by("party_key", "bl_number", "_seized").agg(
        first.min().alias("first"), last.max().alias("last"))


def _parties_of(bills: pl.DataFrame) -> pl.DataFrame:
    rows = _bill_rows(bills.lazy(), pl.col("first"), pl.col("last"))
    return rows.group_by("party_key").agg(
        pl.col("first").min().alias("first_seen"),
        pl.col("bl_number").n_unique().cast(pl.UInt32).alias("shipments"),
        pl.col("_seized").sum().cast(pl.UInt32).alias("seizures"),
        pl.col("last").filter(pl.col("_seized")).max().alias("last_seizure"),
    ).sort("party_key").pipe(collect)


def _count(df: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return (df.drop_nulls(keys).group_by(keys).agg(pl.len().cast(pl.UInt32).alias("n"))
            .sort(keys))


COUNT_KEYS = {"origin_hs": ["origin_country", "hs4"], "origins": ["origin_country"],
              "freight": ["origin_country", "freight_terms"],
              "route_hubs": ["pol_country", "hub"], "pol_countries": ["pol_country"]}


def _summed(counts: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return (counts.group_by(keys).agg(pl.col("n").sum().cast(pl.UInt32)).sort(keys))


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


def _value_samples(clean: pl.DataFrame) -> pl.DataFrame:
    """Log value per kg of the full lines with a value, with their heading and chapter."""
    usable = clean.filter(pl.col("full") & (pl.col("value_per_kg") > 0))
    return usable.select("hs4", "hs2", pl.col("value_per_kg").log().alias("v"))


def _values(samples: pl.DataFrame) -> pl.DataFrame:
    parts = []
    for level, column in (("heading", "hs4"), ("chapter", "hs2")):
        stats = _robust(samples, [column], pl.col("v")).rename({column: "code"})
        parts.append(stats.select(pl.lit(level).alias("level"), "code", "n", "median", "scale"))
    return pl.concat(parts)


def _load_samples(clean: pl.DataFrame) -> pl.DataFrame:
    usable = clean.filter(pl.col("full") & (pl.col("goods_gross_kg") > 0))
    return usable.select("hs4", "_load_group", pl.col("goods_gross_kg").log().alias("v"))


def _loads(samples: pl.DataFrame) -> pl.DataFrame:
    stats = _robust(samples, ["hs4", "_load_group"], pl.col("v"))
    return stats.select("hs4", "_load_group", "n", pl.col("median").exp())


def _recent(rows: pl.DataFrame, last: datetime | None, window_days: int) -> pl.DataFrame:
    """The containers on a voyage in the window before the last ETA of the history."""
    if last is None:
        return pl.DataFrame(schema=SCHEMAS["recent"])
    since = last - timedelta(days=window_days)
    return (rows.filter(pl.col("eta") >= since)
            .unique(["container_number", "voyage_id"]).sort("container_number", "voyage_id"))
