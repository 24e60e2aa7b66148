"""History encodings of key columns: how often a value (or a pair of values) was declared
before, and how often it was found illicit.

Training rows see only the labels of rows strictly earlier in time (an expanding window over
the date), so no row's own outcome, nor a later one, leaks into its features: the model learns
from history exactly as it will meet it when scoring. Scored rows see the counts of the whole
training history, stored in the artifact; their own labels are never read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

SEPARATOR = "\x1f"  # unit separator: cannot occur in a CSV cell that a person typed
MISSING = "\x00"  # "no value" is a value with a history of its own (no seller named)


def key_values(df: pl.DataFrame, columns: tuple[str, ...]) -> pl.Series:
    """One text key per row joining the values of `columns`."""
    return df.select(
        pl.concat_str([pl.col(c).fill_null(MISSING) for c in columns], separator=SEPARATOR)
        .alias("key")
    )["key"]


@dataclass
class KeyHistory:
    """Counts per value of one key over the whole training table."""

    columns: tuple[str, ...]
    table: pl.DataFrame  # key (str), n (declarations), pos (found illicit)

    @property
    def name(self) -> str:
        return " & ".join(self.columns)

    def to_json(self) -> dict[str, object]:
        """The description only: the table itself is stored as Parquet (see artifact.py)."""
        return {"columns": list(self.columns), "values": self.table.height}


def fit_history(keys: pl.Series, t: np.ndarray, y: np.ndarray, columns: tuple[str, ...]
                ) -> tuple[KeyHistory, np.ndarray, np.ndarray, np.ndarray]:
    """The whole-history counts, and per training row: earlier declarations, earlier illicit
    finds, and how many other training rows share the value (label-free)."""
    rows = pl.DataFrame({"key": keys, "t": t, "y": y.astype(np.int64)})
    per_time = (rows.group_by("key", "t").agg(pl.len().cast(pl.Int64).alias("n"),
                                               pl.col("y").sum().alias("pos"))
                .sort("key", "t")
                .with_columns((pl.col("n").cum_sum().over("key") - pl.col("n")).alias("n_before"),
                              (pl.col("pos").cum_sum().over("key") - pl.col("pos"))
                              .alias("pos_before")))
    total = (per_time.group_by("key").agg(pl.col("n").sum(), pl.col("pos").sum()).sort("key"))
    joined = rows.join(per_time.select("key", "t", "n_before", "pos_before"),
                       on=["key", "t"], how="left", maintain_order="left")
    joined = joined.join(total.rename({"n": "total"}).select("key", "total"), on="key",
                         how="left", maintain_order="left")
    return (KeyHistory(columns, total), joined["n_before"].to_numpy(),
            joined["pos_before"].to_numpy(), joined["total"].to_numpy() - 1)


def lookup_history(history: KeyHistory, keys: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Training-history declarations and illicit finds for each scored row (0 if unseen)."""
    joined = pl.DataFrame({"key": keys}).join(history.table, on="key", how="left",
                                               maintain_order="left")
    return (joined["n"].fill_null(0).to_numpy(), joined["pos"].fill_null(0).to_numpy())


def smoothed_rate(n: np.ndarray, pos: np.ndarray, prior: float, weight: float) -> np.ndarray:
    """Illicit share shrunk towards the overall rate: a value seen once proves little."""
    return (pos + weight * prior) / (n + weight)


def auc(score: np.ndarray, y: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney), ties counted half; 0.5 if one class only."""
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return 0.5
    ranks = pl.Series(score).rank("average").to_numpy()
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2)
                 / (positives * negatives))
