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
    to its raw score."""
    return np.asarray(model.booster.predict(matrix(model, df), pred_contrib=True))


def explain(model: Model, df: pl.DataFrame, top: int = 3) -> list[list[Factor]]:
    """The `top` input columns that moved each row's score most, largest first.

    Engineered features are summed back onto the input columns they came from, so an officer
    reads "Importer ID" rather than "illicit rate of earlier Importer ID" and "frequency of
    Importer ID" separately.
    """
    groups = list(dict.fromkeys(f.sources for f in model.state.features))
    member = np.zeros((len(model.state.features), len(groups)))
    for i, feature in enumerate(model.state.features):
        member[i, groups.index(feature.sources)] = 1.0
    grouped = contributions(model, df)[:, :-1] @ member
    shown = [_display(df, sources) for sources in groups]
    names = [" & ".join(sources) for sources in groups]
    best = np.argsort(-np.abs(grouped), axis=1, kind="stable")[:, :top]
    return [[Factor(names[g], shown[g][row], float(grouped[row, g])) for g in best[row]]
            for row in range(df.height)]


def _display(df: pl.DataFrame, sources: tuple[str, ...]) -> list[str]:
    return df.select(pl.concat_str([pl.col(c).cast(pl.String).fill_null("(empty)")
                                    for c in sources], separator=" & "))[:, 0].to_list()
