"""Bring a manifest frame to one canonical shape: types, normalised codes, derived basics.

Input columns are the generator's flat CSV columns (portcontrol.generator.frames.CSV_COLUMNS),
which the Django side produces from the database too. A column that is missing is added as
empty, so a partial frame (a test, a carrier that sends no VGM) still scores; the indicators
that need it then simply stay at 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl

from .config import LENGTH_CODES, EngineConfig

TEXT_COLUMNS = (
    "voyage_id", "vessel_imo", "vessel_name", "vessel_flag", "carrier", "port_of_call",
    "bl_number", "place_of_receipt", "port_of_loading", "transshipment_ports",
    "port_of_discharge", "final_destination", "shipper_name", "shipper_address",
    "shipper_country", "consignee_name", "consignee_address", "consignee_country",
    "notify_name", "notify_address", "notify_country", "freight_terms", "container_number",
    "size_type", "seals", "full_empty", "hs_code", "goods_description", "package_type",
    "currency", "origin_country",
)
NUMBER_COLUMNS = ("gross_mass_kg", "vgm_kg", "packages", "goods_gross_kg", "goods_net_kg",
                  "value")
# Optional inputs from other parts of the system; absent means "nothing known".
OPTIONAL_COLUMNS: dict[str, pl.DataType] = {
    "seals_changed": pl.Int32(), "hub_dwell_days": pl.Float64(),
    "weighed_mass_kg": pl.Float64(),  # as the terminal weighed the box (stowage plan)
    "watchlist_score": pl.Float64(), "watchlist_explanation": pl.String(),
    "model_probability": pl.Float64(),
}
# The days at the last transshipment port (intake's columns) that give hub_dwell_days when
# the input does not carry it.
DWELL_DAYS = ("transshipment_arrival", "transshipment_departure")
# The input columns with their canonical types (an empty frame of this schema is a batch
# of no lines).
CSV_SCHEMA: dict[str, pl.DataType] = {
    **{c: pl.String() for c in TEXT_COLUMNS}, "eta": pl.String(), "reefer": pl.String(),
    **{c: pl.Float64() for c in NUMBER_COLUMNS},
}


def collect(lf: pl.LazyFrame) -> pl.DataFrame:
    """Run a query with the in-memory engine: for these join-heavy plans over a frame that
    is already in memory it ran 10-40 times faster than the streaming engine that polars
    2 picks by default (measured on 200,000 rows)."""
    return lf.collect(engine="in-memory")


def left_join(lf: pl.LazyFrame, table: pl.DataFrame | pl.LazyFrame, on: list[str]
              ) -> pl.LazyFrame:
    """Left join on `on`, keeping the frame's order.

    The key columns are hashed into one 64-bit number on both sides first: hashing a million
    rows of text once and joining on integers took a tenth of the time of joining on the
    text columns. Tables hold at most some hundred thousand keys, so a collision (two keys,
    one hash) has a probability of the order of 1e-9 per batch.
    """
    key = pl.struct(on).hash()
    right = table.lazy().with_columns(key.alias("_k")).drop(on)
    return (lf.with_columns(key.alias("_k"))
            .join(right, on="_k", how="left", maintain_order="left").drop("_k"))


def read_csv(path: str | Path) -> pl.DataFrame:
    """Read a flat container CSV, every column as text ("030617" must not become the
    number 30617); prepare() types the numbers. Reading without type inference was as fast
    as polars' default read, and faster than reading with a schema."""
    return pl.read_csv(path, infer_schema=False)


# Code columns of few distinct values. Everything derived from them alone (HS chapter and
# heading, container length, route lists, history lookups) is computed once per distinct
# combination, about one per ten lines, and joined back.
COMBO = ("origin_country", "hs_code", "size_type", "port_of_loading", "place_of_receipt",
         "transshipment_ports", "freight_terms", "currency")
Lookups = Callable[[pl.LazyFrame], pl.LazyFrame]


