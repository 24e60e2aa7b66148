"""Reading a declaration table and checking the columns a run names.

Every column is read as text: the feature code decides types itself (see columns.py), so the
same value reads the same way in the training file and in every file scored later, whatever
a CSV reader would have guessed from the first rows of each.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from .errors import ModelError


def read_table(path: str | Path) -> pl.DataFrame:
    """Read a CSV file with a header row, every column as text."""
    p = Path(path)
    if not p.is_file():
        raise ModelError(f"data file not found: {p}")
    if p.stat().st_size == 0:
        raise ModelError(f"data file is empty: {p}")
    try:
        df = pl.read_csv(p, infer_schema=False, encoding="utf8-lossy")
    except (pl.exceptions.PolarsError, OSError, UnicodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"cannot read {p} as CSV: {first}") from None
    df = df.rename({c: c.lstrip("\ufeff").strip() for c in df.columns})
    if df.height == 0:
        raise ModelError(f"data file has a header but no rows: {p}")
    # Surrounding blanks are typing noise, and an empty cell means "unknown".
    return df.with_columns(pl.all().str.strip_chars().replace("", None))


def require_columns(df: pl.DataFrame, columns: list[str], what: str) -> None:
    """Refuse a run that names a column the file does not have."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        # A wrong file can have a "header" of any length: show only its start.
        shown = ", ".join(c[:40] for c in df.columns[:12])
        more = ", ..." if len(df.columns) > 12 else ""
        raise ModelError(f"{what} column {names} not in the data (columns: {shown}{more})")


def parse_label(df: pl.DataFrame, label: str) -> np.ndarray:
    """The label as 0/1 integers; anything else is refused, naming the first bad row."""
    require_columns(df, [label], "label")
    raw = df[label]
    ok = raw.is_in(["0", "1", "0.0", "1.0"]).fill_null(False)
    if not ok.all():
        row = int(ok.arg_min() or 0)
        found = "nothing" if raw[row] is None else repr(raw[row])
        raise ModelError(f"label column {label!r} must hold only 0 and 1; "
                         f"row {row + 1} has {found}")
    return raw.cast(pl.Float64).cast(pl.Int8).to_numpy()


def parse_weight(df: pl.DataFrame, weight: str | None) -> np.ndarray | None:
    """A row weight (such as 1 / the chance the row had of being inspected): positive
    numbers, an empty cell counting 1; anything else is refused, naming the first bad row."""
    if weight is None:
        return None
    require_columns(df, [weight], "weight")
    raw = df[weight]
    text = raw.cast(pl.String).str.strip_chars()
    values = text.cast(pl.Float64, strict=False)
    bad = (text.is_not_null() & (text != "")
           & (values.is_null() | values.is_nan() | values.is_infinite() | (values <= 0)))
    if bad.any():
        row = int(bad.arg_max() or 0)
        raise ModelError(f"weight column {weight!r} must hold positive numbers; "
                         f"row {row + 1} has {raw[row]!r}")
    return values.fill_null(1.0).to_numpy().astype(np.float64)


def parse_time(df: pl.DataFrame, date: str | None) -> np.ndarray:
    """A sortable time for every row: the date column in microseconds, or the row order.

    Without a date column the file order is taken as the time order, so a file must then be
    written oldest first.
    """
    if date is None:
        return np.arange(df.height, dtype=np.int64)
    require_columns(df, [date], "date")
    raw = df[date]
    if (raw.dtype == pl.Date or isinstance(raw.dtype, pl.Datetime)) and not raw.null_count():
        # already a date or a time stamp (a typed frame rather than text): the same instant
        # its ISO text would parse to; a time zone is dropped, as the text would show it
        if isinstance(raw.dtype, pl.Datetime) and raw.dtype.time_zone is not None:
            raw = raw.dt.replace_time_zone(None)
        return raw.cast(pl.Datetime("us")).dt.epoch("us").to_numpy().astype(np.int64)
    if raw.null_count():
        row = int(raw.is_null().arg_max() or 0)
        raise ModelError(f"date column {date!r} is empty in row {row + 1}")
    try:
        parsed = raw.str.to_datetime(strict=False, time_unit="us")
    except pl.exceptions.PolarsError:
        raise ModelError(f"date column {date!r} holds no recognisable dates "
                         f"(first value: {raw[0]!r}); write them as YYYY-MM-DD") from None
    bad = parsed.is_null()
    if bad.any():
        row = int(bad.arg_max() or 0)
        raise ModelError(f"date column {date!r} has a value that is not a date in row "
                         f"{row + 1}: {raw[row]!r}")
    return parsed.dt.epoch("us").to_numpy().astype(np.int64)
