"""Feature columns that compare each line with the History.

Two kinds of lookup: those that depend only on code columns (origin, HS code, route...) run
on the frame of distinct code combinations inside `prepare` (`on_combos`); the party
lookups run on distinct (name, country) pairs (`attach`). Both are spread back over the
rows by frame.per_distinct, so no lookup ever joins a million rows of text.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import polars as pl

from .config import EngineConfig
from .frame import Lookups, left_join, per_distinct
from .history import History, party_key

ROLES = ("shipper", "consignee")
MAX_HUBS = 3  # manifests rarely list more transshipment ports; later ones are ignored


def on_combos(history: History, config: EngineConfig) -> Lookups:
    """The History lookups of code combinations, for prepare(lookups=...)."""
    def lookups(combos: pl.LazyFrame) -> pl.LazyFrame:
        combos = _origin_pairs(combos, history)
        combos = _value_ranges(combos, history, config)
        combos = _loads(combos, history, config)
        return _route_hubs(combos, history)
    return lookups


def attach(frame: pl.DataFrame, history: History, config: EngineConfig) -> pl.DataFrame:
    """Party lookups and the row-level comparisons with the combination lookups."""
    for role in ROLES:
        found = per_distinct(frame, [f"{role}_name", f"{role}_country"],
                             partial(_party_stats, history=history, role=role))
        frame = frame.with_columns(found.get_columns()).with_columns(_party_row(role, history))
    log_vpk = pl.col("value_per_kg").log()
    return frame.with_columns(
        ((log_vpk - pl.col("_value_median")) / pl.col("_value_scale")).alias("value_z"),
        (100.0 * (1 - pl.col("value_per_kg") / pl.col("value_per_kg_low")))
        .clip(lower_bound=0).alias("value_below_pct"),
        (100.0 * (pl.col("value_per_kg") / pl.col("value_per_kg_high") - 1))
        .clip(lower_bound=0).alias("value_above_pct"),
        (pl.col("goods_gross_kg") / pl.col("load_median_kg")).alias("load_ratio"),
    )


def _party_stats(pairs: pl.LazyFrame, history: History, role: str) -> pl.LazyFrame:
    """Earlier shipments, first sighting and seizures of distinct (name, country) pairs."""
    table = history.table("parties")
    return pairs.with_columns(party_key(role).alias(f"{role}_party_key")).join(
        table.lazy().rename({c: f"{role}_{c}" for c in table.columns}),
        on=f"{role}_party_key", how="left", maintain_order="left")


def _party_row(role: str, history: History) -> list[pl.Expr]:
    # A party with a name but no history has made 0 earlier shipments; a line without a
    # name (or an installation without history) says nothing.
    has_name = pl.col(f"{role}_party_key").is_not_null() & pl.lit(not history.empty)
    return [
        pl.when(has_name).then(pl.col(f"{role}_shipments").fill_null(0))
        .alias(f"{role}_shipments"),
        pl.when(has_name).then(pl.col(f"{role}_seizures").fill_null(0))
        .alias(f"{role}_seizures"),
        (pl.col("arrival_date") - pl.col(f"{role}_first_seen")).dt.total_days()
        .alias(f"{role}_days_known"),
    ]


def _origin_pairs(lf: pl.LazyFrame, history: History) -> pl.LazyFrame:
    lf = left_join(lf, history.table("origin_hs").rename({"n": "origin_hs_count"}),
                   ["origin_country", "hs4"])
    lf = left_join(lf, history.table("origins").rename({"n": "origin_total"}),
                   ["origin_country"])
    lf = left_join(lf, history.table("freight").rename({"n": "freight_count"}),
                   ["origin_country", "freight_terms"])
    total = pl.col("origin_total").fill_null(0)
    return lf.with_columns(
        total.alias("origin_total"),
        pl.col("origin_hs_count").fill_null(0),
        (100.0 * pl.col("freight_count").fill_null(0) / pl.when(total > 0).then(total))
        .alias("freight_share_pct"),
    ).drop("freight_count")


def _value_ranges(lf: pl.LazyFrame, history: History, config: EngineConfig
                  ) -> pl.LazyFrame:
    """The normal range of value per kg (log scale: median +/- value_k robust deviations)
    of the heading, or of the chapter if the heading has too few past values."""
    stats = history.table("values").filter(pl.col("n") >= config.min_heading_values)
    for level, column in (("heading", "hs4"), ("chapter", "hs2")):
        part = stats.filter(pl.col("level") == level).select(
            pl.col("code").alias(column), pl.col("median").alias(f"_m_{level}"),
            pl.col("scale").alias(f"_s_{level}"))
        lf = left_join(lf, part, [column])
    use_heading = pl.col("_m_heading").is_not_null()
    median = pl.coalesce("_m_heading", "_m_chapter")
    scale = pl.max_horizontal(pl.coalesce("_s_heading", "_s_chapter"),
                              pl.lit(config.min_log_scale))
    k = config.value_k
    return lf.with_columns(
        pl.when(median.is_not_null()).then(use_heading).alias("value_by_heading"),
        pl.when(use_heading).then(pl.col("hs4")).otherwise(pl.col("hs2")).alias("value_ref"),
        median.alias("_value_median"),
        pl.when(median.is_not_null()).then(scale).alias("_value_scale"),
        (median - k * scale).exp().alias("value_per_kg_low"),
        (median + k * scale).exp().alias("value_per_kg_high"),
    ).drop("_m_heading", "_m_chapter", "_s_heading", "_s_chapter")


def _loads(lf: pl.LazyFrame, history: History, config: EngineConfig) -> pl.LazyFrame:
    table = history.table("loads").filter(pl.col("n") >= config.min_heading_values).select(
        "hs4", "_load_group", pl.col("median").alias("load_median_kg"))
    return left_join(lf, table, ["hs4", "_load_group"])


def _route_hubs(lf: pl.LazyFrame, history: History) -> pl.LazyFrame:
    """For each transshipment port, how often past shipments from the same loading country
    went through it; the rarest one is the route's unusual hub."""
    table = history.table("route_hubs")
    lf = left_join(lf, history.table("pol_countries").rename({"n": "pol_total"}),
                   ["pol_country"])
    counts: list[pl.Expr] = []
    pick: Any = None
    for i in range(MAX_HUBS):
        hub, n = f"_hub{i}", f"_hub{i}_n"
        lf = lf.with_columns(pl.col("_hubs").list.get(i, null_on_oob=True).alias(hub))
        lf = left_join(lf, table.rename({"hub": hub, "n": n}), ["pol_country", hub])
        counts.append(pl.when(pl.col(hub).is_not_null()).then(pl.col(n).fill_null(0)))
    rarest = pl.min_horizontal(counts)
    for i in range(MAX_HUBS):
        found = pl.col(f"_hub{i}_n").fill_null(0) == rarest
        pick = pl.when(found).then(pl.col(f"_hub{i}")) if pick is None else \
            pick.when(found).then(pl.col(f"_hub{i}"))
    return lf.with_columns(
        pl.col("pol_total").fill_null(0),
        rarest.alias("route_hub_count"),
        pick.alias("route_unusual_hub"),
    ).drop([f"_hub{i}" for i in range(MAX_HUBS)] + [f"_hub{i}_n" for i in range(MAX_HUBS)])