def prepare(frame: pl.DataFrame | pl.LazyFrame, config: EngineConfig,
            lookups: Lookups | None = None) -> pl.DataFrame:
    """Canonical types plus the columns every indicator builds on.

    Codes (LOCODEs, countries, container numbers, HS codes) are expected in the normalised
    form intake gives them (portcontrol.core); re-normalising a million rows here would cost
    more than all the indicators together. Only what readers commonly damage is repaired:
    an HS code read as a number, text read as a number, a "1"/"0" reefer flag.

    `lookups` adds more columns to the frame of distinct code combinations (features.derive
    passes the History lookups this way).
    """
    df = collect(frame) if isinstance(frame, pl.LazyFrame) else frame
    # One contiguous chunk per column, once: a CSV reader leaves hundreds, and every later
    # with_columns that mixes them with new single-chunk columns re-aligned the whole frame
    # (measured: a trivial with_columns on 1M such rows cost 0.6 s).
    if max(df.n_chunks("all"), default=1) > 1:
        df = df.rechunk()
    df = df.with_columns(_typed(df.schema))
    df = _parse_eta(df).with_columns(_row_basics(config, "unit" in df.columns))

    def codes(combos: pl.LazyFrame) -> pl.LazyFrame:
        combos = combos.with_columns(_code_basics(config)).with_columns(_code_derived(config))
        combos = lookups(combos) if lookups is not None else combos
        # Lists are costly to spread over a million rows and only explanations need them;
        # they are split again from the text for the rows explained (templates.add_display).
        return combos.drop("_hubs", "_listed_hubs", strict=False)

    df = df.with_columns(per_distinct(df, COMBO, codes).get_columns())
    return df.with_columns(_row_derived())


def per_distinct(frame: pl.DataFrame, keys: Sequence[str],
                 compute: Callable[[pl.LazyFrame], pl.LazyFrame]) -> pl.DataFrame:
    """Run `compute` once per distinct combination of `keys` and spread its new columns
    back over the rows of `frame` (same order, same height).

    `compute` gets a frame of the distinct key combinations and must keep its rows and
    their order (left joins with maintain_order do). The combinations are found by a 64-bit
    hash and the results gathered by position, which costs a fraction of a join of the
    full frame on text keys, and leaves contiguous columns behind.
    """
    hashes = frame.select(pl.struct(keys).hash().alias("_h"))
    first = hashes["_h"].arg_unique()
    distinct = frame.select(keys)[first].with_columns(
        hashes["_h"].gather(first)).with_row_index("_i")
    computed = collect(compute(distinct.select(keys).lazy())).drop(keys)
    position = hashes.join(distinct.select("_h", "_i"), on="_h", how="left",
                           maintain_order="left")["_i"]
    return computed[position]


def _typed(schema: pl.Schema) -> list[pl.Expr]:
    exprs: list[pl.Expr] = []
    for name in TEXT_COLUMNS:
        if name not in schema:
            exprs.append(pl.lit(None, pl.String).alias(name))
        elif name == "hs_code":
            exprs.append(_hs_code(schema[name]))
        elif schema[name] != pl.String:
            exprs.append(pl.col(name).cast(pl.String))
    for name in NUMBER_COLUMNS:
        if name not in schema:
            exprs.append(pl.lit(None, pl.Float64).alias(name))
        elif schema[name] != pl.Float64:
            exprs.append(pl.col(name).cast(pl.Float64, strict=False))
    if "eta" not in schema:
        exprs.append(pl.lit(None, pl.Datetime("us")).alias("eta"))
    exprs.append(_reefer(schema))
    for name, dtype in OPTIONAL_COLUMNS.items():
        if name == "hub_dwell_days" and name not in schema and set(DWELL_DAYS) <= set(schema):
            exprs.append(dwell_days(*DWELL_DAYS).alias(name))
        elif name not in schema:
            exprs.append(pl.lit(None, dtype).alias(name))
        elif schema[name] != dtype:
            exprs.append(pl.col(name).cast(dtype, strict=False))
    return exprs


def dwell_days(arrival: str, departure: str) -> pl.Expr:
    """Days between two columns of days (YYYY-MM-DD text, or dates; a date and time gives its
    day): how long a box stayed at its transshipment port. Null when either is unknown."""
    def day(column: str) -> pl.Expr:
        return (pl.col(column).cast(pl.String).str.slice(0, 10)
                .str.to_date("%Y-%m-%d", strict=False))
    return (day(departure) - day(arrival)).dt.total_days().cast(pl.Float64)


def _hs_code(dtype: pl.DataType) -> pl.Expr:
    """A CSV reader may have turned "030617" into 30617: an odd number of digits means a lost
    leading zero (HS codes have 2, 4, 6, 8 or 10 digits)."""
    digits = pl.col("hs_code").cast(pl.String)
    if dtype != pl.String:
        digits = digits.str.replace(r"\.0$", "")
    return pl.when(digits.str.len_bytes() % 2 == 1).then("0" + digits).otherwise(digits) \
        .alias("hs_code")


# ISO 8601 with "Z" or an offset, as intake and the generator write it; parsed with a cache
# (a voyage's lines share one ETA), which is twenty times faster than format inference.
_ETA_FORMAT = "%Y-%m-%dT%H:%M:%S%#z"


