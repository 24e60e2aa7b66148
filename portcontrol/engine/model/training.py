"""Training: an installation's own inspection history in, a calibrated model out.

Rows are put in time order; the latest `valid_fraction` of them (cut on a date boundary) is
held out. The booster learns on the earlier rows, stops adding trees when the held-out ranking
stops improving, and the Platt curve that turns its raw score into a probability is fitted on
the held-out rows, which it never saw (weighted, when the rows carry weights: see
calibration.py). Everything is seeded and single-path
(deterministic=True, fixed threads), so the same data gives the same model.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import lightgbm as lgb
import numpy as np
import polars as pl

from .artifact import Model
from .calibration import fit_platt
from .errors import ModelError
from .features import FeatureOptions, FeatureState, fit_features
from .metrics import at_percents
from .table import parse_label, parse_time, parse_weight, require_columns

MIN_CLASS_ROWS = 2  # each part needs a few rows of each class to learn and to calibrate


@dataclass(frozen=True)
class TrainOptions:
    valid_fraction: float = 0.2
    learning_rate: float = 0.1
    # Shallow trees: a tree of at most 7 splits is explained from a table of its 2^7 paths
    # (shap.py), several times faster than LightGBM's own SHAP, and scoring costs time in
    # proportion to depth. On the KCS validation split depth 3 (8 leaves, learning rate 0.1,
    # early stop after 50 rounds) ranked as well as depth 6 with 31 leaves at 0.03: precision
    # 1.000 / 0.991 at 5 / 10 % against 1.000 / 0.998, with 52 trees instead of 264.
    num_leaves: int = 8
    max_depth: int = 3
    min_data_in_leaf: int = 20
    feature_fraction: float = 0.7
    bagging_fraction: float = 0.8
    lambda_l2: float = 1.0
    max_rounds: int = 3000
    early_stopping: int = 50
    seed: int = 7
    threads: int = 2
    # Weights change the calibration only when at least this many validation rows weigh
    # more than one: a handful of random picks standing for thousands of containers each
    # would swing the probability of every ordinary container on one or two outcomes.
    min_reweighted_rows: int = 20
    features: FeatureOptions = field(default_factory=FeatureOptions)

    def lightgbm_params(self) -> dict[str, object]:
        return {"objective": "binary", "metric": "average_precision",
                "learning_rate": self.learning_rate, "num_leaves": self.num_leaves,
                "max_depth": self.max_depth, "min_data_in_leaf": self.min_data_in_leaf,
                "feature_fraction": self.feature_fraction,
                "bagging_fraction": self.bagging_fraction, "bagging_freq": 1,
                "lambda_l2": self.lambda_l2, "seed": self.seed, "deterministic": True,
                "force_row_wise": True, "num_threads": self.threads, "verbosity": -1}


def train(df: pl.DataFrame, *, label: str, id: str | None = None, date: str | None = None,
          exclude: tuple[str, ...] = (), weight: str | None = None,
          options: TrainOptions | None = None) -> Model:
    """Train on a text-typed frame (see table.read_table) with a 0/1 label column.

    `weight` names a column of positive row weights (empty: 1) for the calibration, such as
    1 / the chance each row had of being inspected; it is never a feature, and it is used
    only when at least `options.min_reweighted_rows` validation rows weigh more than one.
    The booster learns from the rows unweighted: its ranking needs every find, and a few
    heavy random picks would dominate it."""
    options = options or TrainOptions()
    began = time.perf_counter()
    require_columns(df, [c for c in (id, *exclude) if c], "named")
    weights = parse_weight(df, weight)
    if weights is not None:
        df = df.with_columns(pl.Series("__weight", weights))
    df, y, t = _in_time_order(df, parse_label(df, label), parse_time(df, date))
    if weights is not None:
        weights = df["__weight"].to_numpy()
        df = df.drop("__weight")
    for value in (0, 1):
        if not (y == value).any():
            raise ModelError(f"label column {label!r} has no row labelled {value}: "
                             "a model needs examples of both outcomes")
    skip = {label, *exclude} | ({id} if id else set()) | ({weight} if weight else set())
    state, x = fit_features(df, y, t, skip=skip, date=date, options=options.features)
    early = _time_split(t, y, options.valid_fraction)
    booster = _fit_booster(x, y, early, state, options)
    raw = np.asarray(booster.predict(x[~early], raw_score=True))
    late = None if weights is None else weights[~early]
    heavier = 0 if late is None else int((late > 1).sum())
    if heavier < options.min_reweighted_rows:
        late = None
    calibration = fit_platt(raw, y[~early], weights=late)
    summary = {"rows": len(y), "positives": int(y.sum()), "fit_rows": int(early.sum()),
               "validation_rows": int((~early).sum()), "trees": booster.num_trees(),
               # whether the weights were used, the rows the calibration counted (weights
               # included), and how many validation rows weighed more than one
               "calibration": {"weighted": late is not None,
                               "weighted_rows": float(late.sum()) if late is not None
                               else float((~early).sum()),
                               "rows_weighing_more": heavier,
                               "min_rows_weighing_more": options.min_reweighted_rows},
               "validation": at_percents(y[~early], raw),
               "options": asdict(options), "seconds": round(time.perf_counter() - began, 2)}
    return Model(booster, state, label, id, calibration, summary)


def _in_time_order(df: pl.DataFrame, y: np.ndarray, t: np.ndarray
                   ) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """Sort by time, and within one date by the row's content: the same rows in any file
    order then give the same model (LightGBM's bagging depends on row order)."""
    order = (df.with_columns(pl.Series("__t", t), pl.Series("__row", np.arange(len(t))))
             .sort(["__t", *df.columns], nulls_last=True, maintain_order=True)["__row"]
             .to_numpy())
    return df[order], y[order], t[order]


def _time_split(t: np.ndarray, y: np.ndarray, valid_fraction: float) -> np.ndarray:
    """True for the earlier rows the booster learns on; the rest validate and calibrate."""
    if not 0 < valid_fraction < 1:
        raise ModelError("the validation fraction must lie between 0 and 1")
    cut = t[min(len(t) - 1, int(len(t) * (1 - valid_fraction)))]
    early = t < cut
    if not early.any():
        raise ModelError("cannot hold out later rows for validation: the rows do not span "
                         "enough distinct dates")
    for part, name in ((early, "earlier"), (~early, "later (validation)")):
        positives = int(y[part].sum())
        if min(positives, int(part.sum()) - positives) < MIN_CLASS_ROWS:
            raise ModelError(f"too little history to train: the {name} rows need at least "
                             f"{MIN_CLASS_ROWS} rows labelled 1 and {MIN_CLASS_ROWS} labelled 0")
    return early


def _fit_booster(x: np.ndarray, y: np.ndarray, early: np.ndarray, state: FeatureState,
                 options: TrainOptions) -> lgb.Booster:
    params = options.lightgbm_params()
    # LightGBM sees positional names; the readable names stay in the feature state.
    names = [f"f{i}" for i in range(x.shape[1])]
    categorical = [n for n, f in zip(names, state.features, strict=True) if f.categorical]

    def dataset(rows: np.ndarray, reference: lgb.Dataset | None = None) -> lgb.Dataset:
        return lgb.Dataset(x[rows], label=y[rows], feature_name=names,
                           categorical_feature=categorical, reference=reference,
                           params={"verbosity": -1}, free_raw_data=False)

    fit = dataset(early)
    valid = dataset(~early, reference=fit)
    booster = lgb.train(params, fit, num_boost_round=options.max_rounds, valid_sets=[valid],
                        callbacks=[lgb.early_stopping(options.early_stopping, verbose=False)])
    # Keep only the trees up to the best validation round, so that what is saved, scored
    # and explained is one and the same model.
    return lgb.Booster(model_str=booster.model_to_string(num_iteration=booster.best_iteration))
