"""Scoring and explaining with a trained model.

Scoring reads only the model's input columns: the label column of the scored file, if it has
one, is never looked at (in production it does not exist yet). Every row is encoded on its
own from the stored training history, so a row's score does not depend on which other rows
share its file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .artifact import Model
from .calibration import apply_platt
from . import shap
from .features import transform
from .table import parse_time, require_columns

SCORE, ROW = "score", "row"


@dataclass(frozen=True)
class Factor:
    """One input column (or pair of columns) and how much it moved this row's raw score."""

    name: str
    value: str
    contribution: float  # in log-odds; positive raises the risk

    def text(self) -> str:
        return f"{self.name} = {self.value} ({self.contribution:+.2f})"


def matrix(model: Model, df: pl.DataFrame) -> np.ndarray:
    inputs = df.select([c for c in model.state.input_columns if c in df.columns])
    t = parse_time(df, model.date) if model.date and model.date in df.columns \
        else np.zeros(df.height, dtype=np.int64)
    return transform(model.state, inputs, t)


def raw_scores(model: Model, df: pl.DataFrame) -> np.ndarray:
    """LightGBM's raw score (log-odds): the scale the explanations add up to."""
    return np.asarray(model.booster.predict(matrix(model, df), raw_score=True))


def score(model: Model, df: pl.DataFrame) -> np.ndarray:
    """Calibrated probability that inspecting each row finds something illicit."""
    return apply_platt(raw_scores(model, df), *model.calibration)


def scores_frame(model: Model, df: pl.DataFrame) -> pl.DataFrame:
    """One row per input row: the id column (or, for a model trained without one, the 1-based
    row number) and the score."""
    if model.id:
        require_columns(df, [model.id], "id")
        ids = df[model.id]
    else:
        ids = pl.Series(ROW, np.arange(1, df.height + 1))
    return pl.DataFrame({ids.name: ids, SCORE: score(model, df)})


def contributions(model: Model, df: pl.DataFrame) -> np.ndarray:
    """SHAP contributions per engineered feature, last column the base value; each row sums
    to its raw score. The same values as LightGBM's pred_contrib, computed from per-tree
    tables for many rows at once (see shap.py; deep trees go to LightGBM's own code)."""
    return shap.contributions(model.booster, matrix(model, df))


def explain(model: Model, df: pl.DataFrame, top: int = 3) -> list[list[Factor]]:
    """The `top` input columns that moved each row's score most, largest first.

    Engineered features are summed back onto the input columns they came from, so an officer
    reads "Importer ID" rather than "illicit rate of earlier Importer ID" and "frequency of
    Importer ID" separately.
    """
    names, shown, best, values = _top_factors(model, df, top)
    lists = {int(g): shown[g].to_list() for g in np.unique(best)}
    return [[Factor(names[g], lists[g][row], float(values[row, k]))
             for k, g in enumerate(best[row])] for row in range(df.height)]


def explain_texts(model: Model, df: pl.DataFrame, top: int = 3, separator: str = "; "
                  ) -> pl.Series:
    """For each row, its explain() factors as one text: separator.join(f.text() ...), built
    column by column instead of one Factor object at a time (for many rows at once)."""
    names, shown, best, values = _top_factors(model, df, top)
    n = df.height
    if n == 0 or best.shape[1] == 0:
        return pl.Series("factors", [""] * n, dtype=pl.String)
    everything = pl.concat(shown)  # group g's text for row r is at g * n + r
    rows = np.arange(n)
    parts = []
    for k in range(best.shape[1]):
        g = best[:, k]
        parts.append(pl.Series(names, dtype=pl.String).gather(g).alias(f"n{k}"))
        parts.append(everything.gather(g * n + rows).alias(f"v{k}"))
        parts.append(pl.Series(f"c{k}", [f"{c:+.2f}" for c in values[:, k].tolist()],
                               dtype=pl.String))
    texts = [pl.concat_str([pl.col(f"n{k}"), pl.lit(" = "), pl.col(f"v{k}"), pl.lit(" ("),
                            pl.col(f"c{k}"), pl.lit(")")]) for k in range(best.shape[1])]
    return pl.DataFrame(parts).select(
        pl.concat_str(texts, separator=separator).alias("factors")).to_series()


def _top_factors(model: Model, df: pl.DataFrame, top: int
                 ) -> tuple[list[str], list[pl.Series], np.ndarray, np.ndarray]:
    """Group names, each group's display text per row, and per row the `top` groups by
    absolute contribution (best [rows, top]) with their contributions (values)."""
    groups = list(dict.fromkeys(f.sources for f in model.state.features))
    member = np.zeros((len(model.state.features), len(groups)))
    for i, feature in enumerate(model.state.features):
        member[i, groups.index(feature.sources)] = 1.0
    grouped = contributions(model, df)[:, :-1] @ member
    shown = [_display(df, sources) for sources in groups]
    names = [" & ".join(sources) for sources in groups]
    best = np.argsort(-np.abs(grouped), axis=1, kind="stable")[:, :top]
    return names, shown, best, np.take_along_axis(grouped, best, axis=1)


def _display(df: pl.DataFrame, sources: tuple[str, ...]) -> pl.Series:
    return df.select(pl.concat_str([pl.col(c).cast(pl.String).fill_null("(empty)")
                                    for c in sources], separator=" & "))[:, 0]
