"""Container-number features: ISO 6346 validity, clones and duplicates, foreign alerts.

The check digit is computed in polars (the same arithmetic as portcontrol.core.containers,
which uses python-stdnum one number at a time) because a batch holds a million numbers.
Tests compare the two on generated numbers.
"""

from __future__ import annotations

import string
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from portcontrol.core.containers import normalize_container_number

from .config import EngineConfig
from .history import History

# ISO 6346 weights: position i (0-based) counts 2**i.
_WEIGHTS = tuple(2 ** i for i in range(10))


def _letter_values() -> dict[str, int]:
    """ISO 6346 equivalents: digits are themselves; A=10, B=12... skipping multiples of 11."""
    values = {d: int(d) for d in string.digits}
    n = 10
    for letter in string.ascii_uppercase:
        if n % 11 == 0:
            n += 1
        values[letter] = n
        n += 1
    return values


LETTER_VALUES = _letter_values()


def _prefix_sum(prefix: str) -> int | None:
    """Weighted sum of owner code and category ("MSCU"), or None if not of that form."""
    if len(prefix) != 4 or not prefix[:3].isascii() or not prefix[:3].isalpha() \
            or not prefix[:3].isupper() or prefix[3] not in "UJZ":
        return None
    return sum(LETTER_VALUES[c] * w for c, w in zip(prefix, _WEIGHTS, strict=False))