def _parse_eta(df: pl.DataFrame) -> pl.DataFrame:
    """Arrival as a naive UTC datetime, whatever the input carried."""
    dtype = df.schema["eta"]
    if isinstance(dtype, pl.Datetime):
        col = pl.col("eta").dt.convert_time_zone("UTC").dt.replace_time_zone(None) \
            if dtype.time_zone else pl.col("eta")
        return df.with_columns(col.cast(pl.Datetime("us")))
    if dtype == pl.Date:
        return df.with_columns(pl.col("eta").cast(pl.Datetime("us")))
    text = pl.col("eta").cast(pl.String)
    fast = text.str.to_datetime(_ETA_FORMAT, strict=False, time_zone="UTC")
    out = df.with_columns(fast.dt.replace_time_zone(None).cast(pl.Datetime("us")).alias("_eta"))
    missed = out["_eta"].is_null() & out["eta"].is_not_null()
    if missed.any():  # other spellings ("2026-11-23", "2026-11-23 03:00"): infer, slowly
        slow = text.str.to_datetime(strict=False, time_zone="UTC").dt.replace_time_zone(None)
        out = out.with_columns(pl.coalesce("_eta", slow.cast(pl.Datetime("us"))).alias("_eta"))
    return out.with_columns(pl.col("_eta").alias("eta")).drop("_eta")


def _reefer(schema: pl.Schema) -> pl.Expr:
    if "reefer" not in schema:
        # No flag given: the ISO type letter R (thermal) says it.
        return (pl.col("size_type").cast(pl.String).str.slice(2, 1).str.to_uppercase() == "R"
                if "size_type" in schema else pl.lit(None, pl.Boolean)).alias("reefer")
    dtype = schema["reefer"]
    if dtype == pl.Boolean:
        return pl.col("reefer")
    if dtype.is_numeric():
        return (pl.col("reefer") != 0).alias("reefer")
    return pl.col("reefer").is_in(["1", "true", "True", "TRUE", "t", "T", "yes", "Y", "1.0"]) \
        .alias("reefer")


def _row_basics(config: EngineConfig, has_unit: bool) -> list[pl.Expr]:
    kg = pl.when(pl.col("goods_net_kg") > 0).then(pl.col("goods_net_kg")) \
        .otherwise(pl.col("goods_gross_kg"))
    unit = pl.col("port_of_call")
    if config.units:
        unit = unit.replace(config.units)
    if has_unit:  # the caller knows the unit; the port of call only fills gaps
        unit = pl.coalesce(pl.col("unit").cast(pl.String), unit)
    return [
        pl.col("eta").dt.date().alias("arrival_date"),
        unit.alias("unit"),
        (pl.col("full_empty") != "E").fill_null(True).alias("full"),
        kg.alias("goods_kg"),
        pl.col("seals_changed").fill_null(0),
        pl.col("hub_dwell_days").fill_null(0.0),
    ]


def _code_basics(config: EngineConfig) -> list[pl.Expr]:
    hs, size = pl.col("hs_code"), pl.col("size_type")
    length = size.str.slice(0, 1).replace_strict(LENGTH_CODES, default=None,
                                                 return_dtype=pl.Int32)
    return [
        hs.str.slice(0, 2).alias("hs2"),
        pl.when(hs.str.len_chars() >= 4).then(hs.str.slice(0, 4)).alias("hs4"),
        length.alias("length_ft"),
        size.str.slice(2, 1).alias("type_letter"),
        pl.col("currency").replace_strict(config.fx_per_usd, default=None,
                                          return_dtype=pl.Float64).alias("_fx"),
        pl.col("port_of_loading").str.slice(0, 2).alias("pol_country"),
        pl.col("transshipment_ports").str.split(";").alias("_hubs"),
    ]


def _code_derived(config: EngineConfig) -> list[pl.Expr]:
    by_length = {int(k): v for k, v in config.max_gross_by_length.items()}
    base = pl.col("length_ft").replace_strict(by_length, default=None, return_dtype=pl.Float64)
    extra = pl.col("type_letter").replace_strict(config.max_gross_by_type, default=None,
                                                 return_dtype=pl.Float64)
    empty = {int(k): v for k, v in config.max_empty_by_length.items()}
    return [
        pl.max_horizontal(base, extra).alias("max_gross_kg"),
        pl.col("length_ft").replace_strict(empty, default=None, return_dtype=pl.Float64)
        .alias("max_empty_kg"),
        pl.col("_hubs").list.len().fill_null(0).alias("hub_count"),
        # 20 ft boxes carry different loads from 40 and 45 ft ones; two groups suffice.
        pl.when(pl.col("length_ft") <= 20).then(pl.lit("20")).otherwise(pl.lit("40"))
        .alias("_load_group"),
    ]


def _row_derived() -> list[pl.Expr]:
    value_usd = pl.col("value") / pl.col("_fx")
    return [
        value_usd.alias("value_usd"),
        pl.when(pl.col("goods_kg") > 0).then(value_usd / pl.col("goods_kg"))
        .alias("value_per_kg"),
    ]