def _digit_table(position: int) -> np.ndarray:
    """Weighted sum of three digits starting at `position`, for every value 0..999."""
    n = np.arange(1000)
    return sum((n // 10 ** (2 - k)) % 10 * _WEIGHTS[position + k] for k in range(3))


_HIGH, _LOW = _digit_table(4), _digit_table(7)


def check_digit_ok(numbers: pl.Series) -> pl.Series:
    """True where the number has the ISO 6346 form and a right check digit (null stays null).

    The four letters come from a few hundred owner codes: their part of the sum is computed
    once per distinct prefix; the six serial digits are two lookups of three digits each.
    Slicing a million numbers into characters took ten times longer.
    """
    frame = numbers.rename("n").to_frame()
    prefixes = frame["n"].str.slice(0, 4).unique().drop_nulls().to_list()
    sums = {p: v for p in prefixes if (v := _prefix_sum(p)) is not None}
    digits = pl.col("n").str.slice(4, 7)
    parts = frame.select(
        pl.col("n").str.slice(0, 4).replace_strict(sums, default=-1, return_dtype=pl.Int64)
        .fill_null(-1).alias("prefix"),
        pl.when((pl.col("n").str.len_bytes() == 11) & (digits.str.len_bytes() == 7))
        .then(digits.cast(pl.Int64, strict=False)).fill_null(-1).alias("seven"))
    prefix, seven = parts["prefix"].to_numpy(), parts["seven"].to_numpy()
    serial = np.maximum(seven, 0) // 10
    total = prefix + _HIGH[serial // 1000] + _LOW[serial % 1000]
    ok = (prefix >= 0) & (seven >= 0) & ((total % 11) % 10 == seven % 10)
    return pl.Series("container_valid", ok).set(numbers.is_null(), None) \
        if numbers.null_count() else pl.Series("container_valid", ok)


def attach(frame: pl.DataFrame, history: History, config: EngineConfig,
           alerts: Mapping[str, str] | Collection[str] | None) -> pl.DataFrame:
    frame = frame.with_columns(check_digit_ok(frame["container_number"]))
    frame = _repeats(frame, history, config.clone_window_days)
    return _alerts(frame, alerts)


def _repeats(frame: pl.DataFrame, history: History, window_days: int) -> pl.DataFrame:
    """Duplicates (one number on several B/Ls of a voyage) and clones (one number on another
    voyage arriving within the window: one of the two boxes is not what it claims).

    Only numbers that occur twice in the batch or also in the recent history are examined,
    so the work is proportional to the suspicious numbers, not to the batch; their results
    are scattered back by row number rather than joined (a join copies every column).
    """
    key = pl.col("container_number").hash()
    first = frame["eta"].min()
    recent = history.table("recent")
    if isinstance(first, datetime):  # only arrivals that can overlap this batch's
        recent = recent.filter(pl.col("eta") >= first - timedelta(days=window_days))
    seen = recent.select(key.alias("_k"))["_k"]
    suspect = ((key.is_duplicated() | key.is_in(seen.implode()))
               & pl.col("container_number").is_not_null())
    rows = frame.select(pl.arg_where(suspect).alias("_row"))["_row"]
    few = frame[rows].select("container_number", "voyage_id", "bl_number", "eta")
    found = _examine(few, recent, window_days)
    present = frame["container_number"].is_not_null().cast(pl.UInt32)
    columns = [
        present.scatter(rows, found["container_bl_count"]).alias("container_bl_count"),
        pl.zeros(frame.height, pl.UInt32, eager=True)
        .scatter(rows, found["clone_voyages"].fill_null(0)).alias("clone_voyages"),
        # (empty columns from pl.repeat: a Python list of a million Nones cost 20 ms each)
        pl.repeat(None, frame.height, dtype=pl.String, eager=True)
        .scatter(rows, found["clone_voyage"]).alias("clone_voyage"),
        pl.repeat(None, frame.height, dtype=pl.Float64, eager=True)
        .scatter(rows, found["clone_gap_days"]).alias("clone_gap_days"),
    ]
    return frame.with_columns(columns)


def _examine(few: pl.DataFrame, recent: pl.DataFrame, window_days: int) -> pl.DataFrame:
    bl_count = pl.col("bl_number").n_unique().over("voyage_id", "container_number")
    few = few.with_columns(bl_count.cast(pl.UInt32).alias("container_bl_count"))
    voyages = pl.concat([few.select("container_number", "voyage_id", "eta"),
                         recent.select("container_number", "voyage_id", "eta")]).unique()
    pairs = voyages.join(voyages, on="container_number", suffix="_other").filter(
        (pl.col("voyage_id") != pl.col("voyage_id_other"))
        & ((pl.col("eta") - pl.col("eta_other")).abs() <= timedelta(days=window_days)))
    clones = pairs.sort("eta_other", "voyage_id_other").group_by(
        "container_number", "voyage_id").agg(
        pl.col("voyage_id_other").n_unique().cast(pl.UInt32).alias("clone_voyages"),
        pl.col("voyage_id_other").first().alias("clone_voyage"),
        ((pl.col("eta") - pl.col("eta_other")).abs().min().dt.total_hours() / 24.0)
        .alias("clone_gap_days"))
    out = few.join(clones, on=["container_number", "voyage_id"], how="left",
                   maintain_order="left")
    return out.select("container_bl_count", "clone_voyages", "clone_voyage", "clone_gap_days")


def _alerts(frame: pl.DataFrame, alerts: Mapping[str, str] | Collection[str] | None
            ) -> pl.DataFrame:
    """Containers named in alerts from other units or countries; the mapping's value (if
    any) says where the alert came from."""
    items = alerts.items() if isinstance(alerts, Mapping) else ((a, "") for a in alerts or ())
    sources: dict[str, str | None] = {}
    for number, source in items:
        sources.setdefault(normalize_container_number(str(number)), str(source or "") or None)
    if not sources:
        return frame.with_columns(pl.lit(False).alias("foreign_alert"),
                                  pl.lit(None, pl.String).alias("alert_source"))
    named = pl.col("container_number").is_in(list(sources)).fill_null(False)
    given = {k: v for k, v in sources.items() if v}
    source = pl.col("container_number").replace_strict(given, default=None,
                                                       return_dtype=pl.String)
    return frame.with_columns(named.alias("foreign_alert"),
                              pl.when(named).then(source).alias("alert_source"))
